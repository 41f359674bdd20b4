//! The exercises of the time-server lesson: `time-server` (the steps of
//! `steps/server.rs`) and `time-client` (`steps/client.rs`). Each is checked
//! against a bare UDP socket of the checker, the other program's reference
//! build and its Python twin, in UTF-8 and GBK.

use std::net::{SocketAddr, UdpSocket};
use std::time::{SystemTime, UNIX_EPOCH};

use common::Codec;

use super::Exercise;
use super::checks::{
    CHECK_DEADLINE, Check, Ctx, args, exits_ok, prints, recv_within, shown, udp_socket,
};
use crate::process::Running;

const SKIP_NO_PYTHON: &str = "skipped: python3 not found, the twin was not run";

pub fn server() -> Exercise {
    Exercise {
        id: "time-server",
        krate: "time-server",
        feature: "exercise-time-server",
        tutorial: "001 时间服务器server",
        reference: "time-server/src/steps/server.rs",
        student: "time-server/exercise/server.rs",
        twin: "time-server/python/time_server.py",
        task: "Write `open` (steps 1–3): a UDP socket of `local`'s family, SO_REUSEADDR \
               when `opt.reuse_address` asks for it, bound to `local`. Then `answer` \
               (steps 4–6), which the tool calls for each request: receive a format and \
               log it, format the local time in it (the default `%Y-%m-%d %X` for an \
               empty one, `error: …` for a bad one) and send that back to the sender.",
        hints: &[
            (
                1,
                "common::net::new_socket(&local, socket2::Type::DGRAM)? creates a socket of local's family (IPv4 or IPv6).",
            ),
            (
                2,
                "`if opt.reuse_address { socket.set_reuse_address(true)?; }` — before bind, or it changes nothing.",
            ),
            (
                3,
                "socket.bind(&local.into())?, then `Ok(socket.into())` makes it a std UdpSocket.",
            ),
            (
                4,
                "`let datagram = log::recv_from(udp_server, buf, opt.bufsize)?;` (a plain recv fails: the tool makes the socket non-blocking to batch the log), then `Request::read(&buf[..datagram.len], &datagram, opt.codec)` and `log::request(&request)`.",
            ),
            (
                5,
                "strftime::reply(&request, &opt.clock) is the time in the format — the default for an empty one — or `error: …`. No `?` here: a bad format must not stop the server.",
            ),
            (
                6,
                "`let sent = udp_server.send_to(&back_msg, request.from);` answers whoever sent the format; return Ok(Answered { request, back_msg, sent }).",
            ),
        ],
        checks: server_checks,
    }
}

