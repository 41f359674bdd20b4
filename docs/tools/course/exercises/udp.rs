//! The exercises of the two UDP lessons: udp-sender and udp-receiver.

use super::Exercise;
use super::checks::{
    Check, Ctx, args, exits_ok, prints, recv_within, shown, udp_socket,
};

const SKIP_NO_PYTHON: &str = "skipped: python3 not found, the twin was not run";

pub fn sender() -> Exercise {
    Exercise {
        id: "udp-sender",
        krate: "udp-sender",
        feature: "exercise",
        tutorial: "000 udp发送数据, 003",
        reference: "udp-sender/src/steps.rs",
        student: "udp-sender/exercise/steps.rs",
        twin: "udp-sender/python/udp_sender.py",
        task: "Write `send`: create a UDP socket bound to `opt.local` (port 0 lets the OS \
               choose), send `data` to `to` in one datagram, wait for one reply when \
               `opt.reply` asks for it, close, and return where the datagram left from.",
        hints: &[
            (
                1,
                "std::net::UdpSocket::bind(opt.local) creates the socket and binds it in one call.",
            ),
            (
                1,
                "Keep the socket in a variable: `let udp_socket = UdpSocket::bind(opt.local)?;`",
            ),
            (2, "`udp_socket.send_to(data, to)?` sends the bytes as one datagram."),
            (
                2,
                "Sent needs `local`: `udp_socket.local_addr()?` after send_to tells the port.",
            ),
            (
                2,
                "For opt.reply = Some((bufsize, timeout)): set_read_timeout(Some(timeout)), then common::net::recv_datagram(&udp_socket, &mut buf, bufsize).",
            ),
            (3, "`drop(udp_socket)` closes it; return `Ok(Sent { local, reply })`."),
        ],
        checks: sender_checks,
    }
}

