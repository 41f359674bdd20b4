//! `udp-chat qq-client` — tutorial 001 "qq聊天", the client: choose a contact from
//! a list, send lines until `q`, print each reply.
//!
//! Python twin: `python/qq_client.py`. With `udp-chat qq-server` running:
//!
//! ```text
//! cargo run -p udp-chat -- qq-client                       # the tutorial's contacts, all at 127.0.0.1:8081
//! cargo run -p udp-chat -- qq-client --contact egg=127.0.0.1:9000 # your own list
//! printf '金老板\n你好\nq\n' | cargo run -q -p udp-chat -- qq-client # driven by a pipe
//! ```

use std::net::{SocketAddr, UdpSocket};
use std::time::Instant;

use common::{Error, Explain, IoResultExt, Result, net, pyrepr};
use socket2::Type;

use crate::args::QqClientArgs;
use crate::chat::{self, Input};

/// The steps of the lesson, as numbered in the comments and `--explain`.
const STEPS: usize = 8;

/// The tutorial's contacts: `qq_name_dic`, every one of them at the qq-server.
const SEED_CONTACTS: [&str; 4] = ["金老板", "哪吒", "egg", "yuan"];

// ANCHOR: run
/// Chats until the end of stdin.
pub fn run(args: QqClientArgs) -> Result<()> {
    let explain = args.common.explainer(STEPS);
    let codec = args.common.encoding;
    let contacts = contact_list(&args);
    // The first contact decides the family (IPv4 or IPv6) of the socket.
    let (first_name, first) =
        contacts.first().map_or(("", args.to), |(name, addr)| (name.as_str(), *addr));

    // 1. create a UDP socket; no bind: the OS picks a port on the first sendto —
    //    udp_client_socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    explain.step(
        1,
        net::python_socket_call(&first, Type::DGRAM),
        "socket2::Socket::new(.., Type::DGRAM, ..)",
    );
    let udp_socket =
        net::udp_unbound(&first).during("create a UDP socket for", first)?;

    // 2. the contact list — qq_name_dic = {'金老板': ('127.0.0.1', 8081), ...}
    explain.step(
        2,
        format!("qq_name_dic = {{'{first_name}': {}, ...}}", pyrepr::addr_repr(&first)),
        "Vec<(String, SocketAddr)>",
    );
    common::errln!("contacts: {}", describe(&contacts));

    let mut input = Input::new();
    'contacts: loop {
        // 3. choose a contact — qq_name = input('请选择聊天对象: ').strip()
        explain.step(3, "qq_name = input('请选择聊天对象: ').strip()", "Input::ask");
        let Some(name) = input.ask("choose a contact (请选择聊天对象): ")?
        else {
            break;
        };
        let name = name.trim();
        if name.is_empty() {
            continue;
        }
        let Some(&(_, to)) = contacts.iter().find(|(known, _)| known == name) else {
            common::errln!(
                "unknown contact '{name}': choose one of {}",
                describe(&contacts)
            );
            continue;
        };
        common::errln!(
            "chatting with {name} at {to}; type q to choose another contact"
        );

        loop {
            // 4. type a message; q ends the chat with this contact —
            //    msg = input('请输入消息,回车发送,输入q结束和他的聊天: ').strip()
            explain.step(
                4,
                "msg = input('请输入消息,回车发送,输入q结束和他的聊天: ').strip()",
                "Input::ask",
            );
            let Some(msg) = input.ask("message, q to stop (请输入消息,输入q结束): ")?
            else {
                break 'contacts;
            };
            let msg = msg.trim();
            if msg == "q" {
                break;
            }
            if msg.is_empty() {
                continue; // the tutorial sends nothing for an empty line
            }
            let Some(data) = codec.encode_or_report(msg) else { continue };

            // 5. send it — udp_client_socket.sendto(msg.encode('utf-8'), qq_name_dic[qq_name])
            explain.step(
                5,
                format!(
                    "sendto({}, {})",
                    pyrepr::bytes_repr(&data),
                    pyrepr::addr_repr(&to)
                ),
                "UdpSocket::send_to",
            );
            if !chat::send_or_report(&udp_socket, &data, to) {
                continue;
            }

            // 6. and 7. wait for the reply and print it —
            //    back_msg, addr = udp_client_socket.recvfrom(BUFSIZE); print(...)
            wait_for_reply(&udp_socket, name, to, &args, &explain)?;
        }
    }

    // 8. close the socket — udp_client_socket.close()
    explain.step(8, "close()", "drop(udp_socket)");
    drop(udp_socket);
    Ok(())
}

/// Steps 6 and 7: receive until the contact's reply arrives, printing every
/// message — one from someone else too, with its address. Gives up (and
/// says so) after `--timeout`: UDP never tells that nobody is there.
fn wait_for_reply(
    udp_socket: &UdpSocket,
    name: &str,
    to: SocketAddr,
    args: &QqClientArgs,
    explain: &Explain,
) -> Result<()> {
    let deadline = Instant::now() + args.timeout;
    let mut buf = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            no_reply(name, to, args);
            return Ok(());
        }
        udp_socket
            .set_read_timeout(Some(left))
            .during("set a timeout on", "the socket")?;
        explain.step(
            6,
            format!("recvfrom({})", args.buffer.bufsize),
            "UdpSocket::recv_from",
        );
        let peer = format!("{name} ({to})");
        let datagram =
            match chat::receive(udp_socket, &mut buf, args.buffer.bufsize, &peer, true)
            {
                Ok(datagram) => datagram,
                Err(err) if common::net::is_timeout(&err) => {
                    no_reply(name, to, args);
                    return Ok(());
                }
                // Already reported: nothing listens there, so no reply will come.
                Err(err) if chat::is_unreachable(&err) => return Ok(()),
                Err(err) => return Err(Error::io("receive a reply from", to, &err)),
            };
        explain.step(
            7,
            format!("print(... back_msg.decode('{}'))", args.common.encoding.name()),
            "println!",
        );
        chat::show_message(&buf[..datagram.len], datagram.from, &args.common.encoding);
        if is_from(datagram.from, to) {
            return Ok(());
        }
        common::errln!("(that was not {name} at {to}; still waiting for the reply)");
    }
}
// ANCHOR_END: run

/// Whether a datagram from `from` is the contact's: the same address, or the
/// same port when the contact was written as "every interface" (`:8081`).
fn is_from(from: SocketAddr, contact: SocketAddr) -> bool {
    from == contact || (contact.ip().is_unspecified() && from.port() == contact.port())
}

fn no_reply(name: &str, to: SocketAddr, args: &QqClientArgs) {
    common::warn(format_args!(
        "no reply from {name} ({to}) within {:?}: is the qq-server running there? UDP never \
         says (a late reply is shown after the next message); the chat goes on",
        args.timeout
    ));
}

/// The `--contact` list, or the tutorial's names all at `--to`.
fn contact_list(args: &QqClientArgs) -> Vec<(String, SocketAddr)> {
    if args.contacts.is_empty() {
        SEED_CONTACTS.iter().map(|name| (name.to_string(), args.to)).collect()
    } else {
        args.contacts.clone()
    }
}

/// `金老板 (127.0.0.1:8081), egg (127.0.0.1:8081)`.
fn describe(contacts: &[(String, SocketAddr)]) -> String {
    let names: Vec<String> =
        contacts.iter().map(|(name, addr)| format!("{name} ({addr})")).collect();
    names.join(", ")
}
