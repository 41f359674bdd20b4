//! The starter of an exercise, made from the reference steps file so the two
//! cannot drift: everything outside the `steps` region is kept as it is (the
//! types and signatures the tool calls); inside it, the doc comments, the
//! function's signature and every comment stay, and the code of each step
//! becomes its `--explain` line and one `todo!("step N: …")`, so the starter
//! compiles and says where to begin. Every comment of a step, including those
//! that trailed its code, comes before its `todo!`: it is what the student
//! reads before writing the step; a step the reference writes inside a loop
//! or an `if` says so.

/// The starter for the reference steps file `reference` (its text).
pub fn starter(reference: &str, id: &str) -> String {
    let mut out = format!(
        "//! Exercise `{id}`: write the steps of the Python twin, in Rust.\n\
         //! Each `todo!` marks a step to write; `cargo run -p docs --bin course -- check {id}`\n\
         //! checks your program on real sockets (`-- hint {id}` when stuck).\n\
         //! Keep each step's `opt.say.step(N)`: `--explain` prints it, and the program's\n\
         //! error messages name the step that failed from it.\n\
         #![allow(unused_variables, unused_imports, unused_mut, dead_code, unreachable_code)] // until every step is written\n\n"
    );
    let mut inside = false;
    let mut body = false;
    let mut signature = String::new();
    // The blocks open around the current line of the body (loops, ifs).
    let mut blocks: Vec<String> = Vec::new();
    // A step's todo!() comes after all of its comments: at the next step, or
    // at the end of the function.
    let mut pending: Option<Todo> = None;
    // Whole-line comments since the last code line: the step being written
    // has them, unless a step comment follows at once (then that step does).
    let mut held: Vec<String> = Vec::new();
    let flush = |out: &mut String, pending: &mut Option<Todo>| {
        if let Some(todo) = pending.take() {
            out.push_str(&todo.lines());
        }
    };
    let mut lines = reference.lines().peekable();
    // The reference's own module docs, and the blank lines after them, go.
    while lines.peek().is_some_and(|l| l.starts_with("//!") || l.trim().is_empty()) {
        lines.next();
    }
    for line in lines {
        let trimmed = line.trim();
        if trimmed == "// ANCHOR: steps" || trimmed == "// ANCHOR_END: steps" {
            inside = trimmed == "// ANCHOR: steps";
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
            if !trimmed.starts_with("///") {
                signature.push_str(trimmed);
                signature.push(' ');
            }
            body = !trimmed.starts_with("///") && trimmed.ends_with('{');
            continue;
        }
        if line.starts_with('}') {
            // The end of the function: the next one (if any) starts over.
            release(&mut out, &mut held, &mut pending);
            flush(&mut out, &mut pending);
            out.push_str(line);
            out.push('\n');
            body = false;
            signature.clear();
            blocks.clear();
            continue;
        }
        if !trimmed.starts_with("//") {
            release(&mut out, &mut held, &mut pending);
            // A comment trailing code is a note on the step being written; it
            // reads as one more line of the step's comment.
            if let Some(comment) = comment_of(trimmed) {
                let note = comment.trim_start_matches('/').trim_start();
                out.push_str(&format!("    //    {note}\n"));
                mark_optional(&mut pending, note);
            }
            if let Some(todo) = pending.as_mut() {
                if todo.narration.is_none() {
                    todo.narration = narration(trimmed, todo.number, &signature);
                }
                // An optional part's `[note]` line: named, for the student to place.
                if let Some(at) = trimmed.find(".say.note(") {
                    let call = trimmed[..at].rsplit(' ').next().unwrap_or_default();
                    let rest = &trimmed[at..];
                    let end = rest.find(");").map_or(rest.len(), |end| end + 2);
                    todo.notes.push(format!("{call}{}", &rest[..end]));
                }
            }
            follow_blocks(&mut blocks, trimmed);
            continue;
        }
        if let Some((number, what)) = step_comment(trimmed) {
            flush(&mut out, &mut pending);
            pending = Some(Todo {
                number,
                what,
                optional: false,
                narration: None,
                notes: Vec::new(),
                inside: blocks.clone(),
            });
            // Comments just above a step's own (no code between) are its.
            release(&mut out, &mut held, &mut pending);
            out.push_str(&format!("    {trimmed}\n"));
        } else {
            held.push(trimmed.to_string());
        }
    }
    out
}

