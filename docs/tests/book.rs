//! The checks that keep the course book true to the code: every `{{#include}}`
//! resolves (file and anchor), every lesson crate has a chapter in SUMMARY.md,
//! no chapter pastes Rust or Python code instead of including it, `--explain`
//! lines quoted in chapters match the programs, the byte strings of the
//! encodings chapter are the real ones, the tutorials are called tutorials
//! (by title and site in the introduction) and never pointed at as a folder of
//! the repository, and `mdbook build` succeeds.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::collections::BTreeSet;
use std::fs;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

use common::Codec;
use testkit::{Cmd, TempDir};

/// The mdBook version `.ci/run` installs; the book is written for it.
const MDBOOK_VERSION: &str = "0.4.52";

// ---------------------------------------------------------------------------
// Where things are

/// `docs/`, the book's root (book.toml).
fn docs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The workspace root, where the lesson crates live.
fn workspace_dir() -> PathBuf {
    docs_dir().parent().expect("docs/ has a parent").to_path_buf()
}

/// `docs/src`, the chapters.
fn src_dir() -> PathBuf {
    docs_dir().join("src")
}

fn read(path: &Path) -> String {
    fs::read_to_string(path)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()))
}

/// A path as the report shows it: relative to the workspace root.
fn shown(path: &Path) -> String {
    let path = normalize(path);
    path.strip_prefix(normalize(&workspace_dir()))
        .map(|relative| relative.display().to_string())
        .unwrap_or_else(|_| path.display().to_string())
}

/// Removes `.` and `..` without touching the file system (the file may not exist).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Every `.md` file under `dir`, sorted.
fn markdown_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).unwrap().map(Result::unwrap) {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "md") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// Every file with extension `ext` under `dir` (none if `dir` is missing).
fn files_with_extension(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = fs::read_dir(&dir) else { continue };
        for entry in entries.map(Result::unwrap) {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|found| found == ext) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// Fails with every problem found, one per line.
fn assert_no_problems(what: &str, problems: &[String]) {
    assert!(
        problems.is_empty(),
        "{what}: {} problem(s)\n  {}\n",
        problems.len(),
        problems.join("\n  ")
    );
}

// ---------------------------------------------------------------------------
// Reading the book's markdown

/// One `{{#include PATH}}` or `{{#include PATH:ANCHOR}}` in a chapter.
#[derive(Debug)]
struct Include {
    chapter: PathBuf,
    line: usize,
    /// The text between `{{` and `}}`, for messages.
    text: String,
    path: String,
    anchor: Option<String>,
}

/// The includes of one chapter. mdBook's escaped form `\{{#include …}}` shows
/// the text literally and is skipped, as mdBook skips it.
fn includes_in(chapter: &Path, text: &str) -> Vec<Include> {
    let mut found = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let mut rest = line;
        let mut offset = 0;
        while let Some(start) = rest.find("{{") {
            let escaped = start > 0 && rest.as_bytes()[start - 1] == b'\\';
            let after = &rest[start + 2..];
            let Some(end) = after.find("}}") else { break };
            let inner = after[..end].trim();
            offset += start + 2 + end + 2;
            rest = &line[offset..];
            if escaped {
                continue;
            }
            let argument = ["#include", "#rustdoc_include"]
                .iter()
                .find_map(|command| inner.strip_prefix(command))
                .filter(|argument| argument.starts_with(char::is_whitespace));
            let Some(argument) = argument else { continue };
            let (path, anchor) = split_include_argument(argument.trim());
            found.push(Include {
                chapter: chapter.to_path_buf(),
                line: index + 1,
                text: format!("{{{{{inner}}}}}"),
                path,
                anchor,
            });
        }
    }
    found
}

/// `path`, `path:anchor`, `path:10`, `path:10:20`, `path::20`, `path:10:` —
/// as mdBook reads them: numbers are line ranges, anything else an anchor.
fn split_include_argument(argument: &str) -> (String, Option<String>) {
    let Some((path, selector)) = argument.split_once(':') else {
        return (argument.to_string(), None);
    };
    let is_range =
        selector.split(':').all(|part| part.chars().all(|c| c.is_ascii_digit()));
    let anchor = (!is_range).then(|| selector.to_string());
    (path.to_string(), anchor)
}

