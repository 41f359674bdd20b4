//! What the downloader never does, whatever the file system or the server
//! holds: write through a symbolic or hard link (with or without `--force`),
//! print a server's control characters raw, or ignore bytes it was not told
//! about. Real binaries, real sockets on 127.0.0.1.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod fake_server;
mod support;

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::time::Duration;

use fake_server::{FakeServer, part_files, spawn_download};
use support::*;
use testkit::DEADLINE;

const VICTIM: &[u8] = b"the victim's bytes, which no download may change";
const HELLO: &[u8] = b"hello from the server\n";

/// Dirs with `root/hello.txt` to serve and `victim` outside both folders.
fn setup(prefix: &str) -> (Dirs, PathBuf) {
    let dirs = dirs(prefix);
    fs::write(dirs.root.join("hello.txt"), HELLO).unwrap();
    let victim = dirs.tmp.join("victim");
    fs::write(&victim, VICTIM).unwrap();
    (dirs, victim)
}

fn assert_victim_untouched(victim: &Path) {
    assert_eq!(fs::read(victim).unwrap(), VICTIM, "the download wrote into the victim");
}

#[test]
fn force_unlinks_a_part_that_is_a_symbolic_link() {
    let (dirs, victim) = setup("fd-safe-symlink-part");
    let out = dirs.out.join("hello.txt");
    symlink("../victim", dirs.out.join("hello.txt.part")).unwrap();
    let (_server, addr) = start_server(&dirs.root, &[]);
    let output = download(addr, "hello.txt", &out, &["--force"]);
    assert_downloaded(&output, &dirs.root.join("hello.txt"), &out);
    assert_victim_untouched(&victim);
}

#[test]
fn force_unlinks_a_part_that_is_a_hard_link() {
    let (dirs, victim) = setup("fd-safe-hardlink-part");
    let out = dirs.out.join("hello.txt");
    fs::hard_link(&victim, dirs.out.join("hello.txt.part")).unwrap();
    let (_server, addr) = start_server(&dirs.root, &[]);
    let output = download(addr, "hello.txt", &out, &["--force"]);
    assert_downloaded(&output, &dirs.root.join("hello.txt"), &out);
    assert_victim_untouched(&victim);
}

/// The case where the old message lied: a cut transfer with --force left the
/// victim overwritten and said "nothing was saved".
#[test]
fn a_cut_forced_download_through_a_linked_part_changes_nothing() {
    for hard in [false, true] {
        let (dirs, victim) = setup("fd-safe-cut");
        let out = dirs.out.join("x");
        let part = dirs.out.join("x.part");
        if hard {
            fs::hard_link(&victim, &part).unwrap();
        } else {
            symlink(&victim, &part).unwrap();
        }
        let server = FakeServer::new();
        let mut client = spawn_download(server.addr(), "x", &out, &["--force"]);
        server.answer_once(b"OK 100\nonly ten b");
        let output = client.wait_exit(DEADLINE);
        assert_eq!(output.code(), Some(1), "{}", output.stderr);
        assert!(output.stderr.contains("after 10 of 100 bytes"), "{}", output.stderr);
        assert!(output.stderr.contains("nothing was saved"), "{}", output.stderr);
        assert_victim_untouched(&victim);
        assert!(part_files(&dirs.out).is_empty(), "{:?}", part_files(&dirs.out));
        assert!(!out.exists());
    }
}

#[test]
fn without_force_a_linked_part_is_refused_and_kept() {
    let (dirs, victim) = setup("fd-safe-keep-part");
    let out = dirs.out.join("hello.txt");
    let part = dirs.out.join("hello.txt.part");
    symlink(&victim, &part).unwrap();
    let (_server, addr) = start_server(&dirs.root, &[]);
    let output = download(addr, "hello.txt", &out, &[]);
    assert_eq!(output.code(), Some(1), "{}", output.stderr);
    assert!(
        output.stderr.contains("hello.txt.part already exists"),
        "{}",
        output.stderr
    );
    assert_victim_untouched(&victim);
    assert_eq!(fs::read_link(&part).unwrap(), victim, "the link was not kept");
    assert!(!out.exists());
}