/// Writes the comments held since the last code line: they belong to the
/// step being written (`pending`), which an `optional…` one marks.
fn release(out: &mut String, held: &mut Vec<String>, pending: &mut Option<Todo>) {
    for comment in held.drain(..) {
        mark_optional(pending, comment.trim_start_matches('/').trim_start());
        out.push_str(&format!("    {comment}\n"));
    }
}

/// What a step's code becomes.
struct Todo {
    number: usize,
    what: String,
    /// The step has an optional part (a reply, a timeout): the todo says so,
    /// so that it is not taken for a comment only.
    optional: bool,
    /// The step's `--explain` line, kept: the tool names a failed step from it.
    narration: Option<String>,
    /// The `--explain` notes of its optional parts (`opt.say.note("sendto");`).
    notes: Vec<String>,
    /// The loops and `if`s the reference writes the step in.
    inside: Vec<String>,
}

impl Todo {
    fn lines(&self) -> String {
        let mut lines = String::new();
        if !self.inside.is_empty() {
            let blocks: Vec<String> =
                self.inside.iter().map(|b| format!("`{b} {{ … }}`")).collect();
            lines += &format!(
                "    //    (the reference writes this step inside {})\n",
                blocks.join(", in ")
            );
        }
        for note in &self.notes {
            lines += &format!(
                "    //    where its optional part runs, --explain notes it: {note}\n"
            );
        }
        if let Some(narration) = &self.narration {
            lines += &format!("    {narration}\n");
        }
        let and = if self.optional { ", and its optional part" } else { "" };
        lines += &format!("    todo!(\"step {}: {}{and}\");\n", self.number, self.what);
        lines
    }
}

/// A comment of the pending step that begins `optional` marks that step.
fn mark_optional(pending: &mut Option<Todo>, note: &str) {
    if let Some(todo) = pending.as_mut() {
        todo.optional |= note.starts_with("optional");
    }
}

/// The starter's `--explain` line for step `number`, from the reference's
/// `opt.say.step…(number, …);`: as it is when it names only what the
/// function is given (`signature`), else the plain `opt.say.step(number);`
/// (the values it would show do not exist before the student writes them).
fn narration(code: &str, number: usize, signature: &str) -> Option<String> {
    let code = code.split(" // ").next().unwrap_or(code).trim();
    let (receiver, call) = code.split_once(".say.step")?;
    let (_, args) = call.split_once('(')?;
    let args = args.strip_suffix(");")?;
    let (first, rest) = args.split_once(", ").unwrap_or((args, ""));
    (first.parse() == Ok(number)).then_some(())?;
    let given = rest.is_empty()
        || rest.split(", ").all(|value| {
            let name = value.trim_start_matches('&');
            name.chars().all(|c| c.is_alphanumeric() || c == '_')
                && signature.contains(&format!("{name}: "))
        });
    Some(if given {
        code.to_string()
    } else {
        format!(
            "{receiver}.say.step({number}); // with its values, once they exist: {code}"
        )
    })
}

/// Follows the blocks a line of code opens and closes (braces in strings,
/// characters and trailing comments do not count).
fn follow_blocks(blocks: &mut Vec<String>, code: &str) {
    let (mut opened, mut closed) = (0usize, 0usize);
    for c in code_only(code).chars() {
        match c {
            '{' => opened += 1,
            '}' if opened > 0 => opened -= 1,
            '}' => closed += 1,
            _ => {}
        }
    }
    for _ in 0..closed {
        blocks.pop();
    }
    if opened > 0 {
        let code = code.split(" // ").next().unwrap_or(code);
        let head = code.trim_start_matches('}').trim().trim_end_matches('{').trim();
        for _ in 0..opened {
            blocks.push(head.to_string());
        }
    }
}

