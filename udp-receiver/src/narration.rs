//! What `--explain` says at each step of `steps.rs`: the Python call and the
//! Rust call side by side, with `{family}`, `{local}`, `{bufsize}`,
//! `{encoding}` and `{answer}` filled in by `main.rs`.

use common::explain::Step;

/// Steps 1–5 of udp_receiver.py.
pub static STEPS: [Step; 5] = [
    Step {
        python: "udp_socket = socket.socket({family}, socket.SOCK_DGRAM)",
        rust: "socket2::Socket::new(Domain::for_address(local), Type::DGRAM, None)",
    },
    Step { python: "udp_socket.bind({local})", rust: "socket2::Socket::bind" },
    Step { python: "udp_socket.recvfrom({bufsize})", rust: "UdpSocket::recv_from" },
    Step { python: "print(data.decode('{encoding}'))", rust: "common::outln!" },
    Step { python: "udp_socket.close()", rust: "drop(udp_socket)" },
];

/// The optional answer of `--reply` and `--echo`.
pub static NOTES: [(&str, Step); 1] = [(
    "sendto",
    Step { python: "udp_socket.sendto({answer}, addr)", rust: "UdpSocket::send_to" },
)];