fn server_checks() -> Vec<Check> {
    vec![
        Check {
            step: 1,
            name: "create",
            what: "time-server starts and says `listening on ADDR`",
            run: |ctx| student_server(ctx, "127.0.0.1:0", &[]).map(drop),
        },
        Check {
            step: 1,
            name: "create",
            what: "--bind [::1]:0 works too: the socket's family follows the address",
            run: |ctx| {
                if UdpSocket::bind("[::1]:0").is_err() {
                    return Ok(()); // no IPv6 loopback on this machine
                }
                student_server(ctx, "[::1]:0", &[]).map(drop).map_err(|err| {
                    if err.starts_with("[step ") {
                        err
                    } else if err.contains("family not supported") {
                        format!(
                            "{err}\n    — an IPv4 socket cannot bind [::1]: create it with common::net::new_socket(&local, Type::DGRAM)"
                        )
                    } else {
                        format!("[step 3] {err}\n    — did you bind `local`?")
                    }
                })
            },
        },
        Check {
            step: 2,
            name: "SO_REUSEADDR",
            what: "two servers bind one port; a third with --no-reuseaddr is refused",
            run: |ctx| {
                // SO_REUSEADDR lets UDP sockets share a port on Linux only.
                if !cfg!(target_os = "linux") {
                    return Ok(());
                }
                let addr = format!("127.0.0.1:{}", free_udp_port()?);
                let (mut first, _) = student_server(ctx, &addr, &[])?;
                let (mut second, _) = student_server(ctx, &addr, &[]).map_err(|err| {
                    if err.starts_with("[step ") {
                        return err;
                    }
                    format!(
                        "a second server on {addr} could not bind: {err}\n    — set_reuse_address(true) before bind lets both bind the port"
                    )
                })?;
                let mut third = ctx.student(
                    "time-server",
                    &args(&["--bind", &addr, "--no-reuseaddr"]),
                )?;
                match third.wait_exit_within(CHECK_DEADLINE) {
                    Ok(false) if said(&third, "already in use") => Ok(()),
                    Ok(_) | Err(_) => {
                        third.stop();
                        // A server that is gone holds no port.
                        for server in [&mut first, &mut second] {
                            if stopped(server) {
                                return Err(format!(
                                    "[step 4] the server on {addr} stopped by itself instead of waiting for a request:\n{}",
                                    shown(server)
                                ));
                            }
                        }
                        Err(format!(
                            "with --no-reuseaddr a third server on {addr} should fail with `address already in use` — set SO_REUSEADDR only `if opt.reuse_address`:\n{}",
                            shown(&third)
                        ))
                    }
                }
            },
        },
        Check {
            step: 3,
            name: "bind",
            what: "--bind fixes the address it listens on",
            run: |ctx| {
                let addr = format!("127.0.0.1:{}", free_udp_port()?);
                student_server(ctx, &addr, &[]).map(drop)
            },
        },
        Check {
            step: 4,
            name: "recvfrom",
            what: "each request is logged as `===> FORMAT from ADDR`, with the sender's address",
            run: |ctx| {
                let (mut server, addr) = student_server(ctx, "127.0.0.1:0", &[])?;
                let socket = udp_socket()?;
                let me = socket.local_addr().map_err(|e| e.to_string())?;
                for format in ["%Y", "%m月%d日"] {
                    // Whether an answer comes is step 6's check: wait for it, no more.
                    let _ = ask(&socket, addr, format.as_bytes());
                    let expected = format!("===> {format} from {me}");
                    prints(&mut server, &expected, "time-server").map_err(|e| {
                        if said(&server, "temporarily unavailable") {
                            // log::start made the socket non-blocking.
                            format!(
                                "{e}\n    — receive with log::recv_from(udp_server, buf, opt.bufsize): it waits for a datagram on the tool's non-blocking socket"
                            )
                        } else {
                            format!(
                                "{e}\n    — receive the whole format (opt.bufsize bytes) and log it: log::request(&request)"
                            )
                        }
                    })?;
                }
                Ok(())
            },
        },
        Check {
            step: 5,
            name: "strftime",
            what: "`%Y` is answered with this year",
            run: |ctx| {
                let (server, addr) = student_server(ctx, "127.0.0.1:0", &[])?;
                let answer = asked(&server, addr, "%Y", Codec::UTF_8)?;
                is_year(&answer, "", "%Y")
            },
        },
        Check {
            step: 5,
            name: "strftime",
            what: "an empty format gets the default `%Y-%m-%d %X` (2025-07-05 09:03:07)",
            run: |ctx| {
                let (server, addr) = student_server(ctx, "127.0.0.1:0", &[])?;
                let answer = asked(&server, addr, "", Codec::UTF_8)?;
                is_default(&answer)
            },
        },
        Check {
            step: 5,
            name: "strftime",
            what: "a bad format (%Q) gets `error: …`, and the server keeps serving",
            run: |ctx| {
                let (mut server, addr) = student_server(ctx, "127.0.0.1:0", &[])?;
                let socket = udp_socket()?;
                match ask(&socket, addr, b"%Q") {
                    Ok(answer) if answer.starts_with(b"error: ") => {}
                    Ok(answer) => {
                        return Err(format!(
                            "%Q got {}, not `error: …` — strftime::reply answers a bad format with the error",
                            common::pyrepr::bytes_repr(&answer)
                        ));
                    }
                    Err(_) if stopped(&mut server) => {
                        return Err(format!(
                            "the server stopped on %Q — a bad format gets an `error: …` answer, not a `?` that ends the server:\n{}",
                            shown(&server)
                        ));
                    }
                    Err(err) => return Err(err),
                }
                let answer = asked(&server, addr, "%Y", Codec::UTF_8)?;
                is_year(&answer, "", "%Y after %Q")
            },
        },
        Check {
            step: 5,
            name: "strftime",
            what: "with --encoding gbk, `%Y年` in GBK is answered in GBK",
            run: |ctx| {
                let (server, addr) =
                    student_server(ctx, "127.0.0.1:0", &["--encoding", "gbk"])?;
                let answer = asked(&server, addr, "%Y年", Codec::GBK)?;
                is_year(&answer, "年", "%Y年 in GBK")
            },
        },
        Check {
            step: 6,
            name: "sendto",
            what: "the Rust time-client gets this year and the default",
            run: |ctx| {
                let (_server, addr) = student_server(ctx, "127.0.0.1:0", &[])?;
                let mut client = ctx.reference(
                    "time-client",
                    &args(&["--to", &addr.to_string(), "--timeout", "3", "%Y", ""]),
                )?;
                let _ = client.wait_exit_within(CHECK_DEADLINE);
                client.stop();
                answers_printed(&client, "time-client", "")
            },
        },
        Check {
            step: 6,
            name: "sendto",
            what: "the Python twin's time_client.py gets answers, in UTF-8 and GBK",
            run: |ctx| {
                let Some(python) = &ctx.python else {
                    return Err(SKIP_NO_PYTHON.into());
                };
                for encoding in ["utf-8", "gbk"] {
                    let (_server, addr) =
                        student_server(ctx, "127.0.0.1:0", &["--encoding", encoding])?;
                    let twin = super::root().join("time-server/python/time_client.py");
                    let mut client = Running::start(
                        python,
                        &args(&[
                            "-u",
                            &twin.display().to_string(),
                            &addr.port().to_string(),
                            encoding,
                        ]),
                        &std::env::temp_dir(),
                        // input() reads the formats; an empty line asks for the default.
                        Some("%Y年\n\n"),
                        None,
                    )?;
                    let what = format!("time_client.py ({encoding})");
                    if let Err(err) = exits_ok(&mut client, &what) {
                        return Err(format!(
                            "[step 6] {err}\n    — the twin waits forever in recv: did you send_to(&back_msg, request.from)?"
                        ));
                    }
                    answers_printed(&client, &what, "年")?;
                }
                Ok(())
            },
        },
    ]
}

