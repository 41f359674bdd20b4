//! Every command shown to a student runs as written.
//!
//! The test collects the commands of the READMEs, of every book chapter, of
//! the `//!` docs of every source file and of every program's `--help` (the
//! Rust programs and the Python twins), then runs them:
//!
//! - `cargo run -p CRATE [--bin BIN] -- ARGS` is resolved the way cargo
//!   resolves it (a crate with two binaries needs `--bin` or a `default-run`)
//!   and then runs the binary `cargo test --workspace` built;
//! - `python3 DIR/python/NAME.py ARGS` must name a twin that compiles;
//! - the commands of one section of a chapter (its fenced blocks, read as the
//!   terminals of a session) run in order: a server that prints
//!   `listening on` keeps running for the commands after it, every other
//!   command must exit with status 0;
//! - a command quoted in prose (`` `tcp-client hello` ``, the short form the
//!   introduction defines) runs alone: it may end in a taught error (exit 1,
//!   `error: … (hint: …)`, such as "nothing is listening"), and when it still
//!   waits after a moment (for a peer, for input) it is stopped — it got past
//!   its argument parsing, which exits at once;
//! - a usage error (exit 2), cargo's exit 101, an unknown command (127), a
//!   Python traceback or a Rust panic fails the test.
//!
//! Commands run where the course's default ports are, on loopback, one
//! session at a time, in a temporary folder that holds the workspace's crates
//! (by symbolic links) and a `served/hello.txt`. Commands that are not run
//! (installing tools, the test suite itself, benchmarks, tools the course does
//! not install, placeholders a student fills in) are listed with the reason
//! in the test's output; none is passed silently.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr, clippy::panic)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};
use std::thread;
use std::time::{Duration, Instant};

use testkit::{Cmd, Proc, TempDir, bin, python3};

/// How long a command that neither exits nor says `listening on` may run
/// before it counts as waiting (for a peer or for input) and is stopped. Usage
/// errors come at once; servers start in milliseconds.
const WAITING: Duration = Duration::from_secs(3);

// ---------------------------------------------------------------------------
// Where things are

fn workspace_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// A path as the report shows it: relative to the workspace.
fn relative(path: &Path) -> String {
    path.strip_prefix(workspace_dir()).unwrap_or(path).display().to_string()
}

/// The members of the workspace, from the root Cargo.toml.
fn members() -> Vec<String> {
    let manifest = fs::read_to_string(workspace_dir().join("Cargo.toml")).unwrap();
    let start = manifest.find("members").expect("a members list");
    let list = &manifest[start..manifest[start..].find(']').unwrap() + start];
    list.split('"').skip(1).step_by(2).map(str::to_string).collect()
}

/// What `cargo run -p NAME` needs to know about a package.
#[derive(Debug, Clone)]
struct Package {
    name: String,
    bins: Vec<String>,
    default_run: Option<String>,
}

/// The value of `key = "value"` on a manifest line, if the line sets `key`.
fn manifest_value(line: &str, key: &str) -> Option<String> {
    let (name, value) = line.split_once('=')?;
    (name.trim() == key).then(|| value.trim().trim_matches('"').to_string())
}

/// Reads a package's name, binaries and `default-run` from its Cargo.toml
/// (the few keys cargo uses to choose the binary of `cargo run`).
fn package_from_manifest(dir: &Path, manifest: &str) -> Package {
    let mut section = String::new();
    let (mut name, mut default_run, mut bins) = (String::new(), None, Vec::new());
    let mut main_is_a_named_bin = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            section = line.to_string();
            continue;
        }
        match section.as_str() {
            "[package]" => {
                if let Some(value) = manifest_value(line, "name") {
                    name = value;
                }
                if let Some(value) = manifest_value(line, "default-run") {
                    default_run = Some(value);
                }
            }
            "[[bin]]" => {
                if let Some(value) = manifest_value(line, "name") {
                    bins.push(value);
                }
                if manifest_value(line, "path").as_deref() == Some("src/main.rs") {
                    main_is_a_named_bin = true;
                }
            }
            _ => {}
        }
    }
    if !main_is_a_named_bin && dir.join("src/main.rs").is_file() {
        bins.insert(0, name.clone());
    }
    Package { name, bins, default_run }
}

fn packages() -> Vec<Package> {
    members()
        .iter()
        .map(|member| {
            let dir = workspace_dir().join(member);
            package_from_manifest(
                &dir,
                &fs::read_to_string(dir.join("Cargo.toml")).unwrap(),
            )
        })
        .collect()
}

/// Which binary `cargo run` starts for these arguments (the words after
/// `cargo run`, up to `--`), or cargo's complaint.
fn binary_of_cargo_run(
    packages: &[Package],
    words: &[String],
) -> Result<String, String> {
    let (mut package, mut binary) = (None, None);
    let mut words = words.iter();
    while let Some(word) = words.next() {
        match word.as_str() {
            "-p" | "--package" => package = words.next().cloned(),
            "--bin" => binary = words.next().cloned(),
            "-q" | "--quiet" => {}
            other => {
                return Err(format!(
                    "`cargo run` is not given {other:?} in this course"
                ));
            }
        }
    }
    let Some(package) = package else {
        return Err(
            "`cargo run` without -p at the workspace root: which package?".into()
        );
    };
    let Some(found) = packages.iter().find(|candidate| candidate.name == package)
    else {
        return Err(format!("package `{package}` is not in the workspace"));
    };
    match binary {
        Some(binary) if found.bins.contains(&binary) => Ok(binary),
        Some(binary) => Err(format!("no bin target named `{binary}` in `{package}`")),
        None if found.bins.len() == 1 => Ok(found.bins[0].clone()),
        None => found.default_run.clone().ok_or_else(|| {
            format!(
                "`cargo run` could not determine which binary to run (available binaries: \
                 {}): write --bin, or give {package} a default-run",
                found.bins.join(", ")
            )
        }),
    }
}