fn sender_checks() -> Vec<Check> {
    vec![
        Check {
            step: 1,
            name: "create",
            what: "udp-sender runs and exits 0",
            run: |ctx| {
                let receiver = udp_socket()?;
                let to = receiver.local_addr().map_err(|e| e.to_string())?.to_string();
                exits_ok(
                    &mut ctx.student("udp-sender", &args(&["--to", &to, "hi"]))?,
                    "udp-sender --to ADDR hi",
                )
            },
        },
        Check {
            step: 1,
            name: "bind",
            what: "--bind fixes the local port",
            run: |ctx| {
                let receiver = udp_socket()?;
                let to = receiver.local_addr().map_err(|e| e.to_string())?.to_string();
                let port = free_udp_port()?;
                let mut sender = ctx.student(
                    "udp-sender",
                    &args(&[
                        "--to",
                        &to,
                        "--bind",
                        &format!("127.0.0.1:{port}"),
                        "fixed",
                    ]),
                )?;
                let mut buf = [0u8; 64];
                let got = recv_within(&receiver, &mut buf);
                exits_ok(&mut sender, "udp-sender --bind")?;
                match got {
                    Ok((_, from)) if from.port() == port => Ok(()),
                    Ok((_, from)) => Err(format!(
                        "the datagram came from port {}, not {port} — did you bind opt.local?",
                        from.port()
                    )),
                    Err(_) => Err(format!(
                        "[step 2] nothing arrived at {to} — did you send_to(data, to)?"
                    )),
                }
            },
        },
        Check {
            step: 2,
            name: "sendto",
            what: "the datagram arrives at a Rust receiver, byte for byte",
            run: |ctx| sender_sends(ctx, &["hi"], b"hi", "utf-8"),
        },
        Check {
            step: 2,
            name: "sendto",
            what: "数据 in GBK arrives as b'\\xca\\xfd\\xbe\\xdd'",
            run: |ctx| sender_sends(ctx, &["数据"], b"\xca\xfd\xbe\xdd", "gbk"),
        },
        Check {
            step: 2,
            name: "recvfrom, optional",
            what: "--wait-reply prints the reply of a Rust receiver",
            run: |ctx| {
                let mut receiver = ctx.reference(
                    "udp-receiver",
                    &args(&["--bind", "127.0.0.1:0", "--reply", "ok", "--count", "1"]),
                )?;
                let line = prints(&mut receiver, "listening on ", "udp-receiver")?;
                let addr = line.rsplit(' ').next().unwrap_or_default().to_string();
                let mut sender = ctx.student(
                    "udp-sender",
                    &args(&["--to", &addr, "--wait-reply", "--timeout", "3", "hi"]),
                )?;
                prints(&mut sender, ": ok", "udp-sender --wait-reply").map_err(|e| format!("{e}\n    — with opt.reply set, did you recv_datagram after sending?"))?;
                exits_ok(&mut sender, "udp-sender --wait-reply")
            },
        },
        Check {
            step: 2,
            name: "recvfrom --bufsize, optional",
            what: "--wait-reply --bufsize 4 takes 4 bytes of a longer reply, as recvfrom(4) does",
            run: |ctx| {
                let mut receiver = ctx.reference(
                    "udp-receiver",
                    &args(&[
                        "--bind",
                        "127.0.0.1:0",
                        "--reply",
                        "okay-longer",
                        "--count",
                        "1",
                    ]),
                )?;
                let line = prints(&mut receiver, "listening on ", "udp-receiver")?;
                let addr = line.rsplit(' ').next().unwrap_or_default().to_string();
                let mut sender = ctx.student(
                    "udp-sender",
                    &args(&[
                        "--to",
                        &addr,
                        "--wait-reply",
                        "--bufsize",
                        "4",
                        "--timeout",
                        "3",
                        "hi",
                    ]),
                )?;
                let shown = prints(&mut sender, ": okay", "udp-sender --wait-reply --bufsize 4")
                    .map_err(|e| format!("{e}\n    — with opt.reply set, did you recv_datagram after sending?"))?;
                exits_ok(&mut sender, "udp-sender --wait-reply --bufsize 4")?;
                if shown.contains("okay-") {
                    return Err(format!(
                        "it showed {shown:?}: more than the 4 bytes asked for — pass opt.reply's bufsize to recv_datagram, not a fixed size"
                    ));
                }
                Ok(())
            },
        },
        Check {
            step: 2,
            name: "sendto",
            what: "the Python twin's receiver gets the text, in UTF-8 and GBK",
            run: |ctx| {
                for encoding in ["utf-8", "gbk"] {
                    let port = free_udp_port()?.to_string();
                    let Some(mut python) = ctx.python(
                        "udp-receiver/python/udp_receiver.py",
                        &args(&[&port, encoding, "1"]),
                    )?
                    else {
                        return Err(SKIP_NO_PYTHON.into());
                    };
                    prints(&mut python, "listening on ", "udp_receiver.py")?;
                    let to = format!("127.0.0.1:{port}");
                    let mut sender = ctx.student(
                        "udp-sender",
                        &args(&["--to", &to, "--encoding", encoding, "你好"]),
                    )?;
                    exits_ok(&mut sender, "udp-sender")?;
                    prints(
                        &mut python,
                        ": 你好",
                        &format!("udp_receiver.py ({encoding})"),
                    )?;
                }
                Ok(())
            },
        },
        Check {
            step: 3,
            name: "close",
            what: "each message is one socket, closed before the next binds the same port",
            run: |ctx| {
                let receiver = udp_socket()?;
                let to = receiver.local_addr().map_err(|e| e.to_string())?.to_string();
                let port = free_udp_port()?;
                let mut sender = ctx.student(
                    "udp-sender",
                    &args(&[
                        "--to",
                        &to,
                        "--bind",
                        &format!("127.0.0.1:{port}"),
                        "a",
                        "b",
                        "c",
                    ]),
                )?;
                let mut buf = [0u8; 64];
                for expected in ["a", "b", "c"] {
                    match recv_within(&receiver, &mut buf) {
                        Ok((n, _)) if &buf[..n] == expected.as_bytes() => {}
                        Ok((n, _)) => {
                            return Err(format!(
                                "[step 2] got {:?}, expected {expected:?}",
                                String::from_utf8_lossy(&buf[..n])
                            ));
                        }
                        Err(_) if expected == "a" => {
                            sender.stop();
                            return Err(format!(
                                "[step 2] nothing arrived at {to} — did you send_to(data, to)?"
                            ));
                        }
                        Err(_) => {
                            sender.stop();
                            return Err(format!(
                                "{expected:?} never arrived — is the socket closed (dropped) at the end of send, so the next message can bind the port again?\n{}",
                                shown(&sender)
                            ));
                        }
                    }
                }
                exits_ok(&mut sender, "udp-sender with three messages")
            },
        },
    ]
}