/// Starts the student's server on `bind` and returns it with the address it
/// announced, which must be `bind` (or `bind`'s address with a real port).
fn student_server(
    ctx: &Ctx,
    bind: &str,
    extra: &[&str],
) -> Result<(Running, SocketAddr), String> {
    let mut list = vec!["--bind", bind];
    list.extend(extra);
    let mut server = ctx.student("time-server", &args(&list))?;
    let line = prints(&mut server, "listening on ", "time-server")?;
    let announced: SocketAddr = line
        .rsplit(' ')
        .next()
        .and_then(|addr| addr.parse().ok())
        .ok_or_else(|| format!("cannot read the address in {line:?}"))?;
    let asked: SocketAddr = bind.parse().map_err(|_| format!("bad address {bind}"))?;
    let bound = if asked.port() == 0 {
        announced.ip() == asked.ip() && announced.port() != 0
    } else {
        announced == asked
    };
    if !bound {
        return Err(format!(
            "[step 3] it listens on {announced}, not on --bind {bind} — did you bind `local`?"
        ));
    }
    Ok((server, announced))
}

/// Sends `format` from `socket` and returns the answer, which must come from
/// `server`'s own address.
fn ask(
    socket: &UdpSocket,
    server: SocketAddr,
    format: &[u8],
) -> Result<Vec<u8>, String> {
    socket
        .send_to(format, server)
        .map_err(|e| format!("cannot send to {server}: {e}"))?;
    let mut buf = vec![0u8; 65_536];
    match recv_within(socket, &mut buf) {
        Ok((len, from)) if from == server => Ok(buf[..len].to_vec()),
        Ok((_, from)) => Err(format!(
            "[step 6] the answer came from {from}, not from the server's {server} — answer with udp_server, the bound socket"
        )),
        Err(_) => Err(format!(
            "[step 6] no answer came back within {CHECK_DEADLINE:?} — did you send_to(&back_msg, request.from), the sender's address?"
        )),
    }
}

