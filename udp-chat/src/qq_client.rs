//! `udp-chat qq-client` — tutorial 001 "qq聊天", the client: choose a contact from
//! a list, send lines until `q`, print each reply. The lesson is
//! `steps/qq_client.rs`; this file is the tool around it: the contact list,
//! and waiting for a reply no longer than `--timeout`.
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

use common::cli::Input;
use common::explain::Narrator;
use common::pyrepr::addr_repr;
use common::{Error, IoResultExt, Result, net};

use crate::args::QqClientArgs;
use crate::chat;
use crate::narration::{self, qq_client::NOTES, qq_client::STEPS};
use crate::steps::qq_client::{self as steps, Options};

/// The tutorial's contacts: `qq_name_dic`, every one of them at the qq-server.
const SEED_CONTACTS: [&str; 4] = ["金老板", "哪吒", "egg", "yuan"];

/// Chats until the end of stdin.
pub fn run(args: QqClientArgs) -> Result<()> {
    let contacts = contact_list(&args);
    // The first contact decides the family (IPv4 or IPv6) of the socket.
    let (first_name, family) =
        contacts.first().map_or(("", args.to), |(name, addr)| (name.as_str(), *addr));
    let (bufsize, encoding) = (args.buffer.bufsize, args.common.encoding);
    let say = Narrator::new(args.common.explain, &STEPS, &NOTES)
        .with("contacts", format!("'{first_name}': {}", addr_repr(&family)));
    let say = narration::narrator(say, family, bufsize, encoding);
    let options =
        Options { contacts, family, bufsize, timeout: args.timeout, encoding, say };
    steps::chat(&options, &mut Input::new())
}

/// The `--contact` list, or the tutorial's names all at `--to`.
fn contact_list(args: &QqClientArgs) -> Vec<(String, SocketAddr)> {
    if args.contacts.is_empty() {
        SEED_CONTACTS.iter().map(|name| (name.to_string(), args.to)).collect()
    } else {
        args.contacts.clone()
    }
}

/// Step 2: the contacts one can choose, on stderr.
pub fn list_contacts(contacts: &[(String, SocketAddr)]) {
    common::errln!("contacts: {}", describe(contacts));
}

/// Step 3: the contact chosen by the name typed (spaces around it do not
/// count): its name and address, or `None` (saying why) to ask again. The
/// tutorial accepts any name and then silently sends nothing.
pub fn find_contact<'a>(
    contacts: &'a [(String, SocketAddr)],
    typed: &str,
) -> Option<(&'a str, SocketAddr)> {
    let typed = typed.trim();
    if typed.is_empty() {
        return None;
    }
    let Some((name, to)) = contacts.iter().find(|(name, _)| name == typed) else {
        common::errln!(
            "unknown contact '{typed}': choose one of {}",
            describe(contacts)
        );
        return None;
    };
    common::errln!("chatting with {name} at {to}; type q to choose another contact");
    Some((name, *to))
}

/// Step 6: receives until the reply of `name` (at `to`) arrives, and returns
/// its length in `buf` and its sender. A datagram from someone else is shown
/// with its address, and the wait goes on. Gives up (`None`, saying so) after
/// `--timeout` — UDP never tells that nobody is there — or when the OS
/// reports that nothing listens at `to`.
pub fn wait_for_reply(
    udp_socket: &UdpSocket,
    buf: &mut Vec<u8>,
    opt: &Options,
    name: &str,
    to: SocketAddr,
) -> Result<Option<(usize, SocketAddr)>> {
    let deadline = Instant::now() + opt.timeout;
    let peer = format!("{name} ({to})");
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            no_reply(&peer, opt);
            return Ok(None);
        }
        udp_socket
            .set_read_timeout(Some(left))
            .during("set a timeout on", "the socket")?;
        let datagram =
            match chat::receive_datagram(udp_socket, buf, opt.bufsize, &peer, true) {
                Ok(datagram) => datagram,
                Err(err) if net::is_timeout(&err) => {
                    no_reply(&peer, opt);
                    return Ok(None);
                }
                // Already reported: nothing listens there, so no reply will come.
                Err(err) if chat::is_unreachable(&err) => return Ok(None),
                Err(err) => return Err(Error::io("receive a reply from", to, &err)),
            };
        if is_from(datagram.from, to) {
            return Ok(Some((datagram.len, datagram.from)));
        }
        chat::show(&buf[..datagram.len], datagram.from, opt.encoding);
        common::errln!("(that was not {name} at {to}; still waiting for the reply)");
    }
}

/// Whether a datagram from `from` is the contact's: the same address, or the
/// same port when the contact was written as "every interface" (`:8081`).
fn is_from(from: SocketAddr, contact: SocketAddr) -> bool {
    from == contact || (contact.ip().is_unspecified() && from.port() == contact.port())
}

fn no_reply(peer: &str, opt: &Options) {
    common::warn(format_args!(
        "no reply from {peer} within {:?}: is the qq-server running there? UDP never \
         says (a late reply is shown after the next message); the chat goes on",
        opt.timeout
    ));
}

/// `金老板 (127.0.0.1:8081), egg (127.0.0.1:8081)`.
fn describe(contacts: &[(String, SocketAddr)]) -> String {
    let names: Vec<String> =
        contacts.iter().map(|(name, addr)| format!("{name} ({addr})")).collect();
    names.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_is_from_the_contact_or_its_port_on_every_interface() {
        let contact: SocketAddr = "127.0.0.1:8081".parse().unwrap();
        assert!(is_from(contact, contact));
        assert!(!is_from("127.0.0.1:9".parse().unwrap(), contact));
        let anywhere: SocketAddr = "0.0.0.0:8081".parse().unwrap();
        assert!(is_from(contact, anywhere));
    }

    #[test]
    fn contacts_are_found_by_name_only() {
        let contacts = vec![("egg".to_string(), "127.0.0.1:9".parse().unwrap())];
        assert_eq!(find_contact(&contacts, " egg ").unwrap(), ("egg", contacts[0].1));
        assert!(find_contact(&contacts, "nobody").is_none());
        assert!(find_contact(&contacts, "").is_none());
    }
}
