//! Rust client ↔ Rust server over real sockets: both protocols, every size,
//! Chinese names in UTF-8 and GBK, missing files, existing outputs, 16
//! downloads at once, and the narration.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::fs;

use support::*;
use testkit::{Cmd, DEADLINE};

#[test]
fn files_of_every_size_arrive_intact_framed_and_classic() {
    let dirs = dirs("fd-sizes");
    for (name, size) in [("empty", 0), ("one", 1), ("mib-plus-one", MIB + 1)] {
        write_test_file(&dirs.root.join(name), size);
    }
    let (_server, addr) = start_server(&dirs.root, &[]);
    for (name, size) in [("empty", 0u64), ("one", 1), ("mib-plus-one", MIB + 1)] {
        let framed = dirs.out.join(format!("{name}.framed"));
        let output = download(addr, name, &framed, &[]);
        assert_downloaded(&output, &dirs.root.join(name), &framed);
        assert!(
            output
                .stdout
                .contains(&format!("saved {} of", file_downloader::bytes(size))),
            "{}",
            output.stdout
        );

        let classic = dirs.out.join(format!("{name}.classic"));
        let output = download(addr, name, &classic, &["--classic"]);
        if size == 0 {
            // The classic protocol cannot tell an empty file from a missing one:
            // nothing arrived, so nothing is created.
            assert_eq!(output.code(), Some(1), "{}", output.stderr);
            assert!(
                output.stderr.contains("error: nothing arrived"),
                "{}",
                output.stderr
            );
            assert!(!classic.exists());
        } else {
            assert_downloaded(&output, &dirs.root.join(name), &classic);
        }
    }
    assert_no_part_files(&dirs.out);
}

#[test]
fn a_256_mib_file_arrives_intact_framed_and_classic() {
    let dirs = dirs("fd-big");
    let source = dirs.root.join("big.bin");
    write_test_file(&source, 256 * MIB);
    let (mut server, addr) = start_server(&dirs.root, &[]);
    for extra in [&[][..], &["--classic"]] {
        let out = dirs.out.join("big.bin");
        let output = download(addr, "big.bin", &out, extra);
        assert_downloaded(&output, &source, &out);
        server.wait_stderr(&format!("sent {} bytes of \"big.bin\"", 256 * MIB));
        fs::remove_file(&out).unwrap();
    }
}

#[test]
fn chinese_names_in_utf8_and_gbk() {
    let dirs = dirs("fd-names");
    let name = "数据 文件.txt";
    write_test_file(&dirs.root.join(name), 3000);
    let (_utf8, utf8_addr) = start_server(&dirs.root, &[]);
    let (_gbk, gbk_addr) = start_server(&dirs.root, &["--encoding", "gbk"]);
    for (addr, encoding) in [(utf8_addr, "utf-8"), (gbk_addr, "gbk")] {
        for mode in [&[][..], &["--classic"]] {
            let out = dirs.out.join(format!("{encoding}-{}.txt", mode.len()));
            let mut extra = vec!["--encoding", encoding];
            extra.extend_from_slice(mode);
            let output = download(addr, name, &out, &extra);
            assert_downloaded(&output, &dirs.root.join(name), &out);
            assert!(output.stdout.contains(name), "{}", output.stdout);
        }
    }
    // Without --output, the file keeps its Chinese name.
    let output = Cmd::bin("file-downloader")
        .args([name, "--from", &gbk_addr.to_string(), "--encoding", "gbk"])
        .current_dir(&dirs.out)
        .run();
    assert_downloaded(&output, &dirs.root.join(name), &dirs.out.join(name));

    // GBK bytes read as UTF-8 are not a name: refused, with the likely cause.
    let out = dirs.out.join("mismatch.txt");
    let output = download(utf8_addr, name, &out, &["--encoding", "gbk"]);
    assert_eq!(output.code(), Some(1));
    assert!(output.stderr.contains("not valid utf-8"), "{}", output.stderr);
    assert!(!out.exists());

    // A name GBK cannot write is refused before anything is sent.
    let output = download(gbk_addr, "😀.txt", &out, &["--encoding", "gbk"]);
    assert_eq!(output.code(), Some(1));
    assert!(output.stderr.contains("cannot be encoded in gbk"), "{}", output.stderr);
    assert_no_part_files(&dirs.out);
}