/// Whether `text` has a line with `MARKER name` (mdBook: `ANCHOR:\s*name`).
/// Returns the line number.
fn anchor_line(text: &str, marker: &str, name: &str) -> Option<usize> {
    text.lines().position(|line| {
        line.match_indices(marker).any(|(at, _)| {
            let after = line[at + marker.len()..].trim_start();
            let word: String = after
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
                .collect();
            word == name
        })
    })
}

/// A fenced code block of a chapter.
#[derive(Debug)]
struct CodeBlock {
    /// The first word of the info string, lower-case (`rust`, `python`, `text`).
    language: String,
    /// The line of the opening fence (1-based).
    line: usize,
    /// The lines between the fences.
    body: Vec<String>,
}

/// The fenced code blocks (``` or ~~~) of a chapter, indented ones included.
fn code_blocks(text: &str) -> Vec<CodeBlock> {
    let mut blocks = Vec::new();
    let mut open: Option<(char, usize, CodeBlock)> = None;
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        match &mut open {
            None => {
                for fence in ['`', '~'] {
                    let count = trimmed.chars().take_while(|&c| c == fence).count();
                    if count >= 3 {
                        let info = trimmed[count..].trim();
                        let language = info
                            .split(|c: char| c == ',' || c.is_whitespace())
                            .next()
                            .unwrap_or("")
                            .to_ascii_lowercase();
                        open = Some((
                            fence,
                            count,
                            CodeBlock { language, line: index + 1, body: Vec::new() },
                        ));
                        break;
                    }
                }
            }
            Some((fence, count, block)) => {
                let closing = trimmed.chars().take_while(|c| c == fence).count();
                if closing >= *count && trimmed[closing..].trim().is_empty() {
                    let (_, _, block) = open.take().unwrap();
                    blocks.push(block);
                } else {
                    block.body.push(line.to_string());
                }
            }
        }
    }
    blocks
}

/// The chapter files SUMMARY.md links to, in order, as written (`lessons/udp-sender.md`).
fn summary_links() -> Vec<String> {
    let summary = read(&src_dir().join("SUMMARY.md"));
    let mut links = Vec::new();
    for line in summary.lines() {
        let mut rest = line;
        while let Some(start) = rest.find("](") {
            let after = &rest[start + 2..];
            let Some(end) = after.find(')') else { break };
            let target = after[..end].trim();
            if !target.is_empty() && !target.contains("://") {
                links.push(target.split('#').next().unwrap().to_string());
            }
            rest = &after[end..];
        }
    }
    links
}

/// The lesson crates: every workspace member with a binary (`src/main.rs` or
/// `src/bin/`) except `common` and `docs`, read from the root Cargo.toml.
fn lesson_crates() -> Vec<String> {
    let manifest = read(&workspace_dir().join("Cargo.toml"));
    let members_at =
        manifest.find("members").expect("[workspace] members in Cargo.toml");
    let list = &manifest[members_at..];
    let open = list.find('[').expect("members = [");
    let close = list.find(']').expect("members = [ … ]");
    let members = list[open + 1..close]
        .split(',')
        .map(|item| item.trim().trim_matches('"').trim())
        .filter(|item| !item.is_empty() && !item.starts_with('#'));
    members
        .filter(|member| *member != "common" && *member != "docs")
        .filter(|member| {
            let dir = workspace_dir().join(member);
            dir.join("src/main.rs").is_file() || dir.join("src/bin").is_dir()
        })
        .map(str::to_string)
        .collect()
}

// ---------------------------------------------------------------------------
// (1) every include resolves

