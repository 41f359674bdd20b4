//! What `--explain` says at each step of `steps/server.rs`: the Python call
//! and the Rust call side by side. `main.rs` fills in `{socket}`, `{local}`
//! and `{bufsize}`; the steps fill in `{text}` (the format) and `{data}`.

use common::explain::Step;

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
        python: "strftime({text})",
        rust: "jiff::fmt::strtime::BrokenDownTime::format_with_config",
    },
    Step { python: "sendto({data}, addr)", rust: "UdpSocket::send_to" },
];

/// The close the tutorial calls optional: reached only with `--count N`.
pub static NOTES: [(&str, Step); 1] =
    [("close", Step { python: "close()", rust: "drop(udp_server)" })];
