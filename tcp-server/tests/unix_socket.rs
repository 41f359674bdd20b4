//! `--bind unix:PATH` / `--to unix:PATH`: the same lesson over an AF_UNIX
//! stream socket (tutorials 002 and 004). The server removes its socket file
//! on exit, and never deletes a file that is not its own: a live server's
//! socket (even one that refuses us, or is too busy to answer), a newer
//! server's socket, a symbolic link.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use socket2::{Domain, SockAddr, Socket, Type};
use testkit::{Cmd, DEADLINE, Proc, TempDir};

/// Starts `tcp-server --bind unix:PATH ARGS…` and waits until it listens.
fn start_server(path: &Path, args: &[&str]) -> Proc {
    let to = format!("unix:{}", path.display());
    let mut server = Cmd::bin("tcp-server").args(["--bind", &to]).args(args).spawn();
    server.wait_stderr(&format!("listening on {to}"));
    server
}

/// Checks that the server at `path` still answers: one echo through tcp-client.
fn assert_serves(path: &Path) {
    let to = format!("unix:{}", path.display());
    let out = Cmd::bin("tcp-client").args(["--to", &to, "still here"]).run();
    assert!(out.status.success(), "{}", out.stderr);
    assert_eq!(out.stdout, "still here\n");
}

/// The inode of the file at `path` (not following a symbolic link).
fn inode(path: &Path) -> u64 {
    std::fs::symlink_metadata(path).unwrap().ino()
}

fn send_signal(server: &Proc, signal: &str) {
    let sent = Command::new("kill").args([signal, &server.id().to_string()]).status();
    assert!(sent.unwrap().success(), "kill {signal}");
}

#[test]
fn client_and_server_over_a_unix_socket_then_the_file_is_removed() {
    let dir = TempDir::new("tcp-server-unix");
    let path = dir.join("lesson.sock");
    let to = format!("unix:{}", path.display());
    let mut server = Cmd::bin("tcp-server").args(["--bind", &to, "--once"]).spawn();
    server.wait_stderr(&format!("listening on {to}"));
    assert!(path.exists());
    let out = Cmd::bin("tcp-client").args(["--to", &to, "over AF_UNIX", "数据"]).run();
    assert!(out.status.success(), "{}", out.stderr);
    assert_eq!(out.stdout, "over AF_UNIX\n数据\n");
    let said = format!("connected to {to} from AF_UNIX (unnamed)\n");
    assert!(out.stderr.contains(&said), "{}", out.stderr);
    let done = server.wait_exit(DEADLINE);
    assert!(done.status.success(), "{}", done.stderr);
    assert!(done.stdout.contains("connected: unix-client-1\n"), "{}", done.stdout);
    assert!(done.stdout.contains("unix-client-1: 数据\n"), "{}", done.stdout);
    assert!(!path.exists(), "the socket file is removed on exit");
}

#[test]
fn ctrl_c_removes_the_socket_file() {
    for mode in ["sequential", "threads", "nonblocking"] {
        let dir = TempDir::new("tcp-server-unix");
        let path = dir.join("s.sock");
        let to = format!("unix:{}", path.display());
        let mut server =
            Cmd::bin("tcp-server").args(["--bind", &to, "--mode", mode]).spawn();
        server.wait_stderr("listening on unix:");
        server.interrupt();
        let done = server.wait_exit(DEADLINE);
        assert!(done.status.success(), "{mode}: {}", done.stderr);
        assert!(!path.exists(), "{mode}: the socket file is removed on Ctrl+C");
    }
}

#[test]
fn sigterm_and_sighup_remove_the_socket_file() {
    for (signal, mode) in
        [("-TERM", "sequential"), ("-TERM", "threads"), ("-HUP", "nonblocking")]
    {
        let dir = TempDir::new("tcp-server-unix");
        let path = dir.join("s.sock");
        let mut server = start_server(&path, &["--mode", mode]);
        send_signal(&server, signal);
        let done = server.wait_exit(DEADLINE);
        assert!(
            done.status.success(),
            "{signal} {mode}: {} {}",
            done.status,
            done.stderr
        );
        assert!(done.stderr.contains("stopped by a signal"), "{}", done.stderr);
        assert!(!path.exists(), "{signal} {mode}: the socket file is removed");
    }
}

