//! The server refuses, logs and keeps serving: names that leave the root,
//! directories, FIFOs, devices, NUL and newline, over-long names, garbage.
//! Requests are sent by hand over real sockets, in both protocols, and no
//! answer ever holds a byte from outside the root.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::fs;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};

use support::*;
use testkit::{DEADLINE, Proc};

const SECRET: &[u8] = b"the secret outside the root";

/// Sends `request`, then returns everything the server sends until it closes.
fn ask(addr: SocketAddr, request: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    stream.write_all(request).unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    answer
}

fn framed(name: &[u8]) -> Vec<u8> {
    [b"GET ", name, b"\n"].concat()
}

/// Asks for `name` both ways: framed gets one `ERR …` line, classic gets
/// silence; the server logs both refusals.
fn assert_refused_both_ways(
    server: &mut Proc,
    addr: SocketAddr,
    name: &[u8],
    why: &str,
) {
    let shown = String::from_utf8_lossy(&name[..name.len().min(40)]).into_owned();
    let name_bytes = name;
    let name = &shown;
    let answer = ask(addr, &framed(name_bytes));
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("ERR ") && text.ends_with('\n'), "{name:?}: {text:?}");
    assert_eq!(text.matches('\n').count(), 1, "{name:?}: {text:?}");
    assert!(text.contains(why), "{name:?}: {text:?} does not say {why:?}");
    assert!(!contains(&answer, SECRET), "{name:?}: the secret was sent");
    server.wait_stderr("refused");

    let answer = ask(addr, name_bytes);
    assert!(
        answer.is_empty(),
        "{name:?} (classic): {:?}",
        String::from_utf8_lossy(&answer)
    );
    server.wait_stderr("refused");
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}

#[test]
fn names_that_leave_the_root_are_refused() {
    let dirs = dirs("fd-refuse");
    let secret = dirs.tmp.join("secret.txt");
    fs::write(&secret, SECRET).unwrap();
    fs::write(dirs.root.join("hello.txt"), "hello").unwrap();
    fs::create_dir(dirs.root.join("sub")).unwrap();
    let (mut server, addr) = start_server(&dirs.root, &[]);

    let absolute = secret.to_string_lossy().into_owned();
    let cases: [(&[u8], &str); 6] = [
        (b"../secret.txt", "'..' is not allowed"),
        (b"/etc/passwd", "absolute names are not allowed"),
        (absolute.as_bytes(), "absolute names are not allowed"),
        (b"sub/../../secret.txt", "'..' is not allowed"),
        (b"sub/../hello.txt", "'..' is not allowed"),
        (b"no-such-file", "no such file"),
    ];
    for (name, why) in cases {
        assert_refused_both_ways(&mut server, addr, name, why);
    }
    // Still serving, in both protocols.
    assert_eq!(ask(addr, b"GET hello.txt\n"), b"OK 5\nhello");
    assert_eq!(ask(addr, b"hello.txt"), b"hello");
}

#[cfg(unix)]
#[test]
fn symbolic_links_may_not_lead_outside_the_root() {
    use std::os::unix::fs::symlink;
    let dirs = dirs("fd-links");
    let secret = dirs.tmp.join("secret.txt");
    fs::write(&secret, SECRET).unwrap();
    fs::write(dirs.root.join("hello.txt"), "hello").unwrap();
    symlink(&secret, dirs.root.join("link-out")).unwrap();
    symlink("../secret.txt", dirs.root.join("relative-link-out")).unwrap();
    symlink(dirs.tmp.path(), dirs.root.join("dir-out")).unwrap();
    symlink("hello.txt", dirs.root.join("link-in")).unwrap();
    let (mut server, addr) = start_server(&dirs.root, &[]);

    for name in [&b"link-out"[..], b"relative-link-out", b"dir-out/secret.txt"] {
        assert_refused_both_ways(&mut server, addr, name, "outside the root");
    }
    // A link that stays inside the root is fine.
    assert_eq!(ask(addr, b"GET link-in\n"), b"OK 5\nhello");
}