// ---------------------------------------------------------------------------
// Collecting the commands

/// How a command is shown, which decides how it is run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// A line of a fenced block: copied into a terminal as it is.
    Block,
    /// Quoted in prose, where the short form `udp-sender hi` is allowed.
    Span,
}

/// One command shown to a student.
#[derive(Debug, Clone)]
struct Shown {
    /// `FILE:LINE`, or `PROGRAM --help`.
    place: String,
    /// The command, without its prompt (`$ `, `terminal 1 $ `) and comment.
    text: String,
    shape: Shape,
    /// The commands of one session run in order, servers staying up.
    session: String,
    /// Why it is not run, from a `<!-- commands: not run: REASON -->` marker.
    not_run: Option<String>,
    /// The `error: …` line a transcript shows right after the command: it
    /// must then exit with status 1 and print that error.
    expect_error: Option<String>,
}

/// Programs whose name may start a command.
fn binaries(packages: &[Package]) -> Vec<String> {
    packages.iter().flat_map(|package| package.bins.clone()).collect()
}

/// Words that start a shell command shown to students.
const SHELL_WORDS: &[&str] = &[
    "cargo", "python3", "echo", "printf", "cd", "mkdir", "mdbook", "bash", "tmux",
    "for",
];

/// Whether `text` starts like a command (and is not just a program's name).
fn looks_like_a_command(text: &str, binaries: &[String]) -> bool {
    let mut words = text.split_whitespace();
    let Some(mut first) = words.next() else { return false };
    // `TZ=Asia/Shanghai time-server`, `NO_COLOR=1 udp-chat qq-server`
    while is_assignment(first) {
        match words.next() {
            Some(next) => first = next,
            None => return false,
        }
    }
    let program = first.strip_prefix("target/debug/").unwrap_or(first);
    let has_arguments = text.trim().contains(char::is_whitespace);
    has_arguments
        && (SHELL_WORDS.contains(&first) || binaries.iter().any(|name| name == program))
}

fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty() && name.chars().all(|c| c.is_ascii_uppercase() || c == '_')
    })
}

/// The text before an unquoted ` #` comment.
fn without_comment(line: &str) -> &str {
    let (mut single, mut double, mut previous) = (false, false, ' ');
    for (at, c) in line.char_indices() {
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            '#' if !single && !double && previous.is_whitespace() => {
                return line[..at].trim_end();
            }
            _ => {}
        }
        previous = c;
    }
    line.trim_end()
}

/// `$ cmd` or `terminal 2 $ cmd` → `cmd`.
fn without_prompt(line: &str) -> Option<&str> {
    if let Some(rest) = line.strip_prefix("$ ") {
        return Some(rest);
    }
    let rest = line.strip_prefix("terminal ")?;
    let (number, command) = rest.split_once(" $ ")?;
    number.chars().all(|c| c.is_ascii_digit()).then_some(command)
}

