//! The Rust programs and the Python listings of tutorials 000 and 003 talk to each
//! other, both ways, in UTF-8 and GBK, and print the same lines.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::{SocketAddr, UdpSocket};
use std::path::PathBuf;

use testkit::{Cmd, DEADLINE, Proc};

fn listing(crate_dir: &str, file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(crate_dir)
        .join("python")
        .join(file)
}

/// `python3 udp_receiver.py 0 ENCODING COUNT`, and the loopback address it bound.
fn python_receiver(encoding: &str, count: usize) -> Option<(Proc, SocketAddr)> {
    let mut proc = Cmd::python(listing("udp-receiver", "udp_receiver.py"))?
        .args(["0", encoding, &count.to_string()])
        .spawn();
    let bound = proc.wait_listening();
    Some((proc, SocketAddr::from(([127, 0, 0, 1], bound.port()))))
}

#[test]
fn rust_sender_to_python_receiver() {
    for encoding in ["utf-8", "gbk"] {
        let Some((mut python, addr)) = python_receiver(encoding, 1) else { return };
        let out = Cmd::bin("udp-sender")
            .args(["--to", &addr.to_string(), "--encoding", encoding, "数据"])
            .run();
        assert!(out.status.success(), "{}", out.stderr);
        let out = python.wait_exit(DEADLINE);
        assert!(out.status.success(), "{}", out.stderr);
        let text_line = out.stdout.lines().nth(1).unwrap();
        assert!(text_line.ends_with(": 数据"), "{encoding}: {}", out.stdout);
    }
}

#[test]
fn python_sender_to_rust_receiver() {
    for encoding in ["utf-8", "gbk"] {
        let mut receiver = Cmd::bin("udp-receiver")
            .args(["--bind", "127.0.0.1:0", "--count", "1", "--encoding", encoding])
            .spawn();
        let addr = receiver.wait_listening();
        let Some(python) = Cmd::python(listing("udp-sender", "udp_sender.py")) else {
            return;
        };
        let out = python
            .args(["127.0.0.1", &addr.port().to_string(), encoding, "数据"])
            .run();
        assert!(out.status.success(), "{}", out.stderr);
        let out = receiver.wait_exit(DEADLINE);
        assert!(
            out.stdout.trim_end().ends_with(": 数据"),
            "{encoding}: {}",
            out.stdout
        );
        assert!(!out.stderr.contains("warning"), "{}", out.stderr);
    }
}

/// The same datagram, from the same port, to both receivers: `--python-repr`
/// prints exactly what Python's `print(udp_socket.recvfrom(1024))` prints, and
/// the default output is the Python listing's second line.
#[test]
fn python_repr_matches_the_python_receiver_line_for_line() {
    let datagrams: [&[u8]; 5] = [
        b"\xca\xfd\xbe\xdd",
        "数据".as_bytes(),
        b"it's",
        b"tab\there \\ \"q\" \x00\x7f",
        b"",
    ];
    for encoding in ["gbk", "utf-8"] {
        let Some((mut python, python_addr)) =
            python_receiver(encoding, datagrams.len())
        else {
            return;
        };
        let count = datagrams.len().to_string();
        let mut repr = Cmd::bin("udp-receiver")
            .args(["--bind", "127.0.0.1:0", "--python-repr", "--count", &count])
            .spawn();
        let repr_addr = repr.wait_listening();
        let mut text = Cmd::bin("udp-receiver")
            .args(["--bind", "127.0.0.1:0", "--encoding", encoding, "--count", &count])
            .spawn();
        let text_addr = text.wait_listening();

        let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
        for datagram in datagrams {
            for to in [python_addr, repr_addr, text_addr] {
                sender.send_to(datagram, to).unwrap();
            }
        }
        let python = python.wait_exit(DEADLINE).stdout;
        let python: Vec<&str> = python.lines().collect();
        let repr = repr.wait_exit(DEADLINE).stdout;
        let text = text.wait_exit(DEADLINE).stdout;
        let python_reprs: Vec<&str> = python.iter().copied().step_by(2).collect();
        let python_texts: Vec<&str> =
            python.iter().copied().skip(1).step_by(2).collect();
        assert_eq!(repr.lines().collect::<Vec<_>>(), python_reprs, "{encoding}");
        assert_eq!(text.lines().collect::<Vec<_>>(), python_texts, "{encoding}");
    }
}
