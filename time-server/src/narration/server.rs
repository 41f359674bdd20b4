//! What `--explain` says at each step of `steps/server.rs`: the Python call
//! and the Rust call side by side. `main.rs` fills in `{socket}`, `{local}`
//! and `{bufsize}`; the steps fill in `{time_fmt}` and `{data}`.

use common::explain::Step;
use common::pyrepr::str_repr;

use crate::strftime::Request;

/// Steps 1–6 of time_server.py.
pub static STEPS: [Step; 6] = [
    Step { python: "{socket}", rust: "socket2::Socket::new(.., Type::DGRAM, ..)" },
    Step {
        python: "setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)",
        rust: "socket2::Socket::set_reuse_address(true)",
    },
    Step { python: "bind({local})", rust: "socket2::Socket::bind" },
    Step { python: "recvfrom({bufsize})", rust: "UdpSocket::recv_from" },
    Step {
        python: "strftime({time_fmt})",
        rust: "jiff::fmt::strtime::BrokenDownTime::to_string_with_config",
    },
    Step { python: "sendto({data}, addr)", rust: "UdpSocket::send_to" },
];

/// The close the seed calls optional: reached only with `--count N`.
pub static NOTES: [(&str, Step); 1] =
    [("close", Step { python: "close()", rust: "drop(udp_server)" })];

/// Step 5's argument: Python's `repr` of the format, or `…` for a refused one.
pub fn time_fmt(request: &Request) -> String {
    request.time_fmt().map_or_else(|_| "…".to_string(), str_repr)
}