/// The commands of a markdown text (a chapter, a `//!` doc, a `--help`).
/// `first_line` numbers the lines for the report.
fn commands_in_markdown(file: &str, text: &str, binaries: &[String]) -> Vec<Shown> {
    let mut found = Vec::new();
    let mut fence: Option<(String, String)> = None; // (marker, language)
    let (mut section, mut not_run, mut block_not_run) =
        (0, None::<String>, None::<String>);
    let mut span_count = 0;
    let mut last_block_command = None;
    // The start of a `…` span that goes on on the next line.
    let mut open_span: Option<(String, String)> = None; // (text so far, its place)
    for (index, line) in text.lines().enumerate() {
        let place = format!("{file}:{}", index + 1);
        let trimmed = line.trim();
        if let Some((marker, language)) = &fence {
            if trimmed.starts_with(marker.as_str())
                && trimmed.trim_start_matches(marker.chars().next().unwrap()).is_empty()
            {
                fence = None;
                block_not_run = None;
                continue;
            }
            let command = match without_prompt(trimmed) {
                Some(command) => Some(command),
                None if trimmed.is_empty() || trimmed.starts_with('#') => None,
                None => match language.as_str() {
                    "sh" | "bash" | "shell" => Some(trimmed),
                    "text" | "" => {
                        looks_like_a_command(trimmed, binaries).then_some(trimmed)
                    }
                    _ => None,
                },
            };
            if let Some(command) = command {
                found.push(Shown {
                    place,
                    text: without_comment(command).to_string(),
                    shape: Shape::Block,
                    session: format!("{file} §{section}"),
                    not_run: block_not_run.clone(),
                    expect_error: None,
                });
                last_block_command = Some(found.len() - 1);
            } else if let Some(error) = trimmed.strip_prefix("error: ") {
                // A transcript: the command above prints this error.
                if let Some(at) = last_block_command.take() {
                    let error = error.split(" (hint:").next().unwrap_or(error);
                    found[at].expect_error = Some(format!("error: {error}"));
                }
            } else {
                last_block_command = None;
            }
            continue;
        }
        if let Some(marker) =
            ["```", "~~~"].iter().find(|marker| trimmed.starts_with(**marker))
        {
            let ticks: String = trimmed
                .chars()
                .take_while(|c| *c == marker.chars().next().unwrap())
                .collect();
            let language = trimmed[ticks.len()..]
                .split(|c: char| c == ',' || c.is_whitespace())
                .next()
                .unwrap_or("")
                .to_lowercase();
            fence = Some((ticks, language));
            block_not_run = not_run.take();
            last_block_command = None;
            open_span = None;
            continue;
        }
        if trimmed.starts_with('#') {
            section += 1;
        }
        if let Some(reason) = trimmed
            .strip_prefix("<!-- commands: not run:")
            .and_then(|rest| rest.strip_suffix("-->"))
        {
            not_run = Some(reason.trim().to_string());
            continue;
        }
        let line_not_run = if trimmed.is_empty() { None } else { not_run.take() };
        if trimmed.is_empty() {
            open_span = None; // a span ends with its paragraph
        }
        // Inline code: `…` spans, which may go on on the next line; `\|` is
        // a pipe escaped inside a table.
        let (joined, first_place) = match open_span.take() {
            Some((start, start_place)) => (format!("`{start} {trimmed}"), start_place),
            None => (line.to_string(), place.clone()),
        };
        let pieces: Vec<&str> = joined.split('`').collect();
        if pieces.len().is_multiple_of(2) {
            let start_place =
                if pieces.len() == 2 { first_place.clone() } else { place.clone() };
            open_span =
                pieces.last().map(|start| (start.trim().to_string(), start_place));
        }
        let spans = pieces.iter().skip(1).step_by(2).take((pieces.len() - 1) / 2);
        for (index, span) in spans.enumerate() {
            let span = span.replace("\\|", "|");
            if looks_like_a_command(&span, binaries) {
                span_count += 1;
                let place =
                    if index == 0 { first_place.clone() } else { place.clone() };
                found.push(Shown {
                    place: place.clone(),
                    text: without_comment(span.trim()).to_string(),
                    shape: Shape::Span,
                    session: format!("{place} span {span_count}"),
                    not_run: line_not_run.clone(),
                    expect_error: None,
                });
            }
        }
    }
    found
}

