//! The lesson of `file-server`, tutorial 000 "文件下载器": the server's steps,
//! as `python/file_server.py` writes them. The tool around them is
//! `src/bin/file_server.rs` with [`crate::server`] (threads, limits,
//! deadlines, the log) and [`crate::root`] (what may be served); what
//! `--explain` says is `src/narration/file_server.rs`.

use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};

use common::explain::Narrator;
use common::net::new_socket;
use common::{Codec, IoResultExt, Result};
use socket2::Type;

use crate::args::Limits;
use crate::protocol::read_request;
use crate::root::Root;
use crate::server::{
    Asked, Clients, Paced, answer, cannot_accept, close_gently, linger, refuse,
};

/// What the steps need besides the address to listen on.
#[derive(Debug, Clone)]
pub struct Options {
    /// The folder served: every name is opened beneath it, never outside.
    pub root: Root,
    /// The `'utf-8'` of `.decode('utf-8')`: how names arrive.
    pub encoding: Codec,
    /// Accept this many clients, let them finish and stop; `None`: the
    /// tutorial's `while True`.
    pub count: Option<u64>,
    /// How many clients at once, and the deadlines of each.
    pub limits: Limits,
    /// The `--explain` narrator.
    pub say: Narrator,
}

// ANCHOR: steps
/// Serves the files beneath `opt.root` on `local`: file_server.py's `main`.
pub fn serve(local: SocketAddr, opt: &Options) -> Result<()> {
    // 1. create a TCP socket (socket创建套接字) — socket.socket(AF_INET, SOCK_STREAM)
    opt.say.step(1);
    let socket =
        new_socket(&local, Type::STREAM).during("create a socket for", local)?;
    // optional: SO_REUSEADDR, so that a restart need not wait for the old
    // connections in TIME_WAIT (Unix only: on Windows two servers could share the port)
    #[cfg(unix)]
    socket.set_reuse_address(true).during("set SO_REUSEADDR on", local)?;
    // 2. bind the local address (bind绑定IP和port) — tcp_server_socket.bind(('', 7890))
    opt.say.step(2);
    socket.bind(&local.into()).during("bind", local)?;
    // 3. listen: the socket turns passive (listen使套接字变为可以被动链接) — listen(128)
    opt.say.step(3);
    socket.listen(128).during("listen on", local)?;
    let tcp_server_socket = TcpListener::from(socket);
    // the tool's: says `listening on ADDR`, serves each client in a thread
    let mut clients = Clients::start(&tcp_server_socket, opt)?;
    // the tutorial's `while True`; with --count N, N clients
    while clients.want_more() {
        // 4. wait for a client (accept等待客户端的链接) — client_socket, client_addr = accept()
        opt.say.step(4);
        match tcp_server_socket.accept() {
            // steps 5 to 7 in a thread of the client's own: the next accept is at once
            Ok(client) => clients.serve(client, opt),
            // e.g. out of file descriptors: said, and the server goes on
            Err(err) => cannot_accept(&err),
        }
    }
    // --count N: the clients in flight finish first, then the listening socket
    // is closed — tcp_server_socket.close()
    clients.wait();
    opt.say.note("close");
    drop(tcp_server_socket);
    Ok(())
}

/// Steps 5 to 7 for one client: file_server.py's `send_file_to_client`.
pub fn send_file_to_client(client: (TcpStream, SocketAddr), opt: &Options) {
    let (mut client_socket, client_addr) = client;
    // 5. receive the file name (recv接收数据) — client_socket.recv(1024).decode('utf-8')
    //    until a newline (framed), a pause or the client's close (classic)
    opt.say.step(5);
    let request = read_request(&mut client_socket, opt.limits.request_timeout);
    // decoded once, with the client's encoding; None (logged): nothing to answer
    let asked = Asked::decode(request, opt.encoding, client_addr, opt);
    if let Some(asked) = &asked {
        // 6. send the file (send发送数据) — with open(file_name, 'rb') as f: sendall(…)
        //    opened beneath --root, never outside it: a plain function of the tool
        opt.say.step(6);
        match asked.name.clone().and_then(|name| opt.root.open(&name)) {
            Ok(mut file) => {
                // sendall, with deadlines: a client that stops reading is let go
                let mut paced = Paced::new(&client_socket, asked, &file, opt);
                // framed: `OK SIZE\n` first; then every byte of the file
                let sent = io::copy(&mut answer(&mut file, asked.protocol), &mut paced);
                paced.report(sent);
            }
            // framed: `ERR REASON\n`; classic: the close alone (all it can say)
            Err(refusal) => refuse(&client_socket, asked, &refusal),
        }
    }
    // 7. close the client socket (关闭套接字) — client_socket.close()
    //    for a classic client, the close is the end of the file
    opt.say.step(7);
    close_gently(client_socket, linger(&asked));
}
// ANCHOR_END: steps
