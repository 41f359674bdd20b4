//! One numbering everywhere: for every program, the step numbers of the
//! Python twin's `steps` region, of the Rust steps file's `steps` region and
//! of `--explain` are the same sequence, and the Rust region has at most twice
//! the twin's code lines.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::fs;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};

use testkit::{Cmd, DEADLINE};

/// A program, its twin and its steps file, and how to make it narrate.
struct Program {
    name: &'static str,
    twin: &'static str,
    steps: &'static str,
    /// Runs the program once with `--explain` and returns its stderr.
    explain: fn() -> String,
}

const PROGRAMS: &[Program] = &[
    Program {
        name: "udp-sender",
        twin: "udp-sender/python/udp_sender.py",
        steps: "udp-sender/src/steps.rs",
        explain: || {
            let receiver = UdpSocket::bind("127.0.0.1:0").unwrap();
            let to = receiver.local_addr().unwrap().to_string();
            Cmd::bin("udp-sender").args(["--to", &to, "--explain", "hi"]).run().stderr
        },
    },
    Program {
        name: "udp-receiver",
        twin: "udp-receiver/python/udp_receiver.py",
        steps: "udp-receiver/src/steps.rs",
        explain: || {
            let mut receiver = Cmd::bin("udp-receiver")
                .args(["--bind", "127.0.0.1:0", "--count", "1", "--explain"])
                .spawn();
            let addr = receiver.wait_listening();
            UdpSocket::bind("127.0.0.1:0").unwrap().send_to(b"hi", addr).unwrap();
            receiver.wait_exit(DEADLINE).stderr
        },
    },
    Program {
        name: "udp-chat menu",
        twin: "udp-chat/python/udp_chat.py",
        steps: "udp-chat/src/steps/menu.rs",
        explain: || {
            let mut menu = Cmd::bin("udp-chat")
                .args(["menu", "--bind", "127.0.0.1:0", "--explain"])
                .spawn();
            let addr = menu.wait_listening();
            let (peer, peer_addr) = peer();
            // 1: send "hi" to the peer (Enter: 127.0.0.1); 2: receive its answer; 0: quit.
            for line in ["1", "", &peer_addr.port().to_string(), "hi", "2"] {
                menu.send_line(line);
            }
            let mut buf = [0u8; 16];
            peer.recv_from(&mut buf).unwrap();
            peer.send_to(b"back", addr).unwrap();
            menu.wait_stdout("]: back");
            menu.send_line("0");
            menu.wait_exit(DEADLINE).stderr
        },
    },
    Program {
        name: "udp-chat talk",
        twin: "udp-chat/python/udp_talk.py",
        steps: "udp-chat/src/steps/talk.rs",
        explain: || {
            let (peer, peer_addr) = peer();
            let mut talk = Cmd::bin("udp-chat")
                .args(["talk", "--bind", "127.0.0.1:0", "--explain"])
                .args(["--peer", &peer_addr.to_string()])
                .spawn();
            let addr = talk.wait_listening();
            // Receive first, so the thread's step 4 is told before the first send's step 5.
            peer.send_to(b"in", addr).unwrap();
            talk.wait_stdout("]: in");
            talk.send_line("out");
            let mut buf = [0u8; 16];
            peer.recv_from(&mut buf).unwrap();
            talk.wait_exit(DEADLINE).stderr
        },
    },
    Program {
        name: "udp-chat qq-server",
        twin: "udp-chat/python/qq_server.py",
        steps: "udp-chat/src/steps/qq_server.rs",
        explain: || {
            let mut server = Cmd::bin("udp-chat")
                .args([
                    "qq-server",
                    "--bind",
                    "127.0.0.1:0",
                    "--count",
                    "1",
                    "--explain",
                ])
                .spawn();
            let addr = server.wait_listening();
            peer().0.send_to(b"hi", addr).unwrap();
            server.wait_stdout("]: hi");
            server.send_line("ok");
            server.wait_exit(DEADLINE).stderr
        },
    },
    Program {
        name: "udp-chat qq-client",
        twin: "udp-chat/python/qq_client.py",
        steps: "udp-chat/src/steps/qq_client.rs",
        explain: || {
            // The checker's socket plays the qq-server.
            let (server, server_addr) = peer();
            let mut client = Cmd::bin("udp-chat")
                .args(["qq-client", "--to", &server_addr.to_string(), "--explain"])
                .spawn();
            for line in ["egg", "hi", "q"] {
                client.send_line(line);
            }
            let mut buf = [0u8; 16];
            let (_, from) = server.recv_from(&mut buf).unwrap();
            server.send_to(b"ok", from).unwrap();
            client.wait_stdout("]: ok");
            client.wait_exit(DEADLINE).stderr
        },
    },
    Program {
        name: "tcp-client",
        twin: "tcp-client/python/tcp_client.py",
        steps: "tcp-client/src/steps.rs",
        explain: || {
            let mut server =
                Cmd::bin("tcp-server").args(["--bind", "127.0.0.1:0"]).spawn();
            let to = server.wait_listening().to_string();
            Cmd::bin("tcp-client").args(["--to", &to, "--explain", "hi"]).run().stderr
        },
    },
    Program {
        name: "tcp-server",
        twin: "tcp-server/python/tcp_server.py",
        steps: "tcp-server/src/steps.rs",
        explain: || tcp_server_explained("sequential"),
    },
    Program {
        name: "tcp-server --mode threads",
        twin: "tcp-server/python/tcp_server_threads.py",
        steps: "tcp-server/src/threads.rs",
        explain: || tcp_server_explained("threads"),
    },
    Program {
        name: "tcp-server --mode nonblocking",
        twin: "tcp-server/python/tcp_server_nonblocking.py",
        steps: "tcp-server/src/nonblocking.rs",
        explain: || tcp_server_explained("nonblocking"),
    },
    Program {
        name: "tcp-server --mode poll",
        twin: "tcp-server/python/tcp_server_selectors.py",
        steps: "tcp-server/src/poll.rs",
        explain: || tcp_server_explained("poll"),
    },
    Program {
        name: "time-server",
        twin: "time-server/python/time_server.py",
        steps: "time-server/src/steps/server.rs",
        explain: || {
            let mut server = Cmd::bin("time-server")
                .args(["--bind", "127.0.0.1:0", "--count", "1", "--explain"])
                .spawn();
            let addr = server.wait_listening();
            UdpSocket::bind("127.0.0.1:0").unwrap().send_to(b"%Y", addr).unwrap();
            server.wait_exit(DEADLINE).stderr
        },
    },
    Program {
        name: "time-client",
        twin: "time-server/python/time_client.py",
        steps: "time-server/src/steps/client.rs",
        explain: || {
            let mut server = Cmd::bin("time-server")
                .args(["--bind", "127.0.0.1:0", "--count", "1"])
                .spawn();
            let to = server.wait_listening().to_string();
            Cmd::bin("time-client").args(["--to", &to, "--explain", "%Y"]).run().stderr
        },
    },
    Program {
        name: "file-downloader",
        twin: "file-downloader/python/file_downloader.py",
        steps: "file-downloader/src/steps/file_downloader.rs",
        explain: || {
            let (dir, mut server, addr) = file_server(&[]);
            let out = dir.join("copy.txt");
            let stderr = Cmd::bin("file-downloader")
                .args([
                    "hello.txt",
                    "--from",
                    &addr.to_string(),
                    "--explain",
                    "--output",
                ])
                .arg(&out)
                .run()
                .stderr;
            server.kill();
            stderr
        },
    },
    Program {
        name: "file-server",
        twin: "file-downloader/python/file_server.py",
        steps: "file-downloader/src/steps/file_server.rs",
        explain: || {
            let (dir, mut server, addr) = file_server(&["--count", "1", "--explain"]);
            let out = Cmd::bin("file-downloader")
                .args(["hello.txt", "--from", &addr.to_string(), "--output"])
                .arg(dir.join("copy.txt"))
                .run();
            assert!(out.status.success(), "{}", out.stderr);
            server.wait_exit(DEADLINE).stderr
        },
    },
];

