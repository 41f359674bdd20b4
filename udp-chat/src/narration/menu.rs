//! `--explain` for `udp-chat menu`: steps 1–6 of `src/steps/menu.rs`.

use common::explain::Step;

/// Steps 1–6 of udp_chat.py.
pub static STEPS: [Step; 6] = [
    Step { python: "{socket}", rust: "socket2::Socket::new(.., Type::DGRAM, ..)" },
    Step { python: "bind({local})", rust: "socket2::Socket::bind" },
    Step {
        python: "op = input('请输入功能:')",
        rust: "Input::ask (BufRead::read_until)",
    },
    Step { python: "sendto({data}, {to})", rust: "UdpSocket::send_to" },
    Step { python: "recvfrom({bufsize})", rust: "UdpSocket::recv_from" },
    Step { python: "close()", rust: "drop(udp_socket)" },
];

/// No optional calls.
pub static NOTES: [(&str, Step); 0] = [];