/// [`ask`] from a fresh socket, `format` encoded in `codec`, the answer decoded.
fn asked(
    server: &Running,
    addr: SocketAddr,
    format: &str,
    codec: Codec,
) -> Result<String, String> {
    let data = codec.encode(format).map_err(|e| e.to_string())?;
    let answer = ask(&udp_socket()?, addr, &data)
        .map_err(|err| format!("{err}\n{}", shown(server)))?;
    Ok(codec.decode(&answer).text)
}

/// The answer is the year now and then `suffix`; or what went wrong, and where.
fn is_year(answer: &str, suffix: &str, asked: &str) -> Result<(), String> {
    if years_now().iter().any(|year| answer == format!("{year}{suffix}")) {
        return Ok(());
    }
    Err(misread(answer).unwrap_or_else(|| {
        format!("{asked} got {answer:?}, not this year — format it with strftime::reply(&request, &opt.clock)")
    }))
}

/// The answer has the default format's shape, `2025-07-05 09:03:07`.
fn is_default(answer: &str) -> Result<(), String> {
    let shape = answer.bytes().enumerate().all(|(at, byte)| match at {
        4 | 7 => byte == b'-',
        10 => byte == b' ',
        13 | 16 => byte == b':',
        _ => byte.is_ascii_digit(),
    });
    let this_year = years_now().iter().any(|year| answer.starts_with(year.as_str()));
    if answer.len() == 19 && shape && this_year {
        return Ok(());
    }
    Err(misread(answer).unwrap_or_else(|| {
        format!(
            "the empty format got {answer:?}, not the time as %Y-%m-%d %X — an empty datagram asks for the tutorial's default (strftime::reply knows it)"
        )
    }))
}

/// An `error: …` answer that says the format was misread when received (step 4).
fn misread(answer: &str) -> Option<String> {
    if answer.contains("reads at most") {
        Some(format!(
            "[step 4] the server answered {answer:?}: the format arrived cut — receive up to opt.bufsize bytes"
        ))
    } else if answer.contains("is not valid") {
        Some(format!(
            "[step 4] the server answered {answer:?}: it read the format in another encoding — decode it with opt.codec (Request::read)"
        ))
    } else {
        None
    }
}

/// A client's output, stopped or exited, shows this year followed by
/// `suffix`, and the default format's time.
fn answers_printed(client: &Running, what: &str, suffix: &str) -> Result<(), String> {
    let lines = client.lines();
    // The Python twin prints its prompt before each answer, on the same line.
    let answers: Vec<&str> =
        lines.iter().map(|l| l.rsplit(">>: ").next().unwrap_or(l)).collect();
    let year = answers.iter().any(|a| is_year(a, suffix, "%Y").is_ok());
    let default = answers.iter().any(|a| is_default(a).is_ok());
    if year && default {
        return Ok(());
    }
    if let Some(blame) = answers.iter().find_map(|a| misread(a)) {
        return Err(blame);
    }
    if said(client, "no answer from") || lines.is_empty() {
        return Err(format!(
            "[step 6] {what} got no answer — did you send_to(&back_msg, request.from)?\n{}",
            shown(client)
        ));
    }
    let missing = if year {
        "the default %Y-%m-%d %X for an empty format".to_string()
    } else {
        format!("this year for %Y{suffix}")
    };
    Err(format!("[step 5] {what} did not print {missing}:\n{}", shown(client)))
}

/// Whether the program printed a line containing `needle`.
fn said(program: &Running, needle: &str) -> bool {
    program.lines().iter().any(|line| line.contains(needle))
}

/// Whether the program has exited (it is then collected).
fn stopped(program: &mut Running) -> bool {
    program.wait_exit_within(std::time::Duration::ZERO).is_ok()
}

fn free_udp_port() -> Result<u16, String> {
    crate::process::free_udp_port()
}