/// Every `.EXT` file under `dir`, sorted, skipping `target/` and the built book.
fn files_under(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = fs::read_dir(&dir) else { continue };
        for entry in entries.map(Result::unwrap) {
            let path = entry.path();
            let name = entry.file_name();
            if path.is_dir() {
                if name != "target" && name != "book" && name != ".git" {
                    pending.push(path);
                }
            } else if path.extension().is_some_and(|found| found == ext) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The `//!` lines of a Rust file, with the other lines left empty so that
/// line numbers stay those of the file.
fn module_docs(source: &str) -> String {
    let mut docs = String::new();
    for line in source.lines() {
        let doc = line
            .trim_start()
            .strip_prefix("//!")
            .map(|doc| doc.strip_prefix(' ').unwrap_or(doc));
        docs.push_str(doc.unwrap_or(""));
        docs.push('\n');
    }
    docs
}

/// Every program's `--help` (and each subcommand's), and each twin's; a
/// `--help` that fails is a problem.
fn help_texts(
    packages: &[Package],
    problems: &mut Vec<String>,
) -> Vec<(String, String)> {
    let mut texts = Vec::new();
    for name in binaries(packages) {
        let mut invocations = vec![vec!["--help".to_string()]];
        if name == "udp-chat" {
            for sub in ["menu", "talk", "qq-server", "qq-client"] {
                invocations.push(vec![sub.to_string(), "--help".to_string()]);
            }
        }
        for args in invocations {
            let out = Command::new(bin(&name)).args(&args).output().unwrap();
            if !out.status.success() {
                problems.push(format!("{name} {}: {out:?}", args.join(" ")));
            }
            let text = String::from_utf8_lossy(&out.stdout);
            problems.extend(tutorial_naming_problems(
                &format!("{name} {}", args.join(" ")),
                &text,
            ));
            texts.push((
                format!("{name} {}", args.join(" ")),
                String::from_utf8_lossy(&out.stdout).into_owned(),
            ));
        }
    }
    if let Some(python) = python3() {
        for twin in python_twins() {
            let out = Command::new(&python).arg(&twin).arg("--help").output().unwrap();
            let name = format!("python3 {} --help", relative(&twin));
            if !out.status.success() || !out.stdout.starts_with(b"usage: ") {
                problems.push(format!(
                    "{name} does not answer with a usage line (exit {:?}):\n{}",
                    out.status.code(),
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
            let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
            text.push_str(&String::from_utf8_lossy(&out.stderr));
            texts.push((name, text));
        }
    }
    texts
}

/// The five tutorials as the book's introduction names them: a `--help`
/// that names a tutorial by number names it by title too.
const TUTORIALS: [(&str, &str); 5] = [
    ("tutorial 000", "\"Python socket编程\" (kancloud.cn)"),
    ("tutorial 001", "\"网络编程\" (cnblogs.com)"),
    ("tutorial 002", "notes on the socket API"),
    ("tutorial 003", "\"Python使用套接字(socket)实现UDP与TCP通信\""),
    ("tutorial 004", "\"4.Python网络编程Socket\""),
];

/// Whether a `--help` calls the tutorials "seeds", or names one without its title.
fn tutorial_naming_problems(name: &str, text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    if text
        .split(|c: char| !c.is_alphanumeric())
        .any(|word| word.eq_ignore_ascii_case("seed"))
    {
        problems.push(format!("{name} says \"seed\": the course says \"tutorial\""));
    }
    for (number, title) in TUTORIALS {
        if text.contains(number) && !text.contains(&format!("{number}, {title}")) {
            problems.push(format!(
                "{name} names {number} without its title: {number}, {title}"
            ));
        }
    }
    problems
}

fn python_twins() -> Vec<PathBuf> {
    let mut twins: Vec<PathBuf> = members()
        .iter()
        .flat_map(|member| {
            files_under(&workspace_dir().join(member).join("python"), "py")
        })
        .collect();
    twins.sort();
    twins
}

/// Every command shown to students, in the order a reader meets them.
fn shown_commands(packages: &[Package], problems: &mut Vec<String>) -> Vec<Shown> {
    let names = binaries(packages);
    let root = workspace_dir();
    let mut found = Vec::new();
    let mut markdown = vec![root.join("README.md")];
    markdown.extend(
        members()
            .iter()
            .map(|member| root.join(member).join("README.md"))
            .filter(|path| path.is_file()),
    );
    markdown.extend(files_under(&root.join("docs/src"), "md"));
    for path in markdown {
        found.extend(commands_in_markdown(
            &relative(&path),
            &fs::read_to_string(&path).unwrap(),
            &names,
        ));
    }
    for member in members() {
        for path in files_under(&root.join(&member).join("src"), "rs")
            .into_iter()
            .chain(files_under(&root.join(&member).join("tools"), "rs"))
        {
            let docs = module_docs(&fs::read_to_string(&path).unwrap());
            found.extend(commands_in_markdown(&relative(&path), &docs, &names));
        }
    }
    for (name, text) in help_texts(packages, problems) {
        found.extend(commands_in_markdown(&name, &text, &names));
    }
    found
}

// ---------------------------------------------------------------------------
// Turning a shown command into one the test can run

/// A word of a command line, with where it is in the line.
#[derive(Debug, Clone)]
struct Word {
    text: String,
    start: usize,
    end: usize,
    /// `|`, `||`, `&&`, `;`, `&`: between two simple commands.
    operator: bool,
}

/// Splits a command line as sh does, roughly: quotes group, operators split.
fn words(line: &str) -> Vec<Word> {
    let mut found: Vec<Word> = Vec::new();
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if "|&;".contains(c) {
            let mut end = start + 1;
            if i + 1 < chars.len() && chars[i + 1].1 == c && c != ';' {
                end += 1;
                i += 1;
            }
            found.push(Word {
                text: line[start..end].to_string(),
                start,
                end,
                operator: true,
            });
            i += 1;
            continue;
        }
        let mut text = String::new();
        let mut quote = None;
        let mut end = start;
        while i < chars.len() {
            let (at, c) = chars[i];
            match quote {
                Some(q) if c == q => quote = None,
                Some(_) => text.push(c),
                None if c == '\'' || c == '"' => quote = Some(c),
                None if c == '\\' && i + 1 < chars.len() => {
                    i += 1;
                    text.push(chars[i].1);
                }
                None if c.is_whitespace() || "|&;".contains(c) => break,
                None => text.push(c),
            }
            end = at + c.len_utf8();
            i += 1;
        }
        found.push(Word { text, start, end, operator: false });
    }
    found
}

/// The simple commands of a line (the words between operators).
fn simple_commands(words: &[Word]) -> Vec<&[Word]> {
    words.split(|word| word.operator).filter(|command| !command.is_empty()).collect()
}

/// Tools a command may use that the course does not install or that need a
/// person, and why the test does not run such a command.
const NOT_RUN_TOOLS: &[(&str, &str)] = &[
    ("nc", "uses nc, which the course does not install"),
    ("ss", "reads the kernel's socket table for a person to look at"),
    ("strace", "uses strace, which the course does not install"),
    ("kill", "kills a process the student chose"),
    ("tmux", "opens terminals for a person; its commands are checked, not run"),
    ("mdbook", "serves or builds the book; `book.rs` builds it"),
    ("bash", "`.ci/run` is CI itself"),
    ("npm", "installs the book's search tool once; `.ci/run` does it"),
];

/// Cargo subcommands other than `run`, and why they are not run here.
const NOT_RUN_CARGO: &[(&str, &str)] = &[
    ("test", "the test suite itself"),
    ("bench", "a benchmark takes minutes; `cargo bench` runs it"),
    ("install", "installs a tool once"),
    ("build", "builds; the test suite has built everything"),
    ("doc", "renders the API documentation"),
];

/// Placeholders a student replaces by a value of their own.
const PLACEHOLDERS: &[&str] = &[
    "ADDR",
    "NAME",
    "SECS",
    "TEXT",
    "MESSAGE",
    "FORMAT",
    "ENC",
    "PID",
    "N",
    "CLIENT_PORT",
];

/// What to do with one shown command.
#[derive(Debug)]
enum Plan {
    /// A shell line to run, and the Python twins it starts.
    Run { script: String, twins: Vec<PathBuf> },
    /// Only checked (resolved), not run, and why.
    Checked(String),
    /// Not run, and why.
    NotRun(String),
}

/// Rewrites `cargo run …` into the binary it starts, checks the programs
/// and scripts it names, and says how to run the result.
fn plan(
    shown: &Shown,
    packages: &[Package],
    port: Option<u16>,
) -> Result<Plan, String> {
    let names = binaries(packages);
    let line = &shown.text;
    if line.contains('…') {
        return Ok(Plan::NotRun("elided with …: the student completes it".into()));
    }
    let all = words(line);
    let mut script = String::new();
    let mut copied = 0;
    let mut twins = Vec::new();
    let mut checked_only = None;
    let mut cwd = PathBuf::new();
    for command in simple_commands(&all) {
        let mut command = command;
        while command.first().is_some_and(|word| {
            is_assignment(&word.text)
                || ["do", "then", "!"].contains(&word.text.as_str())
        }) {
            command = &command[1..];
        }
        let Some(first) = command.first() else { continue };
        let program = first.text.strip_prefix("target/debug/").unwrap_or(&first.text);
        match first.text.as_str() {
            "cargo" => {
                let sub = command.get(1).map(|word| word.text.as_str()).unwrap_or("");
                if let Some((_, why)) =
                    NOT_RUN_CARGO.iter().find(|(name, _)| *name == sub)
                {
                    return Ok(Plan::NotRun(format!("cargo {sub}: {why}")));
                }
                if sub != "run" {
                    return Err(format!(
                        "`cargo {sub}` is not a command of this course"
                    ));
                }
                let dashes = command.iter().position(|word| word.text == "--");
                let cargo_words: Vec<String> = command
                    [2..dashes.unwrap_or(command.len())]
                    .iter()
                    .map(|word| word.text.clone())
                    .collect();
                let binary = binary_of_cargo_run(packages, &cargo_words)?;
                if binary == "course" {
                    checked_only = Some(
                        "the whole course (docs/tests/course.rs runs it; --write-samples \
                         rewrites the samples)"
                            .to_string(),
                    );
                }
                let replaced_end = match dashes {
                    Some(at) => command[at].end,
                    None => command.last().unwrap().end,
                };
                script.push_str(&line[copied..first.start]);
                script.push_str(&quote(&bin(&binary).display().to_string()));
                copied = replaced_end;
            }
            "python3" => {
                let Some(path) =
                    command.iter().skip(1).find(|word| word.text.ends_with(".py"))
                else {
                    continue; // python3 -c "…"
                };
                let written = cwd.join(&path.text);
                let twin = normalize(&workspace_dir().join(&written));
                let twin = if twin.is_file() {
                    twin
                } else if shown.shape == Shape::Span && !path.text.contains('/') {
                    // Prose may name a twin by its file name alone.
                    let matching: Vec<PathBuf> = python_twins()
                        .into_iter()
                        .filter(|candidate| {
                            candidate.file_name().unwrap() == path.text.as_str()
                        })
                        .collect();
                    let [twin] = matching.as_slice() else {
                        return Err(format!(
                            "no single Python twin is named {}",
                            path.text
                        ));
                    };
                    script.push_str(&line[copied..path.start]);
                    script.push_str(&quote(&relative(twin)));
                    copied = path.end;
                    twin.clone()
                } else {
                    return Err(format!(
                        "{} does not exist (relative to the workspace folder)",
                        written.display()
                    ));
                };
                twins.push(twin);
            }
            "cd" => {
                if let Some(dir) = command.get(1) {
                    cwd = cwd.join(&dir.text);
                }
            }
            _ if names.iter().any(|name| name == program) => {
                if shown.shape == Shape::Block
                    && !first.text.starts_with("target/debug/")
                {
                    return Err(format!(
                        "`{program}` is not on a student's PATH: write `cargo run -p …`"
                    ));
                }
                script.push_str(&line[copied..first.start]);
                script.push_str(&quote(&bin(program).display().to_string()));
                copied = first.end;
            }
            other => {
                if let Some((_, why)) =
                    NOT_RUN_TOOLS.iter().find(|(name, _)| *name == other)
                {
                    if other == "tmux" {
                        // The commands tmux starts must run as written too.
                        for word in &command[1..] {
                            let inner =
                                word.text.split_whitespace().next().unwrap_or("");
                            if names.iter().any(|name| name == inner) {
                                return Err(format!(
                                    "tmux starts `{}`, which is not on a student's PATH: \
                                     write `cargo run -p …`",
                                    word.text
                                ));
                            }
                        }
                    }
                    return Ok(Plan::NotRun((*why).to_string()));
                }
            }
        }
    }
    script.push_str(&line[copied..]);
    for placeholder in PLACEHOLDERS {
        if all.iter().any(|word| has_word(&word.text, placeholder)) {
            return Ok(Plan::NotRun(format!(
                "{placeholder} is for the student to fill in"
            )));
        }
    }
    // A server's port, a folder to serve, a socket file: filled in here.
    if all.iter().any(|word| has_word(&word.text, "PORT")) {
        let Some(port) = port else {
            return Ok(Plan::NotRun(
                "PORT is a port a server prints; none runs".into(),
            ));
        };
        script = replace_word(&script, "PORT", &port.to_string());
    }
    script = replace_word(&script, "DIR", "served");
    script = replace_word(&script, "PATH", "lesson.sock");
    Ok(match checked_only {
        Some(why) => Plan::Checked(why),
        None => Plan::Run { script, twins },
    })
}

/// Whether `text` contains `word` as a whole word (letters and `_` around it end it).
fn has_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        let edge =
            |c: Option<char>| c.is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        edge(before) && edge(after)
    })
}

fn replace_word(text: &str, word: &str, with: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(word) {
        let before = out.chars().next_back().or_else(|| rest[..at].chars().next_back());
        let before = if at > 0 { rest[..at].chars().next_back() } else { before };
        let after = rest[at + word.len()..].chars().next();
        let edge =
            |c: Option<char>| c.is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        out.push_str(&rest[..at]);
        out.push_str(if edge(before) && edge(after) { with } else { word });
        rest = &rest[at + word.len()..];
    }
    out.push_str(rest);
    out
}

fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Running

/// A shell running one command (testkit's [`Cmd::shell`]: in a process group
/// of its own, so that everything it started, a pipeline or `&` jobs, is killed
/// with it), its stdin at its end as a terminal's would be after Ctrl+D.
fn start(script: &str, dir: &Path) -> Proc {
    Cmd::shell(script)
        .current_dir(dir)
        .env("PYTHONIOENCODING", "utf-8")
        .env("PYTHONUNBUFFERED", "1")
        .stdin("")
        .spawn()
}

/// What follows `listening on ` once it has printed that line: the
/// address, `unix:PATH` for an AF_UNIX server.
fn listening_on(running: &Proc) -> Option<String> {
    let stderr = running.stderr();
    let line = stderr.lines().find(|line| line.contains("listening on "))?;
    Some(line.rsplit("listening on ").next()?.split_whitespace().next()?.to_string())
}

/// What happened to a command that was run.
enum Outcome {
    Exited(ExitStatus),
    /// A server, and the address it printed.
    Listening(String),
    Waiting,
}

fn watch(running: &mut Proc) -> Outcome {
    let start = Instant::now();
    loop {
        if let Some(status) = running.try_status() {
            // Let the readers drain the pipes of a pipeline's last words.
            running.wait_output_closed(Duration::from_millis(200));
            return Outcome::Exited(status);
        }
        if let Some(addr) = listening_on(running) {
            return Outcome::Listening(addr);
        }
        if start.elapsed() > WAITING {
            return Outcome::Waiting;
        }
        thread::sleep(Duration::from_millis(10));
    }
}

/// Why a finished command failed, if it did.
fn failure(shown: &Shown, status: ExitStatus, stderr: &str) -> Option<String> {
    if let Some(expected) = &shown.expect_error {
        return if status.code() != Some(1) {
            Some(format!(
                "exit status {:?}, where the book shows {expected:?}",
                status.code()
            ))
        } else if !stderr.contains(expected.as_str()) {
            Some(format!("the book shows {expected:?}"))
        } else {
            None
        };
    }
    if stderr.contains("Traceback (most recent call last)") {
        // The tutorials' input() ends in EOFError when stdin ends, where a
        // person at a terminal would have typed: the twin was waiting for input.
        let last = stderr.lines().next_back().unwrap_or("");
        if last == "EOFError: EOF when reading a line" {
            return None;
        }
        // Quoted alone in prose, a client may find no server, as the Rust
        // clients may: the tutorials' connect() raises, and nothing catches it.
        if shown.shape == Shape::Span && last.starts_with("ConnectionRefusedError:") {
            return None;
        }
        return Some("a Python traceback".into());
    }
    if stderr.contains("panicked at") {
        return Some("a panic".into());
    }
    match status.code() {
        Some(0) => None,
        Some(1)
            if shown.shape == Shape::Span
                && stderr.lines().any(|line| line.starts_with("error: ")) =>
        {
            None // a taught error, such as "nothing is listening"
        }
        Some(code) => Some(format!("exit status {code}")),
        None => Some(format!("killed: {status}")),
    }
}

/// A folder like the workspace (the crates, by link) with a file to serve.
fn session_dir() -> TempDir {
    let dir = TempDir::new("commands");
    for entry in fs::read_dir(workspace_dir()).unwrap().map(Result::unwrap) {
        let name = entry.file_name();
        if name != "target" && !name.to_string_lossy().starts_with('.') {
            std::os::unix::fs::symlink(entry.path(), dir.join(&name)).unwrap();
        }
    }
    fs::create_dir(dir.join("served")).unwrap();
    fs::write(dir.join("served/hello.txt"), "你好\n").unwrap();
    dir
}

/// What the report says about each command, and the failures.
#[derive(Default)]
struct Report {
    lines: Vec<String>,
    failures: Vec<String>,
    ran: usize,
    not_run: usize,
}

impl Report {
    fn note(&mut self, shown: &Shown, what: &str) {
        self.lines.push(format!("{:<48} {what}: {}", shown.place, shown.text));
    }

    fn fail(&mut self, shown: &Shown, why: &str, transcript: &str) {
        self.note(shown, &format!("FAILED ({why})"));
        self.failures.push(format!(
            "{}: `{}`: {why}\n{}",
            shown.place,
            shown.text,
            transcript.trim_end()
        ));
    }
}

/// Runs the commands of one session in order.
fn run_session(commands: &[Shown], packages: &[Package], report: &mut Report) {
    let dir = session_dir();
    let mut servers: Vec<Proc> = Vec::new();
    let mut last_port = None;
    // Once a server of the session finds its port taken by another program
    // of this machine, the commands after it would talk to that program.
    let mut port_busy = false;
    for shown in commands {
        if port_busy {
            report.not_run += 1;
            report.note(
                shown,
                "not run (an earlier server's port is busy on this machine)",
            );
            continue;
        }
        if let Some(reason) = &shown.not_run {
            report.not_run += 1;
            report.note(shown, &format!("not run ({reason})"));
            continue;
        }
        // The book's search needs `npm ci --prefix docs` first; CI does it,
        // a student's machine may not have node at all.
        let pagefind = workspace_dir().join("docs/node_modules/pagefind");
        let in_ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty());
        if shown.text.starts_with("node docs/tools/search/")
            && !pagefind.exists()
            && !in_ci
        {
            report.not_run += 1;
            report.note(
                shown,
                "not run (pagefind is not installed: npm ci --prefix docs)",
            );
            continue;
        }
        let (script, twins) = match plan(shown, packages, last_port) {
            Err(why) => {
                report.fail(shown, &why, "");
                continue;
            }
            Ok(Plan::NotRun(why)) => {
                report.not_run += 1;
                report.note(shown, &format!("not run ({why})"));
                continue;
            }
            Ok(Plan::Checked(why)) => {
                report.not_run += 1;
                report.note(shown, &format!("resolved, not run ({why})"));
                continue;
            }
            Ok(Plan::Run { script, twins }) => (script, twins),
        };
        if !twins.is_empty() && python3().is_none() {
            report.not_run += 1;
            report.note(shown, "not run (python3 is missing)");
            continue;
        }
        if let Some(problem) = twins.iter().find_map(|twin| compile_error(twin)) {
            report.fail(shown, "the Python twin does not compile", &problem);
            continue;
        }
        report.ran += 1;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut running = start(&script, dir.path());
            let outcome = watch(&mut running);
            match outcome {
                Outcome::Listening(addr) => {
                    last_port =
                        addr.rsplit(':').next().and_then(|port| port.parse().ok());
                    report.note(shown, &format!("ran: a server, listening on {addr}"));
                    servers.push(running);
                }
                Outcome::Waiting => {
                    running.kill();
                    report.note(
                        shown,
                        "ran: still waiting (for a peer or input), stopped",
                    );
                }
                Outcome::Exited(status) => {
                    let stderr = running.stderr();
                    let in_use =
                        stderr.to_lowercase().contains("address already in use");
                    if in_use && attempt == 1 && !servers.is_empty() {
                        // The next server of a session replaces the one before
                        // it, as a student stops one before starting another.
                        servers.clear();
                        continue;
                    }
                    if in_use && servers.is_empty() {
                        report.not_run += 1;
                        port_busy = true;
                        report
                            .note(shown, "not run (its port is busy on this machine)");
                    } else if let Some(why) = failure(shown, status, &stderr) {
                        report.fail(shown, &why, &running.transcript());
                    } else {
                        report.note(
                            shown,
                            &format!("ran: exit {}", status.code().unwrap_or(-1)),
                        );
                    }
                }
            }
            break;
        }
    }
}

