//! The book is readable at 1280 px: no side-by-side listing and no table is
//! cut (scrolled sideways), with the sidebar shown or hidden, because a pair
//! of listings is stacked unless both fit whole (theme/side-by-side.css and
//! .js) and wide blocks may grow beyond the 750 px text column (theme/wide.css).
//!
//! The CSS checks run everywhere. The measurement runs the built book in
//! headless Chromium when it is installed (`apt-get install chromium`) and
//! says SKIPPED otherwise, also in CI, which does not install a browser. To
//! look for yourself: `bash docs/tools/layout/screenshot.sh PAGE.html 1280`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use support::{build_book, docs_dir, mdbook, on_path, skip};
use testkit::{Cmd, TempDir};

fn theme(file: &str) -> String {
    fs::read_to_string(docs_dir().join("theme").join(file)).unwrap()
}

/// The declarations of the first rule whose selector is exactly `selector`.
fn rule<'a>(css: &'a str, selector: &str) -> Option<&'a str> {
    css.match_indices('{').find_map(|(open, _)| {
        let before = &css[..open];
        let start = before.rfind(['}', '/']).map_or(0, |at| at + 1);
        (before[start..].trim() == selector)
            .then(|| css[open + 1..].split('}').next().unwrap_or_default())
    })
}

#[test]
fn side_by_side_listings_are_stacked_unless_both_fit() {
    let css = theme("side-by-side.css");
    let pair = rule(&css, ".side-by-side").expect("a .side-by-side rule");
    assert!(
        pair.contains("grid-template-columns: auto;"),
        "a pair of listings must be one column (stacked) by default:\n{pair}"
    );
    // Two columns come only from the class side-by-side.js sets after measuring
    // both listings, never from a window width: at 1280 px a window is wide
    // enough for two listings of ~45 columns, not for the 88 of rustfmt.toml.
    let columns =
        rule(&css, ".side-by-side.columns").expect("a .side-by-side.columns rule");
    assert!(columns.contains("grid-template-columns: auto auto;"), "{columns}");
    assert_eq!(
        css.matches("grid-template-columns").count(),
        2,
        "only .side-by-side and .side-by-side.columns set the columns"
    );
    let script = theme("side-by-side.js");
    assert!(script.contains("classList.toggle(\"columns\", need <= room)"), "{script}");

    let book = fs::read_to_string(docs_dir().join("book.toml")).unwrap();
    for file in ["theme/side-by-side.css", "theme/wide.css", "theme/side-by-side.js"] {
        assert!(
            book.contains(&format!("\"{file}\"")),
            "book.toml does not load {file}"
        );
    }
}

#[test]
fn wide_blocks_may_grow_beyond_the_text_column() {
    let css = theme("wide.css");
    let content = rule(&css, ".content").expect("a .content rule");
    assert!(content.contains("container: book-content / inline-size;"), "{content}");
    for block in ["main > .table-wrapper", "main > .side-by-side", "main > pre"] {
        assert!(css.contains(block), "wide.css does not let {block} grow");
    }
    let grow = css.split("@media screen {").nth(1).expect("an @media screen block");
    assert!(
        grow.contains("width: max-content;") && grow.contains("max-width: 100cqw;")
    );
    assert!(
        grow.contains("main > .table-wrapper {\n        width: fit-content;"),
        "{grow}"
    );
}

/// `chromium` (Debian) or another name for it, or SKIPPED.
fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find_map(on_path)
        .or_else(|| skip("chromium not found", "apt-get install chromium", false))
}