/// The years it is now somewhere on Earth (UTC−12 to UTC+14): a server's
/// local year is one of them, even at New Year.
fn years_now() -> Vec<String> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .ok()
        .and_then(|since| i64::try_from(since.as_secs()).ok())
        .unwrap_or(0);
    let mut years: Vec<String> = [-12, 0, 14]
        .iter()
        .map(|hours| utc_year(now + hours * 3600).to_string())
        .collect();
    years.dedup();
    years
}

/// The year, in UTC, of a Unix time (the civil-from-days algorithm).
fn utc_year(unix_seconds: i64) -> i64 {
    // Days since 0000-03-01, so that a leap day ends the year.
    let days = unix_seconds.div_euclid(86_400) + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524
        - day_of_era / 146_096)
        / 365;
    let day_of_year =
        day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let march_based_month = (5 * day_of_year + 2) / 153;
    // Months 10 and 11 after March are January and February of the next year.
    year_of_era + era * 400 + i64::from(march_based_month >= 10)
}

pub fn client() -> Exercise {
    Exercise {
        id: "time-client",
        krate: "time-server",
        feature: "exercise-time-client",
        tutorial: "001 时间服务器client",
        reference: "time-server/src/steps/client.rs",
        student: "time-server/exercise/client.rs",
        twin: "time-server/python/time_client.py",
        task: "Write `ask`: create a UDP socket for the server's address (not bound: the OS \
               picks its port at the first send), then for each format of `msgs` send it \
               to `opt.to`, receive the answer (waiting at most `opt.timeout`) and print \
               it; close, and return the answers.",
        hints: &[
            (
                1,
                "common::net::udp_unbound(&opt.to) creates a socket of the server's family without binding it; `.during(\"create a UDP socket for\", opt.to)?` gives the course's error.",
            ),
            (2, "`for msg in msgs { … }`: steps 3–5 once for every format."),
            (3, "`udp_client.send_to(&msg, opt.to)` sends one format as one datagram."),
            (
                4,
                "`receive::answer(&udp_client, opt)?` receives up to opt.bufsize bytes, gives up after opt.timeout and decodes with opt.codec.",
            ),
            (
                5,
                "`common::outln!(\"{data}\");` prints it; push it onto the answers you return.",
            ),
            (6, "`drop(udp_client);` then `Ok(answers)`."),
        ],
        checks: client_checks,
    }
}

