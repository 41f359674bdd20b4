//! The book's search finds Chinese: Pagefind indexes the built book
//! (`node docs/tools/search/index.mjs`), and a search for 套接字 returns the
//! sockets chapter, 三次握手 the chapter on opening a TCP connection — what a
//! student of a Chinese tutorial types. mdBook's own search, which splits on
//! spaces, found nothing for either; it is disabled in book.toml.
//!
//! Needs mdbook, node and Pagefind (`npm ci --prefix docs`). Without them it
//! says SKIPPED, except in CI, where `.ci/run` installs them and it fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use support::{build_book, docs_dir, mdbook, on_path, skip};
use testkit::Cmd;

/// What Pagefind is pinned to in docs/package.json.
const PAGEFIND_VERSION: &str = "1.6.0";

/// `node`, with Pagefind installed in docs/node_modules.
fn node_with_pagefind() -> Option<PathBuf> {
    let Some(node) = on_path("node") else {
        return skip(
            "node not found on PATH",
            "install Node.js, then npm ci --prefix docs",
            true,
        );
    };
    let installed = docs_dir().join("node_modules/pagefind/package.json");
    let version = fs::read_to_string(&installed).unwrap_or_default();
    if !version.contains(&format!("\"version\": \"{PAGEFIND_VERSION}\"")) {
        return skip(
            &format!(
                "pagefind {PAGEFIND_VERSION} is not installed in docs/node_modules"
            ),
            "npm ci --prefix docs",
            true,
        );
    }
    Some(node)
}

/// Runs `node docs/tools/search/SCRIPT args…` and returns its stdout.
fn node_script(node: &Path, script: &str, args: &[&str]) -> String {
    let out = Cmd::new(node)
        .arg(docs_dir().join("tools/search").join(script))
        .args(args)
        .spawn()
        .wait_exit(Duration::from_secs(120));
    assert!(
        out.status.success(),
        "node {script} failed:\n{}\n{}",
        out.stdout,
        out.stderr
    );
    out.stdout
}

/// Each query's results, in rank order: (url, title).
fn search(
    node: &Path,
    book: &Path,
    queries: &[&str],
) -> BTreeMap<String, Vec<(String, String)>> {
    let book = book.display().to_string();
    let mut args = vec!["--book", book.as_str()];
    args.extend(queries);
    let stdout = node_script(node, "query.mjs", &args);
    let mut results: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    let mut current = None;
    for line in stdout.lines() {
        if let Some(result) = line.strip_prefix("  ") {
            let (url, title) = result.split_once("  ").unwrap_or((result, ""));
            let query: &String = current.as_ref().expect("a result before its query");
            results.get_mut(query).unwrap().push((url.to_string(), title.to_string()));
        } else if let Some((query, _)) = line.split_once(": ") {
            current = Some(query.to_string());
            results.insert(query.to_string(), Vec::new());
        }
    }
    results
}

#[test]
fn chinese_words_find_their_chapters() {
    let Some(mdbook) = mdbook() else { return };
    let Some(node) = node_with_pagefind() else { return };
    let book = build_book(&mdbook);
    let indexed =
        node_script(&node, "index.mjs", &[&book.path().display().to_string()]);
    assert!(indexed.contains("search index: "), "{indexed}");

    // (query, the chapter it must find among the first three results, its title)
    let expected = [
        ("套接字", "/concepts/sockets.html", "What a socket is"),
        (
            "三次握手",
            "/concepts/tcp-connection.html",
            "Opening and closing a TCP connection",
        ),
        ("乱码", "/concepts/encodings.html", "Encodings and 乱码"),
        ("端口", "/concepts/ports.html", "Ports"),
        // English still works, and a prefix finds the whole word.
        (
            "handshake",
            "/concepts/tcp-connection.html",
            "Opening and closing a TCP connection",
        ),
        ("套接", "/concepts/sockets.html", "What a socket is"),
    ];
    let queries: Vec<&str> = expected.iter().map(|(query, ..)| *query).collect();
    let results = search(&node, book.path(), &queries);
    for (query, url, title) in expected {
        let found = &results[query];
        let top: Vec<&(String, String)> = found.iter().take(3).collect();
        assert!(
            top.iter().any(|(u, t)| u == url && t == title),
            "a search for {query} should find {url} ({title}) among its first three results; it found {found:?}"
        );
        // Only chapters are indexed: not the print page with every chapter, nor the
        // table of contents; and a result is titled with its chapter's heading.
        for (url, title) in found {
            assert!(
                !["/print.html", "/toc.html", "/404.html", "/"].contains(&url.as_str()),
                "{query} found {url}"
            );
            assert!(
                !title.is_empty() && !title.starts_with("Sockets in Rust"),
                "{url}: {title:?}"
            );
        }
    }
}

#[test]
fn the_book_uses_pagefind_instead_of_mdbooks_search() {
    let Some(mdbook) = mdbook() else { return };
    let book = build_book(&mdbook);
    let page = fs::read_to_string(book.path().join("concepts/sockets.html")).unwrap();
    assert!(
        page.contains("theme/search.js"),
        "the Pagefind search box is not in the page"
    );
    assert!(
        !page.contains("searchindex.js") && !page.contains("id=\"search-toggle\""),
        "mdBook's own search (which finds no Chinese) is still in the page"
    );
    let script = fs::read_to_string(book.path().join("theme/search.js")).unwrap();
    assert!(
        script.contains("pagefind-ui.js"),
        "theme/search.js does not load Pagefind's UI"
    );
}
