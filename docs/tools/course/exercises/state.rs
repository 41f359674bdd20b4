//! Where each student stands, kept from the last check in
//! `target/exercises/state.txt` (git ignores `target/`): one line per
//! exercise, `ID<TAB>FAILING STEP or 0<TAB>HINTS GIVEN<TAB>FINGERPRINT`, the
//! last a digest of the file that was checked, so that a file saved since is
//! shown as not checked rather than with a verdict that is no longer true.

use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Debug, Default)]
pub struct State {
    entries: BTreeMap<String, Entry>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Entry {
    /// The first failing step, 0 when all checks passed.
    step: usize,
    /// Hints given for that step.
    hints: usize,
    /// The [`fingerprint`] of the file that was checked.
    checked: u64,
}

/// A digest of the student's file (FNV-1a: stable, and enough to tell a
/// save from none).
pub fn fingerprint(text: &[u8]) -> u64 {
    text.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

impl State {
    fn path() -> PathBuf {
        super::root().join("target").join("exercises").join("state.txt")
    }

    pub fn load() -> State {
        let text = std::fs::read_to_string(State::path()).unwrap_or_default();
        let entries = text
            .lines()
            .filter_map(|line| {
                let mut fields = line.split('\t');
                let id = fields.next()?.to_string();
                let step = fields.next()?.parse().ok()?;
                let hints = fields.next()?.parse().ok()?;
                let checked = u64::from_str_radix(fields.next()?, 16).ok()?;
                Some((id, Entry { step, hints, checked }))
            })
            .collect();
        State { entries }
    }

    fn save(&self) {
        let text: String = self
            .entries
            .iter()
            .map(|(id, e)| {
                format!("{id}\t{}\t{}\t{:016x}\n", e.step, e.hints, e.checked)
            })
            .collect();
        let path = State::path();
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        // Written aside, then renamed over: a Ctrl+C mid-write loses nothing.
        // The state is a convenience: a read-only target folder costs nothing else.
        let aside = path.with_extension("txt.new");
        if std::fs::write(&aside, text).is_ok() {
            let _ = std::fs::rename(&aside, &path);
        }
    }

    /// Records a check of the file whose [`fingerprint`] is `checked`: the
    /// first failing step, or `None` when all passed.
    pub fn record(&mut self, id: &str, failing: Option<usize>, checked: u64) {
        let step = failing.unwrap_or(0);
        let hints = match self.entries.get(id) {
            Some(old) if old.step == step => old.hints,
            _ => 0,
        };
        self.entries.insert(id.to_string(), Entry { step, hints, checked });
        self.save();
    }

    /// Forgets an exercise (its starter was written anew).
    pub fn forget(mut self, id: &str) {
        self.entries.remove(id);
        self.save();
    }

    /// `done`, `fails at step N`, or `None` before the first check.
    pub fn verdict(&self, id: &str) -> Option<&'static str> {
        let entry = self.entries.get(id)?;
        Some(match entry.step {
            0 => "done",
            n => STEP_TEXT.get(n).copied().unwrap_or("fails"),
        })
    }

    /// True when the file now (its [`fingerprint`]) is not the one last
    /// checked: it was saved since, and the verdict may no longer hold.
    pub fn changed_since_check(&self, id: &str, now: u64) -> bool {
        self.entries.get(id).is_some_and(|entry| entry.checked != now)
    }

    /// The step the last check failed at.
    pub fn failing_step(&self, id: &str) -> Option<usize> {
        self.entries.get(id).map(|entry| entry.step).filter(|&step| step > 0)
    }

    /// Which hint to give now (0-based), moving on for the next call.
    pub fn next_hint(&mut self, id: &str, step: usize, available: usize) -> usize {
        let entry = self.entries.entry(id.to_string()).or_insert(Entry {
            step,
            hints: 0,
            checked: 0,
        });
        let given = entry.hints.min(available - 1);
        entry.hints = (given + 1).min(available);
        self.save();
        given
    }
}

const STEP_TEXT: [&str; 10] = [
    "done",
    "fails at step 1",
    "fails at step 2",
    "fails at step 3",
    "fails at step 4",
    "fails at step 5",
    "fails at step 6",
    "fails at step 7",
    "fails at step 8",
    "fails at step 9",
];