/// The compiler's complaint about a Python twin, if it has one.
fn compile_error(twin: &Path) -> Option<String> {
    let out = Command::new(python3()?)
        .args(["-c", "import sys; compile(open(sys.argv[1], encoding='utf-8').read(), sys.argv[1], 'exec')"])
        .arg(twin)
        .output()
        .unwrap();
    (!out.status.success()).then(|| String::from_utf8_lossy(&out.stderr).into_owned())
}

// ---------------------------------------------------------------------------
// The tests

#[test]
fn every_command_shown_to_students_runs_as_written() {
    let packages = packages();
    let mut report = Report::default();
    let commands = shown_commands(&packages, &mut report.failures);
    let mut sessions: BTreeMap<String, Vec<Shown>> = BTreeMap::new();
    let mut order = Vec::new();
    for shown in commands {
        if !sessions.contains_key(&shown.session) {
            order.push(shown.session.clone());
        }
        sessions.entry(shown.session.clone()).or_default().push(shown);
    }
    let start = Instant::now();
    for session in &order {
        run_session(&sessions[session], &packages, &mut report);
    }
    let mut text = String::new();
    for line in &report.lines {
        writeln!(text, "{line}").unwrap();
    }
    eprintln!(
        "{text}{} command(s) run, {} not run (reasons above), {} failed, in {:.1}s",
        report.ran,
        report.not_run,
        report.failures.len(),
        start.elapsed().as_secs_f64()
    );
    assert!(report.ran > 50, "too few commands found: the scanner is broken");
    assert!(
        report.failures.is_empty(),
        "{} command(s) shown to students fail:\n\n{}",
        report.failures.len(),
        report.failures.join("\n\n")
    );
}

