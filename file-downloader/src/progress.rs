//! The download's progress bar: on stderr, only on a terminal (and not with
//! `NO_COLOR`), only when the size is known (the framed protocol).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress bar, or nothing.
#[derive(Debug)]
pub struct Progress(Option<ProgressBar>);

impl Progress {
    /// A bar for `total` bytes; hidden when the size is unknown or stderr is
    /// not a terminal (so pipes, logs and tests see plain lines).
    pub fn new(total: Option<u64>) -> Progress {
        let Some(total) = total else { return Progress(None) };
        if !common::term::colour_stderr() {
            return Progress(None);
        }
        let bar =
            ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        // A template that does not parse is a bug here, not a reason to fail a download.
        if let Ok(style) = ProgressStyle::with_template(
            "{bar:30} {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta}",
        ) {
            bar.set_style(style);
        }
        Progress(Some(bar))
    }

    /// `n` more bytes arrived.
    pub fn advance(&self, n: u64) {
        if let Some(bar) = &self.0 {
            bar.inc(n);
        }
    }

    /// Removes the bar (done, or failed: the error line says which).
    pub fn clear(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.clear();
    }
}
