// A correct solution written differently: std's TcpStream (or UnixStream for
// unix:PATH) creates and connects in one call, sendall is a loop of `write`s
// as tutorial 002 describes it, and the end is read with a `loop`/`match`.
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::os::unix::net::UnixStream;
use std::time::Duration;

use common::Endpoint;
use common::explain::Narrator;

use crate::narration::short_repr;

/// What the steps need besides the address.
#[derive(Debug)]
pub struct Options {
    pub bufsize: usize,
    pub replies: bool,
    pub timeout: Option<Duration>,
    pub close_wait: Option<Duration>,
    pub say: Narrator,
}

/// The other side of the steps, played by the tool.
pub trait User {
    fn next_message(&mut self) -> Option<Vec<u8>>;
    fn show(&mut self, piece: &[u8]) -> io::Result<()>;
}

/// The two calls that differ between a TCP and an AF_UNIX stream.
trait Stream: Read + Write {
    fn shut_write(&self) -> io::Result<()>;
    fn wait_at_most(&self, timeout: Option<Duration>) -> io::Result<()>;
}

impl Stream for TcpStream {
    fn shut_write(&self) -> io::Result<()> {
        self.shutdown(Shutdown::Write)
    }
    fn wait_at_most(&self, timeout: Option<Duration>) -> io::Result<()> {
        self.set_read_timeout(timeout)
    }
}

impl Stream for UnixStream {
    fn shut_write(&self) -> io::Result<()> {
        self.shutdown(Shutdown::Write)
    }
    fn wait_at_most(&self, timeout: Option<Duration>) -> io::Result<()> {
        self.set_read_timeout(timeout)
    }
}

pub fn talk(to: &Endpoint, opt: &Options, user: &mut dyn User) -> io::Result<()> {
    // 1. create a TCP socket, 2. connect: one call in std
    opt.say.step(1);
    if opt.timeout.is_some() {
        opt.say.note("settimeout");
    }
    opt.say.step(2);
    match to {
        Endpoint::Inet(addr) => {
            let stream = match opt.timeout {
                Some(timeout) => TcpStream::connect_timeout(addr, timeout)?,
                None => TcpStream::connect(addr)?,
            };
            stream.set_read_timeout(opt.timeout)?;
            stream.set_write_timeout(opt.timeout)?;
            common::errln!(
                "connected to {} from {}",
                stream.peer_addr()?,
                stream.local_addr()?
            );
            converse(stream, opt, user)
        }
        Endpoint::Unix(path) => {
            let stream = UnixStream::connect(path)?;
            stream.set_read_timeout(opt.timeout)?;
            stream.set_write_timeout(opt.timeout)?;
            common::errln!("connected to unix:{} from AF_UNIX (unnamed)", path.display());
            converse(stream, opt, user)
        }
    }
}

fn converse(mut stream: impl Stream, opt: &Options, user: &mut dyn User) -> io::Result<()> {
    let mut buf = vec![0u8; opt.bufsize];
    loop {
        let Some(data) = user.next_message() else { break };
        // 3. send the data: sendall is send until everything went
        opt.say.step_with(3, &[("data", short_repr(&data))]);
        let mut rest = &data[..];
        while !rest.is_empty() {
            match stream.write(rest)? {
                0 => return Err(io::ErrorKind::WriteZero.into()),
                sent => rest = &rest[sent..],
            }
        }
        if !opt.replies {
            continue;
        }
        // 4. receive the reply
        opt.say.step(4);
        let n = stream.read(&mut buf)?;
        user.show(&buf[..n])?;
    }
    // 5. close: FIN first, then what is left, until the server's FIN
    opt.say.step(5);
    stream.shut_write()?;
    stream.wait_at_most(opt.close_wait)?;
    loop {
        match stream.read(&mut buf)? {
            0 => return Ok(()),
            n => user.show(&buf[..n])?,
        }
    }
}