#[test]
fn every_include_names_an_existing_file_and_anchor() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for chapter in markdown_files(&src_dir()) {
        let text = read(&chapter);
        for include in includes_in(&chapter, &text) {
            checked += 1;
            let file = chapter.parent().unwrap().join(&include.path);
            let at = format!(
                "{}:{}: {}",
                shown(&include.chapter),
                include.line,
                include.text
            );
            if !file.is_file() {
                let why = if include.path.contains("samples/") {
                    " (sample sessions are written by `cargo run -p docs --bin course -- --write-samples`)"
                } else {
                    ""
                };
                problems.push(format!("{at}: no file {}{why}", shown(&file)));
                continue;
            }
            let Some(anchor) = &include.anchor else { continue };
            let source = read(&file);
            let start = anchor_line(&source, "ANCHOR:", anchor);
            let end = anchor_line(&source, "ANCHOR_END:", anchor);
            match (start, end) {
                (Some(start), Some(end)) if start < end => {}
                (Some(_), Some(_)) => problems.push(format!(
                    "{at}: in {}, `ANCHOR_END: {anchor}` comes before `ANCHOR: {anchor}`",
                    shown(&file)
                )),
                (start, end) => {
                    let missing: Vec<String> = [(start, "ANCHOR"), (end, "ANCHOR_END")]
                        .iter()
                        .filter(|(line, _)| line.is_none())
                        .map(|(_, marker)| format!("`{marker}: {anchor}`"))
                        .collect();
                    problems.push(format!("{at}: {} has no {}", shown(&file), missing.join(" and no ")));
                }
            }
        }
    }
    assert!(checked > 0, "no {{{{#include}}}} found in docs/src: is the book there?");
    assert_no_problems("includes in docs/src that mdBook cannot resolve", &problems);
}

// ---------------------------------------------------------------------------
// (2) every lesson crate has a chapter linked from SUMMARY.md

#[test]
fn every_lesson_crate_has_a_chapter_in_the_summary() {
    let crates = lesson_crates();
    assert!(
        crates.len() >= 2,
        "found only {crates:?} as lesson crates in the root Cargo.toml"
    );
    let links: BTreeSet<String> = summary_links().into_iter().collect();
    let mut problems = Vec::new();
    for lesson in &crates {
        let link = format!("lessons/{lesson}.md");
        let file = src_dir().join(&link);
        if !file.is_file() {
            problems.push(format!(
                "lesson crate `{lesson}` has no chapter: {} is missing",
                shown(&file)
            ));
        }
        if !links.contains(&link) {
            problems.push(format!(
                "lesson crate `{lesson}`: docs/src/SUMMARY.md does not link {link}"
            ));
        }
    }
    assert_no_problems("lesson chapters", &problems);
}

#[test]
fn every_chapter_in_the_summary_exists_and_every_chapter_is_in_it() {
    let links = summary_links();
    assert!(links.iter().any(|link| link == "introduction.md"), "{links:?}");
    let mut problems = Vec::new();
    for link in &links {
        let file = src_dir().join(link);
        if !file.is_file() {
            problems.push(format!(
                "docs/src/SUMMARY.md links {link}, and {} is missing",
                shown(&file)
            ));
        }
    }
    let linked: BTreeSet<PathBuf> =
        links.iter().map(|link| normalize(&src_dir().join(link))).collect();
    for chapter in markdown_files(&src_dir()) {
        let name = chapter.file_name().unwrap();
        if name != "SUMMARY.md" && !linked.contains(&normalize(&chapter)) {
            problems.push(format!(
                "{} is not linked from docs/src/SUMMARY.md, so the book never shows it",
                shown(&chapter)
            ));
        }
    }
    assert_no_problems("SUMMARY.md", &problems);
}

// ---------------------------------------------------------------------------
// (3) no pasted code

/// Languages whose blocks must be included from a compiled or tested file.
const INCLUDED_LANGUAGES: [&str; 7] =
    ["rust", "rs", "python", "py", "python3", "py3", "pycon"];

#[test]
fn rust_and_python_blocks_only_include_code() {
    let mut problems = Vec::new();
    for chapter in markdown_files(&src_dir()) {
        let text = read(&chapter);
        for block in code_blocks(&text) {
            if !INCLUDED_LANGUAGES.contains(&block.language.as_str()) {
                continue;
            }
            let lines: Vec<&String> =
                block.body.iter().filter(|line| !line.trim().is_empty()).collect();
            let pasted = lines.iter().find(|line| {
                let line = line.trim();
                !(line.starts_with("{{#include ")
                    || line.starts_with("{{#rustdoc_include "))
                    || !line.ends_with("}}")
            });
            if let Some(pasted) = pasted {
                problems.push(format!(
                    "{}:{}: a ```{} block pastes code (`{}`): include it from its file with \
                     {{{{#include PATH:ANCHOR}}}} instead, or use ```text for output",
                    shown(&chapter),
                    block.line,
                    block.language,
                    pasted.trim()
                ));
            } else if lines.is_empty() {
                problems.push(format!(
                    "{}:{}: an empty ```{} block",
                    shown(&chapter),
                    block.line,
                    block.language
                ));
            }
        }
    }
    assert_no_problems("code pasted into the book", &problems);
}

