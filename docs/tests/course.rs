//! The whole course in one command: it runs every lesson, exits 0, leaves no
//! program behind when interrupted, and the book's samples match what the
//! programs print today. In class: `--list` names the lessons and exchanges,
//! a binary's name picks its lesson, `--step` waits for Enter before each
//! exchange, and the transcript is in the order things happened.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::UdpSocket;
use std::time::Duration;

use testkit::{Cmd, wait_until};

/// The whole course may take a while on a loaded machine; it normally takes seconds.
const COURSE_DEADLINE: Duration = Duration::from_secs(180);

#[test]
fn the_whole_course_passes() {
    let mut course = Cmd::bin("course").args(["--no-build"]).spawn();
    let out = course.wait_exit(COURSE_DEADLINE);
    assert!(out.status.success(), "{}\n{}", out.stdout, out.stderr);
    let summary = out.stdout.lines().last().unwrap();
    assert!(summary.contains(" passed, 0 failed"), "{summary}");
    for lesson in [
        "udp-sender",
        "udp-receiver",
        "udp-chat",
        "tcp-client",
        "tcp-server",
        "file-downloader",
        "time-server",
    ] {
        assert!(
            out.stdout.contains(&format!("\n{lesson:<16} pass")),
            "{lesson}:\n{}",
            out.stdout
        );
    }
    // udp-chat's menu and talk are part of the course, and both sides talked.
    for title in ["pass     menu: ", "pass     talk: "] {
        assert!(
            out.stdout.contains(&format!("udp-chat         {title}")),
            "{}",
            out.stdout
        );
    }
    assert!(out.stdout.contains("⌨ 收到 ⏎ Ctrl+D"), "talk: typing shown in time");
    // Narrated: the steps of the lessons are in the transcript.
    assert!(out.stdout.contains(
        "[step 1/5] udp_socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)"
    ));
}

