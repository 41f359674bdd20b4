//! Command-line values the lesson's programs once got wrong: timeouts too
//! short to exist (`1e-10` became 0), and IPv6 addresses with a scope id
//! (`[fe80::1%lo]:PORT`, refused as if the brackets were missing).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use testkit::{Cmd, DEADLINE};

#[test]
fn timeouts_below_a_millisecond_are_usage_errors() {
    // Port 0 and 127.0.0.1:1 (where nothing listens): should a value slip
    // through, nothing is disturbed.
    for value in ["1e-10", "0.0009"] {
        let server = Cmd::bin("tcp-server")
            .args(["--bind", "127.0.0.1:0", "--idle-timeout", value])
            .run();
        assert_eq!(server.code(), Some(2), "--idle-timeout {value}: {}", server.stderr);
        assert!(server.stderr.contains("from 0.001 (1 ms)"), "{}", server.stderr);

        let client = Cmd::bin("tcp-client")
            .args(["--to", "127.0.0.1:1", "--timeout", value, "hi"])
            .run();
        assert_eq!(client.code(), Some(2), "--timeout {value}: {}", client.stderr);
        assert!(client.stderr.contains("from 0.001 (1 ms)"), "{}", client.stderr);
    }
}

#[test]
fn a_millisecond_idle_timeout_works() {
    let mut server = Cmd::bin("tcp-server")
        .args(["--bind", "127.0.0.1:0", "--idle-timeout", "0.001", "--once"])
        .spawn();
    let addr = server.wait_listening();
    let silent = std::net::TcpStream::connect_timeout(&addr, DEADLINE).unwrap();
    let done = server.wait_exit(DEADLINE);
    assert!(done.status.success(), "{}", done.stderr);
    assert!(
        done.stdout.contains("(silent for 0.001s: --idle-timeout)"),
        "{}",
        done.stdout
    );
    drop(silent);
}

#[cfg(target_os = "linux")]
#[test]
fn an_ipv6_scope_id_may_name_the_interface() {
    if !testkit::has_ipv6_loopback() {
        eprintln!("SKIPPED: no IPv6 loopback here");
        return;
    }
    // Linux keeps a scope id only for link-local addresses (fe80::/10), which
    // loopback does not have: ::1 with %lo binds ::1, and the name is resolved.
    let mut server =
        Cmd::bin("tcp-server").args(["--bind", "[::1%lo]:0", "--once"]).spawn();
    let addr = server.wait_listening();
    assert!(addr.is_ipv6(), "{addr}");
    let to = format!("[::1%lo]:{}", addr.port());
    let out = Cmd::bin("tcp-client").args(["--to", &to, "scoped"]).run();
    assert_eq!(out.stdout, "scoped\n", "{}", out.stderr);
    let done = server.wait_exit(DEADLINE);
    assert!(done.stdout.contains(": scoped\n"), "{}", done.stdout);
}

#[test]
fn a_link_local_address_with_a_scope_id_is_understood() {
    // fe80::1 is on no interface here: bind fails, but as an address of this
    // machine (exit 1), not as a misspelt one (exit 2).
    // Linux resolves the name lo (index 1); a number works everywhere.
    let bind =
        if cfg!(target_os = "linux") { "[fe80::1%lo]:0" } else { "[fe80::1%1]:0" };
    let out = Cmd::bin("tcp-server").args(["--bind", bind]).run();
    assert_eq!(out.code(), Some(1), "{}", out.stderr);
    assert!(out.stderr.contains("cannot bind [fe80::1%"), "{}", out.stderr);
    assert!(!out.stderr.contains("brackets"), "{}", out.stderr);

    let out = Cmd::bin("tcp-server").args(["--bind", "[fe80::1%nosuchif0]:0"]).run();
    assert_eq!(out.code(), Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("unknown scope id '%nosuchif0'"), "{}", out.stderr);
    assert!(!out.stderr.contains("brackets"), "{}", out.stderr);
}