/// Runs the student's sender with `messages` and checks the first datagram.
fn sender_sends(
    ctx: &Ctx,
    messages: &[&str],
    expected: &[u8],
    encoding: &str,
) -> Result<(), String> {
    let receiver = udp_socket()?;
    let to = receiver.local_addr().map_err(|e| e.to_string())?.to_string();
    let mut list = vec!["--to", &to, "--encoding", encoding];
    list.extend(messages);
    let mut sender = ctx.student("udp-sender", &args(&list))?;
    let mut buf = [0u8; 2048];
    let got = recv_within(&receiver, &mut buf);
    let exited = exits_ok(&mut sender, "udp-sender");
    match got {
        Ok((n, _)) if &buf[..n] == expected => exited,
        Ok((n, _)) => Err(format!(
            "{} arrived, expected {} — send the bytes of `data`, all of them",
            common::pyrepr::bytes_repr(&buf[..n]),
            common::pyrepr::bytes_repr(expected)
        )),
        Err(_) => exited
            .and(Err(format!("nothing arrived at {to} — did you send_to(data, to)?"))),
    }
}

fn free_udp_port() -> Result<u16, String> {
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    socket.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

pub fn receiver() -> Exercise {
    Exercise {
        id: "udp-receiver",
        krate: "udp-receiver",
        feature: "exercise",
        tutorial: "000 udp接收数据, 003",
        reference: "udp-receiver/src/steps.rs",
        student: "udp-receiver/exercise/steps.rs",
        twin: "udp-receiver/python/udp_receiver.py",
        task: "Write `receive`: create a UDP socket for `local`, bind it, print the \
               `listening on ADDR` line (common::announce_listening), then `opt.count` \
               times receive a datagram of at most `opt.bufsize` bytes and call `show` \
               with it — sending back what `show` returns — and close.",
        hints: &[
            (
                1,
                "common::net::new_socket(&local, socket2::Type::DGRAM)? creates it (IPV6_V6ONLY set for IPv6).",
            ),
            (
                2,
                "socket.bind(&local.into())?, then `let udp_socket = UdpSocket::from(socket);`",
            ),
            (
                2,
                "After bind: common::announce_listening(udp_socket.local_addr()?) — tests and the checker wait for that line.",
            ),
            (
                3,
                "common::net::recv_datagram(&udp_socket, &mut buf, opt.bufsize)? returns a Datagram; `&buf[..datagram.len]` is what arrived.",
            ),
            (
                4,
                "`if let Some(answer) = show(&datagram, &buf[..datagram.len]) { udp_socket.send_to(&answer, datagram.from) … }`",
            ),
            (5, "A `for _ in 0..opt.count` loop, then drop(udp_socket) and Ok(())."),
        ],
        checks: receiver_checks,
    }
}

/// Starts the student's receiver with `extra` and returns it with its address.
fn student_receiver(
    ctx: &Ctx,
    extra: &[&str],
) -> Result<(crate::process::Running, String), String> {
    let mut list = vec!["--bind", "127.0.0.1:0"];
    list.extend(extra);
    let mut receiver = ctx.student("udp-receiver", &args(&list))?;
    let line = prints(&mut receiver, "listening on ", "udp-receiver")
        .map_err(|e| format!("{e}\n    — after bind, call common::announce_listening(udp_socket.local_addr()?)"))?;
    let addr = line.rsplit(' ').next().unwrap_or_default().to_string();
    if addr.ends_with(":0") {
        return Err(format!(
            "it announced {addr}: announce udp_socket.local_addr() after bind, the real port"
        ));
    }
    Ok((receiver, addr))
}

fn receiver_checks() -> Vec<Check> {
    vec![
        Check {
            step: 2,
            name: "bind",
            what: "it binds --bind and says `listening on ADDR`",
            run: |ctx| student_receiver(ctx, &["--count", "1"]).map(drop),
        },
        Check {
            step: 3,
            name: "recvfrom",
            what: "a datagram from the Rust sender is printed whole",
            run: |ctx| {
                let (mut receiver, addr) = student_receiver(ctx, &["--count", "1"])?;
                exits_ok(
                    &mut ctx.reference(
                        "udp-sender",
                        &args(&["--to", &addr, "hello world"]),
                    )?,
                    "udp-sender",
                )?;
                prints(&mut receiver, ": hello world", "udp-receiver")
                .map_err(|e| format!("{e}\n    — receive into a buffer of opt.bufsize bytes and show &buf[..datagram.len]"))
                .map(drop)
            },
        },
        Check {
            step: 3,
            name: "recvfrom --bufsize",
            what: "--bufsize 8: a 16-byte datagram is cut to 8 bytes, and the loss is said",
            run: |ctx| {
                let (mut receiver, addr) =
                    student_receiver(ctx, &["--count", "1", "--bufsize", "8"])?;
                exits_ok(
                    &mut ctx.reference(
                        "udp-sender",
                        &args(&["--to", &addr, "0123456789abcdef"]),
                    )?,
                    "udp-sender",
                )?;
                let line =
                    prints(&mut receiver, ": 01234567", "udp-receiver --bufsize 8")?;
                if line.contains("012345678") {
                    return Err(format!(
                        "it showed {line:?}: more than the 8 bytes recvfrom(8) takes — receive opt.bufsize bytes"
                    ));
                }
                exits_ok(&mut receiver, "udp-receiver --count 1")?;
                // The warning may come before or after the line it is about.
                let warned = receiver
                    .lines()
                    .iter()
                    .any(|l| l.contains("had 16 bytes but --bufsize is 8"));
                if warned {
                    Ok(())
                } else {
                    Err(format!(
                        "it never said the datagram had 16 bytes:\n{}\n    — the datagram must say how long it was: recv_datagram(&udp_socket, &mut buf, opt.bufsize) keeps sent_len, a plain recv_from into bufsize bytes cannot",
                        shown(&receiver)
                    ))
                }
            },
        },
        Check {
            step: 4,
            name: "print",
            what: "three datagrams are shown in order, then it stops (--count 3)",
            run: |ctx| {
                let (mut receiver, addr) = student_receiver(ctx, &["--count", "3"])?;
                exits_ok(
                    &mut ctx.reference(
                        "udp-sender",
                        &args(&["--to", &addr, "one", "two", "three"]),
                    )?,
                    "udp-sender",
                )?;
                for text in ["one", "two", "three"] {
                    prints(&mut receiver, &format!(": {text}"), "udp-receiver")?;
                }
                exits_ok(&mut receiver, "udp-receiver --count 3").map_err(|e| {
                    format!(
                        "{e}\n    — receive opt.count datagrams, then close and return"
                    )
                })
            },
        },
        Check {
            step: 4,
            name: "print",
            what: "the Python twin's GBK datagram is shown as 数据 (--encoding gbk)",
            run: |ctx| {
                let (mut receiver, addr) =
                    student_receiver(ctx, &["--count", "1", "--encoding", "gbk"])?;
                let port = addr.rsplit(':').next().unwrap_or_default().to_string();
                let Some(mut python) = ctx.python(
                    "udp-sender/python/udp_sender.py",
                    &args(&["127.0.0.1", &port, "gbk", "数据"]),
                )?
                else {
                    return Err(SKIP_NO_PYTHON.into());
                };
                exits_ok(&mut python, "udp_sender.py")?;
                prints(&mut receiver, ": 数据", "udp-receiver").map(drop)
            },
        },
        Check {
            step: 4,
            name: "sendto, optional",
            what: "--reply ok answers the Rust sender's --wait-reply",
            run: |ctx| {
                let (_receiver, addr) =
                    student_receiver(ctx, &["--count", "1", "--reply", "ok"])?;
                let mut sender = ctx.reference(
                    "udp-sender",
                    &args(&["--to", &addr, "--wait-reply", "--timeout", "3", "hi"]),
                )?;
                prints(&mut sender, ": ok", "udp-sender --wait-reply")
                    .map_err(|e| {
                        format!(
                            "{e}\n    — send what `show` returns back to datagram.from"
                        )
                    })
                    .map(drop)
            },
        },
        Check {
            step: 2,
            name: "bind",
            what: "a port in use is an error (one port, one socket)",
            run: |ctx| {
                let holder = udp_socket()?;
                let addr = holder.local_addr().map_err(|e| e.to_string())?.to_string();
                let mut receiver = ctx.student(
                    "udp-receiver",
                    &args(&["--bind", &addr, "--count", "1"]),
                )?;
                match receiver.wait_exit_within(super::checks::CHECK_DEADLINE) {
                    Ok(false)
                        if receiver
                            .lines()
                            .iter()
                            .any(|l| l.contains("address already in use")) =>
                    {
                        Ok(())
                    }
                    Ok(_) => Err(format!(
                        "binding {addr}, already in use, should fail with `address already in use`:\n{}",
                        shown(&receiver)
                    )),
                    Err(_) => {
                        receiver.stop();
                        Err(format!(
                            "it did not fail on a port in use — did you bind `local`?\n{}",
                            shown(&receiver)
                        ))
                    }
                }
            },
        },
        Check {
            step: 5,
            name: "close",
            what: "after --count 1 it exits 0",
            run: |ctx| {
                let (mut receiver, addr) = student_receiver(ctx, &["--count", "1"])?;
                exits_ok(
                    &mut ctx.reference("udp-sender", &args(&["--to", &addr, "bye"]))?,
                    "udp-sender",
                )?;
                exits_ok(&mut receiver, "udp-receiver --count 1")
            },
        },
    ]
}
