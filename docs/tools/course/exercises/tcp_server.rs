//! The exercise of the tcp-server lesson: the sequential server's eight steps,
//! checked with the reference `tcp-client`, the Python twin's client
//! (`tcp_client.py`) and plain sockets on 127.0.0.1.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use super::Exercise;
use super::checks::{CHECK_DEADLINE, Check, Ctx, args, exits_ok, prints, shown};
use crate::process::Running;

const SKIP_NO_PYTHON: &str = "skipped: python3 not found, the twin was not run";
/// How long a client that should wait is watched: the lesson's server answers
/// a client it serves in microseconds.
const WAITS: Duration = Duration::from_millis(300);

pub fn exercise() -> Exercise {
    Exercise {
        id: "tcp-server",
        krate: "tcp-server",
        feature: "exercise",
        tutorial: "000 TCP服务端, 001",
        reference: "tcp-server/src/steps.rs",
        student: "tcp-server/exercise/steps.rs",
        twin: "tcp-server/python/tcp_server.py",
        task: "Write the server's steps: `open` creates a TCP socket for `local`, sets \
               SO_REUSEADDR when `opt.reuse_address` says so, binds and listens \
               (`opt.backlog`); `accept` waits for a client; `talk` answers each recv \
               of at most `opt.bufsize` bytes with what `log.answer` returns until the \
               client closes (recv returns 0), sending `opt.greeting` first if there \
               is one; `close_client` and `close` close the client's and the \
               server's sockets. `serve_forever`, below them, calls them one client \
               after another.",
        hints: &[
            (
                1,
                "common::net::new_stream_socket(local)? creates the socket (IP or unix:PATH); common::net::sock_addr(local)? is the address bind takes in step 3.",
            ),
            (
                2,
                "Only when opt.reuse_address: tcp_server.set_reuse_address(true)? — before bind, or a quick restart fails while the last connection is in TIME_WAIT.",
            ),
            (
                4,
                "tcp_server.listen(opt.backlog)? after bind turns the socket passive: without it every connect is refused. Then Ok(tcp_server).",
            ),
            (
                6,
                "A loop: match client.read(&mut buf).map_err(Ending::Recv)? — 0 is Python's b'' (return Ok(())), n is client.write_all(log.answer(&buf[..n])).map_err(Ending::Send)?",
            ),
            (
                6,
                "The buffer holds opt.bufsize bytes (vec![0u8; opt.bufsize]), and only &buf[..n] arrived.",
            ),
            (7, "drop(client) closes the client's socket: its recv then returns b''."),
        ],
        checks,
    }
}

/// Starts the student's server on `127.0.0.1:0` with `extra` and returns it
/// with the address it announced.
fn student_server(ctx: &Ctx, extra: &[&str]) -> Result<(Running, SocketAddr), String> {
    let mut list = vec!["--bind", "127.0.0.1:0"];
    list.extend(extra);
    start(ctx.student("tcp-server", &args(&list))?, "tcp-server")
}

/// Waits for `listening on ADDR` and reads ADDR.
fn start(mut server: Running, what: &str) -> Result<(Running, SocketAddr), String> {
    let line = prints(&mut server, "listening on ", what).map_err(|e| {
        format!(
            "{e}\n    — does open() create, bind and listen, then return the socket?"
        )
    })?;
    let addr = line.rsplit(' ').next().unwrap_or_default();
    let addr =
        addr.parse().map_err(|_| format!("cannot read the address in {line:?}"))?;
    Ok((server, addr))
}

/// A client connected to `addr` whose reads and writes give up after the
/// check deadline. "Connection refused" while the server runs is step 4's.
fn connect(addr: SocketAddr) -> Result<TcpStream, String> {
    let stream = TcpStream::connect_timeout(&addr, CHECK_DEADLINE).map_err(|err| {
        if err.kind() == ErrorKind::ConnectionRefused {
            format!(
                "[step 4] connecting to {addr} was refused: nobody listens there — did you \
                 listen(opt.backlog) after bind?"
            )
        } else {
            format!("cannot connect to {addr}: {err}")
        }
    })?;
    stream.set_read_timeout(Some(CHECK_DEADLINE)).map_err(|e| e.to_string())?;
    stream.set_write_timeout(Some(CHECK_DEADLINE)).map_err(|e| e.to_string())?;
    Ok(stream)
}

/// Sends `data` and reads back `len` bytes (in however many pieces).
fn exchange(
    stream: &mut TcpStream,
    data: &[u8],
    len: usize,
) -> Result<Vec<u8>, String> {
    stream.write_all(data).map_err(|err| format!("cannot send {data:?}: {err}"))?;
    let mut reply = vec![0u8; len];
    match stream.read_exact(&mut reply) {
        Ok(()) => Ok(reply),
        Err(err) if err.kind() == ErrorKind::UnexpectedEof => Err(format!(
            "the server closed the connection instead of answering {:?} — does talk \
             answer each recv until the client closes?",
            String::from_utf8_lossy(data)
        )),
        Err(_) => Err(format!(
            "no answer to {:?} within {CHECK_DEADLINE:?} — does talk send back what \
             log.answer returns?",
            String::from_utf8_lossy(data)
        )),
    }
}