fn client_checks() -> Vec<Check> {
    vec![
        Check {
            step: 1,
            name: "create",
            what: "it asks a server on IPv6 loopback too (--to [::1]:PORT)",
            run: |ctx| {
                let Ok(server) = UdpSocket::bind("[::1]:0") else {
                    return Ok(()); // no IPv6 loopback on this machine
                };
                server
                    .set_read_timeout(Some(CHECK_DEADLINE))
                    .map_err(|e| e.to_string())?;
                let to = server.local_addr().map_err(|e| e.to_string())?.to_string();
                let mut client = student_client(ctx, &to, &["%Y"])?;
                let mut buf = [0u8; 2048];
                match recv_within(&server, &mut buf) {
                    Ok((_, from)) => {
                        server.send_to(b"12:00:00", from).map_err(|e| e.to_string())?;
                    }
                    Err(_) => {
                        client.stop();
                        return Err(if said(&client, "family not supported") {
                            format!(
                                "an IPv4 socket cannot send to {to} — create it with common::net::udp_unbound(&opt.to), of the server's family:\n{}",
                                shown(&client)
                            )
                        } else {
                            format!(
                                "[step 3] nothing arrived at {to} — did you send_to(&msg, opt.to)?\n{}",
                                shown(&client)
                            )
                        });
                    }
                }
                client_exits(&mut client)?;
                printed(&client, &["12:00:00"])
            },
        },
        Check {
            step: 3,
            name: "sendto",
            what: "each format arrives at the server as one datagram, byte for byte",
            run: |ctx| fake_server_exchange(ctx, false),
        },
        Check {
            step: 4,
            name: "recv",
            what: "the Rust time-server's answers are printed: this year, then the default",
            run: |ctx| {
                let mut server =
                    ctx.reference("time-server", &args(&["--bind", "127.0.0.1:0"]))?;
                let line = prints(&mut server, "listening on ", "time-server")?;
                let to = line.rsplit(' ').next().unwrap_or_default().to_string();
                let mut client = student_client(ctx, &to, &["%Y", ""])?;
                client_exits(&mut client)?;
                let lines = client.lines();
                let year = lines.iter().any(|l| is_year(l, "", "%Y").is_ok());
                let default = lines.iter().any(|l| is_default(l).is_ok());
                if year && default {
                    return Ok(());
                }
                let expected =
                    if year { "the default %Y-%m-%d %X" } else { "this year" };
                Err(blame_output(&client, expected))
            },
        },
        Check {
            step: 4,
            name: "recv",
            what: "the Python twin's answer to %Y年 is decoded, in UTF-8 and GBK",
            run: |ctx| {
                for encoding in ["utf-8", "gbk"] {
                    let Some(mut server) = ctx.python(
                        "time-server/python/time_server.py",
                        &args(&["0", encoding]),
                    )?
                    else {
                        return Err(SKIP_NO_PYTHON.into());
                    };
                    let line = prints(&mut server, "listening on ", "time_server.py")?;
                    let to = line.rsplit(' ').next().unwrap_or_default().to_string();
                    let mut client =
                        student_client(ctx, &to, &["--encoding", encoding, "%Y年"])?;
                    client_exits(&mut client)?;
                    let lines = client.lines();
                    if !lines.iter().any(|l| is_year(l, "年", "%Y年").is_ok()) {
                        return Err(blame_output(
                            &client,
                            &format!("this year followed by 年 ({encoding})"),
                        ));
                    }
                }
                Ok(())
            },
        },
        Check {
            step: 4,
            name: "recv",
            what: "when no answer comes it gives up after --timeout 1 with `no answer`, exit 1",
            run: |ctx| {
                // Bound, so nothing says "unreachable", and silent.
                let silent = udp_socket()?;
                let to = silent.local_addr().map_err(|e| e.to_string())?.to_string();
                let mut client = ctx.student(
                    "time-client",
                    &args(&["--to", &to, "--timeout", "1", "%Y"]),
                )?;
                match client.wait_exit_within(CHECK_DEADLINE) {
                    Ok(false) if said(&client, "no answer from") => Ok(()),
                    Ok(_) => Err(format!(
                        "without an answer it should say `no answer from {to}` and exit 1:\n{}",
                        shown(&client)
                    )),
                    Err(_) => {
                        client.stop();
                        Err(format!(
                            "it still waited after {CHECK_DEADLINE:?} — Python's recv waits forever; receive::answer(&udp_client, opt) gives up after opt.timeout:\n{}",
                            shown(&client)
                        ))
                    }
                }
            },
        },
        Check {
            step: 5,
            name: "print",
            what: "each answer is printed on a line of its own, in order",
            run: |ctx| fake_server_exchange(ctx, true),
        },
        Check {
            step: 6,
            name: "close",
            what: "after the last answer it closes and exits 0",
            run: |ctx| {
                let mut server =
                    ctx.reference("time-server", &args(&["--bind", "127.0.0.1:0"]))?;
                let line = prints(&mut server, "listening on ", "time-server")?;
                let to = line.rsplit(' ').next().unwrap_or_default().to_string();
                let mut client = student_client(ctx, &to, &["%H", "%M", "%S"])?;
                exits_ok(&mut client, "time-client %H %M %S").map_err(|e| {
                    if said(&client, "no answer from") {
                        blame_output(&client, "three answers")
                    } else {
                        format!(
                            "{e}\n    — after the last format: drop(udp_client), then Ok(answers)"
                        )
                    }
                })
            },
        },
    ]
}

/// Starts the student's client with `--to TO --timeout 3` and `rest`.
fn student_client(ctx: &Ctx, to: &str, rest: &[&str]) -> Result<Running, String> {
    let mut list = vec!["--to", to, "--timeout", "3"];
    list.extend(rest);
    ctx.student("time-client", &args(&list))
}

