// A correct solution written differently: std's TcpStream::connect_timeout
// instead of socket2, a `loop` with a `match` on what read returns, and the
// checks written out before the rename.
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use common::explain::Narrator;
use common::{IoResultExt, Result};

use crate::client::read_answer;
use crate::part::Saved;
use crate::wanted::Wanted;

#[derive(Debug)]
pub struct Options {
    pub classic: bool,
    pub bufsize: usize,
    pub timeout: Duration,
    pub say: Narrator,
}

pub type Ask<'a> = dyn FnMut() -> Result<Wanted> + 'a;

pub fn download(from: SocketAddr, opt: &Options, ask: &mut Ask) -> Result<Saved> {
    let mut stream =
        TcpStream::connect_timeout(&from, opt.timeout).during("connect to", from)?;
    stream.set_read_timeout(Some(opt.timeout)).during("set a timeout on", from)?;
    let wanted = ask()?;
    stream.write_all(&wanted.request).during("send the request to", from)?;
    let size = read_answer(&mut stream, &wanted, opt)?;
    let mut part = wanted.output.part_file(size);
    let mut buf = vec![0u8; opt.bufsize];
    loop {
        if part.is_whole() {
            break;
        }
        match stream.read(part.room(&mut buf)) {
            Ok(0) => break,
            Ok(n) => part.write(&buf[..n])?,
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
            Err(err) => return Err(common::Error::io("receive the file from", from, &err)),
        }
    }
    part.check_whole(&mut stream, from)?;
    part.finish()
}