#[test]
fn a_missing_file_leaves_no_output() {
    let dirs = dirs("fd-missing");
    let (_server, addr) = start_server(&dirs.root, &[]);
    let out = dirs.out.join("missing.txt");

    let output = download(addr, "missing.txt", &out, &[]);
    assert_eq!(output.code(), Some(1));
    assert!(
        output
            .stderr
            .starts_with("error: the server refused \"missing.txt\": no such file"),
        "{}",
        output.stderr
    );
    assert!(output.stderr.contains("hint:"), "{}", output.stderr);
    assert!(!out.exists());

    let output = download(addr, "missing.txt", &out, &["--classic"]);
    assert_eq!(output.code(), Some(1));
    assert!(output.stderr.contains("error: nothing arrived"), "{}", output.stderr);
    assert!(!out.exists());
    assert_no_part_files(&dirs.out);
}

#[test]
fn an_existing_output_is_kept_unless_force() {
    let dirs = dirs("fd-force");
    write_test_file(&dirs.root.join("new.bin"), 5000);
    let (_server, addr) = start_server(&dirs.root, &[]);
    let out = dirs.out.join("new.bin");
    fs::write(&out, "old contents").unwrap();

    let output = download(addr, "new.bin", &out, &[]);
    assert_eq!(output.code(), Some(1));
    assert!(output.stderr.contains("already exists"), "{}", output.stderr);
    assert!(output.stderr.contains("--force"), "{}", output.stderr);
    assert_eq!(fs::read_to_string(&out).unwrap(), "old contents");

    let output = download(addr, "new.bin", &out, &["--force"]);
    assert_downloaded(&output, &dirs.root.join("new.bin"), &out);

    // A leftover .part (an interrupted download) is not touched without --force…
    let part = dirs.out.join("again.bin.part");
    fs::write(&part, "someone else's").unwrap();
    let again = dirs.out.join("again.bin");
    let output = download(addr, "new.bin", &again, &[]);
    assert_eq!(output.code(), Some(1));
    assert!(
        output.stderr.contains("again.bin.part already exists"),
        "{}",
        output.stderr
    );
    assert_eq!(fs::read_to_string(&part).unwrap(), "someone else's");
    assert!(!again.exists());
    // …and replaced with it.
    let output = download(addr, "new.bin", &again, &["--force"]);
    assert_downloaded(&output, &dirs.root.join("new.bin"), &again);
}

#[test]
fn sixteen_downloads_at_once() {
    let dirs = dirs("fd-sixteen");
    let source = dirs.root.join("shared.bin");
    write_test_file(&source, 8 * MIB + 7);
    let (mut server, addr) = start_server(&dirs.root, &[]);
    let clients: Vec<_> = (0..16)
        .map(|i| {
            Cmd::bin("file-downloader")
                .args(["shared.bin", "--from", &addr.to_string(), "--output"])
                .arg(dirs.out.join(format!("copy-{i}.bin")))
                .spawn()
        })
        .collect();
    let outputs: Vec<_> =
        clients.into_iter().map(|mut client| client.wait_exit(DEADLINE)).collect();
    for (i, output) in outputs.iter().enumerate() {
        assert_downloaded(output, &source, &dirs.out.join(format!("copy-{i}.bin")));
    }
    for _ in 0..16 {
        server.wait_stderr("sent 8388615 bytes of \"shared.bin\"");
    }
}

#[test]
fn the_name_can_come_from_stdin_like_input() {
    let dirs = dirs("fd-stdin");
    write_test_file(&dirs.root.join("asked.txt"), 10);
    let (_server, addr) = start_server(&dirs.root, &[]);
    let output = Cmd::bin("file-downloader")
        .args(["--from", &addr.to_string()])
        .current_dir(&dirs.out)
        .stdin("asked.txt\n")
        .run();
    assert!(output.stderr.contains("file to download: "), "{}", output.stderr);
    assert_downloaded(
        &output,
        &dirs.root.join("asked.txt"),
        &dirs.out.join("asked.txt"),
    );
    // --output naming a folder saves inside it, under the file's own name.
    let folder = dirs.out.join("folder");
    fs::create_dir(&folder).unwrap();
    let output = download(addr, "asked.txt", &folder, &[]);
    assert_downloaded(&output, &dirs.root.join("asked.txt"), &folder.join("asked.txt"));
}

