// expect: step 6
// Answers only the first recv of each client, then closes it (like tutorial 004's example 1).

use std::io::{self, Read, Write};

use common::explain::Narrator;
use common::{Endpoint, Result, net};
use socket2::{SockAddr, Socket};

use crate::service::{Ending, Log, Service};

/// What the steps need besides the address.
#[derive(Debug)]
pub struct Options {
    /// Step 2: set SO_REUSEADDR (not with --no-reuseaddr, for AF_UNIX, or on
    /// Windows, where it would let another program take the port).
    pub reuse_address: bool,
    /// Step 4: `listen(backlog)`, how many clients may wait for `accept`.
    pub backlog: i32,
    /// Step 6: the 1024 of `recv(1024)`.
    pub bufsize: usize,
    /// Step 6, optional (tutorial 003's `tcp_send_server`): sent to each
    /// client first (--greeting).
    pub greeting: Option<Vec<u8>>,
    /// Serve one client, then close the server (--once).
    pub once: bool,
    /// The `--explain` narrator.
    pub say: Narrator,
}

// ANCHOR: steps
/// Steps 1–4: a TCP socket listening on `local`.
pub fn open(local: &Endpoint, opt: &Options) -> io::Result<Socket> {
    // 1. create a TCP socket (socket创建套接字) — socket.socket(AF_INET, SOCK_STREAM)
    opt.say.step(1);
    let tcp_server = net::new_stream_socket(local)?;
    // 2. reuse the address (重用ip和端口) — setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
    //    so that a restart need not wait while old connections are in TIME_WAIT
    opt.say.step(2);
    if opt.reuse_address {
        tcp_server.set_reuse_address(true)?;
    }
    // 3. bind the local address (bind绑定IP和port) — bind(('127.0.0.1', 8898))
    opt.say.step(3);
    tcp_server.bind(&net::sock_addr(local)?)?;
    // 4. listen: from active to passive (listen使套接字变为可以被动链接) — listen(128)
    opt.say.step(4);
    tcp_server.listen(opt.backlog)?;
    Ok(tcp_server)
}

/// Step 5: waits for the next client. Its socket is a new one; `tcp_server`
/// goes on listening.
pub fn accept(tcp_server: &Socket, opt: &Options) -> io::Result<(Socket, SockAddr)> {
    // 5. wait for a client (accept等待客户端的链接) — client, addr = tcp_server.accept()
    opt.say.step(5);
    tcp_server.accept()
}

/// Step 6: answers each recv until the client closes (`Ok`), or says why not.
pub fn talk(mut client: &Socket, opt: &Options, log: &mut Log) -> Result<(), Ending> {
    // 6. recv/send until the client closes (recv/send接收发送数据) — recv(1024), sendall
    // optional (tutorial 003's tcp_send_server): speak first — sendall(greeting)
    if let Some(greeting) = &opt.greeting {
        opt.say.note("greeting");
        client.write_all(greeting).map_err(Ending::Greeting)?;
    }
    let mut buf = vec![0u8; opt.bufsize];
    opt.say.step(6);
    match client.read(&mut buf).map_err(Ending::Recv)? {
        0 => Ok(()),
        n => client.write_all(log.answer(&buf[..n])).map_err(Ending::Send),
    }
}

/// Step 7: closes the client's socket; its `recv` then returns `b''`.
pub fn close_client(client: Socket, opt: &Options) {
    // 7. close the client's socket (关闭客户端套接字) — client.close()
    opt.say.step(7);
    drop(client);
}

/// Step 8: closes the listening socket.
pub fn close(tcp_server: Socket, opt: &Options) {
    // 8. close the server socket (关闭服务器套接字) — tcp_server.close()
    opt.say.step(8);
    drop(tcp_server);
}
// ANCHOR_END: steps

// ANCHOR: serve_forever
/// tcp_server.py's `while True`: one client after another — the next one waits
/// in the backlog of `listen` — until Ctrl+C, or one client with --once.
pub fn serve_forever(local: &Endpoint, opt: &Options, service: &Service) -> Result<()> {
    let tcp_server = service.listen(local, opt)?;
    loop {
        let Some((client, log)) = service.admit(accept(&tcp_server, opt), &opt.say)
        else {
            continue;
        };
        serve_client(client, log, opt);
        if opt.once {
            break;
        }
    }
    close(tcp_server, opt);
    Ok(())
}

/// Steps 6 and 7 for one client, then its `closed:` line.
pub fn serve_client(client: Socket, mut log: Log, opt: &Options) {
    let ended = talk(&client, opt, &mut log);
    close_client(client, opt);
    log.closed(ended);
}
// ANCHOR_END: serve_forever
