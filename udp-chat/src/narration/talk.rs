//! `--explain` for `udp-chat talk`: steps 1–6 of `src/steps/talk.rs`.

use common::explain::Step;

/// Steps 1–6 of udp_talk.py.
pub static STEPS: [Step; 6] = [
    Step { python: "{socket}", rust: "socket2::Socket::new(.., Type::DGRAM, ..)" },
    Step { python: "bind({local})", rust: "socket2::Socket::bind" },
    Step {
        python: "threading.Thread(target=recv_msg, daemon=True).start()",
        rust: "std::thread::spawn with an Arc<UdpSocket>",
    },
    Step { python: "recvfrom({bufsize})", rust: "UdpSocket::recv_from" },
    Step { python: "sendto({data}, {to})", rust: "UdpSocket::send_to" },
    Step { python: "close()", rust: "drop(udp_socket), and the program ends" },
];

/// No optional calls.
pub static NOTES: [(&str, Step); 0] = [];
