//! `--explain` for `udp-chat qq-client`: steps 1–8 of `src/steps/qq_client.rs`.
//! The tool fills in `{contacts}`, the first contact as Python writes it.

use common::explain::Step;

/// Steps 1–8 of qq_client.py.
pub static STEPS: [Step; 8] = [
    Step { python: "{socket}", rust: "socket2::Socket::new(.., Type::DGRAM, ..)" },
    Step {
        python: "qq_name_dic = {{contacts}, ...}",
        rust: "Vec<(String, SocketAddr)>",
    },
    Step {
        python: "qq_name = input('请选择聊天对象: ').strip()", rust: "Input::ask"
    },
    Step {
        python: "msg = input('请输入消息,回车发送,输入q结束和他的聊天: ').strip()",
        rust: "Input::ask",
    },
    Step { python: "sendto({data}, {to})", rust: "UdpSocket::send_to" },
    Step { python: "recvfrom({bufsize})", rust: "UdpSocket::recv_from" },
    Step { python: "print(... back_msg.decode('{encoding}'))", rust: "println!" },
    Step { python: "close()", rust: "drop(udp_socket)" },
];

/// No optional calls.
pub static NOTES: [(&str, Step); 0] = [];