#[test]
fn cargo_run_needs_a_default_run_when_a_crate_has_two_binaries() {
    let dir = Path::new("/nowhere");
    let two = "[package]\nname = \"pair\"\n\n[[bin]]\nname = \"server\"\npath = \"src/bin/s.rs\"\n\
               [[bin]]\nname = \"client\"\npath = \"src/bin/c.rs\"\n";
    let packages = [package_from_manifest(dir, two)];
    let run = |words: &[&str]| {
        let words: Vec<String> = words.iter().map(|word| word.to_string()).collect();
        binary_of_cargo_run(&packages, &words)
    };
    let err = run(&["-p", "pair"]).unwrap_err();
    assert!(err.contains("could not determine which binary to run"), "{err}");
    assert_eq!(run(&["-p", "pair", "--bin", "client"]).unwrap(), "client");
    assert!(run(&["-p", "pair", "--bin", "other"]).is_err());
    assert!(run(&["-p", "elsewhere"]).is_err());
    let with_default =
        two.replace("name = \"pair\"\n", "name = \"pair\"\ndefault-run = \"server\"\n");
    let packages = [package_from_manifest(dir, &with_default)];
    let words = vec!["-p".to_string(), "pair".to_string()];
    assert_eq!(binary_of_cargo_run(&packages, &words).unwrap(), "server");
}