#[test]
fn the_markdown_scanner_finds_includes_anchors_and_fences() {
    let text = "a \\{{#include x.rs:no}} b {{#include ../y.py:main}}\n\
                ```rust,ignore\n{{#include z.rs}}\n```\n\
                  ~~~~text\n```\n~~~~\n";
    let found = includes_in(Path::new("c.md"), text);
    let found: Vec<_> =
        found.iter().map(|i| (i.line, i.path.as_str(), i.anchor.as_deref())).collect();
    assert_eq!(found, [(1, "../y.py", Some("main")), (3, "z.rs", None)]);
    assert_eq!(split_include_argument("a.rs:10:20"), ("a.rs".into(), None));
    assert_eq!(split_include_argument("a.rs::20"), ("a.rs".into(), None));
    assert_eq!(split_include_argument("a.rs:run"), ("a.rs".into(), Some("run".into())));
    let blocks = code_blocks(text);
    assert_eq!(blocks.len(), 2);
    assert_eq!((blocks[0].language.as_str(), blocks[0].body.len()), ("rust", 1));
    assert_eq!(
        (blocks[1].language.as_str(), blocks[1].body.as_slice()),
        ("text", &["```".to_string()][..])
    );
    let source = "x\n    // ANCHOR: run\nfn run() {}\n    // ANCHOR_END: run\n# ANCHOR: running\n";
    assert_eq!(anchor_line(source, "ANCHOR:", "run"), Some(1));
    assert_eq!(anchor_line(source, "ANCHOR_END:", "run"), Some(3));
    assert_eq!(anchor_line(source, "ANCHOR:", "runn"), None);
    assert_eq!(percent_decoded("a-%E5%AD%97%E8%8A%82%E6%B5%81-b%2"), "a-字节流-b%2");
}

// ---------------------------------------------------------------------------
// Lesson chapters follow the pattern, and quote --explain truthfully

#[test]
fn lesson_chapters_show_both_listings_side_by_side_and_a_sample() {
    let mut problems = Vec::new();
    for lesson in lesson_crates() {
        let chapter = src_dir().join(format!("lessons/{lesson}.md"));
        let Ok(text) = fs::read_to_string(&chapter) else { continue }; // reported by the summary test
        let includes = includes_in(&chapter, &text);
        let includes_from = |prefix: &str| {
            includes.iter().any(|include| include.path.starts_with(prefix))
        };
        let mut missing = Vec::new();
        if !text.contains("class=\"side-by-side\"") {
            missing.push(
                "a <div class=\"side-by-side\"> with the two listings".to_string(),
            );
        }
        if !includes_from(&format!("../../../{lesson}/python/")) {
            missing.push(format!("a Python listing included from {lesson}/python/"));
        }
        if !includes_from(&format!("../../../{lesson}/src/")) {
            missing.push(format!("a Rust listing included from {lesson}/src/"));
        }
        if !includes_from(&format!("../../samples/{lesson}")) {
            missing.push(format!(
                "a sample session included from docs/samples/{lesson}.txt"
            ));
        }
        if !text.contains("<details>") {
            missing.push("instructor notes in <details>".to_string());
        }
        if !text.to_lowercase().contains("exercise") {
            missing.push("exercises".to_string());
        }
        for piece in missing {
            problems.push(format!("{} has no {piece}", shown(&chapter)));
        }
    }
    assert_no_problems("lesson chapters", &problems);
}

