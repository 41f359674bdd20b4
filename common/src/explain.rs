//! `--explain`: narrate each numbered step of the lesson on stderr.
//!
//! ```text
//! [step 2/5] bind(('127.0.0.1', 8080))  ->  socket2::Socket::bind
//! ```
//! The step numbers are the ones in the comments of each `main.rs` and in the
//! book, so a student can follow the program, the listing and the chapter at once.

use std::fmt::Display;

/// The narrator of one lesson: knows how many steps it has and whether to speak.
#[derive(Debug, Clone, Copy)]
pub struct Explain {
    enabled: bool,
    steps: usize,
}

impl Explain {
    /// A narrator for a lesson of `steps` steps; silent unless `enabled`.
    pub fn new(enabled: bool, steps: usize) -> Explain {
        Explain { enabled, steps }
    }

    /// Whether `--explain` was given.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// `[step N/TOTAL] PYTHON  ->  RUST` on stderr.
    pub fn step(&self, number: usize, python: impl Display, rust: impl Display) {
        if self.enabled {
            crate::errln!("{}", self.line(number, python, rust));
        }
    }

    /// A free-form remark between steps, e.g. why Rust differs: `      note: …`.
    pub fn note(&self, text: impl Display) {
        if self.enabled {
            crate::errln!("           {text}");
        }
    }

    /// The text [`Explain::step`] prints (for tests and the book).
    pub fn line(
        &self,
        number: usize,
        python: impl Display,
        rust: impl Display,
    ) -> String {
        format!("[step {number}/{}] {python}  ->  {rust}", self.steps)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_shows_both_calls() {
        let explain = Explain::new(true, 5);
        assert_eq!(
            explain.line(2, "bind(('127.0.0.1', 8080))", "socket2::Socket::bind"),
            "[step 2/5] bind(('127.0.0.1', 8080))  ->  socket2::Socket::bind"
        );
    }
}
