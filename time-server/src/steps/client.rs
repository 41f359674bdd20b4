//! The lesson of `time-client`: `python/time_client.py`'s steps, in plain
//! `std::net` calls. [`ask`] is one run of the twin: it takes the formats
//! already encoded (the tool reads them from the command line or stdin) and
//! returns the answers. The `--explain` texts are in `narration/client.rs`.

use std::net::SocketAddr;
use std::time::Duration;

use common::explain::Narrator;
use common::{Codec, IoResultExt, Result, net};

use crate::receive;

/// What the steps need besides the formats.
#[derive(Debug, Clone)]
pub struct Options {
    /// The time server's address (the tutorial's `ip_port`).
    pub to: SocketAddr,
    /// `recv(bufsize)`: the longest answer read whole.
    pub bufsize: usize,
    /// How long to wait for each answer (Python's `settimeout`).
    pub timeout: Duration,
    /// The encoding of the answers (the tutorial's `'utf-8'`).
    pub codec: Codec,
    /// The `--explain` narrator.
    pub say: Narrator,
}

// ANCHOR: steps
/// Sends each format of `msgs` to the server, prints each answer, returns them.
pub fn ask(msgs: impl Iterator<Item = Vec<u8>>, opt: &Options) -> Result<Vec<String>> {
    // 1. create a UDP socket (创建套接字) — socket(AF_INET, SOCK_DGRAM)
    opt.say.step(1);
    let udp_client =
        net::udp_unbound(&opt.to).during("create a UDP socket for", opt.to)?;
    let mut answers = Vec::new();
    // 2. read a format (请输入时间格式) — msg = input('…>>: ').strip()
    for msg in msgs {
        opt.say.step(2);
        // 3. send it (发送) — udp_client.sendto(msg.encode('utf-8'), ip_port)
        opt.say.step_data(3, &msg);
        udp_client.send_to(&msg, opt.to).during("send to", opt.to)?;
        // 4. receive the answer (接收) — data = udp_client.recv(1024)
        opt.say.step(4);
        let data = receive::answer(&udp_client, opt)?;
        // 5. print it — print(data.decode('utf-8'))
        opt.say.step(5);
        common::outln!("{data}");
        answers.push(data);
    }
    // 6. close the socket (关闭套接字) — udp_client.close()
    opt.say.step(6);
    drop(udp_client);
    Ok(answers)
}
// ANCHOR_END: steps