/// `[step N/M] PYTHON  ->  RUST` lines quoted in a lesson chapter must name a
/// Rust call that the crate's sources really narrate, and a step N that its
/// sources number with a `// N.` comment.
#[test]
fn explain_lines_quoted_in_lesson_chapters_match_the_programs() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for lesson in lesson_crates() {
        let chapter = src_dir().join(format!("lessons/{lesson}.md"));
        let Ok(text) = fs::read_to_string(&chapter) else { continue };
        let sources: String =
            files_with_extension(&workspace_dir().join(&lesson).join("src"), "rs")
                .iter()
                .map(|file| read(file))
                .collect::<Vec<_>>()
                .join("\n");
        for block in code_blocks(&text) {
            for (offset, line) in block.body.iter().enumerate() {
                let line = line.trim();
                let Some(rest) = line.strip_prefix("[step ") else { continue };
                let at = format!("{}:{}", shown(&chapter), block.line + 1 + offset);
                let Some((numbers, calls)) = rest.split_once("] ") else {
                    problems.push(format!(
                        "{at}: `{line}` is not `[step N/M] PYTHON  ->  RUST`"
                    ));
                    continue;
                };
                let step = numbers.split('/').next().unwrap_or("");
                let Some((_, rust)) = calls.rsplit_once("  ->  ") else {
                    problems.push(format!("{at}: `{line}` has no `  ->  RUST` part"));
                    continue;
                };
                checked += 1;
                // A call with formatted arguments, `Socket::listen({})`, is
                // matched by what comes before its first parenthesis.
                let rust = rust.trim();
                let fixed = rust.split('(').next().unwrap_or(rust).trim();
                if !sources.contains(rust) && !sources.contains(fixed) {
                    problems.push(format!(
                        "{at}: the Rust call `{rust}` appears nowhere in {lesson}/src"
                    ));
                }
                if !sources.contains(&format!("// {step}. ")) {
                    problems.push(format!(
                        "{at}: {lesson}/src has no step comment `// {step}. …`"
                    ));
                }
            }
        }
    }
    assert!(checked > 0, "no --explain lines found in the lesson chapters");
    assert_no_problems("--explain lines quoted in the book", &problems);
}

// ---------------------------------------------------------------------------
// The socket API chapter covers tutorial 002's list

#[test]
fn the_socket_api_chapter_covers_every_call_of_tutorial_002() {
    let text = read(&src_dir().join("socket-api.md"));
    let headings: Vec<&str> =
        text.lines().filter(|line| line.starts_with("## ")).collect();
    let calls = [
        "socket.socket(",
        "bind(",
        "listen(",
        "setblocking(",
        "accept(",
        "connect(",
        "connect_ex(",
        "close(",
        "recv(",
        "recvfrom(",
        "send(",
        "sendall(",
        "sendto(",
        "settimeout(",
        "getpeername(",
        "getsockname(",
        "fileno(",
    ];
    let mut problems = Vec::new();
    for call in calls {
        if !headings.iter().any(|heading| heading.starts_with(&format!("## `{call}"))) {
            problems
                .push(format!("no section `## `{call}…)`` in docs/src/socket-api.md"));
        }
        if !text.contains(&format!("| `{call}")) {
            problems.push(format!(
                "no row for `{call}…)` in the table of docs/src/socket-api.md"
            ));
        }
    }
    for family in ["AF_INET", "AF_INET6", "AF_UNIX", "SOCK_STREAM", "SOCK_DGRAM"] {
        if !text.contains(&format!("`{family}`")) {
            problems.push(format!("docs/src/socket-api.md never names `{family}`"));
        }
    }
    assert_no_problems("the socket API chapter", &problems);
}

// ---------------------------------------------------------------------------
// The glossary pairs the tutorials' terms with English

