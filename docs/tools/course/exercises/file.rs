//! The exercises of the file-downloader lesson: the client's eight steps
//! (`file-downloader`) and the server's seven (`file-server`).
//!
//! Each student's program is checked against the reference peer (the Rust
//! server for a student's downloader, the Rust downloader for a student's
//! server) and the Python twin (`file_server.py`, `file_downloader.py`), in
//! both protocols, with UTF-8 and GBK names and files of 0 B, 1 B and
//! 1 MiB + 1 compared byte for byte; a failure must leave nothing behind.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::Exercise;
use super::checks::{CHECK_DEADLINE, Check, Ctx, args, exits_ok, prints, shown};
use crate::process::{Running, WorkDir};

const SKIP_NO_PYTHON: &str = "skipped: python3 not found, the twin was not run";

const SERVER_TWIN: &str = "file-downloader/python/file_server.py";
const CLIENT_TWIN: &str = "file-downloader/python/file_downloader.py";

/// A 1 MiB buffer cannot hold it: more than one `recv`, more than one
/// piece of the file.
const BIG: usize = (1 << 20) + 1;

/// What is outside the served folder: never sent.
const SECRET: &[u8] = b"the secret outside the root";

/// The files every check serves, by name.
fn files() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("hello.txt", "你好, file downloader!\n".as_bytes().to_vec()),
        ("数据.txt", "数据: GBK 里是 b'\\xca\\xfd\\xbe\\xdd'\n".as_bytes().to_vec()),
        ("empty", Vec::new()),
        ("one", b"1".to_vec()),
        ("big.bin", pseudo_random(BIG)),
    ]
}

/// Bytes that no shifted, repeated or stale piece can imitate.
fn pseudo_random(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

fn content(name: &str) -> Vec<u8> {
    files().into_iter().find(|(n, _)| *n == name).map(|(_, c)| c).unwrap_or_default()
}

/// A scratch folder: `root/` (served, holding [`files`]), `out/` (where
/// downloads go) and, beside them, `secret.txt`.
struct Scratch {
    dir: WorkDir,
}

impl Scratch {
    fn new(name: &str) -> Result<Scratch, String> {
        let dir = WorkDir::new(&format!("file-{name}"))?;
        let write = |path: PathBuf, bytes: &[u8]| {
            std::fs::write(&path, bytes)
                .map_err(|err| format!("cannot write {}: {err}", path.display()))
        };
        for sub in ["root", "out"] {
            std::fs::create_dir_all(dir.path().join(sub))
                .map_err(|err| format!("cannot create {sub}: {err}"))?;
        }
        for (name, bytes) in files() {
            write(dir.path().join("root").join(name), &bytes)?;
        }
        write(dir.path().join("secret.txt"), SECRET)?;
        Ok(Scratch { dir })
    }

    fn root(&self) -> String {
        self.dir.path().join("root").display().to_string()
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    fn out_file(&self, name: &str) -> String {
        self.out().join(name).display().to_string()
    }
}

/// The `ADDR` of a `listening on ADDR` line.
fn listening(program: &mut Running, what: &str) -> Result<String, String> {
    let line = prints(program, "listening on ", what)?;
    let addr = line.rsplit(' ').next().unwrap_or_default().to_string();
    if addr.ends_with(":0") {
        return Err(format!(
            "it announced {addr}: say the address the socket really has, after bind"
        ));
    }
    Ok(addr)
}

/// The reference `file-server` serving the scratch root.
fn reference_server(
    ctx: &Ctx,
    scratch: &Scratch,
    extra: &[&str],
) -> Result<(Running, String), String> {
    let mut list = vec!["--bind", "127.0.0.1:0"];
    let root = scratch.root();
    list.extend(["--root", &root]);
    list.extend(extra);
    let mut server = ctx.reference("file-server", &args(&list))?;
    let addr = listening(&mut server, "the reference file-server")?;
    Ok((server, addr))
}

/// `file_server.py 0 ENCODING`, serving the scratch root; `Ok(None)`
/// without python3.
fn python_server(
    ctx: &Ctx,
    scratch: &Scratch,
    encoding: &str,
) -> Result<Option<(Running, String)>, String> {
    let root = PathBuf::from(scratch.root());
    let Some(mut server) =
        ctx.python_in(SERVER_TWIN, &args(&["0", encoding]), &root, None)?
    else {
        return Ok(None);
    };
    let addr = listening(&mut server, "file_server.py")?;
    Ok(Some((server, addr)))
}

/// Fails unless `path` holds exactly `expected`.
fn same_file(path: &Path, expected: &[u8]) -> Result<(), String> {
    let Ok(got) = std::fs::read(path) else {
        return Err(format!("nothing was saved at {}", path.display()));
    };
    if got.len() != expected.len() {
        return Err(format!(
            "{} holds {} bytes, the file served {}",
            path.display(),
            got.len(),
            expected.len()
        ));
    }
    match got.iter().zip(expected).position(|(a, b)| a != b) {
        None => Ok(()),
        Some(at) => Err(format!(
            "{} differs from the file served at byte {at} (of {})",
            path.display(),
            expected.len()
        )),
    }
}

/// Fails if `dir` holds anything at all: no file, no `.part`.
fn nothing_in(dir: &Path, after: &str) -> Result<(), String> {
    let left: Vec<String> = std::fs::read_dir(dir)
        .map_err(|err| format!("cannot read {}: {err}", dir.display()))?
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    if left.is_empty() {
        Ok(())
    } else {
        Err(format!("{after}, {} was left in the output folder", left.join(", ")))
    }
}

/// Waits for `program` to end with an `error: …` line and a failing exit
/// status: what a download that cannot succeed must do.
fn exits_failing(program: &mut Running, what: &str) -> Result<(), String> {
    match program.wait_exit_within(CHECK_DEADLINE) {
        Ok(false) if program.lines().iter().any(|line| line.starts_with("error: ")) => {
            Ok(())
        }
        Ok(false) => {
            Err(format!("{what} failed without saying why:\n{}", shown(program)))
        }
        Ok(true) => {
            Err(format!("{what} exited 0, as if it had succeeded:\n{}", shown(program)))
        }
        Err(_) => {
            program.stop();
            Err(format!(
                "{what} still ran after {CHECK_DEADLINE:?} (it hangs):\n{}",
                shown(program)
            ))
        }
    }
}

/// A listener the checker plays the server with, on 127.0.0.1.
fn fake_server() -> Result<(TcpListener, String), String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|err| err.to_string())?;
    let addr = listener.local_addr().map_err(|err| err.to_string())?.to_string();
    Ok((listener, addr))
}

