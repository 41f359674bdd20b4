//! The exercises of the udp-chat lesson: `menu` (tutorial 000's chatter) and
//! `qq-server` (tutorial 001's server). Both read what a person types, so
//! every check types into them through a pipe, and talks to them from a bare
//! socket of its own, the reference `udp-chat` and the Python twins.

use std::net::{SocketAddr, UdpSocket};
use std::path::Path;

use super::Exercise;
use super::checks::{
    CHECK_DEADLINE, Check, Ctx, args, exits_ok, prints, recv_within, shown, udp_socket,
};
use crate::process::{Later, Running, free_udp_port};

const SKIP_NO_PYTHON: &str = "skipped: python3 not found, the twin was not run";

/// What a check types into a program: all of it at once; then stdin is
/// closed (the end of input, like Ctrl+D), or kept open so that only what
/// was typed can make the program stop.
#[derive(Clone, Copy)]
enum Typed<'a> {
    ThenEnd(&'a str),
    KeptOpen(&'a str),
}

/// What to type at once, and what later (see [`Running::start`]).
fn typing(typed: Typed<'_>) -> (&str, Option<Later>) {
    match typed {
        Typed::ThenEnd(text) => (text, None),
        // A line no program prints: stdin stays open until the program is stopped.
        Typed::KeptOpen(text) => {
            (text, Some(Later { when: "\u{0}".into(), text: String::new() }))
        }
    }
}

fn exe(bin: &str) -> String {
    format!("{bin}{}", std::env::consts::EXE_SUFFIX)
}

/// The student's `udp-chat ARGS…`.
fn student(ctx: &Ctx, list: &[&str], typed: Typed) -> Result<Running, String> {
    let (text, later) = typing(typed);
    ctx.student_with("udp-chat", &args(list), Some(text), later)
}

/// The reference `udp-chat ARGS…`.
fn reference(ctx: &Ctx, list: &[&str], typed: Typed) -> Result<Running, String> {
    start(&ctx.reference.join(exe("udp-chat")), &args(list), typed)
}

fn start(program: &Path, all: &[String], typed: Typed) -> Result<Running, String> {
    let (text, later) = typing(typed);
    Running::start(program, all, &std::env::temp_dir(), Some(text), later)
}

/// `python3 -u udp-chat/python/TWIN ARGS…`; `Ok(None)` without python3.
fn python(
    ctx: &Ctx,
    twin: &str,
    list: &[&str],
    typed: Typed,
) -> Result<Option<Running>, String> {
    let Some(python3) = &ctx.python else { return Ok(None) };
    let script = super::root().join("udp-chat/python").join(twin);
    let mut all = vec!["-u".to_string(), script.display().to_string()];
    all.extend(args(list));
    start(python3, &all, typed).map(Some)
}

/// The address after `listening on ` in `line`.
fn announced(line: &str) -> Option<SocketAddr> {
    line.rsplit(' ').next()?.parse().ok()
}

/// The bind check of every chat program: `PROGRAM --bind ADDR` (a free port)
/// announces ADDR and holds it.
fn binds_where_told(ctx: &Ctx, program: &str) -> Result<(), String> {
    let want: SocketAddr = format!("127.0.0.1:{}", free_udp_port()?)
        .parse()
        .map_err(|e| format!("{e}"))?;
    let mut running =
        student(ctx, &[program, "--bind", &want.to_string()], Typed::KeptOpen(""))?;
    student_listening(&mut running, program, Some(want)).map(drop)
}

/// Waits for the student's `listening on ADDR` and checks that ADDR has a
/// port; when `want` is given, that ADDR is `want` and really bound (the
/// program must be waiting then, not exiting). Errors are step 2's,
/// whichever check found them.
fn student_listening(
    program: &mut Running,
    what: &str,
    want: Option<SocketAddr>,
) -> Result<SocketAddr, String> {
    let line = prints(program, "listening on ", what).map_err(|e| {
        format!("[step 2] {e}\n    — after bind, call chat::listening(&socket): it prints that line")
    })?;
    let Some(addr) = announced(&line) else {
        return Err(format!("[step 2] `{line}` does not end with an address"));
    };
    if addr.port() == 0 {
        return Err(format!(
            "[step 2] it announced {addr}: the socket is not bound — did you bind it to opt.local before chat::listening?"
        ));
    }
    if let Some(want) = want
        && addr != want
    {
        return Err(format!(
            "[step 2] it announced {addr}, not --bind {want} — did you bind opt.local?"
        ));
    }
    // Bound means the port is taken: a socket of ours cannot bind it too.
    // Only `want`'s check asks, where the program waits, its socket open.
    if want.is_some()
        && let Ok(probe) = UdpSocket::bind(addr)
    {
        drop(probe);
        program.stop();
        return Err(format!(
            "[step 2] it announced {addr}, but nothing is bound there, so nothing sent to it arrives — did you bind the socket to opt.local?"
        ));
    }
    Ok(addr)
}

/// The steps of a program that receive and print a datagram.
#[derive(Clone, Copy)]
struct Receiving {
    receive: usize,
    print: usize,
}

const QQ_SERVER: Receiving = Receiving { receive: 3, print: 4 };
const MENU: Receiving = Receiving { receive: 5, print: 5 };

/// Waits for `message from [IP:PORT]: TEXT` and says which step is wrong
/// when the line is not the `text` of `from` (of anyone, when `None`).
/// Returns the sender shown.
fn expect_message(
    program: &mut Running,
    what: &str,
    from: Option<SocketAddr>,
    text: &str,
    steps: Receiving,
) -> Result<SocketAddr, String> {
    let got = program.wait_for_within("message from [", CHECK_DEADLINE);
    let Ok(line) = got else {
        program.stop();
        let sender = from.map(|from| format!(" from {from}")).unwrap_or_default();
        return Err(format!(
            "[step {}] {what} printed no `message from [IP:PORT]: TEXT` for the datagram {text:?}{sender} — did you recvfrom on the bound socket, then chat::show what arrived?\n{}",
            steps.receive,
            shown(program)
        ));
    };
    diagnose(program, &line, from, text, steps)
}

/// The sender of `line` when it is `message from [FROM]: TEXT`; otherwise
/// which step is wrong: a text cut short is the receive, a wrong address
/// or decoding the print.
fn diagnose(
    program: &Running,
    line: &str,
    from: Option<SocketAddr>,
    text: &str,
    steps: Receiving,
) -> Result<SocketAddr, String> {
    let (shown_from, shown_text) = line
        .split_once("message from [")
        .and_then(|(_, rest)| rest.split_once("]: "))
        .unwrap_or(("", ""));
    let sender: Option<SocketAddr> = shown_from.parse().ok();
    if let Some(sender) = sender
        && from.is_none_or(|from| from == sender)
        && shown_text == text
    {
        return Ok(sender);
    }
    let truncated = program
        .lines()
        .iter()
        .any(|l| l.contains("were received and the rest is lost"));
    if truncated
        || (!shown_text.is_empty()
            && shown_text != text
            && text.starts_with(shown_text))
    {
        return Err(format!(
            "[step {}] it printed `{line}`: only the first bytes of {text:?} were received — receive up to opt.bufsize bytes (chat::receive(&socket, &mut buf, opt.bufsize, …)) and show &buf[..len]",
            steps.receive
        ));
    }
    let expected_from = from.map_or("IP:PORT".to_string(), |from| from.to_string());
    let expected = format!("message from [{expected_from}]: {text}");
    if sender.is_none() || from.is_some_and(|from| Some(from) != sender) {
        return Err(format!(
            "[step {}] it printed `{line}`, expected `{expected}` — the address in [ ] is the sender's, the one recvfrom returned",
            steps.print
        ));
    }
    Err(format!(
        "[step {}] it printed `{line}`, expected `{expected}` — decode with opt.encoding: chat::show(&buf[..len], addr, opt.encoding)",
        steps.print
    ))
}

/// The client's address in a `message from [IP:PORT]: …` line.
fn sender_in(line: &str) -> Option<SocketAddr> {
    line.split_once("message from [")?.1.split_once("]: ")?.0.parse().ok()
}

fn gbk(text: &str) -> Vec<u8> {
    common::Codec::GBK.encode(text).unwrap_or_default()
}

fn bytes(data: &[u8]) -> String {
    common::pyrepr::bytes_repr(data)
}

// ---------------------------------------------------------------- qq-server

pub fn qq_server() -> Exercise {
    Exercise {
        id: "qq-server",
        krate: "udp-chat",
        feature: "exercise-qq-server",
        tutorial: "001 qq聊天",
        reference: "udp-chat/src/steps/qq_server.rs",
        student: "udp-chat/exercise/qq_server.rs",
        twin: "udp-chat/python/qq_server.py",
        task: "Write `serve`: create a UDP socket for `opt.local` and bind it, announce it \
               (chat::listening), then again and again — `opt.count` times when given — \
               receive a message from anyone (chat::receive), print it with its sender's \
               address (chat::show), read the reply typed on stdin (ask_reply; `None` at \
               the end of stdin ends the loop) and send it back to whoever sent the \
               message; then close.",
        hints: &[
            (
                1,
                "`let socket = net::new_socket(&opt.local, Type::DGRAM)?;` is socket.socket(AF_INET, SOCK_DGRAM): the family (IPv4, IPv6) follows opt.local.",
            ),
            (
                2,
                "socket.bind(&opt.local.into())?, then `let udp_server_sock = UdpSocket::from(socket);` and chat::listening(&udp_server_sock)? — the checker waits for its `listening on ADDR`.",
            ),
            (
                3,
                "`let (len, addr) = chat::receive(&udp_server_sock, &mut buf, opt.bufsize, \"a client\")?;` — the bytes are &buf[..len], the sender is addr.",
            ),
            (
                4,
                "chat::show(&buf[..len], addr, opt.encoding) prints `message from [IP:PORT]: TEXT`, decoding with --encoding and replacing bad bytes.",
            ),
            (
                5,
                "`let Some(back_msg) = ask_reply(input, addr, opt.encoding)? else { break };` — None is the end of stdin: nobody is left to type.",
            ),
            (
                6,
                "Reply to addr, this message's sender, on the same socket: chat::sent(udp_server_sock.send_to(&back_msg, addr), addr).",
            ),
            (
                7,
                "Loop with `for _ in 0..opt.count.unwrap_or(u64::MAX)`, then drop(udp_server_sock) and Ok(()).",
            ),
        ],
        checks: qq_server_checks,
    }
}

/// Starts the student's `PROGRAM --bind 127.0.0.1:0 EXTRA…` (`qq-server`,
/// `menu`) with `typed`, and returns it with the address it bound.
fn student_bound(
    ctx: &Ctx,
    program: &str,
    extra: &[&str],
    typed: Typed,
) -> Result<(Running, SocketAddr), String> {
    let mut list = vec![program, "--bind", "127.0.0.1:0"];
    list.extend(extra);
    let mut running = student(ctx, &list, typed)?;
    let addr = student_listening(&mut running, program, None)?;
    Ok((running, addr))
}

/// A bare socket of the checker sends `data` to the server, and the line the
/// server prints is checked.
fn message_to(
    server: &mut Running,
    to: SocketAddr,
    data: &[u8],
    text: &str,
) -> Result<UdpSocket, String> {
    let client = udp_socket()?;
    let from = client.local_addr().map_err(|e| e.to_string())?;
    client.send_to(data, to).map_err(|e| e.to_string())?;
    expect_message(server, "qq-server", Some(from), text, QQ_SERVER)?;
    Ok(client)
}

/// The reply the checker's `client` gets: `expected`, from the server's
/// address; otherwise step 5 (what was sent) or 6 (where it went) is wrong.
fn reply_to(
    client: &UdpSocket,
    server: &Running,
    server_addr: SocketAddr,
    expected: &[u8],
    typed: &str,
) -> Result<(), String> {
    let mut buf = [0u8; 2048];
    match recv_within(client, &mut buf) {
        Ok((_, from)) if from != server_addr => Err(format!(
            "[step 6] the reply came from {from}, not from the server's {server_addr} — send it on the bound socket, so the client sees its server answer"
        )),
        Ok((n, _)) if &buf[..n] == expected => Ok(()),
        Ok((n, _)) => Err(format!(
            "[step 5] {} came back, expected {} — the line typed, {typed:?}, encoded with opt.encoding (ask_reply does both)",
            bytes(&buf[..n]),
            bytes(expected)
        )),
        Err(_) => Err(format!(
            "[step 6] no reply came back to the sender, {} — send the reply to addr, the sender recvfrom returned\n{}",
            client.local_addr().map_or("the client".into(), |a| a.to_string()),
            shown(server)
        )),
    }
}

fn qq_server_checks() -> Vec<Check> {
    vec![
        Check {
            step: 2,
            name: "bind",
            what: "it binds --bind and says `listening on ADDR`",
            run: |ctx| binds_where_told(ctx, "qq-server"),
        },
        Check {
            step: 3,
            name: "recvfrom",
            what: "a datagram from anyone is printed whole, with its sender's address",
            run: |ctx| {
                let (mut server, addr) = student_bound(
                    ctx,
                    "qq-server",
                    &["--count", "1"],
                    Typed::ThenEnd("ok\n"),
                )?;
                message_to(&mut server, addr, b"hello world", "hello world").map(drop)
            },
        },
        Check {
            step: 4,
            name: "print",
            what: "你好，金老板 in UTF-8 and 数据 in GBK (--encoding gbk) are printed as sent",
            run: |ctx| {
                let (mut server, addr) = student_bound(
                    ctx,
                    "qq-server",
                    &["--count", "1"],
                    Typed::ThenEnd("ok\n"),
                )?;
                message_to(
                    &mut server,
                    addr,
                    "你好，金老板".as_bytes(),
                    "你好，金老板",
                )?;
                let (mut server, addr) = student_bound(
                    ctx,
                    "qq-server",
                    &["--count", "1", "--encoding", "gbk"],
                    Typed::ThenEnd("ok\n"),
                )?;
                message_to(&mut server, addr, b"\xca\xfd\xbe\xdd", "数据").map(drop)
            },
        },
        Check {
            step: 4,
            name: "print",
            what: "bytes that are not UTF-8 are shown as U+FFFD, and the server goes on",
            run: |ctx| {
                let (mut server, addr) =
                    student_bound(ctx, "qq-server", &[], Typed::ThenEnd("ok\nok\n"))?;
                let client = udp_socket()?;
                client.send_to(b"\xff\xfe bad", addr).map_err(|e| e.to_string())?;
                let line = server
                    .wait_for_within("message from [", CHECK_DEADLINE)
                    .map_err(|_| {
                        server.stop();
                        format!(
                            "a datagram that is not valid UTF-8 (b'\\xff\\xfe bad') was not shown — show it with U+FFFD for the bad bytes, as chat::show does, and go on\n{}",
                            shown(&server)
                        )
                    })?;
                // One U+FFFD for each byte that cannot start a character.
                let from = client.local_addr().map_err(|e| e.to_string())?;
                diagnose(
                    &server,
                    &line,
                    Some(from),
                    "\u{FFFD}\u{FFFD} bad",
                    QQ_SERVER,
                )?;
                client.send_to(b"still there?", addr).map_err(|e| e.to_string())?;
                expect_message(&mut server, "qq-server", Some(from), "still there?", QQ_SERVER)
                    .map(drop)
                    .map_err(|e| {
                        format!(
                            "after the bad bytes: {}\n    — a datagram that is not valid text must not stop the server",
                            e.split_once("] ").map_or(e.as_str(), |(_, text)| text)
                        )
                    })
            },
        },
        Check {
            step: 5,
            name: "reply",
            what: "at the end of stdin (nobody left to type replies) it stops and exits 0",
            run: |ctx| {
                let (mut server, addr) =
                    student_bound(ctx, "qq-server", &[], Typed::ThenEnd(""))?;
                message_to(&mut server, addr, b"anyone?", "anyone?")?;
                exits_ok(&mut server, "qq-server with stdin ended").map_err(|e| {
                    format!("{e}\n    — ask_reply returns None at the end of stdin: break out of the loop")
                })
            },
        },
        Check {
            step: 6,
            name: "sendto",
            what: "the line typed goes back to the sender, in UTF-8 and GBK",
            run: |ctx| {
                for (encoding, reply) in
                    [("utf-8", "收到".as_bytes().to_vec()), ("gbk", gbk("收到"))]
                {
                    let (mut server, addr) = student_bound(
                        ctx,
                        "qq-server",
                        &["--count", "1", "--encoding", encoding],
                        Typed::ThenEnd("收到\n"),
                    )?;
                    let client = message_to(&mut server, addr, b"hi", "hi")?;
                    reply_to(&client, &server, addr, &reply, "收到")
                        .map_err(|e| format!("{e} ({encoding})"))?;
                }
                Ok(())
            },
        },
        Check {
            step: 6,
            name: "sendto",
            what: "two clients, one after the other: each gets its own reply",
            run: |ctx| {
                let (mut server, addr) = student_bound(
                    ctx,
                    "qq-server",
                    &["--count", "2"],
                    Typed::ThenEnd("one\ntwo\n"),
                )?;
                let first = message_to(&mut server, addr, b"I am A", "I am A")?;
                reply_to(&first, &server, addr, b"one", "one")?;
                let second = message_to(&mut server, addr, b"I am B", "I am B")?;
                reply_to(&second, &server, addr, b"two", "two").map_err(|e| {
                    let mut buf = [0u8; 64];
                    let _ = first.set_read_timeout(Some(std::time::Duration::from_millis(300)));
                    match first.recv_from(&mut buf) {
                        Ok(_) => "[step 6] the second reply went to the first client, not to B \
                                  who wrote — reply to this message's addr, not one kept from before"
                            .to_string(),
                        Err(_) => e,
                    }
                })
            },
        },
        Check {
            step: 6,
            name: "sendto",
            what: "the Rust qq-client (contact 老王) gets the reply, in UTF-8 and GBK",
            run: |ctx| {
                for encoding in ["utf-8", "gbk"] {
                    let (mut server, addr) = student_bound(
                        ctx,
                        "qq-server",
                        &["--count", "1", "--encoding", encoding],
                        Typed::ThenEnd("收到，老王\n"),
                    )?;
                    let contact = format!("老王={addr}");
                    let mut client = reference(
                        ctx,
                        &[
                            "qq-client",
                            "--contact",
                            &contact,
                            "--encoding",
                            encoding,
                            "--timeout",
                            "3",
                        ],
                        Typed::ThenEnd("老王\n你好，金老板\nq\n"),
                    )?;
                    peer_chat(
                        &mut server,
                        addr,
                        &mut client,
                        "你好，金老板",
                        "收到，老王",
                    )
                    .map_err(|e| format!("{e} ({encoding})"))?;
                    exits_ok(&mut client, "udp-chat qq-client")?;
                }
                Ok(())
            },
        },
        Check {
            step: 6,
            name: "sendto",
            what: "the Python twin's client (qq_client.py, contact 哪吒) gets the reply, in UTF-8 and GBK",
            run: |ctx| {
                for encoding in ["utf-8", "gbk"] {
                    let (mut server, addr) = student_bound(
                        ctx,
                        "qq-server",
                        &["--count", "1", "--encoding", encoding],
                        Typed::ThenEnd("在，请讲\n"),
                    )?;
                    let port = addr.port().to_string();
                    let Some(mut client) = python(
                        ctx,
                        "qq_client.py",
                        &[&port, encoding],
                        Typed::ThenEnd("哪吒\n在吗\nq\n"),
                    )?
                    else {
                        return Err(SKIP_NO_PYTHON.into());
                    };
                    expect_message(&mut server, "qq-server", None, "在吗", QQ_SERVER)
                        .map_err(|e| format!("{e} (qq_client.py, {encoding})"))?;
                    python_client_reply(&mut client, addr, "在，请讲")
                        .map_err(|e| format!("{e} ({encoding})"))?;
                    exits_ok(&mut client, "qq_client.py")?;
                }
                Ok(())
            },
        },
        Check {
            step: 7,
            name: "close",
            what: "with --count 2 it answers two messages, then exits 0 (stdin still open)",
            run: |ctx| {
                let (mut server, addr) = student_bound(
                    ctx,
                    "qq-server",
                    &["--count", "2"],
                    Typed::KeptOpen("one\ntwo\n"),
                )?;
                for reply in ["one", "two"] {
                    let client =
                        message_to(&mut server, addr, b"count me", "count me")?;
                    reply_to(&client, &server, addr, reply.as_bytes(), reply)?;
                }
                exits_ok(&mut server, "qq-server --count 2").map_err(|e| {
                    format!("{e}\n    — loop opt.count times when it is given (for _ in 0..opt.count.unwrap_or(u64::MAX)), then close and return")
                })
            },
        },
    ]
}

/// qq_client.py prints the reply `来自[IP:PORT]的一条消息:TEXT`: `reply`, from
/// the server's address.
fn python_client_reply(
    client: &mut Running,
    server_addr: SocketAddr,
    reply: &str,
) -> Result<(), String> {
    let expected = format!("来自[{server_addr}]的一条消息:{reply}");
    match client.wait_for_within("的一条消息:", CHECK_DEADLINE) {
        Ok(got) if got.ends_with(&expected) => Ok(()),
        Ok(got) if !got.contains(&format!("来自[{server_addr}]")) => Err(format!(
            "[step 6] qq_client.py printed `{got}`, a reply from another address than the server's {server_addr} — send it on the bound socket"
        )),
        Ok(got) => Err(format!(
            "[step 5] qq_client.py printed `{got}`, expected `{expected}` — send back the line typed ({reply:?}), encoded with opt.encoding"
        )),
        Err(_) => {
            client.stop();
            Err(format!(
                "[step 6] qq_client.py got no reply — send the line typed back to addr, the sender of the message:\n{}",
                shown(client)
            ))
        }
    }
}

/// A peer client sends `message` to the student's server, which prints it and
/// answers `reply` (typed): the client must print the reply as the server's.
fn peer_chat(
    server: &mut Running,
    server_addr: SocketAddr,
    client: &mut Running,
    message: &str,
    reply: &str,
) -> Result<(), String> {
    let from = expect_message(server, "qq-server", None, message, QQ_SERVER)?;
    let expected = format!("message from [{server_addr}]: {reply}");
    match client.wait_for_within("message from [", CHECK_DEADLINE) {
        Ok(got) if got == expected => Ok(()),
        Ok(got) if sender_in(&got) != Some(server_addr) => Err(format!(
            "[step 6] the client got `{got}`, a reply from another address than the server's {server_addr} — send it on the bound socket"
        )),
        Ok(got) => Err(format!(
            "[step 5] the client got `{got}`, expected `{expected}` — send back the line typed ({reply:?}), encoded with opt.encoding"
        )),
        Err(_) => Err(format!(
            "[step 6] the client {from} got no reply — send the line typed back to addr, the sender of the message:\n{}",
            shown(client)
        )),
    }
}

// --------------------------------------------------------------------- menu

pub fn menu() -> Exercise {
    Exercise {
        id: "menu",
        krate: "udp-chat",
        feature: "exercise-menu",
        tutorial: "000 udp聊天器",
        reference: "udp-chat/src/steps/menu.rs",
        student: "udp-chat/exercise/menu.rs",
        twin: "udp-chat/python/udp_chat.py",
        task: "Write `chat`: create a UDP socket for `opt.local` and bind it, announce it \
               (chat::listening), then show the menu and read a choice until `0` or the \
               end of stdin: `1` asks the peer's ip, port and a message and sends it from \
               the same socket, `2` waits for a datagram and prints it with its sender; \
               then close.",
        hints: &[
            (
                1,
                "`let socket = net::new_socket(&opt.local, Type::DGRAM)?;` is socket.socket(AF_INET, SOCK_DGRAM): one socket for sending and receiving.",
            ),
            (
                2,
                "socket.bind(&opt.local.into())?, then `let udp_socket = UdpSocket::from(socket);` and chat::listening(&udp_socket)? — the checker waits for its `listening on ADDR`.",
            ),
            (
                3,
                "`loop { print_menu(); let Some(op) = input.ask(\"your choice (请输入功能): \")? else { break }; match op.trim() { \"1\" => …, \"2\" => …, \"0\" => break, other => not_on_the_menu(other) } }`",
            ),
            (
                4,
                "Choice 1: input.ask the ip, the port and the message; peer_addr(&ip, &port) and chat::encode(&text, opt.encoding) check them; then chat::sent(udp_socket.send_to(&data, to), to) — on the bound socket, so the answer comes back to it.",
            ),
            (
                5,
                "Choice 2: `let (len, addr) = chat::receive(&udp_socket, &mut buf, opt.bufsize, \"a peer\")?;` then chat::show(&buf[..len], addr, opt.encoding).",
            ),
            (6, "After the loop: drop(udp_socket) and Ok(())."),
        ],
        checks: menu_checks,
    }
}

/// Choice 1 to `to` with `text` (Enter for the ip: 127.0.0.1).
fn send_choice(to: SocketAddr, text: &str) -> String {
    format!("1\n\n{}\n{text}\n", to.port())
}

/// What the checker's `peer` receives from the student's menu at `menu_addr`.
fn datagram_from(
    peer: &UdpSocket,
    menu: &mut Running,
    menu_addr: SocketAddr,
    expected: &[u8],
) -> Result<(), String> {
    let mut buf = [0u8; 2048];
    match recv_within(peer, &mut buf) {
        Ok((_, from)) if from != menu_addr => Err(format!(
            "the datagram left from {from}, not from the bound {menu_addr} — send on the bound socket (udp_socket.send_to), so the answer comes back to it"
        )),
        Ok((n, _)) if &buf[..n] == expected => Ok(()),
        Ok((n, _)) => Err(format!(
            "{} arrived, expected {} — send the message typed, encoded with opt.encoding (chat::encode)",
            bytes(&buf[..n]),
            bytes(expected)
        )),
        Err(_) => {
            menu.stop();
            Err(format!(
                "nothing arrived — choice 1: ask the ip, the port and the message, then send_to the peer\n{}",
                shown(menu)
            ))
        }
    }
}

fn menu_checks() -> Vec<Check> {
    vec![
        Check {
            step: 2,
            name: "bind",
            what: "it binds --bind and says `listening on ADDR`",
            run: |ctx| binds_where_told(ctx, "menu"),
        },
        Check {
            step: 3,
            name: "menu",
            what: "choice 0 quits (exit 0), while stdin is still open",
            run: |ctx| {
                let (mut menu, _) =
                    student_bound(ctx, "menu", &[], Typed::KeptOpen("9\n0\n"))?;
                exits_ok(&mut menu, "menu, after typing 0").map_err(|e| {
                    format!("{e}\n    — `\"0\" => break` ends the loop: choice 0 is the tutorial's 退出系统")
                })
            },
        },
        Check {
            step: 4,
            name: "sendto",
            what: "choice 1 sends the message from the bound address, in UTF-8 and GBK",
            run: |ctx| {
                for (encoding, data) in
                    [("utf-8", "hello 你好".as_bytes().to_vec()), ("gbk", gbk("数据"))]
                {
                    let peer = udp_socket()?;
                    let to = peer.local_addr().map_err(|e| e.to_string())?;
                    let text =
                        if encoding == "gbk" { "数据" } else { "hello 你好" };
                    let (mut menu, addr) = student_bound(
                        ctx,
                        "menu",
                        &["--encoding", encoding],
                        Typed::ThenEnd(&send_choice(to, text)),
                    )?;
                    datagram_from(&peer, &mut menu, addr, &data)
                        .map_err(|e| format!("{e} ({encoding})"))?;
                }
                Ok(())
            },
        },
        Check {
            step: 4,
            name: "sendto",
            what: "the Rust menu, choosing 2, prints what yours sends (UTF-8 and GBK)",
            run: |ctx| {
                for encoding in ["utf-8", "gbk"] {
                    let mut peer = reference(
                        ctx,
                        &["menu", "--bind", "127.0.0.1:0", "--encoding", encoding],
                        Typed::ThenEnd("2\n0\n"),
                    )?;
                    let line = prints(&mut peer, "listening on ", "udp-chat menu")?;
                    let to =
                        announced(&line).ok_or("the Rust menu announced no address")?;
                    let (_menu, addr) = student_bound(
                        ctx,
                        "menu",
                        &["--encoding", encoding],
                        Typed::ThenEnd(&send_choice(to, "你好，金老板")),
                    )?;
                    let expected = format!("message from [{addr}]: 你好，金老板");
                    match peer.wait_for_within("message from [", CHECK_DEADLINE) {
                        Ok(got) if got == expected => {}
                        Ok(got) => {
                            return Err(format!(
                                "the Rust menu printed `{got}`, expected `{expected}` ({encoding}) — send on the bound socket, the text encoded with opt.encoding"
                            ));
                        }
                        Err(_) => {
                            return Err(format!(
                                "the Rust menu at {to} received nothing ({encoding}) — choice 1 sends to the ip and port typed"
                            ));
                        }
                    }
                    exits_ok(&mut peer, "udp-chat menu")?;
                }
                Ok(())
            },
        },
        Check {
            step: 4,
            name: "sendto",
            what: "the Python twin (udp_chat.py), choosing 2, prints what yours sends (UTF-8 and GBK)",
            run: |ctx| {
                for encoding in ["utf-8", "gbk"] {
                    let port = free_udp_port()?;
                    let Some(mut peer) = python(
                        ctx,
                        "udp_chat.py",
                        &[&port.to_string(), encoding],
                        Typed::ThenEnd("2\n0\n"),
                    )?
                    else {
                        return Err(SKIP_NO_PYTHON.into());
                    };
                    let line = prints(&mut peer, "listening on ", "udp_chat.py")?;
                    let to =
                        announced(&line).ok_or("udp_chat.py announced no address")?;
                    let (_menu, addr) = student_bound(
                        ctx,
                        "menu",
                        &["--encoding", encoding],
                        Typed::ThenEnd(&send_choice(to, "你好，金老板")),
                    )?;
                    prints(
                        &mut peer,
                        &format!("('127.0.0.1', {}):你好，金老板", addr.port()),
                        &format!("udp_chat.py ({encoding})"),
                    )
                    .map_err(|e| {
                        format!("{e}\n    — send from the bound socket, the text encoded with opt.encoding")
                    })?;
                    exits_ok(&mut peer, "udp_chat.py")?;
                }
                Ok(())
            },
        },
        Check {
            step: 5,
            name: "recvfrom",
            what: "choice 2 waits for a datagram and prints it with its sender, in UTF-8 and GBK",
            run: |ctx| {
                for (encoding, data) in
                    [("utf-8", "back 你好".as_bytes().to_vec()), ("gbk", gbk("收到"))]
                {
                    let text = if encoding == "gbk" { "收到" } else { "back 你好" };
                    let (mut menu, addr) = student_bound(
                        ctx,
                        "menu",
                        &["--encoding", encoding],
                        Typed::ThenEnd("2\n0\n"),
                    )?;
                    let peer = udp_socket()?;
                    let from = peer.local_addr().map_err(|e| e.to_string())?;
                    peer.send_to(&data, addr).map_err(|e| e.to_string())?;
                    expect_message(&mut menu, "menu", Some(from), text, MENU)
                        .map_err(|e| format!("{e} ({encoding})"))?;
                }
                Ok(())
            },
        },
        Check {
            step: 5,
            name: "recvfrom",
            what: "choosing 2, yours prints what the Rust menu sends (UTF-8 and GBK)",
            run: |ctx| {
                for encoding in ["utf-8", "gbk"] {
                    let (mut menu, addr) = student_bound(
                        ctx,
                        "menu",
                        &["--encoding", encoding],
                        Typed::ThenEnd("2\n0\n"),
                    )?;
                    let mut peer = reference(
                        ctx,
                        &["menu", "--bind", "127.0.0.1:0", "--encoding", encoding],
                        Typed::ThenEnd(&send_choice(addr, "收到，老王")),
                    )?;
                    let line = prints(&mut peer, "listening on ", "udp-chat menu")?;
                    let from =
                        announced(&line).ok_or("the Rust menu announced no address")?;
                    expect_message(&mut menu, "menu", Some(from), "收到，老王", MENU)
                        .map_err(|e| format!("{e} ({encoding})"))?;
                    exits_ok(&mut peer, "udp-chat menu")?;
                }
                Ok(())
            },
        },
        Check {
            step: 5,
            name: "recvfrom",
            what: "choosing 2, yours prints what the Python twin sends (UTF-8 and GBK)",
            run: |ctx| {
                for encoding in ["utf-8", "gbk"] {
                    let (mut menu, addr) = student_bound(
                        ctx,
                        "menu",
                        &["--encoding", encoding],
                        Typed::ThenEnd("2\n0\n"),
                    )?;
                    let port = free_udp_port()?;
                    let typed =
                        format!("1\n127.0.0.1\n{}\n收到，老王\n0\n", addr.port());
                    let Some(mut peer) = python(
                        ctx,
                        "udp_chat.py",
                        &[&port.to_string(), encoding],
                        Typed::ThenEnd(&typed),
                    )?
                    else {
                        return Err(SKIP_NO_PYTHON.into());
                    };
                    let line = prints(&mut peer, "listening on ", "udp_chat.py")?;
                    let from =
                        announced(&line).ok_or("udp_chat.py announced no address")?;
                    expect_message(&mut menu, "menu", Some(from), "收到，老王", MENU)
                        .map_err(|e| format!("{e} ({encoding})"))?;
                    exits_ok(&mut peer, "udp_chat.py")?;
                }
                Ok(())
            },
        },
        Check {
            step: 6,
            name: "close",
            what: "at the end of stdin it closes the socket and exits 0",
            run: |ctx| {
                let (mut menu, _) =
                    student_bound(ctx, "menu", &[], Typed::ThenEnd(""))?;
                exits_ok(&mut menu, "menu with stdin ended").map_err(|e| {
                    format!("{e}\n    — input.ask returns None at the end of stdin: break, drop the socket, return Ok(())")
                })
            },
        },
    ]
}
