// A correct solution written differently: std's TcpListener::bind (create,
// bind and listen in one call, without SO_REUSEADDR), an accept loop that
// breaks, and the file sent by a read/write_all loop instead of io::copy.
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};

use common::explain::Narrator;
use common::{Codec, IoResultExt, Result};

use crate::args::Limits;
use crate::protocol::{Protocol, read_request};
use crate::root::Root;
use crate::server::{Asked, Clients, Paced, cannot_accept, close_gently, linger, refuse};

#[derive(Debug, Clone)]
pub struct Options {
    pub root: Root,
    pub encoding: Codec,
    pub count: Option<u64>,
    pub limits: Limits,
    pub say: Narrator,
}

pub fn serve(local: SocketAddr, opt: &Options) -> Result<()> {
    let listener = TcpListener::bind(local).during("bind", local)?;
    let mut clients = Clients::start(&listener, opt)?;
    loop {
        if !clients.want_more() {
            break;
        }
        let accepted = listener.accept();
        if let Err(err) = &accepted {
            cannot_accept(err);
        }
        if let Ok(client) = accepted {
            clients.serve(client, opt);
        }
    }
    clients.wait();
    Ok(())
}

pub fn send_file_to_client(client: (TcpStream, SocketAddr), opt: &Options) {
    let (mut socket, addr) = client;
    let request = read_request(&mut socket, opt.limits.request_timeout);
    let asked = Asked::decode(request, opt.encoding, addr, opt);
    if let Some(asked) = &asked {
        let opened = match &asked.name {
            Ok(name) => opt.root.open(name),
            Err(refusal) => Err(refusal.clone()),
        };
        match opened {
            Err(refusal) => refuse(&socket, asked, &refusal),
            Ok(mut file) => {
                let mut paced = Paced::new(&socket, asked, &file, opt);
                let mut sent = 0u64;
                let mut result = Ok(());
                if asked.protocol == Protocol::Framed {
                    let line = format!("OK {}\n", file.size);
                    result = paced.write_all(line.as_bytes());
                    sent += line.len() as u64;
                }
                let mut buf = vec![0u8; 65536];
                let mut left = file.size;
                while result.is_ok() && left > 0 {
                    let want = buf.len().min(left as usize);
                    match file.file.read(&mut buf[..want]) {
                        Ok(0) => break,
                        Ok(n) => {
                            result = paced.write_all(&buf[..n]);
                            sent += n as u64;
                            left -= n as u64;
                        }
                        Err(err) => result = Err(err),
                    }
                }
                paced.report(result.map(|()| sent));
            }
        }
    }
    close_gently(socket, linger(&asked));
}