/// Accepts the downloader's connection within the deadline, or says what it
/// printed instead (a panic, a `todo!`, an error).
fn accept(listener: &TcpListener, client: &mut Running) -> Result<TcpStream, String> {
    listener.set_nonblocking(true).map_err(|err| err.to_string())?;
    let deadline = Instant::now() + CHECK_DEADLINE;
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                stream.set_nonblocking(false).map_err(|err| err.to_string())?;
                stream
                    .set_read_timeout(Some(Duration::from_millis(300)))
                    .map_err(|err| err.to_string())?;
                return Ok(stream);
            }
            Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(err) => return Err(format!("cannot accept: {err}")),
        }
        // Waiting 10 ms for the downloader to end is the pause between tries.
        let ended = client.wait_exit_within(Duration::from_millis(10)).is_ok();
        if ended || Instant::now() > deadline {
            client.stop();
            return Err(format!(
                "[step 3] nobody connected to the server's address — did you \
                 connect_timeout to `from`?\n{}",
                shown(client)
            ));
        }
    }
}

/// What the client sent: until a newline, its close, or a pause of 300 ms.
fn read_request(stream: &mut TcpStream) -> Vec<u8> {
    let mut request = Vec::new();
    let mut buf = [0u8; 2048];
    let deadline = Instant::now() + CHECK_DEADLINE;
    while !request.contains(&b'\n') && request.len() < 4096 && Instant::now() < deadline
    {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    request
}

/// Runs the student's downloader for `name` against `addr` with `extra`;
/// returns it ended, and where the file should be.
fn student_download(
    ctx: &Ctx,
    scratch: &Scratch,
    addr: &str,
    name: &str,
    extra: &[&str],
) -> Result<(Running, PathBuf), String> {
    let out = scratch.out_file(&format!("{}-{name}", extra.len()));
    let mut list = vec![name, "--from", addr, "--output", &out];
    list.extend(extra);
    let downloader = ctx.student("file-downloader", &args(&list))?;
    Ok((downloader, PathBuf::from(out)))
}

// ---------------------------------------------------------------------------
// file-downloader: the student writes the client

pub fn downloader() -> Exercise {
    Exercise {
        id: "file-downloader",
        krate: "file-downloader",
        feature: "exercise-file-downloader",
        tutorial: "000 文件下载器",
        reference: "file-downloader/src/steps/file_downloader.rs",
        student: "file-downloader/exercise/file_downloader.rs",
        twin: CLIENT_TWIN,
        task: "Write `download`: create a TCP socket for `from`, connect within \
               `opt.timeout` (and set it as the read timeout), get the name with \
               `ask()`, send `wanted.request`, read the framed answer \
               (`read_answer`), then receive into `wanted.output.part_file(size)` \
               until the file is whole or the server closes, check it is whole, \
               finish it, close, and return what `finish` saved.",
        hints: &[
            (
                1,
                "common::net::new_socket(&from, socket2::Type::STREAM) creates it; add .during(\"create a socket for\", from)? for a clear error.",
            ),
            (
                3,
                "socket.connect_timeout(&SockAddr::from(from), opt.timeout), then `let mut tcp_socket = TcpStream::from(socket);` and set_read_timeout(Some(opt.timeout)).",
            ),
            (
                4,
                "`let wanted = ask()?;` — the name is already checked and encoded: wanted.request is what to send.",
            ),
            (5, "tcp_socket.write_all(&wanted.request) is Python's sendall."),
            (
                6,
                "Framed, the answer comes first: `let size = read_answer(&mut tcp_socket, &wanted, opt)?;` Then loop: recv(&mut tcp_socket, part.room(&mut buf)) until part.is_whole() or it returns 0.",
            ),
            (
                6,
                "Receive in a loop: one recv returns one piece, never a whole 1 MiB file.",
            ),
            (
                7,
                "Write only what arrived: part.write(&buf[..n]). After the loop, part.check_whole(&mut tcp_socket, from)? before part.finish()?.",
            ),
            (8, "drop(tcp_socket), then Ok(saved)."),
        ],
        checks: downloader_checks,
    }
}

fn downloader_checks() -> Vec<Check> {
    vec![
        Check {
            step: 3,
            name: "connect",
            what: "it connects to --from",
            run: |ctx| {
                let (listener, addr) = fake_server()?;
                let scratch = Scratch::new("connect")?;
                let out = scratch.out_file("hello.txt");
                let mut client = ctx.student(
                    "file-downloader",
                    &args(&["hello.txt", "--from", &addr, "--output", &out]),
                )?;
                accept(&listener, &mut client).map(drop)
            },
        },
        Check {
            step: 4,
            name: "the file name",
            what: "without NAME, the name is read from stdin (input())",
            run: |ctx| {
                let scratch = Scratch::new("stdin")?;
                let (mut server, addr) = reference_server(ctx, &scratch, &[])?;
                let out = scratch.out_file("typed.txt");
                let mut client = ctx.student_typing(
                    "file-downloader",
                    &args(&["--from", &addr, "--output", &out]),
                    "hello.txt\n",
                )?;
                exits_ok(&mut client, "file-downloader with the name on stdin")
                    .map_err(|e| {
                        format!("{e}\n    — did you call ask() for the name?")
                    })?;
                prints(
                    &mut server,
                    "asks for \"hello.txt\"",
                    "the reference file-server",
                )
                .map(drop)
            },
        },
        Check {
            step: 5,
            name: "send the request",
            what: "framed: `GET hello.txt\\n`, byte for byte",
            run: |ctx| sends_request(ctx, "hello.txt", &[], b"GET hello.txt\n"),
        },
        Check {
            step: 5,
            name: "send the request",
            what: "--classic: the bare name `hello.txt`",
            run: |ctx| sends_request(ctx, "hello.txt", &["--classic"], b"hello.txt"),
        },
        Check {
            step: 5,
            name: "send the request",
            what: "--encoding gbk: 数据.txt is sent as b'\\xca\\xfd\\xbe\\xdd.txt'",
            run: |ctx| {
                sends_request(
                    ctx,
                    "数据.txt",
                    &["--encoding", "gbk"],
                    b"GET \xca\xfd\xbe\xdd.txt\n",
                )
            },
        },
        Check {
            step: 6,
            name: "receive",
            what: "framed, from the Rust file-server: 0 B, 1 B and 1 MiB + 1 arrive (exit 0)",
            run: |ctx| {
                downloads_from_reference(ctx, &[], &["empty", "one", "big.bin"], false)
            },
        },
        Check {
            step: 6,
            name: "receive",
            what: "--classic, from the Rust file-server: 1 B and 1 MiB + 1 arrive (exit 0)",
            run: |ctx| {
                downloads_from_reference(
                    ctx,
                    &["--classic"],
                    &["one", "big.bin"],
                    false,
                )
            },
        },
        Check {
            step: 6,
            name: "receive",
            what: "--classic, from the Python twin file_server.py: 1 MiB + 1, and 数据.txt in UTF-8 and GBK (exit 0)",
            run: |ctx| downloads_from_python(ctx, false),
        },
        Check {
            step: 7,
            name: "create the file",
            what: "framed: what is saved is the file served, byte for byte (0 B, 1 B, 1 MiB + 1)",
            run: |ctx| {
                downloads_from_reference(ctx, &[], &["empty", "one", "big.bin"], true)
            },
        },
        Check {
            step: 7,
            name: "create the file",
            what: "--classic: byte for byte from the Rust file-server (1 B, 1 MiB + 1)",
            run: |ctx| {
                downloads_from_reference(ctx, &["--classic"], &["one", "big.bin"], true)
            },
        },
        Check {
            step: 7,
            name: "create the file",
            what: "--classic: byte for byte from file_server.py, names in UTF-8 and GBK",
            run: |ctx| downloads_from_python(ctx, true),
        },
        Check {
            step: 7,
            name: "create the file",
            what: "a missing file (ERR, or a classic close with nothing) leaves nothing behind",
            run: |ctx| {
                let scratch = Scratch::new("missing")?;
                let (_server, addr) = reference_server(ctx, &scratch, &[])?;
                for extra in [&[][..], &["--classic"]] {
                    let (mut client, _) =
                        student_download(ctx, &scratch, &addr, "missing.txt", extra)?;
                    let what =
                        format!("file-downloader missing.txt {}", extra.join(" "));
                    exits_failing(&mut client, &what)?;
                    nothing_in(&scratch.out(), &format!("after {what}"))?;
                }
                Ok(())
            },
        },
        Check {
            step: 7,
            name: "create the file",
            what: "a transfer cut short (OK 100, then 10 bytes and a close) leaves nothing behind",
            run: |ctx| {
                let (listener, addr) = fake_server()?;
                let scratch = Scratch::new("cut")?;
                let out = scratch.out_file("cut.bin");
                let mut client = ctx.student(
                    "file-downloader",
                    &args(&["cut.bin", "--from", &addr, "--output", &out]),
                )?;
                let mut stream = accept(&listener, &mut client)?;
                read_request(&mut stream);
                let _ = stream.write_all(b"OK 100\n0123456789");
                drop(stream);
                exits_failing(&mut client, "file-downloader, given 10 of 100 bytes")
                    .map_err(|e| format!("{e}\n    — is the file whole (part.check_whole) before it is saved?"))?;
                nothing_in(&scratch.out(), "after a transfer cut short")
                    .map_err(|e| format!("{e} — only a whole file may be saved: part.check_whole(…)? before part.finish()"))
            },
        },
        Check {
            step: 8,
            name: "close",
            what: "once the file is saved the connection is closed, and it exits 0",
            run: |ctx| {
                let (listener, addr) = fake_server()?;
                let scratch = Scratch::new("close")?;
                let out = scratch.out_file("five.txt");
                let mut client = ctx.student(
                    "file-downloader",
                    &args(&["five.txt", "--from", &addr, "--output", &out]),
                )?;
                let mut stream = accept(&listener, &mut client)?;
                read_request(&mut stream);
                let _ = stream.write_all(b"OK 5\nhello");
                let _ = stream.shutdown(std::net::Shutdown::Write);
                // The client's close is the end of this stream.
                let _ = stream.set_read_timeout(Some(CHECK_DEADLINE));
                let mut rest = Vec::new();
                let closed = stream.read_to_end(&mut rest).is_ok();
                exits_ok(&mut client, "file-downloader five.txt")?;
                if !closed {
                    return Err(
                        "the connection stayed open after the file was saved".into()
                    );
                }
                Ok(())
            },
        },
    ]
}

/// The request the student's downloader sends for `name` with `extra`.
fn sends_request(
    ctx: &Ctx,
    name: &str,
    extra: &[&str],
    expected: &[u8],
) -> Result<(), String> {
    let (listener, addr) = fake_server()?;
    let scratch = Scratch::new("request")?;
    let out = scratch.out_file("request.txt");
    let mut list = vec![name, "--from", &addr, "--output", &out];
    list.extend(extra);
    let mut client = ctx.student("file-downloader", &args(&list))?;
    let mut stream = accept(&listener, &mut client)?;
    let request = read_request(&mut stream);
    drop(stream);
    if request == expected {
        return Ok(());
    }
    // A step that panicked says so in what the program printed.
    let _ = client.wait_exit_within(Duration::from_secs(1));
    client.stop();
    Err(format!(
        "the server received {}, expected {} — send wanted.request, all of it \
         (write_all)\n{}",
        common::pyrepr::bytes_repr(&request),
        common::pyrepr::bytes_repr(expected),
        shown(&client)
    ))
}

/// Downloads each of `names` from the reference server with `extra`: each
/// must exit 0 (and, when `compare`, be the file served, byte for byte).
fn downloads_from_reference(
    ctx: &Ctx,
    extra: &[&str],
    names: &[&str],
    compare: bool,
) -> Result<(), String> {
    let scratch = Scratch::new("reference")?;
    let (_server, addr) = reference_server(ctx, &scratch, &[])?;
    for name in names {
        let (mut client, out) = student_download(ctx, &scratch, &addr, name, extra)?;
        let what = format!("file-downloader {name} {}", extra.join(" "));
        exits_ok(&mut client, what.trim_end())?;
        if compare {
            same_file(&out, &content(name)).map_err(|e| {
                format!("{e} — write only what arrived, &buf[..n], and every piece")
            })?;
            let saved = format!("saved {} of", bytes(content(name).len()));
            if !client.lines().iter().any(|line| line.contains(&saved)) {
                return Err(format!(
                    "it did not say {saved:?}: return what part.finish() saved\n{}",
                    shown(&client)
                ));
            }
        }
    }
    Ok(())
}

/// `1 byte`, `25 bytes`, as the programs print them.
fn bytes(n: usize) -> String {
    if n == 1 { "1 byte".to_string() } else { format!("{n} bytes") }
}

/// Downloads 1 MiB + 1 and 数据.txt from file_server.py, in UTF-8 and GBK.
fn downloads_from_python(ctx: &Ctx, compare: bool) -> Result<(), String> {
    for encoding in ["utf-8", "gbk"] {
        let scratch = Scratch::new(&format!("python-{encoding}"))?;
        let Some((_server, addr)) = python_server(ctx, &scratch, encoding)? else {
            return Err(SKIP_NO_PYTHON.into());
        };
        let names: &[&str] = if encoding == "gbk" {
            &["数据.txt"]
        } else {
            &["big.bin", "数据.txt"]
        };
        for name in names {
            let extra = ["--classic", "--encoding", encoding];
            let (mut client, out) =
                student_download(ctx, &scratch, &addr, name, &extra)?;
            let what =
                format!("file-downloader {name} --classic --encoding {encoding}");
            exits_ok(&mut client, &what)?;
            if compare {
                same_file(&out, &content(name))?;
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// file-server: the student writes the server

pub fn server() -> Exercise {
    Exercise {
        id: "file-server",
        krate: "file-downloader",
        feature: "exercise-file-server",
        tutorial: "000 文件下载器",
        reference: "file-downloader/src/steps/file_server.rs",
        student: "file-downloader/exercise/file_server.rs",
        twin: SERVER_TWIN,
        task: "Write `serve` (create a TCP socket for `local`, bind, listen, start \
               `Clients`, and accept clients while `clients.want_more()`, handing \
               each to `clients.serve`) and `send_file_to_client` (read the request, \
               decode it once with `Asked::decode`, open the name with \
               `opt.root.open`, send the answer with `io::copy` through `Paced` — or \
               `refuse` — and close with `close_gently`).",
        hints: &[
            (
                1,
                "common::net::new_socket(&local, socket2::Type::STREAM) creates it; on Unix, set_reuse_address(true).",
            ),
            (
                3,
                "socket.bind(&local.into())?, socket.listen(128)?, then `TcpListener::from(socket)` and Clients::start(&tcp_server_socket, opt)? (it prints `listening on ADDR`).",
            ),
            (
                4,
                "`while clients.want_more() { match tcp_server_socket.accept() { Ok(client) => clients.serve(client, opt), Err(err) => cannot_accept(&err) } }`, then clients.wait().",
            ),
            (
                5,
                "read_request(&mut client_socket, opt.limits.request_timeout), then Asked::decode(request, opt.encoding, client_addr, opt): decode with the encoding the client uses.",
            ),
            (
                6,
                "opt.root.open(&name) opens beneath the root (never File::open); io::copy(&mut answer(&mut file, asked.protocol), &mut paced) sends every byte, then paced.report(sent).",
            ),
            (
                7,
                "close_gently(client_socket, linger(&asked)) closes it: a classic client knows the file ended only by the close.",
            ),
        ],
        checks: server_checks,
    }
}

/// The student's server on 127.0.0.1:0 serving the scratch root.
fn student_server(
    ctx: &Ctx,
    scratch: &Scratch,
    extra: &[&str],
) -> Result<(Running, String), String> {
    let root = scratch.root();
    let mut list = vec!["--bind", "127.0.0.1:0", "--root", &root];
    list.extend(extra);
    let mut server = ctx.student("file-server", &args(&list))?;
    let addr = listening(&mut server, "file-server").map_err(|e| {
        format!("{e}\n    — after listen, Clients::start(&tcp_server_socket, opt) says where")
    })?;
    Ok((server, addr))
}

/// The reference downloader fetches `name` from the student's server with
/// `extra` (and `--timeout 3`, so that a server that never closes is seen
/// within the check's deadline); the file must be the one served.
fn fetch(
    ctx: &Ctx,
    scratch: &Scratch,
    addr: &str,
    name: &str,
    extra: &[&str],
    server: &Running,
) -> Result<(), String> {
    let out = scratch.out_file(&format!("{}-{name}", extra.len()));
    let mut list = vec![name, "--from", addr, "--output", &out, "--timeout", "3"];
    list.extend(extra);
    let mut client = ctx.reference("file-downloader", &args(&list))?;
    let what = format!("the Rust file-downloader {name} {}", extra.join(" "));
    exits_ok(&mut client, what.trim_end())
        .map_err(|e| format!("{e}\n  the server printed:\n{}", shown(server)))?;
    same_file(Path::new(&out), &content(name))
}

fn server_checks() -> Vec<Check> {
    vec![
        Check {
            step: 3,
            name: "listen",
            what: "it says `listening on ADDR` and takes a connection there",
            run: |ctx| {
                let scratch = Scratch::new("listen")?;
                let (server, addr) = student_server(ctx, &scratch, &[])?;
                let addr: SocketAddr =
                    addr.parse().map_err(|_| format!("{addr:?} is not an address"))?;
                TcpStream::connect_timeout(&addr, CHECK_DEADLINE).map(drop).map_err(
                    |err| {
                        format!(
                            "cannot connect to {addr}: {err} — did you listen?\n{}",
                            shown(&server)
                        )
                    },
                )
            },
        },
        Check {
            step: 4,
            name: "accept",
            what: "two clients one after the other are served, then --count 2 ends it",
            run: |ctx| {
                let scratch = Scratch::new("accept")?;
                let (mut server, addr) =
                    student_server(ctx, &scratch, &["--count", "2"])?;
                fetch(ctx, &scratch, &addr, "hello.txt", &[], &server)?;
                fetch(ctx, &scratch, &addr, "one", &[], &server)?;
                exits_ok(&mut server, "file-server --count 2").map_err(|e| {
                    format!("{e}\n    — accept while clients.want_more(), then clients.wait()")
                })
            },
        },
        Check {
            step: 5,
            name: "receive the file name",
            what: "framed requests for hello.txt and 数据.txt (UTF-8) are served",
            run: |ctx| {
                let scratch = Scratch::new("names")?;
                let (server, addr) = student_server(ctx, &scratch, &[])?;
                for name in ["hello.txt", "数据.txt"] {
                    fetch(ctx, &scratch, &addr, name, &[], &server)?;
                }
                Ok(())
            },
        },
        Check {
            step: 5,
            name: "receive the file name",
            what: "with --encoding gbk, 数据.txt asked for in GBK is served",
            run: |ctx| {
                let scratch = Scratch::new("gbk")?;
                let (server, addr) =
                    student_server(ctx, &scratch, &["--encoding", "gbk"])?;
                fetch(ctx, &scratch, &addr, "数据.txt", &["--encoding", "gbk"], &server)
                    .map_err(|e| {
                        format!(
                            "{e}\n    — decode the name with opt.encoding, the client's"
                        )
                    })
            },
        },
        Check {
            step: 6,
            name: "send the file",
            what: "framed: 0 B, 1 B and 1 MiB + 1 arrive whole, byte for byte",
            run: |ctx| {
                let scratch = Scratch::new("sizes")?;
                let (server, addr) = student_server(ctx, &scratch, &[])?;
                for name in ["empty", "one", "big.bin"] {
                    fetch(ctx, &scratch, &addr, name, &[], &server).map_err(|e| {
                        format!("{e}\n    — send every byte: io::copy, not one read")
                    })?;
                }
                Ok(())
            },
        },
        Check {
            step: 6,
            name: "send the file",
            what: "../secret.txt is refused with ERR, and no byte from outside the root is sent",
            run: |ctx| {
                let scratch = Scratch::new("refuse")?;
                let (server, addr) = student_server(ctx, &scratch, &[])?;
                let addr: SocketAddr =
                    addr.parse().map_err(|_| format!("{addr:?} is not an address"))?;
                let mut stream = TcpStream::connect_timeout(&addr, CHECK_DEADLINE)
                    .map_err(|err| format!("cannot connect to {addr}: {err}"))?;
                let _ = stream.set_read_timeout(Some(CHECK_DEADLINE));
                stream
                    .write_all(b"GET ../secret.txt\n")
                    .map_err(|err| err.to_string())?;
                let mut answer = Vec::new();
                let _ = stream.read_to_end(&mut answer);
                let leaked = answer.windows(SECRET.len()).any(|w| w == SECRET);
                if leaked || !answer.starts_with(b"ERR ") {
                    return Err(format!(
                        "GET ../secret.txt was answered {} — open names with \
                         opt.root.open(&name), which never leaves the root\n{}",
                        common::pyrepr::bytes_repr(&answer[..answer.len().min(60)]),
                        shown(&server)
                    ));
                }
                Ok(())
            },
        },
        Check {
            step: 7,
            name: "close",
            what: "--classic: the Rust file-downloader gets 1 B and 1 MiB + 1, ended by the close",
            run: |ctx| {
                let scratch = Scratch::new("classic")?;
                let (server, addr) = student_server(ctx, &scratch, &[])?;
                for name in ["one", "big.bin"] {
                    fetch(ctx, &scratch, &addr, name, &["--classic"], &server).map_err(|e| {
                        format!("{e}\n    — a classic client knows the file ended only when you close")
                    })?;
                }
                Ok(())
            },
        },
        Check {
            step: 7,
            name: "close",
            what: "the Python twin file_downloader.py gets 1 MiB + 1 and 数据.txt, in UTF-8 and GBK",
            run: |ctx| {
                for encoding in ["utf-8", "gbk"] {
                    let scratch = Scratch::new(&format!("twin-{encoding}"))?;
                    let (server, addr) =
                        student_server(ctx, &scratch, &["--encoding", encoding])?;
                    let port = addr.rsplit(':').next().unwrap_or_default().to_string();
                    let names: &[&str] = if encoding == "gbk" {
                        &["数据.txt"]
                    } else {
                        &["big.bin", "数据.txt"]
                    };
                    for name in names {
                        let Some(mut python) = ctx.python_in(
                            CLIENT_TWIN,
                            &args(&[&port, encoding]),
                            &scratch.out(),
                            Some(&format!("{name}\n")),
                        )?
                        else {
                            return Err(SKIP_NO_PYTHON.into());
                        };
                        let what =
                            format!("file_downloader.py {port} {encoding} < {name}");
                        exits_ok(&mut python, &what).map_err(|e| {
                            format!("{e}\n    — the twin reads until you close the client socket\n  the server printed:\n{}", shown(&server))
                        })?;
                        same_file(&scratch.out().join(name), &content(name))?;
                    }
                }
                Ok(())
            },
        },
    ]
}