/// `code` without its string and character literals and trailing comment.
fn code_only(code: &str) -> String {
    let mut out = String::new();
    let mut chars = code.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
                out.push_str("\"\"");
            }
            // A character literal such as '{' (a lifetime has no closing quote).
            '\'' if matches!(chars.clone().nth(1), Some('\'')) => {
                chars.next();
                chars.next();
            }
            '/' if chars.peek() == Some(&'/') => break,
            c => out.push(c),
        }
    }
    out
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
    let mut what = what.split(" — ").next().unwrap_or(what).trim();
    // A step comment that goes on over the next line: its first line, whole.
    if what.matches('(').count() > what.matches(')').count()
        && let Some((first, _)) = what.rsplit_once(" (")
    {
        what = first;
    }
    Some((number, what.replace('"', "'")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const REFERENCE: &str = "//! docs\nuse std::io;\n\n// ANCHOR: steps\n/// Sends.\n\
        pub fn send(to: u16, opt: &Opt) -> io::Result<()> {\n    // 1. create a socket (创建) — socket()\n    \
        opt.say.step_data(1, to);\n    let s = make()?;\n    for _ in 0..2 {\n        \
        // 2. send it — sendto(data, addr)\n        opt.say.step_with(2, &[(\"x\", s.x())]);\n        \
        s.send(\"{\")?; // the OS picks a port here\n    }\n    Ok(())\n}\n// ANCHOR_END: steps\n\
        fn make() -> io::Result<u8> { Ok(1) }\n";

    #[test]
    fn steps_become_todos_and_the_rest_is_kept() {
        let text = starter(REFERENCE, "demo");
        assert!(text.contains("use std::io;\n"), "{text}");
        assert!(
            text.contains(
                "/// Sends.\npub fn send(to: u16, opt: &Opt) -> io::Result<()> {\n"
            ),
            "{text}"
        );
        // The --explain line stays as it is: it shows only what send is given.
        assert!(text.contains("    // 1. create a socket (创建) — socket()\n    opt.say.step_data(1, to);\n    todo!(\"step 1: create a socket (创建)\");\n"), "{text}");
        // Step 2 is in the loop, and its narration shows a value not there yet.
        assert!(
            text.contains(
                "    // 2. send it — sendto(data, addr)\n    //    the OS picks a port here\n    \
                 //    (the reference writes this step inside `for _ in 0..2 { … }`)\n    \
                 opt.say.step(2); // with its values, once they exist: \
                 opt.say.step_with(2, &[(\"x\", s.x())]);\n    todo!(\"step 2: send it\");\n}\n"
            ),
            "{text}"
        );
        assert!(!text.contains("make()?"), "{text}");
        assert!(text.contains("fn make() -> io::Result<u8> { Ok(1) }"), "{text}");
        assert!(!text.contains("//! docs"), "{text}");
    }

    #[test]
    fn blocks_are_followed_past_braces_in_strings_and_comments() {
        let mut blocks = Vec::new();
        follow_blocks(&mut blocks, "while let Some(x) = next() {");
        follow_blocks(&mut blocks, "println!(\"{}\", '{'); // {");
        follow_blocks(&mut blocks, "if x {");
        assert_eq!(blocks, ["while let Some(x) = next()", "if x"]);
        follow_blocks(&mut blocks, "} else {");
        assert_eq!(blocks, ["while let Some(x) = next()", "else"]);
        follow_blocks(&mut blocks, "}");
        follow_blocks(&mut blocks, "}");
        assert!(blocks.is_empty());
    }
}
