//! tcp-client with a closed stdout (`tcp-client hi | head -0`) or a closed
//! stderr: it never panics. A closed stdout ends it quietly (exit 0); a closed
//! stderr changes nothing else.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use testkit::{Cmd, DEADLINE};

fn echo_server() -> (testkit::Proc, String) {
    let mut server = Cmd::bin("tcp-server").args(["--bind", "127.0.0.1:0"]).spawn();
    let addr = server.wait_listening().to_string();
    (server, addr)
}

#[test]
fn a_closed_stdout_ends_it_quietly() {
    let (_server, addr) = echo_server();
    let out = Cmd::bin("tcp-client")
        .args(["--to", &addr, "one", "two", "three"])
        .closed_stdout()
        .spawn()
        .wait_exit(DEADLINE);
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
}

#[test]
fn a_closed_stderr_changes_nothing_else() {
    let (_server, addr) = echo_server();
    let out = Cmd::bin("tcp-client")
        .args(["--to", &addr, "--explain", "one", "数据"])
        .closed_stderr()
        .spawn()
        .wait_exit(DEADLINE);
    assert_eq!(out.code(), Some(0));
    assert_eq!(out.stdout, "one\n数据\n");
}
