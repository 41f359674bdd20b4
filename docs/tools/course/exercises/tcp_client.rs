//! The exercise of the TCP client lesson: tcp-client's `talk`, checked
//! against the reference `tcp-server` (echo, `--reply`, `--greeting`), the
//! Python twin's servers (`tcp_server.py`, `tcp_server_threads.py`) and a
//! server of the checker's own that never answers.
//!
//! Every run of the student's client before step 5's check gets `--timeout 2`:
//! a client that never sends its FIN then waits 2 s for the server's, warns
//! and exits, so only the close check blames it.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use super::Exercise;
use super::checks::{
    CHECK_DEADLINE, Check, Ctx, accept_within, args, exits_ok, prints, shown,
};
use crate::process::Running;

/// How long the close_wait check waits for a client that is given 5 s.
const CLOSE_WAIT_CHECK: Duration = Duration::from_secs(9);

const SKIP_NO_PYTHON: &str = "skipped: python3 not found, the twin was not run";

pub fn client() -> Exercise {
    Exercise {
        id: "tcp-client",
        krate: "tcp-client",
        feature: "exercise",
        tutorial: "000 TCP客户端, 003, 004",
        reference: "tcp-client/src/steps.rs",
        student: "tcp-client/exercise/steps.rs",
        twin: "tcp-client/python/tcp_client.py",
        task: "Write `talk`: create a TCP socket for `to` (with --timeout, settimeout), \
               connect to it, then for each message of `user.next_message()` send it whole \
               and — unless --send-only (`opt.replies` is false) — receive one reply of at \
               most `opt.bufsize` bytes and `user.show` it; at the end shut down the \
               sending side, and show what the server still sends until it closes.",
        hints: &[
            (
                1,
                "common::net::new_stream_socket(to)? is socket(AF_INET, SOCK_STREAM) for to's family; then settimeout(&tcp_socket, opt)? (the helper below the steps).",
            ),
            (
                2,
                "connect(&tcp_socket, &net::sock_addr(to)?, opt.timeout)? (the helper below) is Python's connect((ip, port)); then say_connected(&tcp_socket).",
            ),
            (
                3,
                "`while let Some(data) = user.next_message() { … }` runs steps 3 and 4 once per message; (&tcp_socket).write_all(&data)? is sendall.",
            ),
            (
                4,
                "Make `let mut buf = vec![0u8; opt.bufsize];` once; then, if opt.replies, `let n = (&tcp_socket).read(&mut buf)?;` and user.show(&buf[..n])? — only buf[..n] arrived.",
            ),
            (
                5,
                "tcp_socket.shutdown(Shutdown::Write)? sends your FIN, so the server's recv returns b'' and it closes too.",
            ),
            (
                5,
                "After shutdown: tcp_socket.set_read_timeout(opt.close_wait)?, then `while let n @ 1.. = (&tcp_socket).read(&mut buf)? { user.show(&buf[..n])?; }`.",
            ),
        ],
        checks,
    }
}

