//! What `--explain` says at each step of `steps.rs`: the Python call and the
//! Rust call side by side. `main.rs` fills in `{create}`, `{to}`,
//! `{timeout}` and `{bufsize}`; the step itself fills in `{data}`.

use common::explain::Step;

/// Steps 1–3 of udp_sender.py.
pub static STEPS: [Step; 3] = [
    Step { python: "{create}", rust: "UdpSocket::bind({local})" },
    Step { python: "udp_socket.sendto({data}, {to})", rust: "UdpSocket::send_to" },
    Step { python: "udp_socket.close()", rust: "drop(udp_socket)" },
];

/// The optional call of `--wait-reply`.
pub static NOTES: [(&str, Step); 1] = [(
    "recvfrom",
    Step {
        python: "udp_socket.settimeout({timeout}); udp_socket.recvfrom({bufsize})",
        rust: "UdpSocket::set_read_timeout, then recv_from",
    },
)];