#[test]
fn the_glossary_pairs_every_key_term_of_the_tutorials() {
    let text = read(&src_dir().join("glossary.md"));
    let rows: Vec<Vec<&str>> = text
        .lines()
        .filter(|line| line.starts_with("| ") && !line.starts_with("| ---"))
        .map(|line| line.trim_matches('|').split(" | ").map(str::trim).collect())
        .collect();
    let mut problems = Vec::new();
    let terms = [
        "套接字",
        "端口",
        "知名端口",
        "动态端口",
        "IP地址",
        "三次握手",
        "四次断开",
        "乱码",
        "编码",
        "解码",
        "数据报",
        "字节流",
        "面向连接",
        "无连接",
        "绑定",
        "监听",
        "阻塞",
        "超时",
        "客户端",
        "服务器",
        "浏览器",
        "地址族",
        "文件描述符",
        "传输层",
        "应用层",
    ];
    for term in terms {
        let found = rows.iter().any(|row| {
            row.first()
                .is_some_and(|chinese| chinese.split(", ").any(|t| t.starts_with(term)))
        });
        if !found {
            problems.push(format!("no glossary row for {term}"));
        }
    }
    for row in &rows {
        if row.len() >= 2 && (row[0].is_empty() || row[1].is_empty()) {
            problems.push(format!("a glossary row without both names: {row:?}"));
        }
    }
    for state in ["FIN_WAIT_1", "FIN_WAIT_2", "TIME_WAIT", "LAST_ACK", "CLOSE_WAIT"] {
        if !text.contains(&format!("| `{state}` |")) {
            problems.push(format!("the TCP states table has no `{state}`"));
        }
    }
    assert_no_problems("docs/src/glossary.md", &problems);
}

// ---------------------------------------------------------------------------
// The encodings chapter shows real bytes

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect::<Vec<_>>().join(" ")
}

#[test]
fn the_encodings_chapter_shows_the_bytes_common_codec_produces() {
    let text = read(&src_dir().join("concepts/encodings.md"));
    let mut problems = Vec::new();
    // The table: | `text` | `UTF-8 bytes` | `GBK bytes` |
    for sample in ["nihao", "数据", "你好", "TCP数据"] {
        let utf8 = hex(&Codec::UTF_8.encode(sample).unwrap());
        let gbk = hex(&Codec::GBK.encode(sample).unwrap());
        let row = format!("| `{sample}` | `{utf8}` | `{gbk}` |");
        if !text.contains(&row) {
            problems.push(format!("the byte table has no row {row}"));
        }
    }
    assert_eq!(Codec::GBK.encode("数据").unwrap(), b"\xca\xfd\xbe\xdd");
    assert_eq!(Codec::UTF_8.encode("数据").unwrap(), b"\xe6\x95\xb0\xe6\x8d\xae");

    // UTF-8 read as GBK: valid, wrong, and reversible.
    for (sample, garbled) in [("数据", "鏁版嵁"), ("你好", "浣犲ソ")] {
        let decoded = Codec::GBK.decode(sample.as_bytes());
        assert_eq!((decoded.text.as_str(), decoded.replaced), (garbled, 0));
        assert_eq!(Codec::GBK.encode(garbled).unwrap(), sample.as_bytes());
        if !text.contains(garbled) {
            problems.push(format!(
                "the chapter does not show {sample} (UTF-8) read as GBK: {garbled}"
            ));
        }
    }
    // GBK read as UTF-8: one U+FFFD per invalid sequence, as the warning counts.
    for (sample, replaced) in [("数据", 4), ("你好", 3)] {
        let decoded = Codec::UTF_8.decode(&Codec::GBK.encode(sample).unwrap());
        assert_eq!(decoded.replaced, replaced, "{sample}");
        let shown = "\u{FFFD}".repeat(replaced);
        assert_eq!(decoded.text, shown);
        if !text.contains(&format!("'{shown}'")) {
            problems.push(format!(
                "the chapter does not show {sample} (GBK) read as UTF-8: '{shown}'"
            ));
        }
    }
    if !text.contains(&format!(
        "warning: {} byte sequence(s) from",
        Codec::UTF_8.decode(b"\xca\xfd\xbe\xdd").replaced
    )) {
        problems.push(
            "the chapter does not quote the receiver's warning for 4 sequences".into(),
        );
    }
    assert_no_problems("docs/src/concepts/encodings.md", &problems);
}

