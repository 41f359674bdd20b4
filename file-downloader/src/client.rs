//! The downloader's tool around its steps (`steps/file_downloader.rs`): the
//! framed answer and its errors, and reads that a signal does not cut short.

use std::io::{self, Read};
use std::net::TcpStream;

use common::{Error, Result, pyrepr};

use crate::protocol::{self, Answer};
use crate::steps::file_downloader::Options;
use crate::wanted::Wanted;

/// Framed: reads the first line of the answer — `OK SIZE` gives SIZE, and
/// `ERR REASON` an error naming the file. Classic: `None`, and nothing is
/// read (the server's close will be the end of the file).
pub fn read_answer(
    tcp_socket: &mut TcpStream,
    wanted: &Wanted,
    opt: &Options,
) -> Result<Option<u64>> {
    let from = tcp_socket.peer_addr().map_or_else(|_| "?".into(), |a| a.to_string());
    let name = &wanted.name;
    if opt.classic {
        opt.say.remark(
            "classic: the server's close is the only end marker; a cut transfer would \
             look whole",
        );
        return Ok(None);
    }
    opt.say.remark("framed: the answer starts with a line, OK SIZE or ERR REASON");
    let (line, complete) = match protocol::read_answer_line(tcp_socket) {
        Ok(answer) => answer,
        // A reset before any answer is a close without answering, only ruder.
        Err(err) if err.kind() == io::ErrorKind::ConnectionReset => (Vec::new(), false),
        Err(err) => return Err(Error::io("receive the answer from", from, &err)),
    };
    if line.is_empty() && !complete {
        return Err(Error::new(format!(
            "the server at {from} closed the connection without answering"
        ))
        .hint(
            "a classic server (python3 file_server.py) closes like this when it \
             does not understand GET NAME: retry with --classic",
        ));
    }
    match complete.then(|| protocol::parse_answer(&line)).flatten() {
        Some(Answer::Ok(size)) => {
            opt.say.remark(format!("the server sends {}", crate::bytes(size)));
            Ok(Some(size))
        }
        Some(Answer::Err(reason)) => {
            // The reason is the peer's text: its control characters are shown
            // escaped, never sent to the terminal.
            let reason = pyrepr::escape_controls(&reason);
            // Only a name that is missing, or not valid text, can come from
            // the two sides using different encodings.
            let hint = if reason.contains("no such file")
                || reason.contains("not valid")
            {
                "names are relative to the server's --root: check the spelling, and \
                 that both sides use the same --encoding"
            } else {
                "the server sends only regular files inside its --root: ask for a \
                 name relative to it, without '..'"
            };
            Err(Error::new(format!("the server refused {name:?}: {reason}")).hint(hint))
        }
        None => Err(Error::new(format!(
            "the server's answer is not \"OK SIZE\" or \"ERR REASON\": {}",
            pyrepr::bytes_repr(&line[..line.len().min(60)])
        ))
        .hint("is it a classic server (python3 file_server.py)? retry with --classic")),
    }
}

/// `TcpStream::read` (Python's `recv`), tried again when a signal
/// interrupts it: the signal's handler is then removing the `.part` and
/// ending the program, and an error here would race it.
pub fn recv(stream: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match stream.read(buf) {
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            result => return result,
        }
    }
}