#[test]
fn the_scanner_finds_commands_in_blocks_spans_and_prompts() {
    let names = vec!["udp-sender".to_string(), "udp-receiver".to_string()];
    let text = "# A\n\nRun `udp-sender hi` or `udp-sender`, not `--bind :8080`.\n\
                | 1 | `echo hi \\| cargo run -p udp-sender` |\n\n\
                ```text\nterminal 1 $ cargo run -p udp-receiver\nudp-receiver output line\n\
                127.0.0.1:5: hi\n```\n\n```console\n$ cargo run -p udp-sender -- hi   # two\nsent 2 bytes\n```\n\
                <!-- commands: not run: needs two machines -->\n```sh\ncargo run -p udp-sender -- --to 10.0.0.2:8080 x\n```\n";
    let found = commands_in_markdown("x.md", text, &names);
    let texts: Vec<&str> = found.iter().map(|shown| shown.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "udp-sender hi",
            "echo hi | cargo run -p udp-sender",
            "cargo run -p udp-receiver",
            "udp-receiver output line",
            "cargo run -p udp-sender -- hi",
            "cargo run -p udp-sender -- --to 10.0.0.2:8080 x",
        ]
    );
    assert_eq!(found[2].session, found[4].session, "one section, one session");
    assert_ne!(found[0].session, found[1].session, "each span alone");
    assert_eq!(found[5].not_run.as_deref(), Some("needs two machines"));
    assert_eq!(found[0].shape, Shape::Span);
    assert_eq!(found[2].shape, Shape::Block);

    // A transcript's error line is what the command must print; a span may
    // go on on the next line of its paragraph.
    let text = "```console\n$ udp-sender --to x\nerror: no (hint: yes)\n```\n\
                Try `udp-sender\n--bind :9 hi` now.\n";
    let found = commands_in_markdown("y.md", text, &names);
    assert_eq!(found[0].expect_error.as_deref(), Some("error: no"));
    assert_eq!(found[1].text, "udp-sender --bind :9 hi");
    assert_eq!(found[1].place, "y.md:5");
}

