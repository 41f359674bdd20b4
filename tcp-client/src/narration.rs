//! What `--explain` says at each step of `steps.rs`: the Python call and the
//! Rust call side by side. `main.rs` fills in `{create}`, `{to}`, `{connect}`,
//! `{bufsize}` and `{timeout}`; step 3 fills in `{data}`.

use common::explain::Step;

/// Steps 1–5 of tcp_client.py.
pub static STEPS: [Step; 5] = [
    Step { python: "tcp_socket = socket.{create}", rust: "socket2::Socket::new" },
    Step { python: "tcp_socket.connect({to})", rust: "{connect}" },
    Step { python: "tcp_socket.sendall({data})", rust: "Write::write_all" },
    Step { python: "data = tcp_socket.recv({bufsize})", rust: "Read::read" },
    Step {
        python: "tcp_socket.close()",
        rust: "Socket::shutdown(Shutdown::Write); read until 0; drop(tcp_socket)",
    },
];

/// The optional call of `--timeout`.
pub static NOTES: [(&str, Step); 1] = [(
    "settimeout",
    Step {
        python: "tcp_socket.settimeout({timeout})",
        rust: "Socket::set_read_timeout, set_write_timeout",
    },
)];

/// Python's repr of what is sent, for step 3: `b'hello'`; long data is shown
/// by its length, so one narration line stays one line.
pub fn short_repr(data: &[u8]) -> String {
    if data.len() <= 48 {
        common::pyrepr::bytes_repr(data)
    } else {
        format!("<{} bytes>", data.len())
    }
}
