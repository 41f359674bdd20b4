//! Where each student stands, kept from the last check in
//! `target/exercises/state.txt` (git ignores `target/`): one line per
//! exercise, `ID<TAB>FAILING STEP or 0<TAB>HINTS GIVEN`.

use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Debug, Default)]
pub struct State {
    /// id -> (the first failing step, 0 when all checks pass; hints given for it).
    entries: BTreeMap<String, (usize, usize)>,
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
                Some((id, (step, hints)))
            })
            .collect();
        State { entries }
    }

    fn save(&self) {
        let text: String = self
            .entries
            .iter()
            .map(|(id, (step, hints))| format!("{id}\t{step}\t{hints}\n"))
            .collect();
        let path = State::path();
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        // The state is a convenience: a read-only target folder costs nothing else.
        let _ = std::fs::write(path, text);
    }

    /// Records a check: the first failing step, or `None` when all passed.
    pub fn record(&mut self, id: &str, failing: Option<usize>) {
        let step = failing.unwrap_or(0);
        let hints = match self.entries.get(id) {
            Some(&(old, hints)) if old == step => hints,
            _ => 0,
        };
        self.entries.insert(id.to_string(), (step, hints));
        self.save();
    }

    /// Forgets an exercise (its starter was written anew).
    pub fn forget(mut self, id: &str) {
        self.entries.remove(id);
        self.save();
    }

    /// `done`, `fails at step N`, or `None` before the first check.
    pub fn verdict(&self, id: &str) -> Option<&'static str> {
        let &(step, _) = self.entries.get(id)?;
        Some(match step {
            0 => "done",
            n => STEP_TEXT.get(n).copied().unwrap_or("fails"),
        })
    }

    /// The step the last check failed at.
    pub fn failing_step(&self, id: &str) -> Option<usize> {
        self.entries.get(id).map(|&(step, _)| step).filter(|&step| step > 0)
    }

    /// Which hint to give now (0-based), moving on for the next call.
    pub fn next_hint(&mut self, id: &str, step: usize, available: usize) -> usize {
        let entry = self.entries.entry(id.to_string()).or_insert((step, 0));
        let given = entry.1.min(available - 1);
        entry.1 = (given + 1).min(available);
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
