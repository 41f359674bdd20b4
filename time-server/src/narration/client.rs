//! What `--explain` says at each step of `steps/client.rs`: the Python call
//! and the Rust call side by side. `time_client.rs` fills in `{socket}`,
//! `{source}`, `{to}`, `{bufsize}` and `{encoding}`; step 3 fills in `{data}`.

use common::explain::Step;

/// Steps 1–6 of time_client.py.
pub static STEPS: [Step; 6] = [
    Step { python: "{socket}", rust: "socket2::Socket::new(.., Type::DGRAM, ..)" },
    Step { python: "msg = input('…>>: ').strip()", rust: "{source}" },
    Step { python: "sendto({data}, {to})", rust: "UdpSocket::send_to" },
    Step { python: "recv({bufsize})", rust: "UdpSocket::recv_from" },
    Step { python: "print(data.decode('{encoding}'))", rust: "common::outln!" },
    Step { python: "close()", rust: "drop(udp_client)" },
];

/// The client has no optional calls.
pub static NOTES: [(&str, Step); 0] = [];