#[test]
fn explain_narrates_every_step_and_count_stops_the_server() {
    let dirs = dirs("fd-explain");
    fs::write(dirs.root.join("hello.txt"), "hello\n").unwrap();
    let (mut server, addr) = start_server(&dirs.root, &["--explain", "--count", "1"]);
    let out = dirs.out.join("hello.txt");
    let output = download(addr, "hello.txt", &out, &["--explain"]);
    assert_downloaded(&output, &dirs.root.join("hello.txt"), &out);
    for step in 1..=8 {
        assert!(
            output.stderr.contains(&format!("[step {step}/8] ")),
            "{}",
            output.stderr
        );
    }
    assert!(
        output.stderr.contains("sendall(b'GET hello.txt\\n')"),
        "{}",
        output.stderr
    );
    let server = server.wait_exit(DEADLINE);
    assert!(server.status.success(), "{}", server.stderr);
    for step in 1..=7 {
        assert!(
            server.stderr.contains(&format!("[step {step}/7] ")),
            "{}",
            server.stderr
        );
    }
    assert!(
        server.stderr.contains("sent 6 bytes of \"hello.txt\""),
        "{}",
        server.stderr
    );
}

#[test]
fn help_names_the_lesson_and_the_tutorial() {
    for bin in ["file-server", "file-downloader"] {
        let output = Cmd::bin(bin).arg("--help").run();
        assert!(output.status.success());
        assert!(output.stdout.contains("文件下载器"), "{}", output.stdout);
        assert!(
            output.stdout.contains("tutorial 000, \"Python socket编程\" (kancloud.cn)"),
            "{}",
            output.stdout
        );
    }
    let output = Cmd::bin("file-downloader").args(["x", "--bufsize", "0"]).run();
    assert_eq!(output.code(), Some(2), "{}", output.stderr);
}

#[test]
fn startup_errors_are_one_line_with_a_hint() {
    let dirs = dirs("fd-startup");
    let output = Cmd::bin("file-server")
        .args(["--bind", "127.0.0.1:0", "--root"])
        .arg(dirs.tmp.join("no-such-dir"))
        .run();
    assert_eq!(output.code(), Some(1));
    assert!(
        output.stderr.starts_with("error: cannot open the root directory"),
        "{}",
        output.stderr
    );
    assert!(output.stderr.contains("hint:"), "{}", output.stderr);

    let (_server, addr) = start_server(&dirs.root, &[]);
    let output = Cmd::bin("file-server")
        .args(["--bind", &addr.to_string(), "--root"])
        .arg(&dirs.root)
        .run();
    assert_eq!(output.code(), Some(1));
    assert!(
        output.stderr.contains("hint: another program already uses"),
        "{}",
        output.stderr
    );

    let port = testkit::free_tcp_port();
    let out = dirs.out.join("x");
    let output = download(format!("127.0.0.1:{port}").parse().unwrap(), "x", &out, &[]);
    assert_eq!(output.code(), Some(1));
    assert!(output.stderr.contains("start file-server"), "{}", output.stderr);
    assert!(!output.stderr.contains("panicked"), "{}", output.stderr);

    // Mistakes in the name or the output are found before connecting (nothing
    // listens on `port`: the errors are not "connection refused").
    let nowhere = format!("127.0.0.1:{port}").parse().unwrap();
    for (name, out, expected) in [
        ("..", dirs.out.join(".."), "cannot make a file name"),
        ("x", dirs.out.join("no-such-folder").join("x"), "does not exist"),
        ("", dirs.out.join("x"), "no file name given"),
        ("a\nb", dirs.out.join("x"), "no line break"),
        // The server's rule for names, checked before anything is sent.
        (&"a".repeat(1025), dirs.out.join("x"), "at most 1024 are allowed"),
    ] {
        let output = download(nowhere, name, &out, &[]);
        assert_eq!(output.code(), Some(1), "{name:?}");
        assert!(output.stderr.contains(expected), "{name:?}: {}", output.stderr);
    }
}

#[test]
fn a_refusal_hints_at_encodings_only_when_they_can_be_the_cause() {
    let dirs = dirs("fd-refusal-hints");
    write_test_file(&dirs.root.join("here.txt"), 3);
    let (_server, addr) = start_server(&dirs.root, &[]);

    let climbing = download(addr, "../here.txt", &dirs.out.join("climbing"), &[]);
    assert_eq!(climbing.code(), Some(1), "{}", climbing.stderr);
    assert!(climbing.stderr.contains("'..' is not allowed"), "{}", climbing.stderr);
    assert!(climbing.stderr.contains("without '..'"), "{}", climbing.stderr);
    assert!(!climbing.stderr.contains("--encoding"), "{}", climbing.stderr);

    let missing = download(addr, "missing.txt", &dirs.out.join("missing"), &[]);
    assert_eq!(missing.code(), Some(1), "{}", missing.stderr);
    assert!(missing.stderr.contains("no such file"), "{}", missing.stderr);
    assert!(missing.stderr.contains("the same --encoding"), "{}", missing.stderr);
}
