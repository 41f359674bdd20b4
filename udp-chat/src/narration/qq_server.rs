//! `--explain` for `udp-chat qq-server`: steps 1–7 of `src/steps/qq_server.rs`.

use common::explain::Step;

/// Steps 1–7 of qq_server.py.
pub static STEPS: [Step; 7] = [
    Step { python: "{socket}", rust: "socket2::Socket::new(.., Type::DGRAM, ..)" },
    Step { python: "bind({local})", rust: "socket2::Socket::bind" },
    Step { python: "recvfrom({bufsize})", rust: "UdpSocket::recv_from" },
    Step {
        python: "print(... qq_msg.decode('{encoding}'))",
        rust: "println! (colour only on a terminal)",
    },
    Step { python: "back_msg = input('回复消息: ').strip()", rust: "Input::ask" },
    Step { python: "sendto({data}, {to})", rust: "UdpSocket::send_to" },
    Step { python: "close()", rust: "drop(udp_socket)" },
];

/// No optional calls.
pub static NOTES: [(&str, Step); 0] = [];
