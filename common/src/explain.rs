//! `--explain`: narrate each numbered step of the lesson on stderr.
//!
//! ```text
//! [step 2/5] bind(('127.0.0.1', 8080))  ->  socket2::Socket::bind
//! ```
//! The step numbers are the ones in the comments of each steps file, in its
//! Python twin and in the book, so a student can follow the program, the listing and the chapter at once.

use std::fmt::Display;
use std::sync::atomic::{AtomicUsize, Ordering};

/// One numbered step's narration: the Python call and the Rust call, with
/// `{name}` placeholders filled from the narrator's values
/// (`bind({local})` -> `bind(('127.0.0.1', 8080))`).
#[derive(Debug, Clone, Copy)]
pub struct Step {
    /// The Python call, e.g. `"sendto({data}, {to})"`.
    pub python: &'static str,
    /// The Rust call, e.g. `"UdpSocket::send_to"`.
    pub rust: &'static str,
}

/// The `--explain` narrator a steps file calls with one short line per step,
/// `say.step(2)`: the texts live in a table beside the steps (`STEPS`, step
/// N at index N-1; `NOTES` for the optional calls that are not numbered, such
/// as a sender's `bind`), and the values shown in them are set once by the
/// tool around the steps (`.with("to", addr_repr(&to))`).
#[derive(Debug)]
pub struct Narrator {
    enabled: bool,
    steps: &'static [Step],
    notes: &'static [(&'static str, Step)],
    values: Vec<(&'static str, String)>,
    /// The step announced last, narrated or not: when a step fails, the tool
    /// asks which one it was, to say what was being done.
    last_step: AtomicUsize,
}

impl Clone for Narrator {
    fn clone(&self) -> Narrator {
        Narrator {
            enabled: self.enabled,
            steps: self.steps,
            notes: self.notes,
            values: self.values.clone(),
            last_step: AtomicUsize::new(self.last_step()),
        }
    }
}

impl Narrator {
    /// A narrator for a lesson whose steps are `steps`; silent unless `enabled`.
    pub fn new(
        enabled: bool,
        steps: &'static [Step],
        notes: &'static [(&'static str, Step)],
    ) -> Narrator {
        Narrator {
            enabled,
            steps,
            notes,
            values: Vec::new(),
            last_step: AtomicUsize::new(0),
        }
    }

    /// A silent narrator (tests and exercise checks that call the steps).
    pub fn silent() -> Narrator {
        Narrator::new(false, &[], &[])
    }

    /// Sets the value shown for `{name}` in the texts.
    pub fn with(mut self, name: &'static str, value: impl Display) -> Narrator {
        if self.enabled {
            self.values.push((name, value.to_string()));
        }
        self
    }

    /// `[step N/TOTAL] PYTHON  ->  RUST` on stderr.
    pub fn step(&self, number: usize) {
        self.step_with(number, &[]);
    }

    /// [`Narrator::step`] with `{data}` shown as Python's `repr` of `data`
    /// (what `sendto` sends and `recv` returns).
    pub fn step_data(&self, number: usize, data: &[u8]) {
        if self.enabled {
            self.step_with(number, &[("data", crate::pyrepr::bytes_repr(data))]);
        } else {
            self.last_step.store(number, Ordering::Relaxed);
        }
    }

    /// [`Narrator::step`] with `{text}` shown as Python's `repr` of a `str`
    /// (`'%Y年'`), or `…` for `None` (an input that was refused); the repr is
    /// made only when narrating, so a server pays nothing for it per request.
    pub fn step_text(&self, number: usize, text: Option<&str>) {
        if self.enabled {
            let shown = text.map_or_else(|| "…".to_string(), crate::pyrepr::str_repr);
            self.step_with(number, &[("text", shown)]);
        } else {
            self.last_step.store(number, Ordering::Relaxed);
        }
    }

    /// [`Narrator::step`] with values known only at that moment.
    pub fn step_with(&self, number: usize, values: &[(&'static str, String)]) {
        self.last_step.store(number, Ordering::Relaxed);
        if !self.enabled {
            return;
        }
        let Some(step) = number.checked_sub(1).and_then(|i| self.steps.get(i)) else {
            return;
        };
        let (python, rust) =
            (self.fill(step.python, values), self.fill(step.rust, values));
        crate::errln!("[step {number}/{}] {python}  ->  {rust}", self.steps.len());
    }

    /// `[note] PYTHON  ->  RUST`: an optional call that is not a numbered step.
    pub fn note(&self, name: &str) {
        if !self.enabled {
            return;
        }
        if let Some((_, step)) = self.notes.iter().find(|(key, _)| *key == name) {
            let (python, rust) =
                (self.fill(step.python, &[]), self.fill(step.rust, &[]));
            crate::errln!("    [note] {python}  ->  {rust}");
        }
    }

    /// A free-form remark between steps, e.g. why Rust differs.
    pub fn remark(&self, text: impl Display) {
        if self.enabled {
            crate::errln!("           {text}");
        }
    }

    /// The number of the step announced last (0 before the first): after an
    /// error of the steps, the step that failed.
    pub fn last_step(&self) -> usize {
        self.last_step.load(Ordering::Relaxed)
    }

    /// Whether `--explain` was given (to skip work done only for narration).
    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    fn fill(&self, template: &str, values: &[(&'static str, String)]) -> String {
        let mut text = template.to_string();
        for (name, value) in values.iter().chain(&self.values) {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_fills_in_its_values() {
        static STEPS: [Step; 2] = [
            Step { python: "socket()", rust: "Socket::new" },
            Step { python: "sendto({data}, {to})", rust: "UdpSocket::send_to" },
        ];
        let say = Narrator::new(true, &STEPS, &[]).with("to", "('127.0.0.1', 8080)");
        assert_eq!(
            say.fill(STEPS[1].python, &[("data", "b'hi'".into())]),
            "sendto(b'hi', ('127.0.0.1', 8080))"
        );
    }
}
