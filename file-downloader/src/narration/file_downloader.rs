//! `--explain` for `file-downloader`: steps 1–8 of `src/steps/file_downloader.rs`.
//! `src/main.rs` fills in `{socket}`, `{from}`, `{asked}`, `{bufsize}`;
//! step 5 shows the bytes sent, step 7 the paths of the file.

use common::explain::{Narrator, Step};
use common::pyrepr::str_repr;

use crate::part::PartFile;

/// Steps 1–8 of file_downloader.py.
pub static STEPS: [Step; 8] = [
    Step {
        python: "tcp_socket = {socket}",
        rust: "socket2::Socket::new(.., Type::STREAM, ..)",
    },
    Step {
        python: "dest_ip, dest_port = {from}",
        rust: "socket2::SockAddr::from(--from ADDR)",
    },
    Step {
        python: "tcp_socket.connect({from})",
        rust: "socket2::Socket::connect_timeout",
    },
    Step {
        python: "download_file_name = input('file to download: ')",
        rust: "{asked}",
    },
    Step { python: "tcp_socket.sendall({data})", rust: "TcpStream::write_all" },
    Step {
        python: "recv_data = tcp_socket.recv({bufsize})",
        rust: "TcpStream::read, in a loop",
    },
    Step {
        python: "f = open({output}, 'wb'); f.write(recv_data)",
        rust: "OpenOptions::create_new({part}), renamed when whole",
    },
    Step { python: "tcp_socket.close()", rust: "drop(tcp_socket)" },
];

/// No optional calls.
pub static NOTES: [(&str, Step); 0] = [];

/// Step 7 inside the receive loop: `say.step_create(7, &part)`.
pub trait StepCreate {
    /// Narrates step `number` with the file's paths, once: before the first
    /// piece is written, when the `.part` is about to be created.
    fn step_create(&self, number: usize, part: &PartFile);
}

impl StepCreate for Narrator {
    fn step_create(&self, number: usize, part: &PartFile) {
        if !part.is_created() && self.is_enabled() {
            let output = part.output();
            let values = [
                ("output", str_repr(&output.path.display().to_string())),
                ("part", format!("{:?}", output.part.display().to_string())),
            ];
            self.step_with(number, &values);
        } else if !self.is_enabled() {
            // Silent, it still records the step (errors are named by it).
            self.step_with(number, &[]);
        }
    }
}