/// A port nobody listens on right now.
fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    listener.local_addr().map(|addr| addr.port()).map_err(|e| e.to_string())
}

/// Serves one client with the reference server on `port`, then kills the
/// server while the client is still connected: the server's side closed
/// first, so its port is left with a connection in TIME_WAIT (the four-way
/// close) once the client closes too.
fn leave_time_wait(ctx: &Ctx, port: u16) -> Result<(), String> {
    let bind = format!("127.0.0.1:{port}");
    let (mut server, addr) = start(
        ctx.reference("tcp-server", &args(&["--bind", &bind]))?,
        "the reference tcp-server",
    )?;
    let mut client = connect(addr)?;
    exchange(&mut client, b"served", 6)?;
    server.stop();
    // The server's FIN arrives (read returns 0); ours goes back.
    let mut rest = Vec::new();
    let _ = client.read_to_end(&mut rest);
    drop(client);
    wait_for_time_wait(port);
    Ok(())
}

/// On Linux, waits (at most a second) until the kernel shows a connection on
/// local `port` in TIME_WAIT (state 06 in /proc/net/tcp); elsewhere returns.
fn wait_for_time_wait(port: u16) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(1) {
        let Ok(table) = std::fs::read_to_string("/proc/net/tcp") else { return };
        let in_time_wait = table.lines().skip(1).any(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            fields.len() > 3
                && fields[1]
                    .rsplit(':')
                    .next()
                    .and_then(|p| u16::from_str_radix(p, 16).ok())
                    == Some(port)
                && fields[3] == "06"
        });
        if in_time_wait {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Runs the reference tcp-client against `addr` with `extra` and returns its
/// stdout lines. `--timeout 2`: a server that never closes only delays it.
fn rust_client(
    ctx: &Ctx,
    addr: SocketAddr,
    extra: &[&str],
) -> Result<Vec<String>, String> {
    let to = addr.to_string();
    let mut list = vec!["--to", &to, "--timeout", "2"];
    list.extend(extra);
    let mut client = ctx.reference("tcp-client", &args(&list))?;
    exits_ok(&mut client, "tcp-client")?;
    let lines = client.lines();
    if let Some(warning) = lines.iter().find(|l| l.starts_with("warning: ")) {
        // tcp-client closes its side, then waits for the server's FIN.
        return Err(if warning.contains("close") {
            format!(
                "[step 7] tcp-client closed its side, and the server never closed the \
                 connection ({warning}) — drop the client's socket in close_client"
            )
        } else {
            format!("tcp-client said {warning:?}")
        });
    }
    Ok(lines.into_iter().filter(|l| !l.starts_with("connected to ")).collect())
}

fn checks() -> Vec<Check> {
    vec![
        Check {
            step: 1,
            name: "create",
            what: "tcp-server starts and says `listening on ADDR`",
            run: |ctx| student_server(ctx, &[]).map(drop),
        },
        Check {
            step: 2,
            name: "SO_REUSEADDR",
            what: "a restart on the same port works at once, while the last connection is in TIME_WAIT",
            run: |ctx| {
                let port = free_port()?;
                leave_time_wait(ctx, port)?;
                let bind = format!("127.0.0.1:{port}");
                let mut server =
                    ctx.student("tcp-server", &args(&["--bind", &bind]))?;
                let line = server.wait_for_within("listening on ", CHECK_DEADLINE);
                match line {
                    Ok(line) if line.ends_with(&format!(":{port}")) => Ok(()),
                    Ok(line) => Err(format!(
                        "[step 3] it says {line:?}: bind --bind's address, port {port}"
                    )),
                    Err(_) => {
                        server.stop();
                        Err(format!(
                            "restarting on port {port}, where the last connection is in \
                             TIME_WAIT, failed — did you set SO_REUSEADDR before bind?\n{}",
                            shown(&server)
                        ))
                    }
                }
            },
        },
        Check {
            step: 2,
            name: "SO_REUSEADDR",
            what: "with --no-reuseaddr that restart fails: `address already in use` (tutorial 001)",
            run: |ctx| {
                let port = free_port()?;
                leave_time_wait(ctx, port)?;
                let bind = format!("127.0.0.1:{port}");
                let mut server = ctx.student(
                    "tcp-server",
                    &args(&["--bind", &bind, "--no-reuseaddr"]),
                )?;
                match server.wait_exit_within(CHECK_DEADLINE) {
                    Ok(false)
                        if server
                            .lines()
                            .iter()
                            .any(|l| l.contains("address already in use")) =>
                    {
                        Ok(())
                    }
                    outcome => {
                        let said = server
                            .lines()
                            .into_iter()
                            .find(|l| l.contains("listening on "));
                        server.stop();
                        match said {
                            Some(line) if !line.ends_with(&format!(":{port}")) => {
                                Err(format!(
                                    "[step 3] it says {line:?}: bind --bind's address, port {port}"
                                ))
                            }
                            _ if outcome.is_err() => Err(format!(
                                "with --no-reuseaddr it still listened on port {port} in TIME_WAIT — \
                                 set SO_REUSEADDR only when opt.reuse_address is true\n{}",
                                shown(&server)
                            )),
                            _ => Err(format!(
                                "it failed, but not with `address already in use`:\n{}",
                                shown(&server)
                            )),
                        }
                    }
                }
            },
        },
        Check {
            step: 3,
            name: "bind",
            what: "--bind 127.0.0.1:PORT listens on that very port",
            run: |ctx| {
                let port = free_port()?;
                let bind = format!("127.0.0.1:{port}");
                let (_server, addr) = start(
                    ctx.student("tcp-server", &args(&["--bind", &bind]))?,
                    "tcp-server",
                )?;
                if addr.port() == port {
                    Ok(())
                } else {
                    Err(format!("it listens on {addr}, not on {bind} — bind `local`"))
                }
            },
        },
        Check {
            step: 4,
            name: "listen",
            what: "a client can connect: listen turned the socket passive",
            run: |ctx| {
                let (_server, addr) = student_server(ctx, &[])?;
                connect(addr).map(drop)
            },
        },
        Check {
            step: 5,
            name: "accept",
            what: "one client after another: the second waits until the first closes",
            run: |ctx| {
                let (mut server, addr) = student_server(ctx, &[])?;
                let mut first = connect(addr)?;
                exchange(&mut first, b"first", 5)?;
                let mut second = connect(addr)?;
                second.write_all(b"second").map_err(|e| e.to_string())?;
                // The first client is still served: it is answered again.
                exchange(&mut first, b"again", 5).map_err(|e| {
                    format!("[step 6] the first client got one answer only: {e}")
                })?;
                second.set_read_timeout(Some(WAITS)).map_err(|e| e.to_string())?;
                let mut reply = [0u8; 6];
                if second.read(&mut reply).is_ok() {
                    return Err(
                        "the second client was answered while the first was still connected: \
                         the lesson's server serves one client at a time"
                            .into(),
                    );
                }
                let first_name = first.local_addr().map_err(|e| e.to_string())?;
                drop(first);
                prints(&mut server, &format!("closed: {first_name}"), "tcp-server").map_err(
                    |e| {
                        format!(
                            "[step 6] the first client closed, and the server never noticed \
                             (recv returns 0 then: return Ok(())):\n{e}"
                        )
                    },
                )?;
                second
                    .set_read_timeout(Some(CHECK_DEADLINE))
                    .map_err(|e| e.to_string())?;
                second.read_exact(&mut reply).map_err(|_| {
                    format!(
                        "the first client left, but the second was never answered — after a \
                         client closes, serve_forever accepts the next:\n{}",
                        shown(&server)
                    )
                })?;
                let second_name = second.local_addr().map_err(|e| e.to_string())?;
                prints(&mut server, &format!("connected: {second_name}"), "tcp-server")
                    .map(drop)
            },
        },
        Check {
            step: 6,
            name: "recv/send",
            what: "the Rust tcp-client's messages come back and are printed, in UTF-8 and GBK",
            run: |ctx| {
                for encoding in ["utf-8", "gbk"] {
                    let (mut server, addr) =
                        student_server(ctx, &["--encoding", encoding])?;
                    let got = rust_client(
                        ctx,
                        addr,
                        &["--encoding", encoding, "hello", "数据"],
                    )?;
                    if got != ["hello", "数据"] {
                        return Err(format!(
                            "tcp-client ({encoding}) sent hello and 数据 and printed {got:?} \
                             — send back exactly what arrived"
                        ));
                    }
                    let what = format!("tcp-server --encoding {encoding}");
                    prints(&mut server, ": hello", &what)?;
                    prints(&mut server, ": 数据", &what)?;
                }
                Ok(())
            },
        },
        Check {
            step: 6,
            name: "recv/send",
            what: "one send arrives in one recv(1024): `ADDR: hello world` is printed whole",
            run: |ctx| {
                let (mut server, addr) = student_server(ctx, &[])?;
                let mut client = connect(addr)?;
                exchange(&mut client, b"hello world", 11)?;
                let me = client.local_addr().map_err(|e| e.to_string())?;
                let line = prints(&mut server, &format!("{me}: "), "tcp-server")?;
                if line.ends_with(": hello world") {
                    Ok(())
                } else {
                    Err(format!(
                        "11 bytes sent at once were printed as {line:?}, a piece of them — \
                         recv into a buffer of opt.bufsize bytes"
                    ))
                }
            },
        },
        Check {
            step: 6,
            name: "recv/send",
            what: "the Python twin's client, in UTF-8 and GBK: 数据 comes back and is printed",
            run: |ctx| {
                for encoding in ["utf-8", "gbk"] {
                    let (mut server, addr) =
                        student_server(ctx, &["--encoding", encoding])?;
                    let port = addr.port().to_string();
                    let Some(mut python) = ctx.python(
                        "tcp-client/python/tcp_client.py",
                        &args(&[&port, encoding, "数据", "hi"]),
                    )?
                    else {
                        return Err(SKIP_NO_PYTHON.into());
                    };
                    exits_ok(&mut python, &format!("tcp_client.py ({encoding})"))?;
                    // Its stderr (merged here) says `connected to …` first.
                    let got: Vec<String> = python
                        .lines()
                        .into_iter()
                        .filter(|line| !line.starts_with("connected to "))
                        .collect();
                    if got != ["数据", "hi"] {
                        return Err(format!(
                            "tcp_client.py ({encoding}) sent 数据 and hi and printed {got:?}"
                        ));
                    }
                    prints(
                        &mut server,
                        ": 数据",
                        &format!("tcp-server --encoding {encoding}"),
                    )?;
                }
                Ok(())
            },
        },
        Check {
            step: 6,
            name: "recv/send",
            what: "--reply success answers every recv with success (tutorial 004)",
            run: |ctx| {
                let (_server, addr) = student_server(ctx, &["--reply", "success"])?;
                let got = rust_client(ctx, addr, &["123", "456"])?;
                if got == ["success", "success"] {
                    Ok(())
                } else {
                    Err(format!(
                        "tcp-client sent 123 and 456 and printed {got:?} — send what \
                         log.answer returns, for every recv"
                    ))
                }
            },
        },
        Check {
            step: 6,
            name: "recv/send, optional",
            what: "--greeting: the client reads it first (tutorial 003's tcp_send_server)",
            run: |ctx| {
                let (_server, addr) = student_server(ctx, &["--greeting", "TCP数据"])?;
                let mut client = connect(addr)?;
                let greeting = "TCP数据".as_bytes();
                let mut got = vec![0u8; greeting.len()];
                client.read_exact(&mut got).map_err(|_| {
                    "no greeting arrived — with opt.greeting, send it before the first recv"
                        .to_string()
                })?;
                if got != greeting {
                    return Err(format!(
                        "the greeting arrived as {:?}",
                        String::from_utf8_lossy(&got)
                    ));
                }
                exchange(&mut client, b"then", 4).map(drop)
            },
        },
        Check {
            step: 6,
            name: "recv/send",
            what: "a client that closes is noticed: recv returns b'' and `closed: ADDR` follows",
            run: |ctx| {
                let (mut server, addr) = student_server(ctx, &[])?;
                let client = connect(addr)?;
                let me = client.local_addr().map_err(|e| e.to_string())?;
                prints(&mut server, &format!("connected: {me}"), "tcp-server")?;
                client.shutdown(Shutdown::Write).map_err(|e| e.to_string())?;
                prints(&mut server, &format!("closed: {me}"), "tcp-server")
                    .map_err(|e| format!("{e}\n    — recv returning 0 means the client closed: return Ok(()) then"))
                    .map(drop)
            },
        },
        Check {
            step: 7,
            name: "close the client",
            what: "the client's socket is closed: after its FIN the client reads the end of the stream",
            run: |ctx| {
                let (_server, addr) = student_server(ctx, &[])?;
                let mut client = connect(addr)?;
                exchange(&mut client, b"bye", 3)?;
                client.shutdown(Shutdown::Write).map_err(|e| e.to_string())?;
                let mut rest = Vec::new();
                match client.read_to_end(&mut rest) {
                    Ok(_) => Ok(()),
                    Err(_) => Err(format!(
                        "the client waited {CHECK_DEADLINE:?} for the end of the stream — is the \
                         client's socket dropped (closed) in close_client?"
                    )),
                }
            },
        },
        Check {
            step: 8,
            name: "close the server",
            what: "--once: one client, then the server closes its socket and exits 0",
            run: |ctx| {
                let (mut server, addr) = student_server(ctx, &["--once"])?;
                let mut client = connect(addr)?;
                exchange(&mut client, b"once", 4)?;
                drop(client);
                exits_ok(&mut server, "tcp-server --once")
            },
        },
    ]
}
