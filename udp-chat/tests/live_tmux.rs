//! The tutorial's QQ chat played live in two terminals: `qq-server` and `qq-client`
//! in two tmux panes, typed into with `send-keys` and read with
//! `capture-pane`. Skipped (with a message) where tmux is not installed;
//! the other tests drive the same programs through pipes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

use testkit::{DEADLINE, TempDir, bin, free_udp_port, wait_until};

/// A tmux server of this test alone (its socket in a temporary folder),
/// killed when dropped.
struct Tmux {
    socket: String,
    _dir: TempDir,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-u", "-S", &self.socket])
            .args(args)
            .env("TERM", "xterm-256color")
            .env_remove("NO_COLOR")
            .output()
            .unwrap()
    }

    /// What a pane shows; with `escapes`, its colours as escape codes too.
    fn screen(&self, pane: &str, escapes: bool) -> String {
        let mut args = vec!["capture-pane", "-p", "-J", "-t", pane];
        if escapes {
            args.push("-e");
        }
        String::from_utf8_lossy(&self.run(&args).stdout).into_owned()
    }

    fn wait_for(&self, pane: &str, text: &str, times: usize) {
        wait_until(DEADLINE, &format!("{text:?} in pane {pane}"), || {
            self.screen(pane, false).matches(text).count() >= times
        });
    }

    /// Types `text` and Enter, as a person would.
    fn type_line(&self, pane: &str, text: &str) {
        assert!(self.run(&["send-keys", "-t", pane, "-l", text]).status.success());
        assert!(self.run(&["send-keys", "-t", pane, "Enter"]).status.success());
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

#[test]
fn qq_chat_in_two_terminals() {
    let tmux_found =
        Command::new("tmux").arg("-V").output().is_ok_and(|out| out.status.success());
    if !tmux_found {
        eprintln!(
            "SKIPPED: tmux not found; the live two-terminal QQ chat was not played"
        );
        return;
    }
    let dir = TempDir::new("udp-chat-tmux");
    let socket = dir.join("tmux.sock").display().to_string();
    let tmux = Tmux { socket, _dir: dir };
    let program = bin("udp-chat").display().to_string();
    let addr = format!("127.0.0.1:{}", free_udp_port());
    // `; sleep 60` keeps a pane readable if a program ends early.
    let server =
        format!("env LANG=C.UTF-8 {program} qq-server --bind {addr}; sleep 60");
    let client = format!("env LANG=C.UTF-8 {program} qq-client --to {addr}; sleep 60");
    let size = ["-x", "160", "-y", "24"];
    let started =
        tmux.run(&[&["new-session", "-d", "-s", "qq"][..], &size, &[&server]].concat());
    assert!(started.status.success(), "{}", String::from_utf8_lossy(&started.stderr));
    tmux.wait_for("qq:0.0", &format!("listening on {addr}"), 1);
    assert!(tmux.run(&["split-window", "-t", "qq", "-v", &client]).status.success());
    let (server, client) = ("qq:0.0", "qq:0.1");

    // Terminal 2 chooses 金老板 and says 你好; terminal 1 sees it and replies.
    tmux.wait_for(client, "choose a contact", 1);
    tmux.type_line(client, "金老板");
    tmux.wait_for(client, "chatting with 金老板", 1);
    tmux.type_line(client, "你好");
    tmux.wait_for(server, "]: 你好", 1);
    tmux.wait_for(server, "回复消息", 1);
    tmux.type_line(server, "收到，你好");
    tmux.wait_for(client, &format!("message from [{addr}]: 收到，你好"), 1);

    // On a terminal the message is in the tutorial's colours (bold, blue background).
    let coloured = tmux.screen(client, true);
    assert!(coloured.contains("44m"), "no colour on the terminal: {coloured:?}");

    // q goes back to the choice of a contact.
    tmux.type_line(client, "q");
    tmux.wait_for(client, "choose a contact", 2);
}
