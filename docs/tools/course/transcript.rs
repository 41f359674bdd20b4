//! The transcript: what the course prints as it goes, and the per-lesson
//! sample sessions the book includes (ports, times and folders masked).
//!
//! The lines of an exchange's programs are printed in the order they were
//! read — the server's `listening on` before the client's command, the
//! receiver's datagram after the sender's `sendto` — under a `── terminal N:
//! PROGRAM ──` heading each time the terminal changes. Two programs that print
//! at the same moment may come out in either order from one run to the next,
//! so a sample is compared with the book terminal by terminal: each
//! terminal's lines must be the same, in the same order.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use crate::lessons::Exchange;

/// Something that happened in an exchange, in one terminal.
pub struct Event {
    pub at: Instant,
    pub terminal: usize,
    pub what: What,
}

pub enum What {
    /// `terminal N $ COMMAND`
    Command(String),
    /// A line a program printed.
    Printed { program: &'static str, line: String },
    /// Text typed into a program after it started, then the end of its input
    /// (shown as `⌨ TEXT ⏎ Ctrl+D`).
    Typed { program: &'static str, text: String },
}

/// What has been printed, kept per lesson for the samples.
#[derive(Default)]
pub struct Transcript {
    samples: BTreeMap<&'static str, Vec<String>>,
    current: Option<&'static str>,
    in_sample: bool,
}

impl Transcript {
    /// A heading for exchange `number` (its place in the whole course).
    pub fn begin(&mut self, number: usize, exchange: &Exchange) {
        common::outln!("\n━━ {number}. {}: {} ━━", exchange.lesson, exchange.title);
        self.current = Some(exchange.lesson);
        self.in_sample = exchange.in_sample;
        self.sample_line(format!("# {}", exchange.title));
    }

    /// An exchange's commands, output and typing, in the order they happened.
    pub fn events(&mut self, mut events: Vec<Event>) {
        // Stable: lines read at the same instant keep the order they were read in.
        events.sort_by_key(|event| event.at);
        let mut heading: Option<usize> = None;
        for event in events {
            let terminal = event.terminal;
            let (program, line) = match event.what {
                What::Command(shown) => {
                    self.line(format!("terminal {terminal} $ {shown}"));
                    heading = None;
                    continue;
                }
                What::Printed { program, line } => (program, line),
                What::Typed { program, text } => {
                    // Typed, then the end of input: stdin is closed after it.
                    let keys: String = text
                        .split_inclusive('\n')
                        .map(|line| line.replace('\n', " ⏎ "))
                        .collect();
                    (program, format!("⌨ {keys}Ctrl+D"))
                }
            };
            if heading != Some(terminal) {
                self.line(format!("── terminal {terminal}: {program} ──"));
                heading = Some(terminal);
            }
            self.line(line);
        }
    }

    /// A check that passed.
    pub fn checked(&mut self, text: &str) {
        common::outln!("✔ printed {text:?}");
    }

    /// A check or a step that failed.
    pub fn failure(&mut self, err: &str) {
        common::outln!("✘ {err}");
    }

    fn line(&mut self, line: String) {
        common::outln!("{line}");
        self.sample_line(line);
    }

    fn sample_line(&mut self, line: String) {
        if let (Some(lesson), true) = (self.current, self.in_sample) {
            let samples = self.samples.entry(lesson).or_default();
            if line.starts_with("# ") && !samples.is_empty() {
                samples.push(String::new());
            }
            samples.push(line);
        }
    }

    fn rendered(&self) -> BTreeMap<&'static str, String> {
        self.samples
            .iter()
            .map(|(lesson, lines)| {
                let mut text = String::from(
                    "# Captured by `cargo run -p docs --bin course -- --write-samples`; \
                     ports, times and folders masked.\n",
                );
                let mut ports = Vec::new();
                for line in lines {
                    text.push_str(&mask(line, &mut ports));
                    text.push('\n');
                }
                (*lesson, text)
            })
            .collect()
    }

    /// Writes docs/samples/LESSON.txt for each lesson whose sample changed
    /// (a sample that differs only in how two terminals interleave is kept, so
    /// the book does not change from run to run); true when all were written.
    pub fn write_samples(&self, dir: &Path) -> bool {
        if let Err(err) = std::fs::create_dir_all(dir) {
            common::errln!("error: cannot create {}: {err}", dir.display());
            return false;
        }
        let mut ok = true;
        for (lesson, text) in self.rendered() {
            let path = dir.join(format!("{lesson}.txt"));
            let committed = std::fs::read_to_string(&path).unwrap_or_default();
            if by_terminal(&committed) == by_terminal(&text) {
                common::outln!("unchanged {}", path.display());
                continue;
            }
            match std::fs::write(&path, text) {
                Ok(()) => common::outln!("wrote {}", path.display()),
                Err(err) => {
                    common::errln!("error: cannot write {}: {err}", path.display());
                    ok = false;
                }
            }
        }
        ok
    }

    /// Compares with docs/samples/LESSON.txt, terminal by terminal; true when
    /// every sample matches.
    pub fn check_samples(&self, dir: &Path) -> bool {
        let mut ok = true;
        for (lesson, text) in self.rendered() {
            let path = dir.join(format!("{lesson}.txt"));
            let committed =
                by_terminal(&std::fs::read_to_string(&path).unwrap_or_default());
            let now = by_terminal(&text);
            if committed == now {
                common::outln!("sample {lesson}: matches");
                continue;
            }
            ok = false;
            let first_difference = committed
                .lines()
                .zip(now.lines())
                .find(|(old, new)| old != new)
                .map(|(old, new)| format!("\n  book: {old}\n  now:  {new}"))
                .unwrap_or_else(|| " (one has more lines)".to_string());
            common::outln!(
                "sample {lesson}: differs from {}, terminal by terminal:{first_difference}\n\
                 (hint: if the change is intended, run cargo run -p docs --bin course -- --write-samples)",
                path.display()
            );
        }
        ok
    }
}

/// A sample with each exchange's lines grouped by terminal (terminal 1's
/// commands and output, then terminal 2's, …) and the ports numbered again in
/// that order: what stays the same when two programs race to print.
fn by_terminal(sample: &str) -> String {
    let mut blocks: Vec<(String, BTreeMap<usize, Vec<&str>>)> = Vec::new();
    let mut terminal = 0;
    // Blank lines only separate exchanges; where one falls depends on the race.
    for line in sample.lines().filter(|line| !line.is_empty()) {
        if line.starts_with("# ") || blocks.is_empty() {
            blocks.push((line.to_string(), BTreeMap::new()));
            terminal = 0;
            continue;
        }
        let Some((_, block)) = blocks.last_mut() else { continue };
        if let Some(heading) = line.strip_prefix("── terminal ") {
            terminal =
                heading.split(':').next().and_then(|n| n.parse().ok()).unwrap_or(0);
            // The heading names the program: part of the terminal's lines.
            block.entry(terminal).or_default().push(line);
            continue;
        }
        if let Some(command) = line.strip_prefix("terminal ") {
            let number = command.split(' ').next().and_then(|n| n.parse().ok());
            if let (Some(number), true) = (number, command.contains(" $ ")) {
                block.entry(number).or_default().push(line);
                continue;
            }
        }
        block.entry(terminal).or_default().push(line);
    }
    let mut grouped = String::new();
    for (title, terminals) in blocks {
        grouped.push_str(&title);
        grouped.push('\n');
        for lines in terminals.values() {
            // A heading repeats whenever the terminal's output resumes.
            let mut last_heading = None;
            for line in lines {
                if line.starts_with("── terminal ") {
                    if last_heading == Some(*line) {
                        continue;
                    }
                    last_heading = Some(*line);
                }
                grouped.push_str(line);
                grouped.push('\n');
            }
        }
    }
    let mut ports = Vec::new();
    grouped.lines().map(|line| mask(line, &mut ports) + "\n").collect()
}

/// Masks what changes from run to run: port numbers (numbered in order of
/// appearance: PORT1, PORT2, …), times and dates.
pub fn mask(line: &str, ports: &mut Vec<String>) -> String {
    let mut out = String::with_capacity(line.len());
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let rest: String = chars[i..].iter().take(24).collect();
        // A port follows "127.0.0.1:", "]:", "('127.0.0.1', ", "local port ", and "127.0.0.1 "
        // where a port is typed after its address (printf … 127.0.0.1 PORT …).
        let prefix = [
            "127.0.0.1:",
            "127.0.0.1 ",
            "0.0.0.0:",
            "]:",
            "', ",
            "local port ",
            "port ",
        ]
        .into_iter()
        .find(|prefix| rest.starts_with(prefix));
        if let Some(prefix) = prefix {
            let after = i + prefix.chars().count();
            let mut digits: String =
                chars[after..].iter().take_while(|c| c.is_ascii_digit()).collect();
            // An already masked port (PORT3) is numbered again, in this order.
            let masked = chars[after..].iter().take(4).collect::<String>() == "PORT";
            if masked {
                digits = std::iter::once("PORT".to_string())
                    .chain(
                        chars[after + 4..]
                            .iter()
                            .take_while(|c| c.is_ascii_digit())
                            .map(char::to_string),
                    )
                    .collect();
            }
            if (masked && digits.len() > 4) || (!masked && digits.len() >= 2) {
                let index = match ports.iter().position(|p| *p == digits) {
                    Some(index) => index,
                    None => {
                        ports.push(digits.clone());
                        ports.len() - 1
                    }
                };
                out.push_str(prefix);
                out.push_str(&format!("PORT{}", index + 1));
                i = after + digits.len();
                continue;
            }
        }
        // HH:MM:SS and YYYY-MM-DD.
        if let Some(masked) = time_at(&chars[i..]) {
            out.push_str(masked.0);
            i += masked.1;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

fn time_at(chars: &[char]) -> Option<(&'static str, usize)> {
    let shape = |pattern: &str| {
        pattern.chars().count() <= chars.len()
            && pattern
                .chars()
                .zip(chars)
                .all(|(p, c)| if p == 'd' { c.is_ascii_digit() } else { p == *c })
    };
    if shape("dddd-dd-dd") {
        Some(("YYYY-MM-DD", 10))
    } else if shape("dd:dd:dd") {
        Some(("HH:MM:SS", 8))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_numbered_in_order() {
        let mut ports = Vec::new();
        assert_eq!(
            mask(
                "sent 5 bytes to 127.0.0.1:40001 from local port 50002 (x)",
                &mut ports
            ),
            "sent 5 bytes to 127.0.0.1:PORT1 from local port PORT2 (x)"
        );
        assert_eq!(
            mask("(b'', ('127.0.0.1', 50002))", &mut ports),
            "(b'', ('127.0.0.1', PORT2))"
        );
        assert_eq!(
            mask("bind(('127.0.0.1', 0))", &mut ports),
            "bind(('127.0.0.1', 0))"
        );
    }

    #[test]
    fn samples_compare_terminal_by_terminal() {
        let book = "# Captured\n# an exchange\nterminal 1 $ server\n── terminal 1: server ──\n\
                    listening on 127.0.0.1:PORT1\nterminal 2 $ client --to 127.0.0.1:PORT1\n\
                    ── terminal 2: client ──\nsent from 127.0.0.1:PORT2\n\
                    ── terminal 1: server ──\n127.0.0.1:PORT2: hi\n";
        // The same lines, the server's datagram read before the client's line.
        let now = "# Captured\n# an exchange\nterminal 1 $ server\n── terminal 1: server ──\n\
                   listening on 127.0.0.1:PORT1\nterminal 2 $ client --to 127.0.0.1:PORT1\n\
                   ── terminal 1: server ──\n127.0.0.1:PORT2: hi\n\
                   ── terminal 2: client ──\nsent from 127.0.0.1:PORT2\n";
        assert_ne!(book, now);
        assert_eq!(by_terminal(book), by_terminal(now));
        // Ports are numbered again in the grouped order.
        assert!(by_terminal(now).contains("sent from 127.0.0.1:PORT2"));
        // A line that changed is a difference, wherever it is.
        assert_ne!(by_terminal(book), by_terminal(&now.replace(": hi", ": ho")));
        // So is a line that moved to the other terminal.
        let moved = now.replace(
            "127.0.0.1:PORT2: hi\n── terminal 2: client ──\n",
            "── terminal 2: client ──\n127.0.0.1:PORT2: hi\n",
        );
        assert_ne!(by_terminal(book), by_terminal(&moved));
    }

    #[test]
    fn typing_is_shown_where_it_happened() {
        let mut transcript = Transcript::default();
        let start = Instant::now();
        let later = |ms| start + std::time::Duration::from_millis(ms);
        let printed = |at, terminal, line: &str| Event {
            at,
            terminal,
            what: What::Printed { program: "talk", line: line.to_string() },
        };
        transcript.current = Some("udp-chat");
        transcript.in_sample = true;
        transcript.events(vec![
            printed(later(3), 2, "message from [127.0.0.1:1]: 收到"),
            Event { at: later(0), terminal: 1, what: What::Command("talk".into()) },
            printed(later(1), 1, "message from [127.0.0.1:2]: 你好"),
            Event {
                at: later(2),
                terminal: 1,
                what: What::Typed { program: "talk", text: "收到\n".into() },
            },
        ]);
        assert_eq!(
            transcript.samples["udp-chat"],
            [
                "terminal 1 $ talk",
                "── terminal 1: talk ──",
                "message from [127.0.0.1:2]: 你好",
                "⌨ 收到 ⏎ Ctrl+D",
                "── terminal 2: talk ──",
                "message from [127.0.0.1:1]: 收到",
            ]
        );
    }

    #[test]
    fn times_are_masked() {
        let mut ports = Vec::new();
        assert_eq!(mask("2026-11-22 01:02:03", &mut ports), "YYYY-MM-DD HH:MM:SS");
    }
}