/// Every `>>> EXPR` line in a ```text block of the encodings chapter, followed
/// by the line Python prints: checked against python3 (skipped without it,
/// except in CI).
#[test]
fn the_python_sessions_in_the_encodings_chapter_are_what_python_prints() {
    let text = read(&src_dir().join("concepts/encodings.md"));
    let mut pairs = Vec::new();
    for block in code_blocks(&text) {
        for (index, line) in block.body.iter().enumerate() {
            if let Some(expression) = line.strip_prefix(">>> ") {
                let shown = block.body.get(index + 1).cloned().unwrap_or_default();
                pairs.push((block.line + 1 + index, expression.to_string(), shown));
            }
        }
    }
    assert!(
        pairs.len() >= 5,
        "expected Python sessions in the chapter, found {pairs:?}"
    );
    let Some(python) = testkit::python3() else { return };
    const EVALUATE: &str = "import sys\n\
        for line in sys.stdin.read().splitlines():\n\
        \x20   try:\n\
        \x20       print(repr(eval(line)))\n\
        \x20   except Exception as error:\n\
        \x20       print(f'{type(error).__name__}: {error}')\n";
    let input: String =
        pairs.iter().map(|(_, expression, _)| format!("{expression}\n")).collect();
    let output = Cmd::new(python)
        .args(["-c", EVALUATE])
        .env("PYTHONIOENCODING", "utf-8")
        .env("PYTHONUTF8", "1")
        .stdin(input.into_bytes())
        .run();
    assert!(output.status.success(), "python3 failed: {}", output.stderr);
    let printed: Vec<&str> = output.stdout.lines().collect();
    assert_eq!(printed.len(), pairs.len(), "python3 printed {printed:?}");
    let problems: Vec<String> = pairs
        .iter()
        .zip(&printed)
        .filter(|((_, _, shown), printed)| shown.trim_end() != printed.trim_end())
        .map(|((line, expression, shown), printed)| {
            format!(
                "docs/src/concepts/encodings.md:{line}: >>> {expression}\n    the book shows:  {shown}\n    python3 prints:  {printed}"
            )
        })
        .collect();
    assert_no_problems("Python sessions in the encodings chapter", &problems);
}

// ---------------------------------------------------------------------------
// (4) mdbook build

/// `%E5%AD%97` -> `字`: mdBook percent-encodes the non-ASCII fragments of links,
/// while heading ids keep the characters.
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        let escaped = (bytes[at] == b'%')
            .then(|| text.get(at + 1..at + 3))
            .flatten()
            .and_then(|digits| u8::from_str_radix(digits, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                at += 3;
            }
            None => {
                out.push(bytes[at]);
                at += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `mdbook` on PATH, or `None` (SKIPPED) on a machine without it; in CI
/// (`CI` set) a missing mdbook fails: `.ci/run` installs it.
fn mdbook() -> Option<PathBuf> {
    let name = format!("mdbook{}", std::env::consts::EXE_SUFFIX);
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(&name))
            .find(|path| path.is_file())
    });
    if found.is_none() {
        let install =
            format!("cargo install mdbook --version {MDBOOK_VERSION} --locked");
        if std::env::var_os("CI").is_some_and(|value| !value.is_empty()) {
            panic!(
                "mdbook is required in CI to build the book, and it is not on PATH ({install}; .ci/run does it)"
            );
        }
        eprintln!(
            "SKIPPED: mdbook not found on PATH; the book was not built (install it with `{install}`)"
        );
    }
    found
}

