//! What the book's browser-side checks share (tests/search.rs, tests/layout.rs):
//! finding the tools they need, and building the book into a scratch folder.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use testkit::{Cmd, TempDir};

/// `docs/`, the book's root (book.toml).
pub fn docs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Whether this is CI (`CI` set and not empty), where `.ci/run` installs the
/// tools and a missing one is a failure, not a skip.
pub fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|value| !value.is_empty())
}

/// `program` on PATH.
pub fn on_path(program: &str) -> Option<PathBuf> {
    let name = format!("{program}{}", std::env::consts::EXE_SUFFIX);
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(&name))
            .find(|path| path.is_file())
    })
}

/// Says `SKIPPED: {why} ({hint})` and returns `None`; in CI, when the tool is
/// one `.ci/run` installs (`required_in_ci`), fails instead.
pub fn skip<T>(why: &str, hint: &str, required_in_ci: bool) -> Option<T> {
    if required_in_ci && in_ci() {
        panic!("{why}, and CI requires it ({hint}; .ci/run does it)");
    }
    eprintln!("SKIPPED: {why} ({hint})");
    None
}

/// `mdbook` on PATH (CI installs it).
pub fn mdbook() -> Option<PathBuf> {
    on_path("mdbook").or_else(|| {
        skip(
            "mdbook not found on PATH, the book was not built",
            "cargo install mdbook --version 0.4.52 --locked",
            true,
        )
    })
}

/// The book built by `mdbook build docs` into a scratch folder.
pub fn build_book(mdbook: &Path) -> TempDir {
    let out = TempDir::new("book");
    let built = Cmd::new(mdbook)
        .arg("build")
        .arg(docs_dir())
        .arg("--dest-dir")
        .arg(out.path())
        .spawn()
        .wait_exit(Duration::from_secs(120));
    assert!(built.status.success(), "mdbook build docs failed:\n{}", built.stderr);
    out
}
