//! The starter of an exercise, made from the reference steps file so the two
//! cannot drift: everything outside the `steps` region is kept as it is (the
//! types and signatures the tool calls); inside it, the doc comments, the
//! function's signature and every comment stay, and the code of each step
//! becomes one `todo!("step N: …")`, so the starter compiles and says where to
//! begin. Every comment of a step, including those that trailed its code, comes
//! before its `todo!`: it is what the student reads before writing the step.

/// The starter for the reference steps file `reference` (its text).
pub fn starter(reference: &str, id: &str) -> String {
    let mut out = format!(
        "//! Exercise `{id}`: write the steps of the Python twin, in Rust.\n\
         //! Each `todo!` marks a step to write; `cargo run -p docs --bin course -- check {id}`\n\
         //! checks your program on real sockets (`-- hint {id}` when stuck).\n\
         #![allow(unused_variables, unused_imports, unused_mut, dead_code, unreachable_code)] // until every step is written\n\n"
    );
    let mut inside = false;
    let mut body = false;
    // A step's todo!() comes after all of its comments: at the next step, or
    // at the end of the function.
    let mut pending: Option<Todo> = None;
    let flush = |out: &mut String, pending: &mut Option<Todo>| {
        if let Some(todo) = pending.take() {
            out.push_str(&todo.line());
        }
    };
    let mut lines = reference.lines().peekable();
    // The reference's own module docs, and the blank lines after them, go.
    while lines.peek().is_some_and(|l| l.starts_with("//!") || l.trim().is_empty()) {
        lines.next();
    }
    for line in lines {
        let trimmed = line.trim();
        if trimmed == "// ANCHOR: steps" {
            inside = true;
            out.push_str(line);
            out.push('\n');
            continue;
        }
        if trimmed == "// ANCHOR_END: steps" {
            inside = false;
            out.push_str(line);
            out.push('\n');
            continue;
        }
        if !inside {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        if !body {
            // Doc comments and the signature, up to the `{` that opens the body.
            out.push_str(line);
            out.push('\n');
            body = !trimmed.starts_with("///") && trimmed.ends_with('{');
            continue;
        }
        if line.starts_with('}') {
            // The end of the function: the next one (if any) starts over.
            flush(&mut out, &mut pending);
            out.push_str(line);
            out.push('\n');
            body = false;
            continue;
        }
        if !trimmed.starts_with("//") {
            // A comment trailing code is a note on the step being written; it
            // reads as one more line of the step's comment.
            if let Some(comment) = comment_of(trimmed) {
                let note = comment.trim_start_matches('/').trim_start();
                out.push_str(&format!("    //    {note}\n"));
                mark_optional(&mut pending, note);
            }
            continue;
        }
        if let Some((number, what)) = step_comment(trimmed) {
            flush(&mut out, &mut pending);
            pending = Some(Todo { number, what, optional: false });
        } else {
            mark_optional(&mut pending, trimmed.trim_start_matches('/').trim_start());
        }
        out.push_str(&format!("    {trimmed}\n"));
    }
    out
}

/// The `todo!` a step's code becomes.
struct Todo {
    number: usize,
    what: String,
    /// The step has an optional part (a reply, a timeout): the todo says so,
    /// so that it is not taken for a comment only.
    optional: bool,
}

impl Todo {
    fn line(&self) -> String {
        let and = if self.optional { ", and its optional part" } else { "" };
        format!("    todo!(\"step {}: {}{and}\");\n", self.number, self.what)
    }
}

/// A comment of the pending step that begins `optional` marks that step.
fn mark_optional(pending: &mut Option<Todo>, note: &str) {
    if let Some(todo) = pending.as_mut() {
        todo.optional |= note.starts_with("optional");
    }
}

/// The comment of a line: the whole line when it is one, or the part after
/// `; //` or `{ //` when it trails code.
fn comment_of(line: &str) -> Option<&str> {
    if line.starts_with("//") {
        return Some(line);
    }
    ["; // ", "{ // "]
        .iter()
        .find_map(|marker| line.find(marker).map(|at| &line[at + marker.len() - 3..]))
}

/// `// N. what (中文) — python()` -> (N, "what (中文)").
pub fn step_comment(comment: &str) -> Option<(usize, String)> {
    let rest = comment.strip_prefix("//")?.trim_start();
    let (number, what) = rest.split_once(". ")?;
    let number: usize = number.parse().ok()?;
    let what = what.split(" — ").next().unwrap_or(what).trim();
    Some((number, what.replace('"', "'")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const REFERENCE: &str = "//! docs\nuse std::io;\n\n// ANCHOR: steps\n/// Sends.\n\
        pub fn send(to: u16) -> io::Result<()> {\n    // 1. create a socket (创建) — socket()\n    \
        let s = make()?;\n    for _ in 0..2 {\n        // 2. send it — sendto(data, addr)\n        \
        s.send()?; // the OS picks a port here\n    }\n    Ok(())\n}\n// ANCHOR_END: steps\n\
        fn make() -> io::Result<u8> { Ok(1) }\n";

    #[test]
    fn steps_become_todos_and_the_rest_is_kept() {
        let text = starter(REFERENCE, "demo");
        assert!(text.contains("use std::io;\n"), "{text}");
        assert!(
            text.contains("/// Sends.\npub fn send(to: u16) -> io::Result<()> {\n"),
            "{text}"
        );
        assert!(text.contains("    // 1. create a socket (创建) — socket()\n    todo!(\"step 1: create a socket (创建)\");\n"), "{text}");
        assert!(
            text.contains(
                "    //    the OS picks a port here\n    todo!(\"step 2: send it\");\n}\n"
            ),
            "{text}"
        );
        assert!(!text.contains("make()?"), "{text}");
        assert!(text.contains("fn make() -> io::Result<u8> { Ok(1) }"), "{text}");
        assert!(!text.contains("//! docs"), "{text}");
    }
}
