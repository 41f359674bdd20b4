//! What the course runs: each lesson's exchanges, in the order of the book.
//!
//! An exchange starts an optional server, waits for its `listening on ADDR`
//! line, runs its clients one after the other, and checks that the expected
//! lines were printed. In arguments and typed text, `{addr}` becomes the
//! server's address (`127.0.0.1:PORT`), `{port}` its port, `{peer_port}` a free
//! UDP port for a second peer (the chats, where each side must know the other's
//! address) and `{dir}` the exchange's scratch folder.

/// Which program to run.
#[derive(Clone, Copy)]
pub enum Program {
    /// A binary of this workspace.
    Rust(&'static str),
    /// A Python listing: (crate, file in the crate's `python/`).
    Python(&'static str, &'static str),
}

/// One program of an exchange, with its arguments and stdin.
pub struct Step {
    pub program: Program,
    pub args: &'static [&'static str],
    /// Typed at once when the program starts.
    pub stdin: Option<&'static str>,
    /// (when a line containing this appears, type this): typed later, and
    /// stdin then closed; until then stdin stays open.
    pub later: Option<(&'static str, &'static str)>,
}

/// Where an expected line must appear.
#[derive(Clone, Copy)]
pub enum Who {
    Server,
    Client(usize),
}

/// A server and its clients, and what proves the exchange happened.
pub struct Exchange {
    /// The lesson crate this exchange belongs to (and whose book sample it feeds).
    pub lesson: &'static str,
    /// What the exchange shows, for the transcript and the final table.
    pub title: &'static str,
    /// Started first; the course waits for `listening on`.
    pub server: Option<Step>,
    /// Whether the server exits by itself (`--count`, `--once`) or is stopped.
    pub server_exits: bool,
    pub clients: Vec<Step>,
    /// Lines that must appear: (who, text contained in a line).
    pub expect: Vec<(Who, &'static str)>,
    /// Files created in the scratch folder first: (name, contents).
    pub files: Vec<(&'static str, &'static [u8])>,
    /// Part of the book's sample session for `lesson` (Rust-only, deterministic).
    pub in_sample: bool,
}

impl Exchange {
    /// Whether any program of the exchange is a Python listing.
    pub fn uses_python(&self) -> bool {
        self.server
            .iter()
            .chain(&self.clients)
            .any(|step| matches!(step.program, Program::Python(..)))
    }
}

fn rust(bin: &'static str, args: &'static [&'static str]) -> Step {
    Step { program: Program::Rust(bin), args, stdin: None, later: None }
}

fn python(
    krate: &'static str,
    file: &'static str,
    args: &'static [&'static str],
) -> Step {
    Step { program: Program::Python(krate, file), args, stdin: None, later: None }
}

fn with_stdin(step: Step, stdin: &'static str) -> Step {
    Step { stdin: Some(stdin), ..step }
}

/// Keeps stdin open until `when` is printed, then types `text` and closes it.
fn typing_later(step: Step, when: &'static str, text: &'static str) -> Step {
    Step { later: Some((when, text)), ..step }
}

/// Every exchange of the course, lesson by lesson.
pub fn all() -> Vec<Exchange> {
    let mut all = Vec::new();
    all.extend(udp());
    all.extend(chat());
    all.extend(tcp());
    all.extend(files());
    all.extend(time());
    all
}

fn udp() -> Vec<Exchange> {
    vec![
        Exchange {
            lesson: "udp-sender",
            title: "udp-sender sends two datagrams; the OS picks its port",
            server: Some(rust(
                "udp-receiver",
                &["--bind", "127.0.0.1:0", "--count", "2", "--explain"],
            )),
            server_exits: true,
            clients: vec![rust(
                "udp-sender",
                &["--to", "{addr}", "--explain", "nihao", "数据"],
            )],
            expect: vec![
                (Who::Client(0), "(chosen by the OS)"),
                (Who::Server, ": 数据"),
            ],
            files: vec![],
            in_sample: true,
        },
        Exchange {
            lesson: "udp-receiver",
            title: "udp-receiver binds a port and receives GBK text",
            server: Some(rust(
                "udp-receiver",
                &[
                    "--bind",
                    "127.0.0.1:0",
                    "--count",
                    "1",
                    "--encoding",
                    "gbk",
                    "--explain",
                ],
            )),
            server_exits: true,
            clients: vec![rust(
                "udp-sender",
                &["--to", "{addr}", "--encoding", "gbk", "数据"],
            )],
            expect: vec![(Who::Server, ": 数据")],
            files: vec![],
            in_sample: true,
        },
        Exchange {
            lesson: "udp-receiver",
            title: "--python-repr prints what print(udp_socket.recvfrom(1024)) prints",
            server: Some(rust(
                "udp-receiver",
                &["--bind", "127.0.0.1:0", "--count", "1", "--python-repr"],
            )),
            server_exits: true,
            clients: vec![rust(
                "udp-sender",
                &["--to", "{addr}", "--encoding", "gbk", "数据"],
            )],
            expect: vec![(Who::Server, "(b'\\xca\\xfd\\xbe\\xdd', ('127.0.0.1', ")],
            files: vec![],
            in_sample: true,
        },
        Exchange {
            lesson: "udp-receiver",
            title: "a reply for every datagram (tutorial 004's UDP server answers success)",
            server: Some(rust(
                "udp-receiver",
                &["--bind", "127.0.0.1:0", "--count", "1", "--reply", "success"],
            )),
            server_exits: true,
            clients: vec![rust(
                "udp-sender",
                &["--to", "{addr}", "--wait-reply", "hello"],
            )],
            expect: vec![(Who::Client(0), ": success"), (Who::Server, ": hello")],
            files: vec![],
            in_sample: true,
        },
        Exchange {
            lesson: "udp-receiver",
            title: "Python's udp_sender.py → Rust udp-receiver, GBK",
            server: Some(rust(
                "udp-receiver",
                &["--bind", "127.0.0.1:0", "--count", "1", "--encoding", "gbk"],
            )),
            server_exits: true,
            clients: vec![python(
                "udp-sender",
                "udp_sender.py",
                &["127.0.0.1", "{port}", "gbk", "数据"],
            )],
            expect: vec![(Who::Server, ": 数据")],
            files: vec![],
            in_sample: false,
        },
        Exchange {
            lesson: "udp-sender",
            title: "Rust udp-sender → Python's udp_receiver.py, GBK",
            server: Some(python("udp-receiver", "udp_receiver.py", &["0", "gbk", "1"])),
            server_exits: true,
            clients: vec![rust(
                "udp-sender",
                &["--to", "{addr}", "--encoding", "gbk", "数据"],
            )],
            expect: vec![
                (Who::Server, "(b'\\xca\\xfd\\xbe\\xdd', ('127.0.0.1', "),
                (Who::Server, ": 数据"),
            ],
            files: vec![],
            in_sample: false,
        },
    ]
}

fn time() -> Vec<Exchange> {
    vec![
        Exchange {
            lesson: "time-server",
            title: "the UDP time server formats the time a client asks for",
            server: Some(rust(
                "time-server",
                &["--bind", "127.0.0.1:0", "--count", "3", "--tz", "UTC", "--explain"],
            )),
            server_exits: true,
            clients: vec![rust(
                "time-client",
                &["--to", "{addr}", "--explain", "", "%H:%M:%S", "时间: %T"],
            )],
            expect: vec![
                (Who::Server, "===> %H:%M:%S from "),
                (Who::Client(0), "时间: "),
            ],
            files: vec![],
            in_sample: true,
        },
        Exchange {
            lesson: "time-server",
            title: "Rust time-client → Python's time_server.py",
            server: Some(python("time-server", "time_server.py", &["0"])),
            server_exits: false,
            clients: vec![rust("time-client", &["--to", "{addr}", "%Y年%m月%d日"])],
            expect: vec![(Who::Client(0), "年")],
            files: vec![],
            in_sample: false,
        },
        Exchange {
            lesson: "time-server",
            title: "Python's time_client.py → Rust time-server, GBK",
            server: Some(rust(
                "time-server",
                &["--bind", "127.0.0.1:0", "--count", "1", "--encoding", "gbk"],
            )),
            server_exits: true,
            clients: vec![with_stdin(
                python("time-server", "time_client.py", &["{port}", "gbk"]),
                "%Y年\n",
            )],
            expect: vec![(Who::Server, "===> %Y年 from "), (Who::Client(0), "年")],
            files: vec![],
            in_sample: false,
        },
    ]
}

fn chat() -> Vec<Exchange> {
    vec![
        Exchange {
            lesson: "udp-chat",
            title: "menu: the socket that sends (1) is the one that receives (2)",
            // Terminal 1 receives first, then answers terminal 2, whose port
            // it must be told: {peer_port}, bound by terminal 2.
            server: Some(with_stdin(
                rust("udp-chat", &["menu", "--bind", "127.0.0.1:0", "--explain"]),
                "2\n1\n127.0.0.1\n{peer_port}\n收到\n0\n",
            )),
            server_exits: true,
            clients: vec![with_stdin(
                rust("udp-chat", &["menu", "--bind", "127.0.0.1:{peer_port}"]),
                "1\n127.0.0.1\n{port}\n你好\n2\n0\n",
            )],
            expect: vec![(Who::Server, "]: 你好"), (Who::Client(0), "]: 收到")],
            files: vec![],
            in_sample: true,
        },
        Exchange {
            lesson: "udp-chat",
            title: "talk: a receiving thread and the typing main thread share one socket",
            // Each side types only once the other's message has arrived, then
            // ends its input (Ctrl+D): a line typed earlier could find no one.
            // No --explain: the two threads would narrate in a different order
            // from run to run, and this is a sample session of the book.
            server: Some(typing_later(
                rust(
                    "udp-chat",
                    &[
                        "talk",
                        "--bind",
                        "127.0.0.1:0",
                        "--peer",
                        "127.0.0.1:{peer_port}",
                    ],
                ),
                "]: 你好",
                "收到\n",
            )),
            server_exits: true,
            clients: vec![typing_later(
                with_stdin(
                    rust(
                        "udp-chat",
                        &[
                            "talk",
                            "--bind",
                            "127.0.0.1:{peer_port}",
                            "--peer",
                            "{addr}",
                        ],
                    ),
                    "你好\n",
                ),
                "]: 收到",
                "",
            )],
            expect: vec![(Who::Server, "]: 你好"), (Who::Client(0), "]: 收到")],
            files: vec![],
            in_sample: true,
        },
        Exchange {
            lesson: "udp-chat",
            title: "QQ chat: choose a contact, send, read the server's reply, q",
            server: Some(with_stdin(
                rust(
                    "udp-chat",
                    &[
                        "qq-server",
                        "--bind",
                        "127.0.0.1:0",
                        "--count",
                        "1",
                        "--explain",
                    ],
                ),
                "收到\n",
            )),
            server_exits: true,
            clients: vec![with_stdin(
                rust("udp-chat", &["qq-client", "--to", "{addr}", "--explain"]),
                "金老板\n你好\nq\n",
            )],
            expect: vec![(Who::Server, "]: 你好"), (Who::Client(0), "]: 收到")],
            files: vec![],
            in_sample: true,
        },
        Exchange {
            lesson: "udp-chat",
            title: "Rust qq-client → Python's qq_server.py, GBK",
            server: Some(with_stdin(
                python("udp-chat", "qq_server.py", &["0", "gbk"]),
                "收到\n",
            )),
            server_exits: false,
            clients: vec![with_stdin(
                rust("udp-chat", &["qq-client", "--to", "{addr}", "--encoding", "gbk"]),
                "哪吒\n你好\nq\n",
            )],
            expect: vec![(Who::Client(0), "收到")],
            files: vec![],
            in_sample: false,
        },
        Exchange {
            lesson: "udp-chat",
            title: "Python's qq_client.py → Rust qq-server, GBK",
            server: Some(with_stdin(
                rust(
                    "udp-chat",
                    &[
                        "qq-server",
                        "--bind",
                        "127.0.0.1:0",
                        "--count",
                        "1",
                        "--encoding",
                        "gbk",
                    ],
                ),
                "收到\n",
            )),
            server_exits: true,
            clients: vec![with_stdin(
                python("udp-chat", "qq_client.py", &["{port}", "gbk"]),
                "egg\n你好\nq\n",
            )],
            expect: vec![(Who::Server, "]: 你好"), (Who::Client(0), "收到")],
            files: vec![],
            in_sample: false,
        },
        Exchange {
            lesson: "udp-chat",
            title: "Rust udp-chat menu → Python's udp_chat.py, GBK",
            server: Some(with_stdin(
                python("udp-chat", "udp_chat.py", &["0", "gbk"]),
                "2\n0\n",
            )),
            server_exits: true,
            clients: vec![with_stdin(
                rust(
                    "udp-chat",
                    &["menu", "--bind", "127.0.0.1:0", "--encoding", "gbk"],
                ),
                "1\n127.0.0.1\n{port}\n你好\n0\n",
            )],
            expect: vec![(Who::Server, ":你好")],
            files: vec![],
            in_sample: false,
        },
        Exchange {
            lesson: "udp-chat",
            title: "Python's udp_talk.py ↔ Rust udp-chat talk, GBK",
            server: Some(typing_later(
                python("udp-chat", "udp_talk.py", &["0", "{peer_port}", "gbk"]),
                "]: 你好",
                "收到\n",
            )),
            server_exits: true,
            clients: vec![typing_later(
                with_stdin(
                    rust(
                        "udp-chat",
                        &[
                            "talk",
                            "--bind",
                            "127.0.0.1:{peer_port}",
                            "--peer",
                            "{addr}",
                            "--encoding",
                            "gbk",
                        ],
                    ),
                    "你好\n",
                ),
                "]: 收到",
                "",
            )],
            expect: vec![(Who::Server, "]: 你好"), (Who::Client(0), "]: 收到")],
            files: vec![],
            in_sample: false,
        },
    ]
}

fn tcp() -> Vec<Exchange> {
    vec![
        Exchange {
            lesson: "tcp-client",
            title: "connect, send, receive the echo, close",
            server: Some(rust("tcp-server", &["--bind", "127.0.0.1:0", "--once"])),
            server_exits: true,
            clients: vec![rust(
                "tcp-client",
                &["--to", "{addr}", "--explain", "你好", "hello"],
            )],
            expect: vec![(Who::Client(0), "你好"), (Who::Client(0), "hello")],
            files: vec![],
            in_sample: true,
        },
        Exchange {
            lesson: "tcp-client",
            title: "tutorial 003: the server sends first, the client only receives (GBK)",
            server: Some(rust(
                "tcp-server",
                &[
                    "--bind",
                    "127.0.0.1:0",
                    "--once",
                    "--greeting",
                    "TCP数据",
                    "--encoding",
                    "gbk",
                ],
            )),
            server_exits: true,
            clients: vec![rust(
                "tcp-client",
                &[
                    "--to",
                    "{addr}",
                    "--recv-only",
                    "--encoding",
                    "gbk",
                    "--timeout",
                    "5",
                ],
            )],
            expect: vec![(Who::Client(0), "TCP数据")],
            files: vec![],
            in_sample: true,
        },
        Exchange {
            lesson: "tcp-server",
            title: "bind, listen, accept one client, answer success, close",
            server: Some(rust(
                "tcp-server",
                &["--bind", "127.0.0.1:0", "--once", "--reply", "success", "--explain"],
            )),
            server_exits: true,
            clients: vec![rust("tcp-client", &["--to", "{addr}", "数据"])],
            expect: vec![(Who::Server, "connected: "), (Who::Client(0), "success")],
            files: vec![],
            in_sample: true,
        },
        Exchange {
            lesson: "tcp-server",
            title: "Python's tcp_client.py → Rust tcp-server, GBK",
            server: Some(rust(
                "tcp-server",
                &["--bind", "127.0.0.1:0", "--once", "--encoding", "gbk"],
            )),
            server_exits: true,
            clients: vec![python(
                "tcp-client",
                "tcp_client.py",
                &["{port}", "gbk", "数据"],
            )],
            expect: vec![(Who::Client(0), "数据")],
            files: vec![],
            in_sample: false,
        },
        Exchange {
            lesson: "tcp-client",
            title: "Rust tcp-client → Python's tcp_server.py, GBK",
            server: Some(python("tcp-server", "tcp_server.py", &["0", "gbk"])),
            server_exits: false,
            clients: vec![rust(
                "tcp-client",
                &["--to", "{addr}", "--encoding", "gbk", "数据"],
            )],
            expect: vec![(Who::Client(0), "数据")],
            files: vec![],
            in_sample: false,
        },
    ]
}

/// The file the downloader lessons fetch, served from `served/` in the scratch folder.
const HELLO: &[u8] = "你好, file downloader!\n".as_bytes();

fn files() -> Vec<Exchange> {
    vec![
        Exchange {
            lesson: "file-downloader",
            title: "download a file with the framed protocol (GET NAME, OK SIZE)",
            server: Some(rust(
                "file-server",
                &[
                    "--bind",
                    "127.0.0.1:0",
                    "--root",
                    "served",
                    "--count",
                    "1",
                    "--explain",
                ],
            )),
            server_exits: true,
            clients: vec![rust(
                "file-downloader",
                &["hello.txt", "--from", "{addr}", "--output", "copy.txt", "--explain"],
            )],
            expect: vec![
                (Who::Client(0), "saved 25 bytes"),
                (Who::Server, "sent 25 bytes"),
            ],
            files: vec![("served/hello.txt", HELLO)],
            in_sample: true,
        },
        Exchange {
            lesson: "file-downloader",
            title: "Rust file-downloader --classic → Python's file_server.py",
            server: Some(python("file-downloader", "file_server.py", &["0"])),
            server_exits: false,
            clients: vec![rust(
                "file-downloader",
                &[
                    "served/hello.txt",
                    "--classic",
                    "--from",
                    "{addr}",
                    "--output",
                    "copy.txt",
                ],
            )],
            expect: vec![(Who::Client(0), "saved 25 bytes")],
            files: vec![("served/hello.txt", HELLO)],
            in_sample: false,
        },
        Exchange {
            lesson: "file-downloader",
            title: "Python's file_downloader.py → Rust file-server (classic)",
            server: Some(rust(
                "file-server",
                &["--bind", "127.0.0.1:0", "--root", "served", "--count", "1"],
            )),
            server_exits: true,
            clients: vec![with_stdin(
                python("file-downloader", "file_downloader.py", &["{port}"]),
                "hello.txt\n",
            )],
            expect: vec![(Who::Server, "sent 25 bytes")],
            files: vec![("served/hello.txt", HELLO)],
            in_sample: false,
        },
    ]
}