#[test]
fn a_left_over_socket_file_is_replaced_but_a_live_one_is_not() {
    let dir = TempDir::new("tcp-server-unix");
    let path = dir.join("old.sock");
    drop(UnixListener::bind(&path).unwrap()); // the file stays behind
    let to = format!("unix:{}", path.display());
    let mut server = Cmd::bin("tcp-server").args(["--bind", &to]).spawn();
    server.wait_stderr("removed");
    server.wait_stderr("listening on unix:");

    let live = inode(&path);
    let second = Cmd::bin("tcp-server").args(["--bind", &to]).run();
    assert_eq!(second.code(), Some(1));
    assert!(
        second
            .stderr
            .contains(&format!("cannot bind {to}: another server is listening there")),
        "{}",
        second.stderr
    );
    // The hint is about the path, not about ports.
    assert!(second.stderr.contains("--bind unix:"), "{}", second.stderr);
    assert!(!second.stderr.contains("PORT"), "{}", second.stderr);
    assert_eq!(inode(&path), live, "the live server's file is left alone");
    assert_serves(&path);
}

#[test]
fn a_live_socket_that_denies_connect_is_not_deleted() {
    let dir = TempDir::new("tcp-server-unix");
    let path = dir.join("locked.sock");
    let to = format!("unix:{}", path.display());
    let _live = start_server(&path, &[]);
    let live = inode(&path);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();

    // root connects whatever the mode says: the second server then runs as
    // nobody, in a directory where nobody could delete the file.
    let mut second = Cmd::bin("tcp-server");
    if dir.path().metadata().unwrap().uid() == 0 {
        let Some(nobody) = as_nobody(&testkit::bin("tcp-server")) else {
            return;
        };
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777))
            .unwrap();
        second = nobody;
    }
    let second = second.args(["--bind", &to]).run();
    assert_eq!(second.code(), Some(1), "{}", second.stderr);
    assert!(
        second.stderr.contains(&format!(
            "cannot tell whether a server still uses {}: permission denied",
            path.display()
        )),
        "{}",
        second.stderr
    );
    assert!(second.stderr.contains("left alone"), "{}", second.stderr);
    assert_eq!(inode(&path), live, "the live server's file is left alone");

    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_serves(&path);
}

/// `setpriv` running `program` as user and group 65534 (nobody), or `None`
/// (with a message) when this machine cannot.
#[allow(clippy::print_stderr)] // says SKIPPED
fn as_nobody(program: &Path) -> Option<Cmd> {
    let nobody = ["--reuid=65534", "--regid=65534", "--clear-groups"];
    let works = Command::new("setpriv")
        .args(nobody)
        .arg(program)
        .arg("--version")
        .output()
        .is_ok_and(|out| out.status.success());
    if !works {
        eprintln!(
            "SKIPPED: running as root and `setpriv` cannot start tcp-server as nobody"
        );
        return None;
    }
    Some(Cmd::new("setpriv").args(nobody).arg(program))
}

