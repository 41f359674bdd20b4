//! What `--explain` says at each step of `src/steps/`: the Python call and
//! the Rust call side by side, one table per program. The tool around each
//! program fills in the values (`{socket}`, `{local}`, `{bufsize}`,
//! `{encoding}`); a `sendto` step fills in `{data}` and `{to}` itself.

pub mod menu;
pub mod qq_client;
pub mod qq_server;
pub mod talk;

use std::net::SocketAddr;

use common::explain::Narrator;
use common::pyrepr::{addr_repr, bytes_repr};

/// One short line for a `sendto` step: `say.step_to(4, &data, to)`.
pub trait StepTo {
    /// `[step N/M] sendto(b'...', ('127.0.0.1', 7788))  ->  …`, with the
    /// bytes and the address as Python writes them.
    fn step_to(&self, number: usize, data: &[u8], to: SocketAddr);
}

impl StepTo for Narrator {
    fn step_to(&self, number: usize, data: &[u8], to: SocketAddr) {
        if self.is_enabled() {
            self.step_with(
                number,
                &[("data", bytes_repr(data)), ("to", addr_repr(&to))],
            );
        } else {
            // Silent, it still records the step (errors are named by it).
            self.step_with(number, &[]);
        }
    }
}

/// The values every program's table shows: the `socket()` call for the
/// address's family, the address bound, the buffer size, the encoding.
pub fn narrator(
    narrator: Narrator,
    addr: SocketAddr,
    bufsize: usize,
    encoding: common::Codec,
) -> Narrator {
    narrator
        .with("socket", common::net::python_socket_call(&addr, socket2::Type::DGRAM))
        .with("local", addr_repr(&addr))
        .with("bufsize", bufsize)
        .with("encoding", encoding.name())
}
