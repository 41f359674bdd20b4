//! The lesson of `file-downloader`, tutorial 000 "文件下载器": the client's
//! steps, as `python/file_downloader.py` writes them. The tool around them is
//! `src/main.rs` with [`crate::client`], [`crate::wanted`] and
//! [`crate::part`]; what `--explain` says is `src/narration/file_downloader.rs`.

use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use common::explain::Narrator;
use common::net::new_socket;
use common::{IoResultExt, Result};
use socket2::{SockAddr, Type};

use crate::client::{read_answer, recv};
use crate::narration::file_downloader::StepCreate;
use crate::part::Saved;
use crate::wanted::Wanted;

/// What the steps need besides the server's address and the file's name.
#[derive(Debug)]
pub struct Options {
    /// Speak the tutorial's protocol: the bare name, then everything until
    /// the server closes. Otherwise framed: `GET NAME\n`, then `OK SIZE\n`.
    pub classic: bool,
    /// The `1024` of `recv(1024)`.
    pub bufsize: usize,
    /// How long to wait to connect, and for each piece (Python's `settimeout`).
    pub timeout: Duration,
    /// The `--explain` narrator.
    pub say: Narrator,
}

/// Step 4, given by the tool: the name of the file (from the command line,
/// or typed like the tutorial's `input()`), checked and encoded.
pub type Ask<'a> = dyn FnMut() -> Result<Wanted> + 'a;

// ANCHOR: steps
/// Downloads the file `ask` names from `from`: file_downloader.py's `download`.
pub fn download(from: SocketAddr, opt: &Options, ask: &mut Ask) -> Result<Saved> {
    // 1. create a TCP socket (创建套接字) — socket.socket(AF_INET, SOCK_STREAM)
    opt.say.step(1);
    let socket = new_socket(&from, Type::STREAM).during("create a socket for", from)?;
    // 2. the server's address (目的信息: 服务器的ip port) — dest_ip, dest_port = …
    opt.say.step(2);
    let dest_addr = SockAddr::from(from);
    // 3. connect to the server (连接服务器) — tcp_socket.connect((dest_ip, dest_port))
    opt.say.step(3);
    socket.connect_timeout(&dest_addr, opt.timeout).during("connect to", from)?;
    let mut tcp_socket = TcpStream::from(socket);
    // optional: settimeout, so that a server that stops sending cannot hang us
    tcp_socket.set_read_timeout(Some(opt.timeout)).during("set a timeout on", from)?;
    // 4. the name of the file (输入要下载的文件名称) — input('file to download: ')
    opt.say.step(4);
    let wanted = ask()?;
    // 5. send the request (发送文件下载请求) — tcp_socket.sendall(name.encode('utf-8'))
    //    write_all is sendall: it loops until every byte is out
    opt.say.step_data(5, &wanted.request);
    tcp_socket.write_all(&wanted.request).during("send the request to", from)?;
    // framed: the answer line, OK SIZE (or ERR REASON: an error); classic: none
    let size = read_answer(&mut tcp_socket, &wanted, opt)?;
    let mut part = wanted.output.part_file(size);
    let mut buf = vec![0; opt.bufsize];
    // 6. receive the data (接收对方发送过来的数据) — recv_data = tcp_socket.recv(1024)
    //    framed: until SIZE bytes are in; classic: until recv returns b'' (the close)
    opt.say.step(6);
    while !part.is_whole() {
        let n = recv(&mut tcp_socket, part.room(&mut buf));
        let n = n.during("receive the file from", from)?;
        // read returned 0, Python's b'': the server closed
        if n == 0 {
            break;
        }
        // 7. create the file only once data arrived (接收到数据在创建文件) — open(…, 'wb')
        //    only the first n bytes of buf arrived: write &buf[..n], never all of it
        opt.say.step_create(7, &part);
        part.write(&buf[..n])?;
    }
    // the .part becomes the file only when whole: framed, all SIZE bytes;
    // classic, at least one (nothing at all may be a missing file)
    part.check_whole(&mut tcp_socket, from)?;
    let saved = part.finish()?;
    // 8. close the socket (关闭套接字) — tcp_socket.close()
    opt.say.step(8);
    drop(tcp_socket);
    Ok(saved)
}
// ANCHOR_END: steps
