//! `--mode threads`: a thread for each client, so all are served at once.
//!
//! The next step every tutorial takes after "serve clients one after another"
//! (`python/tcp_server_threads.py`): the main thread only accepts; each
//! accepted socket moves into a thread of its own, which runs the lesson's
//! steps 6 and 7 ([`steps::serve_client`]). With `--max-clients N`, client
//! N+1 gets a polite "busy" line and is closed.

use std::thread;

use common::{Endpoint, Result};

use crate::service::Service;
use crate::steps::{self, Options};

/// Each client thread needs little stack: its buffer lives on the heap.
const CLIENT_STACK: usize = 256 * 1024;

// ANCHOR: steps
/// tcp_server_threads.py: the lesson's steps, each client's steps 6 and 7 in a
/// thread of its own, so the next accept need not wait for them.
pub fn serve_forever(local: &Endpoint, opt: &Options, service: &Service) -> Result<()> {
    // 1. create a TCP socket — socket.socket(AF_INET, SOCK_STREAM)
    // 2. reuse the address — setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
    // 3. bind the local address — bind(('127.0.0.1', 8898))
    // 4. listen — listen(128): steps 1–4 are the lesson's own (steps::open)
    let tcp_server = service.listen(local, opt)?;
    // A scope: the threads may borrow `opt` and `service`; it waits for them.
    thread::scope(|scope| {
        loop {
            // 5. wait for a client — client, addr = tcp_server.accept()
            let accepted = steps::accept(&tcp_server, opt);
            let Some((client, log)) = service.admit(accepted, &opt.say) else {
                continue;
            };
            // 6. recv/send in a thread of its own — threading.Thread(target=serve_client)
            // 7. which then closes the client's socket — client.close()
            let spawned = thread::Builder::new()
                .stack_size(CLIENT_STACK)
                .spawn_scoped(scope, move || steps::serve_client(client, log, opt));
            if let Err(err) = spawned {
                // The closure, with the client's socket, is dropped: it is closed.
                common::warn(format_args!("cannot start a thread for a client: {err}"));
            }
            if opt.once {
                break;
            }
        }
    });
    // 8. close the server socket — tcp_server.close()
    steps::close(tcp_server, opt);
    Ok(())
}
// ANCHOR_END: steps