#[test]
fn a_probe_of_a_server_with_a_full_backlog_gives_up_in_time() {
    let dir = TempDir::new("tcp-server-unix");
    let path = dir.join("busy.sock");
    let to = format!("unix:{}", path.display());
    // Sequential with listen(0): one client served, the few next ones queued.
    let mut live = start_server(&path, &["--backlog", "0"]);
    let served = UnixStream::connect(&path).unwrap();
    live.wait_stdout("connected: unix-client-1");
    let addr = SockAddr::unix(&path).unwrap();
    let mut queued = Vec::new();
    let full = (0..100).any(|_| {
        let client = Socket::new(Domain::UNIX, Type::STREAM, None).unwrap();
        client.set_nonblocking(true).unwrap();
        match client.connect(&addr) {
            Ok(()) => {
                queued.push(client);
                false
            }
            Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => true,
            Err(err) => panic!("queueing a client: {err}"),
        }
    });
    assert!(full, "the backlog never filled ({} clients queued)", queued.len());

    let started = Instant::now();
    let second = Cmd::bin("tcp-server").args(["--bind", &to]).run();
    let took = started.elapsed();
    assert_eq!(second.code(), Some(1), "{}", second.stderr);
    assert!(
        second.stderr.contains(&format!(
            "cannot bind {to}: another server is listening there, too busy"
        )),
        "{}",
        second.stderr
    );
    assert!(second.stderr.contains("backlog is full"), "{}", second.stderr);
    // The probe waits 1 s; the rest is starting a process on a busy machine.
    assert!(took < Duration::from_secs(10), "the probe took {took:?}");
    assert!(path.exists(), "the busy server's file is left alone");

    drop(served);
    drop(queued);
    live.wait_stdout("closed: unix-client-1");
}

#[test]
fn a_newer_servers_socket_survives_the_older_servers_exit() {
    for stop in ["normal exit", "Ctrl+C", "SIGTERM"] {
        let dir = TempDir::new("tcp-server-unix");
        let path = dir.join("shared.sock");
        let mut older = start_server(&path, &["--once"]);
        let client = UnixStream::connect(&path).unwrap();
        older.wait_stdout("connected: unix-client-1");
        // Someone removes the older server's file and a newer server takes the path.
        std::fs::remove_file(&path).unwrap();
        let _newer = start_server(&path, &[]);
        let newer_file = inode(&path);

        match stop {
            "normal exit" => drop(client), // --once: the older server returns
            "Ctrl+C" => older.interrupt(),
            _ => send_signal(&older, "-TERM"),
        }
        let done = older.wait_exit(DEADLINE);
        let now = std::fs::symlink_metadata(&path).ok().map(|meta| meta.ino());
        assert_eq!(
            now,
            Some(newer_file),
            "{stop}: the newer server's file stays\n{}",
            done.stderr
        );
        assert_serves(&path);
        assert!(done.status.success(), "{stop}: {}", done.stderr);
        assert!(
            done.stderr.contains(&format!("left {} alone", path.display())),
            "{stop}: {}",
            done.stderr
        );
    }
}

#[test]
fn a_symbolic_link_at_the_path_is_an_error_about_the_path() {
    let dir = TempDir::new("tcp-server-unix");
    let live_path = dir.join("live.sock");
    let _live = start_server(&live_path, &[]);
    for (name, target) in [
        ("dangling.sock", dir.join("missing.sock")),
        ("to-live.sock", live_path.clone()),
    ] {
        let link = dir.join(name);
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let to = format!("unix:{}", link.display());
        let out = Cmd::bin("tcp-server").args(["--bind", &to]).run();
        assert_eq!(out.code(), Some(1), "{name}: {}", out.stderr);
        // Not "choose another port": the trouble is the path.
        assert!(!out.stderr.contains("PORT"), "{name}: {}", out.stderr);
        assert!(
            out.stderr.contains(&format!(
                "{} is a symbolic link (to {})",
                link.display(),
                target.display()
            )),
            "{name}: {}",
            out.stderr
        );
        assert!(
            std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(),
            "{name}"
        );
    }
    assert!(!dir.join("missing.sock").exists());
    assert_serves(&live_path);
}

#[test]
fn nothing_listening_on_a_unix_path() {
    let dir = TempDir::new("tcp-client-unix");
    let to = format!("unix:{}", dir.join("none.sock").display());
    let out = Cmd::bin("tcp-client").args(["--to", &to, "hi"]).run();
    assert_eq!(out.code(), Some(1));
    assert!(
        out.stderr.contains(&format!("nothing is listening on {to}")),
        "{}",
        out.stderr
    );
}
