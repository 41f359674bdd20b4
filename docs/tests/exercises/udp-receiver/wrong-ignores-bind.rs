// expect: step 2
// Binds a port of its own choosing instead of --bind.

use std::io;
use std::net::{SocketAddr, UdpSocket};

use common::explain::Narrator;
use common::net::{Datagram, new_socket, recv_datagram};
use socket2::Type;

/// What the steps need besides the address.
#[derive(Debug)]
pub struct Options {
    /// The `1024` of `recvfrom(1024)`.
    pub bufsize: usize,
    /// How many datagrams to receive before closing (`u64::MAX`: until Ctrl+C).
    pub count: u64,
    /// The `--explain` narrator.
    pub say: Narrator,
}

/// Step 4, given by the tool: prints a datagram (`&buf[..len]`, from whom)
/// and says what to answer, if anything.
pub type Show<'a> = dyn FnMut(&Datagram, &[u8]) -> Option<Vec<u8>> + 'a;

// ANCHOR: steps
/// Binds `local`, receives `opt.count` datagrams and shows each: udp_receiver.py.
pub fn receive(local: SocketAddr, opt: &Options, show: &mut Show) -> io::Result<()> {
    // 1. create a UDP socket (创建套接字) — socket.socket(AF_INET, SOCK_DGRAM)
    opt.say.step(1);
    let socket = new_socket(&local, Type::DGRAM)?; // IPv6: IPV6_V6ONLY set explicitly
    // 2. bind the local address (绑定本地信息) — udp_socket.bind(('', 8080))
    opt.say.step(2);
    socket.bind(&SocketAddr::from(([127, 0, 0, 1], 0)).into())?; // one port, one socket: a second receiver fails here
    let udp_socket = UdpSocket::from(socket);
    common::announce_listening(udp_socket.local_addr()?);
    let mut buf = Vec::new();
    for _ in 0..opt.count {
        // 3. receive a datagram (接收数据) — recv_data = udp_socket.recvfrom(1024)
        opt.say.step(3);
        let datagram = recv_datagram(&udp_socket, &mut buf, opt.bufsize)?;
        // 4. print it (打印数据) — print(recv_data); only buf[..len] arrived
        opt.say.step(4);
        if let Some(answer) = show(&datagram, &buf[..datagram.len]) {
            opt.say.note("sendto"); // optional: answer — udp_socket.sendto(reply, addr)
            // A sender that has gone away must not stop the receiver: warn only.
            let from = datagram.from;
            let _ = udp_socket
                .send_to(&answer, from)
                .inspect_err(|e| cannot_answer(from, e));
        }
    }
    // 5. close the socket (关闭套接字) — udp_socket.close()
    opt.say.step(5);
    drop(udp_socket);
    Ok(())
}
// ANCHOR_END: steps

fn cannot_answer(to: SocketAddr, err: &io::Error) {
    common::warn(format_args!("cannot answer {to}: {err}"));
}