/// Loads every chapter in a 1280 px (or `width`) frame, with the sidebar shown
/// and then hidden, and lists what does not fit. One line a finding:
/// `cut PAGE [STATE] WHAT …` (a listing or table scrolled sideways, or a block
/// past the window), `scrolls PAGE [STATE] …` (other preformatted text, allowed),
/// `pair PAGE [STATE] columns|stacked`, and finally `checked N pages`.
const HARNESS: &str = r#"<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>layout</title></head><body>
<iframe id="frame" style="width:WIDTHpx;height:900px;border:0"></iframe>
<pre id="result"></pre>
<script>
const pages = PAGES;
const frame = document.getElementById("frame");
const lines = [];
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const load = (url) => new Promise((resolve) => { frame.onload = resolve; frame.src = url; });
function measure(doc, page) {
  const win = doc.defaultView;
  const state = doc.documentElement.classList.contains("sidebar-visible") ? "sidebar shown" : "sidebar hidden";
  const where = (el) => `at y=${Math.round(el.getBoundingClientRect().top + win.scrollY)}`;
  for (const code of doc.querySelectorAll("main pre > code")) {
    const over = code.scrollWidth - code.clientWidth;
    if (over <= 1) continue;
    const kind = code.closest(".side-by-side") ? "cut" : "scrolls";
    lines.push(`${kind} ${page} [${state}] ${code.className.split(" ")[0] || "code"} listing by ${over}px of ${code.scrollWidth}px ${where(code)}`);
  }
  for (const table of doc.querySelectorAll("main .table-wrapper")) {
    const over = table.scrollWidth - table.clientWidth;
    if (over > 1) lines.push(`cut ${page} [${state}] table by ${over}px of ${table.scrollWidth}px ${where(table)}`);
  }
  for (const block of doc.querySelectorAll("main > *")) {
    const right = block.getBoundingClientRect().right;
    if (right > win.innerWidth + 1) lines.push(`cut ${page} [${state}] ${block.tagName.toLowerCase()} reaches ${Math.round(right)}px, past the ${win.innerWidth}px window ${where(block)}`);
  }
  for (const pair of doc.querySelectorAll("main .side-by-side")) {
    lines.push(`pair ${page} [${state}] ${pair.classList.contains("columns") ? "columns" : "stacked"} ${where(pair)}`);
  }
}
(async () => {
  try {
    for (const page of pages) {
      await load(page);
      const doc = frame.contentDocument;
      // The sidebar slides in 0.3 s; measure the end state at once.
      const still = doc.createElement("style");
      still.textContent = "* { transition: none !important; }";
      doc.head.appendChild(still);
      await doc.fonts.ready;
      await pause(100);
      measure(doc, page);
      doc.getElementById("sidebar-toggle").click();
      await pause(100);
      measure(doc, page);
    }
    lines.push(`checked ${pages.length} pages`);
  } catch (err) {
    lines.push(`error ${err}`);
  }
  document.getElementById("result").textContent = lines.join("\n");
})();
</script></body></html>
"#;

/// Every chapter of the built book, as paths relative to it.
fn chapters(book: &Path) -> Vec<String> {
    let mut pages = Vec::new();
    let mut dirs = vec![book.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let relative = path.strip_prefix(book).unwrap().display().to_string();
            if path.is_dir()
                && !["theme", "css", "fonts", "FontAwesome"]
                    .contains(&relative.as_str())
            {
                dirs.push(path);
            } else if relative.ends_with(".html")
                && !relative.starts_with("layout-")
                && !["print.html", "toc.html", "404.html", "index.html"]
                    .contains(&relative.as_str())
            {
                pages.push(relative);
            }
        }
    }
    pages.sort();
    pages
}

/// The findings of [`HARNESS`] for the built `book` in a `width` px frame.
fn measure(chromium: &Path, book: &TempDir, width: u32) -> Vec<String> {
    let pages = chapters(book.path());
    let list =
        pages.iter().map(|page| format!("{page:?}")).collect::<Vec<_>>().join(",");
    let harness = book.join(format!("layout-{width}.html"));
    fs::write(
        &harness,
        HARNESS
            .replace("PAGES", &format!("[{list}]"))
            .replace("WIDTH", &width.to_string()),
    )
    .unwrap();
    let profile = TempDir::new("chromium-profile");
    let out = Cmd::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--allow-file-access-from-files",
            "--hide-scrollbars",
            "--window-size=2000,1000",
            "--virtual-time-budget=120000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("file://{}", harness.display()))
        .spawn()
        .wait_exit(Duration::from_secs(180));
    assert!(out.status.success(), "chromium failed:\n{}", out.stderr);
    let result = out
        .stdout
        .split("<pre id=\"result\">")
        .nth(1)
        .and_then(|rest| rest.split("</pre>").next())
        .unwrap_or_default()
        .replace("&gt;", ">")
        .replace("&lt;", "<")
        .replace("&amp;", "&");
    let findings: Vec<String> = result.lines().map(str::to_string).collect();
    assert!(
        findings
            .last()
            .is_some_and(|last| *last == format!("checked {} pages", pages.len())),
        "the measurement did not finish:\n{result}"
    );
    findings
}

#[test]
fn at_1280_px_no_listing_or_table_is_cut() {
    let Some(chromium) = chromium() else { return };
    let Some(mdbook) = mdbook() else { return };
    let book = build_book(&mdbook);

    let findings = measure(&chromium, &book, 1280);
    for note in findings.iter().filter(|line| line.starts_with("scrolls ")) {
        eprintln!("note: preformatted text wider than the page, it scrolls: {note}");
    }
    let cut: Vec<&String> =
        findings.iter().filter(|line| line.starts_with("cut ")).collect();
    assert!(cut.is_empty(), "cut at 1280 px:\n{cut:#?}");
    let pairs = findings.iter().filter(|line| line.starts_with("pair ")).count();
    assert!(pairs >= 14, "only {pairs} side-by-side pairs measured: {findings:#?}");

    // Where the window has room, pairs do go side by side, still uncut.
    let wide = measure(&chromium, &book, 1920);
    let cut: Vec<&String> =
        wide.iter().filter(|line| line.starts_with("cut ")).collect();
    assert!(cut.is_empty(), "cut at 1920 px:\n{cut:#?}");
    assert!(
        wide.iter().any(|line| line.starts_with("pair ") && line.contains(" columns ")),
        "at 1920 px no pair of listings is side by side: {wide:#?}"
    );
}
