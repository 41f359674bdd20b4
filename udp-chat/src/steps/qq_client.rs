//! The lesson of `udp-chat qq-client`, tutorial 001 "qq聊天": the client's steps,
//! as `python/qq_client.py` writes them. The tool around them is
//! `src/qq_client.rs`; what `--explain` says is `src/narration/qq_client.rs`.

use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

use common::cli::Input;
use common::explain::Narrator;
use common::{Codec, IoResultExt, Result, net};
use socket2::Type;

use crate::chat;
use crate::narration::StepTo;
use crate::qq_client::{find_contact, list_contacts, wait_for_reply};

/// What the steps need besides the person at the keyboard.
#[derive(Debug, Clone)]
pub struct Options {
    /// The tutorial's `qq_name_dic`: each contact's name and address.
    pub contacts: Vec<(String, SocketAddr)>,
    /// An address of the family (IPv4 or IPv6) the socket is for: the
    /// first contact's.
    pub family: SocketAddr,
    /// The `1024` of `recvfrom(1024)`.
    pub bufsize: usize,
    /// How long to wait for each reply (the tutorial waits forever).
    pub timeout: Duration,
    /// The `'utf-8'` of `.encode('utf-8')` and `.decode('utf-8')`.
    pub encoding: Codec,
    /// The `--explain` narrator.
    pub say: Narrator,
}

// ANCHOR: steps
/// Chats with the contacts chosen, a message and its reply at a time, until
/// the end of stdin.
pub fn chat(opt: &Options, input: &mut Input) -> Result<()> {
    // 1. create a UDP socket (创建套接字), no bind: the OS picks a port on the
    //    first sendto — socket.socket(AF_INET, SOCK_DGRAM)
    opt.say.step(1);
    let udp_client_socket = UdpSocket::from(
        net::new_socket(&opt.family, Type::DGRAM)
            .during("create a socket for", opt.family)?,
    );
    // 2. the contact list — qq_name_dic = {'金老板': ('127.0.0.1', 8081), …}
    opt.say.step(2);
    let qq_name_dic = &opt.contacts;
    list_contacts(qq_name_dic);
    let mut buf = Vec::new();
    'contacts: loop {
        // 3. choose a contact (请选择聊天对象) — qq_name = input('请选择聊天对象: ')
        opt.say.step(3);
        let Some(qq_name) = input.ask("choose a contact (请选择聊天对象): ")?
        else {
            break;
        };
        let Some((name, to)) = find_contact(qq_name_dic, &qq_name) else { continue };
        loop {
            // 4. type a message; q ends the chat with this contact (输入q结束和他的聊天)
            //    — msg = input('请输入消息,回车发送,输入q结束和他的聊天: ').strip()
            opt.say.step(4);
            let Some(msg) = input.ask("message, q to stop (请输入消息,输入q结束): ")?
            else {
                break 'contacts;
            };
            let data = match msg.trim() {
                "q" => break,
                "" => continue, // the tutorial sends nothing for an empty line
                msg => chat::encode(msg, opt.encoding),
            };
            let Some(data) = data else { continue };
            // 5. send it (发送数据) — sendto(msg.encode('utf-8'), qq_name_dic[qq_name])
            opt.say.step_to(5, &data, to);
            if !chat::sent(udp_client_socket.send_to(&data, to), to) {
                continue;
            }
            // 6. wait for the reply (接收数据) — back_msg, addr = recvfrom(1024)
            opt.say.step(6);
            let reply = wait_for_reply(&udp_client_socket, &mut buf, opt, name, to)?;
            let Some((len, addr)) = reply else { continue };
            // 7. print it — print('来自[%s:%s]的一条消息:…' % (addr[0], addr[1], …))
            opt.say.step(7);
            chat::show(&buf[..len], addr, opt.encoding);
        }
    }
    // 8. close the socket (关闭套接字) — udp_client_socket.close()
    opt.say.step(8);
    drop(udp_client_socket);
    Ok(())
}
// ANCHOR_END: steps
