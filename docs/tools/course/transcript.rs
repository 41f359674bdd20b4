//! The transcript: what the course prints as it goes, and the per-lesson
//! sample sessions the book includes (ports, times and folders masked).

use std::collections::BTreeMap;
use std::path::Path;

use crate::lessons::Exchange;

/// What has been printed, kept per lesson for the samples.
#[derive(Default)]
pub struct Transcript {
    samples: BTreeMap<&'static str, Vec<String>>,
    current: Option<&'static str>,
    in_sample: bool,
}

impl Transcript {
    /// A heading for exchange `number`.
    pub fn begin(&mut self, number: usize, exchange: &Exchange) {
        common::outln!("\n━━ {number}. {}: {} ━━", exchange.lesson, exchange.title);
        self.current = Some(exchange.lesson);
        self.in_sample = exchange.in_sample;
        self.sample_line(format!("# {}", exchange.title));
    }

    /// `terminal N $ COMMAND`.
    pub fn command(&mut self, terminal: usize, shown: &str) {
        let line = format!("terminal {terminal} $ {shown}");
        common::outln!("{line}");
        self.sample_line(line);
    }

    /// What a program printed (stdout and stderr, in order).
    pub fn output(&mut self, terminal: usize, name: &str, lines: &[String]) {
        let heading = format!("── terminal {terminal}: {name} ──");
        common::outln!("{heading}");
        self.sample_line(heading);
        for line in lines {
            common::outln!("{line}");
            self.sample_line(line.clone());
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

    /// Writes docs/samples/LESSON.txt for each lesson; true when all were written.
    pub fn write_samples(&self, dir: &Path) -> bool {
        if let Err(err) = std::fs::create_dir_all(dir) {
            common::errln!("error: cannot create {}: {err}", dir.display());
            return false;
        }
        let mut ok = true;
        for (lesson, text) in self.rendered() {
            let path = dir.join(format!("{lesson}.txt"));
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

    /// Compares with docs/samples/LESSON.txt; true when every sample matches.
    pub fn check_samples(&self, dir: &Path) -> bool {
        let mut ok = true;
        for (lesson, text) in self.rendered() {
            let path = dir.join(format!("{lesson}.txt"));
            let committed = std::fs::read_to_string(&path).unwrap_or_default();
            if committed == text {
                common::outln!("sample {lesson}: matches");
                continue;
            }
            ok = false;
            let first_difference = committed
                .lines()
                .zip(text.lines())
                .enumerate()
                .find(|(_, (old, new))| old != new)
                .map(|(index, (old, new))| {
                    format!("line {}:\n  book: {old}\n  now:  {new}", index + 1)
                })
                .unwrap_or_else(|| "the files differ in length".to_string());
            common::outln!(
                "sample {lesson}: differs from {} at {first_difference}\n\
                 (hint: if the change is intended, run cargo run -p docs --bin course -- --write-samples)",
                path.display()
            );
        }
        ok
    }
}

/// Masks what changes from run to run: port numbers (numbered in order of
/// appearance: PORT1, PORT2, …), times and dates.
pub fn mask(line: &str, ports: &mut Vec<String>) -> String {
    let mut out = String::with_capacity(line.len());
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let rest: String = chars[i..].iter().take(24).collect();
        // A port follows "127.0.0.1:", "]:", "('127.0.0.1', ", "local port ".
        let prefix = ["127.0.0.1:", "0.0.0.0:", "]:", "', ", "local port ", "port "]
            .into_iter()
            .find(|prefix| rest.starts_with(prefix));
        if let Some(prefix) = prefix {
            let after = i + prefix.chars().count();
            let digits: String =
                chars[after..].iter().take_while(|c| c.is_ascii_digit()).collect();
            if digits.len() >= 2 && digits != "0" {
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
    fn times_are_masked() {
        let mut ports = Vec::new();
        assert_eq!(mask("2026-11-22 01:02:03", &mut ports), "YYYY-MM-DD HH:MM:SS");
    }
}