#[test]
fn an_output_that_is_a_dangling_link_is_refused_before_connecting() {
    let dirs = dirs("fd-safe-dangling");
    let out = dirs.out.join("x");
    let nowhere = dirs.tmp.join("nowhere");
    symlink(&nowhere, &out).unwrap();
    let server = FakeServer::new();
    let output = spawn_download(server.addr(), "x", &out, &[]).wait_exit(DEADLINE);
    assert_eq!(output.code(), Some(1), "{}", output.stderr);
    assert!(
        output.stderr.contains("x already exists: a symbolic link to")
            && output.stderr.contains("which does not exist"),
        "{}",
        output.stderr
    );
    assert!(output.stderr.contains("--force"), "{}", output.stderr);
    // Refused before the transfer: the server never heard from it.
    assert!(server.accept_within(Duration::ZERO).is_none(), "it connected");
    assert!(!nowhere.exists(), "the link was followed");
    assert!(part_files(&dirs.out).is_empty());
}

#[test]
fn force_replaces_an_output_link_not_what_it_leads_to() {
    for hard in [false, true] {
        let (dirs, victim) = setup("fd-safe-output-link");
        let out = dirs.out.join("hello.txt");
        if hard {
            fs::hard_link(&victim, &out).unwrap();
        } else {
            symlink(&victim, &out).unwrap();
        }
        let (_server, addr) = start_server(&dirs.root, &[]);
        // Without --force: kept.
        let output = download(addr, "hello.txt", &out, &[]);
        assert_eq!(output.code(), Some(1), "{}", output.stderr);
        assert!(output.stderr.contains("already exists"), "{}", output.stderr);
        // With --force: the name is replaced, the victim is not written.
        let output = download(addr, "hello.txt", &out, &["--force"]);
        assert_downloaded(&output, &dirs.root.join("hello.txt"), &out);
        assert!(!fs::symlink_metadata(&out).unwrap().file_type().is_symlink());
        assert_victim_untouched(&victim);
    }
}

#[test]
fn a_servers_control_characters_are_shown_escaped() {
    let dirs = dirs("fd-safe-escapes");
    let out = dirs.out.join("x");
    let server = FakeServer::new();
    let mut client = spawn_download(server.addr(), "x", &out, &[]);
    // Clear the screen, retitle the window, ring the bell, a bidi override.
    server.answer_once("ERR \x1b[2J\x1b]0;pwned\x07 gone\u{202e}\r\n".as_bytes());
    let output = client.wait_exit(DEADLINE);
    assert_eq!(output.code(), Some(1), "{}", output.stderr);
    let controls = ['\x1b', '\x07', '\u{202e}'];
    assert!(!output.stderr.contains(controls), "raw: {:?}", output.stderr);
    assert!(
        output.stderr.contains(r#"refused "x": \x1b[2J\x1b]0;pwned\x07 gone\u202e"#),
        "{}",
        output.stderr
    );
    assert!(!out.exists() && part_files(&dirs.out).is_empty());
}

#[test]
fn bytes_beyond_the_announced_size_are_reported() {
    let dirs = dirs("fd-safe-extra");
    let out = dirs.out.join("x");
    let server = FakeServer::new();
    let mut client = spawn_download(server.addr(), "x", &out, &[]);
    server.answer_once(b"OK 5\nhelloEXTRA");
    let output = client.wait_exit(DEADLINE);
    assert_eq!(output.code(), Some(0), "{}", output.stderr);
    assert_eq!(fs::read(&out).unwrap(), b"hello", "the file is the announced 5 bytes");
    assert!(
        output.stderr.contains(
            "warning: the server sent 5 bytes more than the 5 it announced; \
             they were not saved"
        ),
        "{}",
        output.stderr
    );
    assert!(output.stdout.starts_with("saved 5 bytes"), "{}", output.stdout);

    // A server that sends exactly SIZE bytes gets no warning.
    let mut client = spawn_download(server.addr(), "x", &out, &["--force"]);
    server.answer_once(b"OK 5\nhello");
    let output = client.wait_exit(DEADLINE);
    assert_eq!(output.code(), Some(0), "{}", output.stderr);
    assert!(!output.stderr.contains("warning"), "{}", output.stderr);
}
