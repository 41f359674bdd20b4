//! The lesson itself: `python/udp_receiver.py`'s steps, one call each, in
//! plain `socket2` / `std::net` calls. The tool around them (options, how a
//! datagram is printed, hints) is `main.rs`; the `--explain` texts are in
//! `narration.rs`.

use std::io;
use std::net::{SocketAddr, UdpSocket};

use common::explain::Narrator;
use common::net::{Datagram, recv_datagram};
use socket2::{Domain, Socket, Type};

// ANCHOR: steps
/// Binds `local` and receives `count` datagrams of at most `bufsize` bytes;
/// `show` prints each one and says what to answer, if anything.
pub fn receive(
    local: SocketAddr,
    (bufsize, count): (usize, u64),
    say: &Narrator,
    mut show: impl FnMut(&Datagram, &[u8]) -> Option<Vec<u8>>,
) -> io::Result<()> {
    // 1. create a UDP socket (创建套接字) — socket.socket(AF_INET, SOCK_DGRAM)
    say.step(1);
    let socket = Socket::new(Domain::for_address(local), Type::DGRAM, None)?;
    if local.is_ipv6() {
        socket.set_only_v6(true)?; // [::] means IPv6 only, on every OS
    }
    // 2. bind the local address (绑定本地信息) — udp_socket.bind(('', 8080))
    say.step(2);
    socket.bind(&local.into())?; // one port, one socket: a second receiver fails here
    let udp_socket = UdpSocket::from(socket);
    common::announce_listening(udp_socket.local_addr()?);
    let mut buf = Vec::new();
    for _ in 0..count {
        // 3. receive a datagram (接收数据) — recv_data = udp_socket.recvfrom(1024)
        say.step(3);
        let datagram = recv_datagram(&udp_socket, &mut buf, bufsize)?;
        // 4. print it (打印数据) — print(recv_data); only buf[..len] arrived
        say.step(4);
        if let Some(answer) = show(&datagram, &buf[..datagram.len]) {
            say.note("sendto"); // optional: answer — udp_socket.sendto(reply, addr)
            if let Err(err) = udp_socket.send_to(&answer, datagram.from) {
                common::warn(format_args!("cannot answer {}: {err}", datagram.from));
            }
        }
    }
    // 5. close the socket (关闭套接字) — udp_socket.close()
    say.step(5);
    drop(udp_socket);
    Ok(())
}
// ANCHOR_END: steps