/// A UDP socket on 127.0.0.1 that waits at most [`DEADLINE`] for a datagram.
fn peer() -> (UdpSocket, SocketAddr) {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.set_read_timeout(Some(DEADLINE)).unwrap();
    let addr = socket.local_addr().unwrap();
    (socket, addr)
}

/// `tcp-server --mode MODE --once --explain` serving one client that sends
/// `hi`, reads the echo and closes: the server's stderr.
fn tcp_server_explained(mode: &str) -> String {
    let mut server = Cmd::bin("tcp-server")
        .args(["--bind", "127.0.0.1:0", "--mode", mode, "--once", "--explain"])
        .spawn();
    let addr = server.wait_listening();
    let mut client = TcpStream::connect_timeout(&addr, DEADLINE).unwrap();
    client.set_read_timeout(Some(DEADLINE)).unwrap();
    client.write_all(b"hi").unwrap();
    let mut echo = [0u8; 2];
    client.read_exact(&mut echo).unwrap();
    assert_eq!(&echo, b"hi", "{mode}");
    drop(client);
    server.wait_exit(DEADLINE).stderr
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// The lines of `path` between `MARKER ANCHOR: steps` and `MARKER ANCHOR_END: steps`.
fn steps_region(path: &str, marker: &str) -> Vec<String> {
    let text = fs::read_to_string(workspace().join(path))
        .unwrap_or_else(|err| panic!("{path}: {err}"));
    let start = format!("{marker} ANCHOR: steps");
    let end = format!("{marker} ANCHOR_END: steps");
    let lines: Vec<&str> = text.lines().collect();
    let from = lines.iter().position(|l| l.trim() == start);
    let to = lines.iter().position(|l| l.trim() == end);
    let (Some(from), Some(to)) = (from, to) else {
        panic!("{path}: no `{start}` … `{end}` region");
    };
    lines[from + 1..to].iter().map(|l| l.to_string()).collect()
}

/// The N of every `MARKER N. …` comment, in order.
fn step_numbers(region: &[String], marker: &str) -> Vec<usize> {
    region
        .iter()
        .filter_map(|line| {
            let rest = line.trim().strip_prefix(marker)?.trim_start();
            let (number, after) = rest.split_once(". ")?;
            (!after.is_empty()).then_some(())?;
            number.parse().ok()
        })
        .collect()
}

/// Lines that are neither blank nor comments (doc comments included).
fn code_lines(region: &[String], marker: &str) -> usize {
    region
        .iter()
        .map(|line| line.trim())
        .filter(|line| !line.is_empty() && !line.starts_with(marker))
        .count()
}

/// The step numbers `--explain` printed, in order of first appearance.
fn explained_numbers(stderr: &str) -> Vec<usize> {
    let mut seen = Vec::new();
    for line in stderr.lines() {
        let Some(rest) = line.strip_prefix("[step ") else { continue };
        let Some((number, _)) = rest.split_once('/') else { continue };
        let number: usize = number.parse().unwrap();
        if !seen.contains(&number) {
            seen.push(number);
        }
    }
    seen
}

#[test]
fn twin_rust_and_explain_share_the_numbers_and_rust_is_at_most_twice_the_twin() {
    let mut table = String::from("| program | twin lines | Rust lines | ratio |\n");
    for program in PROGRAMS {
        let twin = steps_region(program.twin, "#");
        let rust = steps_region(program.steps, "//");
        let twin_numbers = step_numbers(&twin, "#");
        let rust_numbers = step_numbers(&rust, "//");
        assert!(
            !twin_numbers.is_empty(),
            "{}: the twin's region has no `# N.` steps",
            program.name
        );
        assert!(
            twin_numbers.windows(2).all(|w| w[0] < w[1]),
            "{}: the twin's steps are not in order: {twin_numbers:?}",
            program.name
        );
        assert_eq!(
            twin_numbers, rust_numbers,
            "{}: twin vs Rust step numbers",
            program.name
        );
        let explained = explained_numbers(&(program.explain)());
        assert_eq!(
            explained, rust_numbers,
            "{}: --explain vs the steps file",
            program.name
        );
        let (py, rs) = (code_lines(&twin, "#"), code_lines(&rust, "//"));
        assert!(
            rs <= 2 * py,
            "{}: {rs} Rust code lines for {py} in the twin",
            program.name
        );
        table += &format!(
            "| {} | {py} | {rs} | {:.2} |\n",
            program.name,
            rs as f64 / py as f64
        );
    }
    println!("{table}");
}

/// The README and the introduction quote one `--explain` line and one step
/// comment of udp-receiver as examples; both must be what the program prints
/// and what its steps file says.
#[test]
fn the_examples_quoted_in_the_readme_and_introduction_are_real() {
    let receiver = PROGRAMS.iter().find(|p| p.name == "udp-receiver").unwrap();
    let explained = (receiver.explain)();
    // The examples show the default port, 8080; the test bound port 0.
    let explained = explained.replace("', 0))", "', 8080))");
    let steps = fs::read_to_string(workspace().join(receiver.steps)).unwrap();
    let mut quoted = 0;
    for page in ["README.md", "docs/src/introduction.md"] {
        let text = fs::read_to_string(workspace().join(page)).unwrap();
        for example in text.split('`').skip(1).step_by(2) {
            if example.starts_with("[step ") {
                quoted += 1;
                assert!(
                    explained.lines().any(|line| line == example),
                    "{page} quotes `{example}`, but udp-receiver --explain printed:\n{explained}"
                );
            } else if example.starts_with("// ") && example.contains(" — ") {
                quoted += 1;
                assert!(
                    steps.lines().any(|line| line.trim() == example),
                    "{page} quotes `{example}`, which is not a line of {}",
                    receiver.steps
                );
            }
        }
    }
    assert!(
        quoted >= 3,
        "the README and the introduction quote {quoted} examples, not 3"
    );
}

#[test]
fn the_scanner_reads_numbers_and_counts_code() {
    let region: Vec<String> = [
        "    # 1. create (创建)",
        "    s = socket()",
        "",
        "    # optional: bind",
        "    # 2. close",
        "    s.close()",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(step_numbers(&region, "#"), [1, 2]);
    assert_eq!(code_lines(&region, "#"), 2);
    assert_eq!(
        explained_numbers("[step 1/3] a\n[step 2/3] b\n    [note] c\n[step 2/3] b\n"),
        [1, 2]
    );
}

/// `file-server` serving a folder that holds `hello.txt`, once it listens.
fn file_server(
    extra: &[&str],
) -> (testkit::TempDir, testkit::Proc, std::net::SocketAddr) {
    let dir = testkit::TempDir::new("steps-file");
    fs::write(dir.join("hello.txt"), "你好\n").unwrap();
    let mut server = Cmd::bin("file-server")
        .args(["--bind", "127.0.0.1:0", "--root"])
        .arg(dir.path())
        .args(extra)
        .spawn();
    let addr = server.wait_listening();
    (dir, server, addr)
}
