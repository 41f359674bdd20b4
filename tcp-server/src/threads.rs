//! `--mode threads`: a thread for each client, so all are served at once.
//!
//! The next step every tutorial takes after "serve clients one after another":
//! the main thread only accepts; each accepted socket moves into its own thread,
//! which runs the lesson's [`serve_client`](crate::serve_client). With
//! `--max-clients N`, client N+1 gets a polite "busy" line and is closed.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;

use common::Result;
use socket2::{SockAddr, Socket};

use crate::args::Service;
use crate::endpoint;

/// Each client thread needs little stack: a buffer lives on the heap.
const CLIENT_STACK: usize = 256 * 1024;

// ANCHOR: serve_forever
/// Accepts clients until Ctrl+C (or one, with --once), each in its own thread.
pub fn serve_forever(tcp_server: &Socket, service: Service) -> Result<()> {
    let service = Arc::new(service);
    let active = Arc::new(AtomicU64::new(0));
    let mut number = 0;
    loop {
        service.explain.step(5, "accept()", "Socket::accept");
        let Some((client, addr)) = crate::accept(tcp_server) else { continue };
        number += 1;
        let peer = endpoint::peer_name(&addr, number);
        if let Some(max) = service.max_clients
            && active.load(Ordering::SeqCst) >= max
        {
            refuse(client, &peer, max, &service);
            continue;
        }
        common::outln!("connected: {peer}");
        let started = start_client(client, peer, &addr, &service, &active);
        if service.once {
            if let Some(handle) = started {
                let _ = handle.join();
            }
            return Ok(());
        }
    }
}
// ANCHOR_END: serve_forever

/// Starts the thread that serves one client; it counts itself in `active`.
fn start_client(
    client: Socket,
    peer: String,
    addr: &SockAddr,
    service: &Arc<Service>,
    active: &Arc<AtomicU64>,
) -> Option<thread::JoinHandle<()>> {
    let service = Arc::clone(service);
    let counted = Counted::new(active);
    let name = addr.as_socket().map_or_else(|| peer.clone(), |addr| addr.to_string());
    let spawned =
        thread::Builder::new().name(name).stack_size(CLIENT_STACK).spawn(move || {
            let ending = crate::serve_client(&client, &peer, &service);
            service.explain.step(7, "client.close()", "drop(client)");
            drop(client);
            // Uncounted before the `closed:` line, so whoever reads that line
            // can connect again without being refused.
            drop(counted);
            common::outln!("closed: {peer}{ending}");
        });
    match spawned {
        Ok(handle) => Some(handle),
        Err(err) => {
            // The closure (and the client's socket) is dropped: it is closed.
            common::warn(format_args!("cannot start a thread for a client: {err}"));
            None
        }
    }
}

/// Past --max-clients: say so, and close.
fn refuse(client: Socket, peer: &str, max: u64, service: &Service) {
    common::outln!(
        "refused: {peer} (already serving {max} client(s), --max-clients {max})"
    );
    let _ = (&client).write_all(&service.busy_message(max));
    // FIN after the message: the client reads it, then end of stream.
    let _ = client.shutdown(std::net::Shutdown::Write);
}

/// One client being served: counted on creation, uncounted when dropped, even
/// if its thread ends early.
struct Counted(Arc<AtomicU64>);

impl Counted {
    fn new(active: &Arc<AtomicU64>) -> Counted {
        active.fetch_add(1, Ordering::SeqCst);
        Counted(Arc::clone(active))
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}