#[test]
fn samples_in_the_book_match_the_programs() {
    let mut course = Cmd::bin("course").args(["--no-build", "--check-samples"]).spawn();
    let out = course.wait_exit(COURSE_DEADLINE);
    assert!(out.status.success(), "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("sample udp-sender: matches"), "{}", out.stdout);
}

#[test]
fn an_interrupted_course_leaves_no_program_running() {
    let mut course = Cmd::bin("course")
        .args([
            "--no-build",
            "--no-python",
            "--lesson",
            "udp-sender",
            "--pause-after-server",
        ])
        .spawn();
    let line = course.wait_stdout("paused: server listening on ");
    let addr = line.rsplit(' ').next().unwrap().to_string();
    // The lesson's receiver holds the port now.
    assert!(UdpSocket::bind(&addr).is_err(), "the receiver should be bound to {addr}");
    course.interrupt();
    let out = course.wait_exit(Duration::from_secs(20));
    assert!(!out.status.success());
    assert!(out.stderr.contains("every lesson program was stopped"), "{}", out.stderr);
    wait_until(Duration::from_secs(10), "the receiver to be gone", || {
        UdpSocket::bind(&addr).is_ok()
    });
}

const LESSONS: [&str; 7] = [
    "udp-sender",
    "udp-receiver",
    "udp-chat",
    "tcp-client",
    "tcp-server",
    "file-downloader",
    "time-server",
];

#[test]
fn unknown_lesson_is_a_usage_error_that_names_the_lessons() {
    let out = Cmd::bin("course").args(["--no-build", "--lesson", "nope"]).run();
    assert_eq!(out.code(), Some(2));
    assert!(out.stderr.contains("no lesson matches \"nope\""), "{}", out.stderr);
    for lesson in LESSONS {
        assert!(out.stderr.contains(lesson), "{lesson} not named:\n{}", out.stderr);
    }
    assert!(out.stderr.contains("file-downloader (or file-server)"), "{}", out.stderr);
    assert!(out.stderr.contains("time-server (or time-client)"), "{}", out.stderr);
    assert!(out.stderr.contains("course --list"), "{}", out.stderr);
    assert_eq!(out.stderr.lines().count(), 1, "one line: {}", out.stderr);
}

#[test]
fn list_names_the_lessons_and_their_exchanges() {
    let out = Cmd::bin("course").arg("--list").run();
    assert!(out.status.success(), "{}", out.stderr);
    let list = &out.stdout;
    // In the order of the book, each lesson once, with its other names.
    let mut at = 0;
    for lesson in LESSONS {
        let found = list[at..].find(&format!("\n{lesson}")).unwrap_or_else(|| {
            panic!("{lesson} missing or out of order:\n{list}");
        });
        at += found + 1;
    }
    assert!(list.contains("\nfile-downloader (also: file-server)\n"), "{list}");
    assert!(list.contains("\ntime-server (also: time-client)\n"), "{list}");
    // Numbered exchanges, the udp-chat menu and talk among them.
    assert!(list.contains("   1. udp-sender sends two datagrams"), "{list}");
    assert!(list.contains(". menu: the socket that sends (1)"), "{list}");
    assert!(list.contains(". talk: a receiving thread"), "{list}");
    assert!(
        list.contains("Python's udp_talk.py ↔ Rust udp-chat talk, GBK  [python3]"),
        "{list}"
    );
    // Nothing was run.
    assert!(!list.contains("terminal 1 $"), "{list}");
}

#[test]
fn a_binary_name_picks_its_lesson() {
    for (binary, lesson) in
        [("file-server", "file-downloader"), ("time-client", "time-server")]
    {
        let out = Cmd::bin("course")
            .args(["--no-build", "--no-python", "--lesson", binary])
            .spawn()
            .wait_exit(COURSE_DEADLINE);
        assert!(out.status.success(), "{binary}: {}\n{}", out.stdout, out.stderr);
        let table: Vec<&str> = out
            .stdout
            .lines()
            .skip_while(|line| !line.starts_with("lesson "))
            .skip(1)
            .take_while(|line| !line.is_empty())
            .collect();
        assert!(!table.is_empty(), "{}", out.stdout);
        for row in table {
            assert!(row.starts_with(&format!("{lesson:<16} ")), "{binary}: {row}");
        }
    }
}

#[test]
fn the_transcript_is_in_time_order() {
    let out = Cmd::bin("course")
        .args(["--no-build", "--no-python", "--lesson", "udp-sender"])
        .spawn()
        .wait_exit(COURSE_DEADLINE);
    assert!(out.status.success(), "{}\n{}", out.stdout, out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    let first = |what: &str| {
        lines
            .iter()
            .position(|line| line.contains(what))
            .unwrap_or_else(|| panic!("no line with {what:?}:\n{}", out.stdout))
    };
    // Terminal 1's receiver listened before terminal 2's sender was started,
    // and printed the datagrams after it: its lines are not all at the end.
    let listening = first("listening on 127.0.0.1:");
    let sender = first("terminal 2 $ udp-sender");
    let received = first(": 数据");
    assert!(
        listening < sender,
        "listening on after the sender started:\n{}",
        out.stdout
    );
    assert!(sender < received, "{}", out.stdout);
    assert!(first("── terminal 1: udp-receiver ──") < sender, "{}", out.stdout);
}

#[test]
fn step_waits_for_enter_before_each_exchange() {
    // udp-receiver's three exchanges without Python, one Enter at a time.
    let mut course = Cmd::bin("course")
        .args(["--no-build", "--no-python", "--lesson", "udp-receiver", "--step"])
        .spawn();
    // The heading (stdout), then the prompt (stderr), then nothing until Enter.
    course.wait_stdout("━━ 2. udp-receiver: ");
    course.wait_stderr("(--step) press Enter to run it");
    assert!(
        !course.stdout().contains("terminal 1 $"),
        "ran before Enter:\n{}",
        course.stdout()
    );

    course.send_line("");
    course.wait_stdout("━━ 3. udp-receiver: ");
    course.wait_stderr("(--step) press Enter to run it");
    // Blocked at the second exchange: the first one ran, the second did not.
    let so_far = course.stdout();
    assert_eq!(so_far.matches("terminal 1 $").count(), 1, "{so_far}");
    assert!(so_far.contains("✔ printed"), "{so_far}");

    // The end of stdin: the rest runs without waiting.
    course.close_stdin();
    let out = course.wait_exit(COURSE_DEADLINE);
    assert!(out.status.success(), "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.ends_with("3 passed, 0 failed, 1 skipped\n"), "{}", out.stdout);
}

#[test]
fn step_without_a_terminal_does_not_wait() {
    // Stdin closed at once, as in CI: --step must not hang.
    let out = Cmd::bin("course")
        .args(["--no-build", "--no-python", "--lesson", "tcp-server", "--step"])
        .spawn()
        .wait_exit(COURSE_DEADLINE);
    assert!(out.status.success(), "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains(" passed, 0 failed"), "{}", out.stdout);
}
