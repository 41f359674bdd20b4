//! What `--explain` says at each step of `steps.rs` and of the modes: the
//! Python call and the Rust call side by side. `main.rs` fills in `{create}`,
//! `{reuse}`, `{reuse_rust}`, `{local}`, `{backlog}`, `{call}` and
//! `{rust_call}` (step 6 is `recv` unless [`sending`] says otherwise).

use common::explain::{Narrator, Step};

/// Steps 1–8 of tcp_server.py.
pub static STEPS: [Step; 8] = [
    Step { python: "{create}", rust: "socket2::Socket::new" },
    Step { python: "{reuse}", rust: "{reuse_rust}" },
    Step { python: "bind({local})", rust: "Socket::bind" },
    Step { python: "listen({backlog})", rust: "Socket::listen({backlog})" },
    Step { python: "accept()", rust: "Socket::accept" },
    Step { python: "client.{call}", rust: "{rust_call}" },
    Step { python: "client.close()", rust: "drop(client)" },
    Step { python: "tcp_server.close()", rust: "drop(tcp_server)" },
];

/// The optional calls (--greeting) and those of the modes for many clients.
pub static NOTES: [(&str, Step); 7] = [
    ("greeting", Step { python: "client.sendall(greeting)", rust: "Write::write_all" }),
    (
        "setblocking",
        Step {
            python: "tcp_server.setblocking(False)",
            rust: "Socket::set_nonblocking(true)",
        },
    ),
    (
        "selector",
        Step {
            python: "selector = selectors.DefaultSelector()",
            rust: "mio::Poll::new",
        },
    ),
    (
        "register server",
        Step {
            python: "selector.register(tcp_server, EVENT_READ)",
            rust: "Registry::register(READABLE)",
        },
    ),
    (
        "register client",
        Step {
            python: "selector.register(client, EVENT_READ)",
            rust: "Registry::register(READABLE | WRITABLE)",
        },
    ),
    ("select", Step { python: "events = selector.select()", rust: "Poll::poll" }),
    (
        "unregister",
        Step { python: "selector.unregister(client)", rust: "Registry::deregister" },
    ),
];

/// Step 6's other half: `client.CALL  ->  RUST`, e.g. `sendall(data)` and
/// `Write::write_all` (step 6's own text is the `recv`).
pub fn sending(say: &Narrator, call: &str, rust: &str) {
    if say.is_enabled() {
        say.step_with(
            6,
            &[("call", call.to_string()), ("rust_call", rust.to_string())],
        );
    }
}