fn checks() -> Vec<Check> {
    vec![
        Check {
            step: 1,
            name: "create",
            what: "it opens a TCP connection: tcp-server accepts it",
            run: |ctx| {
                let (mut server, addr) = reference_server(ctx, &["--once"])?;
                let mut client = ctx.student(
                    "tcp-client",
                    &args(&["--to", &addr, "--send-only", "--timeout", "2", "hi"]),
                )?;
                let _ = client.wait_exit_within(CHECK_DEADLINE);
                client.stop();
                blame_connect(&client)?;
                prints(&mut server, "connected: ", "tcp-server").map(drop).map_err(|e| {
                    format!(
                        "{e}\n    tcp-client printed:\n{}\n    — no TCP connection arrived: is the socket SOCK_STREAM (new_stream_socket), not SOCK_DGRAM?",
                        shown(&client)
                    )
                })
            },
        },
        Check {
            step: 1,
            name: "settimeout, optional",
            what: "--timeout 1: a server that never answers gives `no reply from ADDR within 1s`",
            run: |ctx| {
                // Never accepted: the kernel completes the handshake, nobody answers.
                let listener = listener()?;
                let addr = local(&listener)?;
                let mut client = ctx.student(
                    "tcp-client",
                    &args(&["--to", &addr, "--timeout", "1", "hi"]),
                )?;
                let exited = client.wait_exit_within(CHECK_DEADLINE);
                client.stop();
                blame_connect(&client)?;
                let said = |text: &str| client.lines().iter().any(|l| l.contains(text));
                match exited {
                    Ok(false) if said(&format!("no reply from {addr} within 1s")) => {
                        Ok(())
                    }
                    Ok(true) => Err(format!(
                        "[step 4] it exited without waiting for the reply:\n{}\n    — after sending, read one reply (step 4)",
                        shown(&client)
                    )),
                    Ok(false) => Err(format!(
                        "it failed, but not with `no reply from {addr} within 1s`:\n{}",
                        shown(&client)
                    )),
                    Err(_) => Err(format!(
                        "it still waited for a reply after {CHECK_DEADLINE:?}, with --timeout 1:\n{}\n    — with opt.timeout, set the read and write timeouts: settimeout(&tcp_socket, opt)?",
                        shown(&client)
                    )),
                }
            },
        },
        Check {
            step: 2,
            name: "connect",
            what: "it connects to --to and says `connected to ADDR from 127.0.0.1:PORT`",
            run: |ctx| {
                let (_server, addr) = reference_server(ctx, &["--once"])?;
                let (client, _) = run_client(ctx, &["--to", &addr, "hi"])?;
                let expected = format!("connected to {addr} from 127.0.0.1:");
                if client.lines().iter().any(|l| l.starts_with(&expected)) {
                    Ok(())
                } else {
                    Err(format!(
                        "it never said `{expected}…`:\n{}\n    — after connecting, call say_connected(&tcp_socket)",
                        shown(&client)
                    ))
                }
            },
        },
        Check {
            step: 3,
            name: "send",
            what: "each message arrives whole at tcp-server, in UTF-8 and GBK",
            run: |ctx| {
                for (encoding, text) in [("utf-8", "hello 你好"), ("gbk", "hello 数据")]
                {
                    let (mut server, addr) =
                        reference_server(ctx, &["--once", "--encoding", encoding])?;
                    run_client(ctx, &["--to", &addr, "--encoding", encoding, text])?;
                    exits_ok(&mut server, "tcp-server --once")?;
                    // `127.0.0.1:PORT: TEXT`, one line per recv of the server.
                    let received: Vec<String> = server
                        .lines()
                        .iter()
                        .filter(|l| l.starts_with("127.0.0.1:"))
                        .filter_map(|l| l.split_once(": ").map(|(_, t)| t.to_string()))
                        .collect();
                    if received.concat() != text || received.len() != 1 {
                        return Err(format!(
                            "tcp-server ({encoding}) received {received:?}, not {text:?} in one piece:\n{}\n    — send all of `data` with write_all (sendall); one write may take only part",
                            shown(&server)
                        ));
                    }
                }
                Ok(())
            },
        },
        Check {
            step: 4,
            name: "recv",
            what: "the Python twin's servers (tcp_server.py, tcp_server_threads.py) get 数据 and echo it, in UTF-8 and GBK",
            run: |ctx| {
                for (twin, encoding) in [
                    ("tcp_server.py", "utf-8"),
                    ("tcp_server.py", "gbk"),
                    ("tcp_server_threads.py", "gbk"),
                ] {
                    let Some(mut python) = ctx.python(
                        &format!("tcp-server/python/{twin}"),
                        &args(&["0", encoding]),
                    )?
                    else {
                        return Err(SKIP_NO_PYTHON.into());
                    };
                    let line = prints(&mut python, "listening on ", twin)?;
                    let addr = line.rsplit(' ').next().unwrap_or_default().to_string();
                    let (_, replies) = run_client(
                        ctx,
                        &["--to", &addr, "--encoding", encoding, "数据", "nihao"],
                    )?;
                    prints(&mut python, "closed: ", twin)?;
                    if !python.lines().iter().any(|l| l.ends_with(": 数据")) {
                        return Err(format!(
                            "[step 3] {twin} ({encoding}) never received 数据:\n{}",
                            shown(&python)
                        ));
                    }
                    if replies != ["数据", "nihao"] {
                        return Err(format!(
                            "against {twin} ({encoding}) it printed {replies:?}, not [\"数据\", \"nihao\"]\n    — after each message, read one reply and user.show(&buf[..n])"
                        ));
                    }
                }
                Ok(())
            },
        },
        Check {
            step: 4,
            name: "recv",
            what: "each reply is shown after its message: hello, 数据 (echo), and ok, ok (--reply ok)",
            run: |ctx| {
                for (server_args, messages, expected) in [
                    (&["--once"][..], ["hello", "数据"], ["hello", "数据"]),
                    (&["--once", "--reply", "ok"][..], ["a", "b"], ["ok", "ok"]),
                ] {
                    let (_server, addr) = reference_server(ctx, server_args)?;
                    let (_, replies) =
                        run_client(ctx, &["--to", &addr, messages[0], messages[1]])?;
                    if replies != expected {
                        return Err(format!(
                            "against tcp-server {} it printed {replies:?}, not {expected:?}\n    — read one reply after each message, into a buffer of opt.bufsize bytes",
                            server_args.join(" ")
                        ));
                    }
                }
                Ok(())
            },
        },
        Check {
            step: 4,
            name: "recv(bufsize)",
            what: "--bufsize 4: the first recv of the echo of 数据数据 takes 4 bytes (数, and a byte of 据 held back)",
            run: |ctx| {
                let (_server, addr) = reference_server(ctx, &["--once"])?;
                let (_, replies) =
                    run_client(ctx, &["--to", &addr, "--bufsize", "4", "数据数据"])?;
                // The rest comes later (step 5): only the first piece is step 4's.
                if replies.first().map(String::as_str) == Some("数") {
                    Ok(())
                } else {
                    Err(format!(
                        "it printed {replies:?}: the first recv should take 4 bytes, 数 and the first byte of 据\n    — make the buffer vec![0u8; opt.bufsize]"
                    ))
                }
            },
        },
        Check {
            step: 4,
            name: "recv",
            what: "a server that closes instead of answering: recv returns b'', and it says `closed the connection` (exit 1)",
            run: |ctx| {
                let listener = listener()?;
                let addr = local(&listener)?;
                let mut client = ctx.student(
                    "tcp-client",
                    &args(&["--to", &addr, "--timeout", "3", "hi"]),
                )?;
                let mut peer = accept_within(&listener)?;
                let mut buf = [0u8; 64];
                peer.read(&mut buf)
                    .map_err(|e| format!("[step 3] nothing arrived: {e}"))?;
                // Closed without a word: the client's recv returns 0.
                drop(peer);
                let exited = client.wait_exit_within(CHECK_DEADLINE);
                client.stop();
                blame_connect(&client)?;
                let said =
                    client.lines().iter().any(|l| l.contains("closed the connection"));
                match exited {
                    Ok(false) if said => Ok(()),
                    Err(_) => Err(format!(
                        "it still ran after {CHECK_DEADLINE:?}:\n{}",
                        shown(&client)
                    )),
                    _ => Err(format!(
                        "it did not fail with `closed the connection`:\n{}\n    — show every piece recv returns, b'' too: user.show(&buf[..n]) makes an empty one the error",
                        shown(&client)
                    )),
                }
            },
        },
        Check {
            step: 4,
            name: "--send-only, optional",
            what: "--send-only (tutorial 003's tcp_send_client) sends to a server that never answers, and waits for no reply",
            run: |ctx| {
                let listener = listener()?;
                let addr = local(&listener)?;
                let mut client = ctx.student(
                    "tcp-client",
                    &args(&["--to", &addr, "--send-only", "--timeout", "2", "a", "b"]),
                )?;
                let got = read_to_end(&listener);
                let exited = exits_ok(&mut client, "tcp-client --send-only a b");
                blame_connect(&client)?;
                exited.map_err(|e| {
                    format!("{e}\n    — with --send-only (opt.replies false) step 4 is skipped: no reply is read")
                })?;
                match got? {
                    got if got == b"ab" => Ok(()),
                    got => Err(format!(
                        "[step 3] the server received {}, not b'ab'",
                        common::pyrepr::bytes_repr(&got)
                    )),
                }
            },
        },
        Check {
            step: 5,
            name: "shutdown, close",
            what: "after the last reply it sends its FIN: the server closes at once, and so does the client",
            run: |ctx| {
                let (mut server, addr) = reference_server(ctx, &["--once"])?;
                let (client, _) = run_client(ctx, &["--to", &addr, "hi"])?;
                if let Some(line) =
                    client.lines().iter().find(|l| l.contains("did not close within"))
                {
                    return Err(format!(
                        "the server waited for your FIN, and you for its: {line}\n    — call tcp_socket.shutdown(Shutdown::Write)? before reading what is left"
                    ));
                }
                exits_ok(&mut server, "tcp-server --once")
            },
        },
        Check {
            step: 5,
            name: "close_wait",
            what: "a server that answers but never closes is given opt.close_wait (5 s) after the FIN, then the client closes anyway",
            run: |ctx| {
                let listener = listener()?;
                let addr = local(&listener)?;
                // No --timeout: only opt.close_wait can end the wait for its FIN.
                let mut client =
                    ctx.student("tcp-client", &args(&["--to", &addr, "hi"]))?;
                let mut peer = accept_within(&listener)?;
                let mut buf = [0u8; 64];
                let n = peer
                    .read(&mut buf)
                    .map_err(|e| format!("[step 3] nothing arrived: {e}"))?;
                peer.write_all(&buf[..n]).map_err(|e| e.to_string())?;
                // The peer stays open (no FIN) until the client has exited.
                let exited = client.wait_exit_within(CLOSE_WAIT_CHECK);
                client.stop();
                drop(peer);
                blame_connect(&client)?;
                match exited {
                    Ok(true)
                        if client
                            .lines()
                            .iter()
                            .any(|l| l.contains("did not close within")) =>
                    {
                        Ok(())
                    }
                    Ok(true) => Err(format!(
                        "it exited, but without the warning `did not close within`:\n{}",
                        shown(&client)
                    )),
                    Ok(false) => Err(format!("tcp-client failed:\n{}", shown(&client))),
                    Err(_) => Err(format!(
                        "it still waited for the server's FIN after {CLOSE_WAIT_CHECK:?}:\n{}\n    — after shutdown, tcp_socket.set_read_timeout(opt.close_wait)? before reading what is left",
                        shown(&client)
                    )),
                }
            },
        },
        Check {
            step: 5,
            name: "read until closed",
            what: "a reply longer than --bufsize is shown whole: the rest arrives after shutdown",
            run: |ctx| {
                let (_server, addr) = reference_server(ctx, &["--once"])?;
                let long = "x".repeat(3000);
                let (_, replies) = run_client(ctx, &["--to", &addr, &long])?;
                let shown_len = replies.concat().len();
                if shown_len == long.len() {
                    Ok(())
                } else {
                    Err(format!(
                        "only {shown_len} of the reply's 3000 bytes were shown\n    — after shutdown, read and user.show each piece until read returns 0"
                    ))
                }
            },
        },
        Check {
            step: 5,
            name: "read until closed",
            what: "--recv-only (tutorial 003's tcp_recv_client) shows the greeting TCP数据 of tcp-server --greeting, in GBK",
            run: |ctx| {
                let (_server, addr) = reference_server(
                    ctx,
                    &["--once", "--greeting", "TCP数据", "--encoding", "gbk"],
                )?;
                let (_, replies) = run_client(
                    ctx,
                    &["--to", &addr, "--recv-only", "--encoding", "gbk"],
                )?;
                if replies == ["TCP数据"] {
                    Ok(())
                } else {
                    Err(format!(
                        "it printed {replies:?}, not [\"TCP数据\"]\n    — with no messages, what the server sends arrives after shutdown: read until read returns 0"
                    ))
                }
            },
        },
    ]
}

