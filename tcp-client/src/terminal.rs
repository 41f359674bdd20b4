//! The person at the terminal, as the steps see them ([`steps::User`]): the
//! messages come from the command line or from stdin, the replies are printed
//! on stdout as text.

use std::io;

use common::Codec;
use common::encoding::{StreamDecoder, without_line_ending};

use crate::args::Args;
use crate::steps::User;

/// Messages in, replies out.
pub struct Terminal<'a> {
    /// Each message's bytes, or `None` for a stdin line the encoding refused.
    messages: Box<dyn Iterator<Item = Option<Vec<u8>>> + 'a>,
    /// How many stdin lines were refused.
    pub refused: usize,
    /// A character cut between two pieces waits here for its other bytes.
    replies: StreamDecoder,
    /// --send-only: what arrives is counted, not printed.
    send_only: bool,
    pub skipped: usize,
    args: &'a Args,
}

impl<'a> Terminal<'a> {
    /// The messages of the command line, already encoded (so checked: one
    /// that cannot be sent stops the program before anything is sent), or
    /// else each line of stdin, encoded as it comes (a line the encoding
    /// cannot write is refused, naming the character, and the next goes on).
    /// Empty lines are skipped: sending 0 bytes sends nothing, and the reply
    /// would never come. `--recv-only` sends nothing.
    pub fn new(args: &'a Args, from_args: Vec<Vec<u8>>) -> Terminal<'a> {
        let codec: Codec = args.common.encoding;
        let messages: Box<dyn Iterator<Item = Option<Vec<u8>>>> = if args.recv_only {
            Box::new(std::iter::empty())
        } else if !from_args.is_empty() {
            Box::new(from_args.into_iter().filter(|data| !data.is_empty()).map(Some))
        } else {
            let lines =
                common::cli::args_or_stdin_lines(&[], "message (Ctrl+D to end)> ");
            Box::new(
                lines
                    .filter(|line| !line.is_empty())
                    .map(move |line| codec.encode_or_report(&line)),
            )
        };
        Terminal {
            messages,
            refused: 0,
            replies: StreamDecoder::new(codec),
            send_only: args.send_only,
            skipped: 0,
            args,
        }
    }

    /// The end of the conversation: a character left unfinished is shown
    /// (as U+FFFD, with a warning), and what --send-only did not print is counted.
    pub fn finish(&mut self) {
        if let Some(rest) = self.replies.finish(&self.args.to) {
            common::outln!("{rest}");
        }
        if self.skipped > 0 {
            common::errln!(
                "note: {} bytes from {} were not printed (--send-only)",
                self.skipped,
                self.args.to
            );
        }
    }
}

impl User for Terminal<'_> {
    fn next_message(&mut self) -> Option<Vec<u8>> {
        loop {
            match self.messages.next()? {
                Some(data) => return Some(data),
                None => self.refused += 1,
            }
        }
    }

    fn show(&mut self, piece: &[u8]) -> io::Result<()> {
        if piece.is_empty() {
            // Python's b'' where a reply was due: the server closed first.
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        if self.send_only {
            self.skipped += piece.len();
            return Ok(());
        }
        // One line per piece; the rest of the buffer is left from before.
        let text = self.replies.push(piece, &self.args.to);
        if !text.is_empty() {
            common::outln!("{}", without_line_ending(&text));
        }
        Ok(())
    }
}
