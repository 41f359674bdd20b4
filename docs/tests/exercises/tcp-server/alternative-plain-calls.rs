// A correct solution written differently: socket2's Socket::new with the
// family chosen here and the address converted by hand, step 6 as a while
// loop over an explicit match, the sockets closed by going out of scope, and
// no narration.
use std::io::{self, Read, Write};

use common::explain::Narrator;
use common::{Endpoint, Result};
use socket2::{Domain, Protocol, SockAddr, Socket, Type};

use crate::service::{Ending, Log, Service};

#[derive(Debug)]
pub struct Options {
    pub reuse_address: bool,
    pub backlog: i32,
    pub bufsize: usize,
    pub greeting: Option<Vec<u8>>,
    pub once: bool,
    pub say: Narrator,
}

pub fn open(local: &Endpoint, opt: &Options) -> io::Result<Socket> {
    let (socket, address) = match local {
        Endpoint::Inet(addr) => (
            Socket::new(Domain::for_address(*addr), Type::STREAM, Some(Protocol::TCP))?,
            SockAddr::from(*addr),
        ),
        Endpoint::Unix(path) => {
            (Socket::new(Domain::UNIX, Type::STREAM, None)?, SockAddr::unix(path)?)
        }
    };
    if opt.reuse_address {
        socket.set_reuse_address(true)?;
    }
    socket.bind(&address)?;
    socket.listen(opt.backlog)?;
    Ok(socket)
}

pub fn accept(tcp_server: &Socket, _opt: &Options) -> io::Result<(Socket, SockAddr)> {
    tcp_server.accept()
}

pub fn talk(client: &Socket, opt: &Options, log: &mut Log) -> Result<(), Ending> {
    let mut reader = client;
    let mut writer = client;
    if let Some(greeting) = &opt.greeting {
        writer.write_all(greeting).map_err(Ending::Greeting)?;
    }
    let mut buf = Vec::new();
    buf.resize(opt.bufsize, 0);
    let mut open = true;
    while open {
        match reader.read(&mut buf) {
            Ok(0) => open = false,
            Ok(n) => {
                let answer = log.answer(&buf[..n]);
                writer.write_all(answer).map_err(Ending::Send)?;
            }
            Err(err) => return Err(Ending::Recv(err)),
        }
    }
    Ok(())
}

pub fn close_client(client: Socket, _opt: &Options) {
    let _closed = client;
}

pub fn close(tcp_server: Socket, _opt: &Options) {
    std::mem::drop(tcp_server);
}

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

pub fn serve_client(client: Socket, mut log: Log, opt: &Options) {
    let ended = talk(&client, opt, &mut log);
    close_client(client, opt);
    log.closed(ended);
}