#[test]
fn mdbook_builds_the_book_without_errors() {
    let Some(mdbook) = mdbook() else { return };
    let version = Command::new(&mdbook).arg("--version").output().unwrap();
    let version = String::from_utf8_lossy(&version.stdout).trim().to_string();
    if !version.contains(MDBOOK_VERSION) {
        eprintln!(
            "note: building with {version}; the book is written for mdbook v{MDBOOK_VERSION}"
        );
    }
    let out = TempDir::new("book");
    let output = Command::new(&mdbook)
        .arg("build")
        .arg(docs_dir())
        .arg("--dest-dir")
        .arg(out.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    // mdBook logs a missing include as an ERROR and still exits 0: both count.
    // (0.4 writes `[ERROR]`, later versions `ERROR`.)
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|line| {
            line.split_whitespace().any(|word| word == "[ERROR]" || word == "ERROR")
        })
        .collect();
    assert!(
        output.status.success() && errors.is_empty(),
        "`mdbook build docs` failed ({}, {version}):\n{stderr}",
        output.status
    );

    // The includes were expanded: the Rust and Python listings are in the page.
    let page = read(&out.join("lessons/udp-sender.html"));
    assert!(
        page.contains("side-by-side"),
        "lessons/udp-sender.html has no side-by-side block"
    );
    assert!(
        page.contains("pub fn send(") && page.contains("def send("),
        "listings not included"
    );
    assert!(!page.contains("{{#include"), "an include was left unexpanded");
    assert!(
        fs::read_to_string(out.join("theme/side-by-side.css")).is_ok(),
        "the CSS is missing"
    );

    // Every link between chapters leads to a page, and to a heading that exists.
    let mut problems = Vec::new();
    for page in files_with_extension(out.path(), "html") {
        let name = page.strip_prefix(out.path()).unwrap().display().to_string();
        if ["print.html", "toc.html", "404.html"].contains(&name.as_str()) {
            continue;
        }
        let html = read(&page);
        for link in
            html.split("href=\"").skip(1).filter_map(|rest| rest.split('"').next())
        {
            if link.contains("://")
                || link.starts_with("mailto:")
                || link.starts_with('/')
            {
                continue;
            }
            let (file, fragment) = link.split_once('#').unwrap_or((link, ""));
            if !(file.is_empty() || file.ends_with(".html")) {
                continue;
            }
            let target = if file.is_empty() {
                page.clone()
            } else {
                page.parent().unwrap().join(file)
            };
            let Ok(target_html) = fs::read_to_string(&target) else {
                problems.push(format!("{name}: link {link} leads to no page"));
                continue;
            };
            let fragment = percent_decoded(fragment);
            if !fragment.is_empty()
                && !target_html.contains(&format!("id=\"{fragment}\""))
            {
                problems
                    .push(format!("{name}: link {link}: no heading #{fragment} there"));
            }
        }
    }
    assert_no_problems("links in the built book", &problems);
}

#[test]
fn the_book_says_tutorial_and_names_each_by_title_and_site() {
    let mut problems = Vec::new();
    let mut pages = markdown_files(&src_dir());
    pages.push(workspace_dir().join("README.md"));
    for page in &pages {
        let text = read(page);
        for (index, line) in text.lines().enumerate() {
            let says_seed = line.split(|c: char| !c.is_alphanumeric()).any(|word| {
                word.eq_ignore_ascii_case("seed") || word.eq_ignore_ascii_case("seeds")
            });
            if says_seed {
                problems.push(format!(
                    "{}:{}: says \"seed\", not \"tutorial\"",
                    shown(page),
                    index + 1
                ));
            }
            if line.contains("shared/") {
                problems.push(format!(
                    "{}:{}: points at shared/, which a clone does not have",
                    shown(page),
                    index + 1
                ));
            }
        }
    }
    let introduction = read(&src_dir().join("introduction.md"));
    for row in [
        "| 000 | \"Python socket编程\" | 看云 (kancloud.cn) |",
        "| 001 | \"网络编程\" | 博客园 (cnblogs.com) |",
        "| 002 | untitled notes on the socket API |",
        "| 003 | \"Python使用套接字(socket)实现UDP与TCP通信\" |",
        "| 004 | \"4.Python网络编程Socket\" |",
    ] {
        if !introduction.contains(row) {
            problems
                .push(format!("the introduction's table of tutorials lacks {row:?}"));
        }
    }
    assert_no_problems("tutorials", &problems);
}

#[test]
fn the_minimum_rust_version_is_the_same_in_cargo_toml_and_the_introduction() {
    let manifest = read(&workspace_dir().join("Cargo.toml"));
    let version = manifest
        .lines()
        .find_map(|line| line.strip_prefix("rust-version = \""))
        .and_then(|rest| rest.strip_suffix('"'))
        .expect("rust-version in the workspace's Cargo.toml");
    let introduction = read(&src_dir().join("introduction.md"));
    assert!(
        introduction.contains(&format!("Rust toolchain ({version} or newer")),
        "the introduction must state rust-version {version}"
    );
}