/// The reference `tcp-server --bind 127.0.0.1:0 ARGS…`, listening, and its address.
fn reference_server(ctx: &Ctx, extra: &[&str]) -> Result<(Running, String), String> {
    let mut list = vec!["--bind", "127.0.0.1:0"];
    list.extend(extra);
    let mut server = ctx.reference("tcp-server", &args(&list))?;
    let line = prints(&mut server, "listening on ", "tcp-server")?;
    Ok((server, line.rsplit(' ').next().unwrap_or_default().to_string()))
}

/// Runs the student's client with `--timeout 2` and `list`, which must exit
/// 0; returns it and the replies it printed.
fn run_client(ctx: &Ctx, list: &[&str]) -> Result<(Running, Vec<String>), String> {
    let mut all = vec!["--timeout", "2"];
    all.extend(list);
    let mut client = ctx.student("tcp-client", &args(&all))?;
    let exited = exits_ok(&mut client, "tcp-client");
    blame_connect(&client)?;
    exited?;
    let replies = replies(&client);
    Ok((client, replies))
}

/// A client that could not connect is wrong at step 2, whatever was checked.
fn blame_connect(client: &Running) -> Result<(), String> {
    if client.lines().iter().any(|l| l.contains("cannot connect to")) {
        return Err(format!(
            "[step 2] it could not connect:\n{}\n    — connect to the address `to` (net::sock_addr(to))",
            shown(client)
        ));
    }
    Ok(())
}

