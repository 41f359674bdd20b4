//! The downloader's file name, resolved once: checked, encoded into the bytes
//! step 5 sends, and turned into the path the file is saved under.
//!
//! A name given on the command line is resolved before connecting (a mistake
//! in it costs no connection); one typed on stdin, as the tutorial's
//! `input()` asks, is resolved when it is read. Either way this is the only
//! place a name is checked, encoded or given its output path.

use common::{Error, Result};

use crate::args::DownloaderArgs;
use crate::part::Output;
use crate::protocol;

/// The file asked for: what is sent, and where it goes.
#[derive(Debug, Clone)]
pub struct Wanted {
    /// The name as given (for messages).
    pub name: String,
    /// What step 5 sends: the name in `--encoding`, bare (classic) or as
    /// `GET NAME\n` (framed).
    pub request: Vec<u8>,
    /// Where the file is saved.
    pub output: Output,
}

impl Wanted {
    /// Checks `name`, encodes it and chooses its output, as `args` say.
    pub fn resolve(name: &str, args: &DownloaderArgs) -> Result<Wanted> {
        let wire = args.common.encoding.encode(name)?;
        // The rule of names on the wire is the server's too (protocol::check_name).
        match protocol::check_name(&wire) {
            Ok(()) => {}
            Err(protocol::BadName::Empty) => {
                return Err(Error::new("no file name given").hint(
                    "name the file to download, e.g. file-downloader hello.txt",
                ));
            }
            Err(bad) => {
                return Err(Error::new(format!("{name:?} cannot be asked for: {bad}"))
                    .hint(format!(
                        "a file name on the wire holds no line break and no NUL byte, \
                         and at most {} bytes",
                        protocol::MAX_NAME
                    )));
            }
        }
        let output = Output::choose(name, args.output.as_deref(), args.force)?;
        let request = if args.classic { wire } else { protocol::framed_request(&wire) };
        Ok(Wanted { name: name.to_string(), request, output })
    }
}