/// Waits for the client to exit, 0 or not: what it printed is checked next.
fn client_exits(client: &mut Running) -> Result<(), String> {
    client.wait_exit_within(CHECK_DEADLINE).map(drop).map_err(|_| {
        client.stop();
        format!(
            "time-client still ran after {CHECK_DEADLINE:?} (it hangs):\n{}",
            shown(client)
        )
    })
}

/// The checker plays the server for two formats, answering each with a text
/// of its own; then either the arrival (`check_print` false) or the printing
/// of the answers is checked.
fn fake_server_exchange(ctx: &Ctx, check_print: bool) -> Result<(), String> {
    let server = udp_socket()?;
    let to = server.local_addr().map_err(|e| e.to_string())?.to_string();
    let formats = ["%Y", "%H:%M 时"];
    let replies = ["first answer", "second answer 好"];
    let mut client = student_client(ctx, &to, &formats)?;
    let mut buf = [0u8; 2048];
    for (at, (format, reply)) in formats.iter().zip(replies).enumerate() {
        let (len, from) = match recv_within(&server, &mut buf) {
            Ok(got) => got,
            Err(_) => {
                client.stop();
                return Err(if at == 0 {
                    format!(
                        "[step 3] nothing arrived at {to} — did you send_to(&msg, opt.to)?\n{}",
                        shown(&client)
                    )
                } else {
                    format!(
                        "[step 2] only the first format arrived — send every msg of `msgs`, in a loop:\n{}",
                        shown(&client)
                    )
                });
            }
        };
        if &buf[..len] != format.as_bytes() {
            return Err(format!(
                "{} arrived, expected {} — send the bytes of msg, all of them",
                common::pyrepr::bytes_repr(&buf[..len]),
                common::pyrepr::bytes_repr(format.as_bytes())
            ));
        }
        server.send_to(reply.as_bytes(), from).map_err(|e| e.to_string())?;
    }
    if !check_print {
        return Ok(());
    }
    client_exits(&mut client)?;
    printed(&client, &replies)
}

/// The client printed each of `answers` as a line of its own, in order.
fn printed(client: &Running, answers: &[&str]) -> Result<(), String> {
    let lines = client.lines();
    let mut rest = lines.iter();
    for answer in answers {
        if !rest.any(|line| line == answer) {
            return Err(blame_output(client, &format!("{answer:?}")));
        }
    }
    Ok(())
}

/// Why `expected` is not among what the client printed: nothing printed is
/// step 5; a cut or garbled answer is step 4.
fn blame_output(client: &Running, expected: &str) -> String {
    let lines = client.lines();
    let answers: Vec<&String> = lines
        .iter()
        .filter(|l| !l.starts_with("warning: ") && !l.starts_with("error: "))
        .collect();
    let output = shown(client);
    if said(client, "but --bufsize is") {
        format!(
            "[step 4] the answer was cut — receive up to opt.bufsize bytes (receive::answer does):\n{output}"
        )
    } else if answers.iter().any(|l| l.contains('\u{fffd}')) {
        format!(
            "[step 4] the answer was decoded in another encoding — decode with opt.codec (receive::answer does):\n{output}"
        )
    } else if said(client, "no answer from") {
        format!("[step 3] no answer came — did the format reach opt.to?\n{output}")
    } else if answers.is_empty() {
        format!(
            "[step 5] it printed no answer — print each one: common::outln!(\"{{data}}\")\n{output}"
        )
    } else {
        format!("it did not print {expected}:\n{output}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_year_turns_at_new_year_and_knows_leap_days() {
        assert_eq!(utc_year(0), 1970);
        assert_eq!(utc_year(951_782_400), 2000); // 2000-02-29
        assert_eq!(utc_year(1_735_689_599), 2024); // 2024-12-31 23:59:59
        assert_eq!(utc_year(1_735_689_600), 2025);
        assert_eq!(utc_year(-1), 1969);
    }

    #[test]
    fn the_default_format_has_its_shape() {
        let year = &years_now()[0];
        assert!(is_default(&format!("{year}-07-05 09:03:07")).is_ok());
        assert!(is_default("").is_err());
        assert!(is_default(&format!("{year}-07-05")).is_err());
    }
}