/// What the client printed as replies: its lines without the diagnostics
/// (stdout and stderr come merged).
fn replies(client: &Running) -> Vec<String> {
    const NOT_REPLIES: [&str; 7] = [
        "connected to ",
        "note: ",
        "warning: ",
        "error: ",
        "[step ",
        "    [note]",
        "thread '",
    ];
    client
        .lines()
        .into_iter()
        .filter(|line| !NOT_REPLIES.iter().any(|prefix| line.starts_with(prefix)))
        .collect()
}

/// A server of the checker's own on 127.0.0.1 that never answers.
fn listener() -> Result<TcpListener, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    Ok(listener)
}

fn local(listener: &TcpListener) -> Result<String, String> {
    listener.local_addr().map(|a| a.to_string()).map_err(|e| e.to_string())
}

/// Accepts one client (within the deadline), reads everything it sends until
/// its FIN, and closes without answering.
fn read_to_end(listener: &TcpListener) -> Result<Vec<u8>, String> {
    let mut peer = accept_within(listener)?;
    let mut got = Vec::new();
    match peer.read_to_end(&mut got) {
        Ok(_) => Ok(got),
        // A client that resets instead of closing still sent what it sent.
        Err(err) if err.kind() == ErrorKind::ConnectionReset => Ok(got),
        Err(err)
            if matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) =>
        {
            Err(format!(
                "[step 5] the client never closed its sending side within {CHECK_DEADLINE:?}"
            ))
        }
        Err(err) => Err(format!("the checker's server could not read: {err}")),
    }
}
