//! The steps files called directly, as an exercise checker calls them: the
//! client's steps ask the server's steps over real loopback sockets, and
//! each side returns what arrived.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::thread;

use common::Codec;
use common::explain::Narrator;
use common::testing::DEADLINE;
use time_server::steps::{client, server};
use time_server::strftime::Clock;

#[test]
fn the_client_steps_ask_the_server_steps() {
    let server_options = server::Options {
        reuse_address: true,
        bufsize: 1024,
        codec: Codec::UTF_8,
        clock: Clock::named("UTC").unwrap(),
        say: Narrator::silent(),
    };
    let udp_server =
        server::open("127.0.0.1:0".parse().unwrap(), &server_options).unwrap();
    udp_server.set_read_timeout(Some(DEADLINE)).unwrap();
    let to = udp_server.local_addr().unwrap();
    let serving = thread::spawn(move || {
        let mut buf = Vec::new();
        [(); 2]
            .map(|()| server::answer(&udp_server, &mut buf, &server_options).unwrap())
    });

    let client_options = client::Options {
        to,
        bufsize: 1024,
        timeout: DEADLINE,
        codec: Codec::UTF_8,
        say: Narrator::silent(),
    };
    let formats = [b"100%%".to_vec(), b"%Q".to_vec()];
    let answers = client::ask(formats.into_iter(), &client_options).unwrap();
    assert_eq!(answers[0], "100%");
    assert!(
        answers[1].starts_with("error: %Q is not a strftime directive"),
        "{answers:?}"
    );

    let [first, second] = serving.join().unwrap();
    assert_eq!(first.request.text, "100%%");
    assert_eq!(first.back_msg, b"100%");
    assert!(first.sent.is_ok());
    assert_eq!(second.request.text, "%Q");
    assert_eq!(second.request.from, first.request.from, "one client socket");
}