#[cfg(unix)]
#[test]
fn directories_fifos_and_devices_are_refused() {
    let dirs = dirs("fd-kinds");
    fs::create_dir(dirs.root.join("sub")).unwrap();
    let fifo = dirs.root.join("fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let (mut server, addr) = start_server(&dirs.root, &[]);
    assert_refused_both_ways(&mut server, addr, b"sub", "directory");
    assert_refused_both_ways(&mut server, addr, b".", "root directory");
    // Opening a FIFO would wait for a writer forever: refused before opening.
    assert_refused_both_ways(&mut server, addr, b"fifo", "not a regular file");

    // Devices: serve /dev itself, and ask for its devices.
    let (mut dev_server, dev_addr) = start_server(std::path::Path::new("/dev"), &[]);
    for device in [&b"null"[..], b"zero", b"urandom"] {
        assert_refused_both_ways(
            &mut dev_server,
            dev_addr,
            device,
            "not a regular file",
        );
    }
}

#[test]
fn nul_newline_overlong_empty_and_garbage_are_refused() {
    let dirs = dirs("fd-bytes");
    fs::write(dirs.root.join("hello.txt"), "hello").unwrap();
    let (mut server, addr) = start_server(&dirs.root, &[]);
    assert_refused_both_ways(&mut server, addr, b"hello.txt\0.png", "NUL");
    assert_refused_both_ways(&mut server, addr, &[b'a'; 5000], "longer than");
    assert_refused_both_ways(&mut server, addr, &[b'a'; 1025], "at most 1024");
    assert_refused_both_ways(
        &mut server,
        addr,
        "数据".as_bytes().repeat(171).as_slice(),
        "at most 1024",
    );

    // A newline inside a name: framed, the line ends early and bytes follow;
    // classic, the name holds a line break.
    let answer = ask(addr, b"GET hello.txt\nsecret\n");
    assert!(answer.starts_with(b"ERR "), "{:?}", String::from_utf8_lossy(&answer));
    server.wait_stderr("refused");
    assert_eq!(ask(addr, b"hello\n.txt"), b"");
    server.wait_stderr("line break");

    // An empty framed name; bytes that are not UTF-8; plain garbage.
    assert!(ask(addr, b"GET \n").starts_with(b"ERR empty file name"));
    server.wait_stderr("refused");
    assert!(
        ask(addr, b"GET \xff\xfe\n").starts_with(b"ERR the name is not valid utf-8")
    );
    server.wait_stderr("refused");
    assert_eq!(ask(addr, b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"), b"");
    server.wait_stderr("refused");

    // A client that connects and leaves, and one that says nothing at all
    // (held open): neither stops anyone else.
    drop(TcpStream::connect(addr).unwrap());
    server.wait_stderr("closed without asking for a file");
    let _silent = TcpStream::connect(addr).unwrap();
    assert_eq!(ask(addr, b"GET hello.txt\n"), b"OK 5\nhello");
}

#[test]
fn a_classic_request_for_a_file_named_get_x() {
    let dirs = dirs("fd-get-x");
    fs::write(dirs.root.join("GET x"), "I am GET x").unwrap();
    fs::write(dirs.root.join("x"), "I am x").unwrap();
    let (mut server, addr) = start_server(&dirs.root, &[]);
    // No newline: a classic bare name, served after the pause that ends it.
    assert_eq!(ask(addr, b"GET x"), b"I am GET x");
    server.wait_stderr("asks for \"GET x\" (classic)");
    // With a newline it is a framed request for "x"…
    assert_eq!(ask(addr, b"GET x\n"), b"OK 6\nI am x");
    // …and the framed way to ask for "GET x" is "GET GET x\n".
    assert_eq!(ask(addr, b"GET GET x\n"), b"OK 10\nI am GET x");
    // A request that arrives in pieces is still read whole.
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_nodelay(true).unwrap();
    stream.write_all(b"GET ").unwrap();
    stream.write_all(b"x\n").unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    assert_eq!(answer, b"OK 6\nI am x");
}