#[test]
fn words_split_like_sh() {
    let texts: Vec<String> = words("printf '金老板\\n你好' | a --x \"b c\" && d &")
        .into_iter()
        .map(|word| word.text)
        .collect();
    assert_eq!(
        texts,
        ["printf", "金老板\\n你好", "|", "a", "--x", "b c", "&&", "d", "&"]
    );
    assert_eq!(without_comment("a '#b' # c"), "a '#b'");
    assert_eq!(
        replace_word("--to 127.0.0.1:PORT PORTS", "PORT", "9"),
        "--to 127.0.0.1:9 PORTS"
    );
}

#[test]
fn every_python_twin_answers_help_and_bad_arguments_with_a_usage_line() {
    let Some(python) = python3() else { return };
    for twin in python_twins() {
        let name = relative(&twin);
        let help = Command::new(&python).arg(&twin).arg("--help").output().unwrap();
        let text = String::from_utf8_lossy(&help.stdout);
        assert!(help.status.success(), "{name} --help: {help:?}");
        assert!(text.starts_with(&format!("usage: python3 {name} ")), "{name}: {text}");
        let bad = Command::new(&python)
            .arg(&twin)
            .arg("--port")
            .arg("8080")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&bad.stderr);
        assert_eq!(bad.status.code(), Some(2), "{name} --port 8080: {stderr}");
        assert!(stderr.starts_with("usage: python3 "), "{name}: {stderr}");
        assert!(stderr.contains("error: unknown option '--port'"), "{name}: {stderr}");
        assert!(!stderr.contains("Traceback"), "{name}: {stderr}");
    }
}
