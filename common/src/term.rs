//! Whether to colour output: only on a terminal, and never with `NO_COLOR`.
//!
//! Pipes and files get plain text, so output stays easy to compare and grep.

use std::io::IsTerminal;

/// True when stdout is a terminal and `NO_COLOR` is unset or empty.
pub fn colour_stdout() -> bool {
    no_color_unset() && std::io::stdout().is_terminal()
}

/// True when stderr is a terminal and `NO_COLOR` is unset or empty
/// (progress bars and coloured diagnostics).
pub fn colour_stderr() -> bool {
    no_color_unset() && std::io::stderr().is_terminal()
}

/// `NO_COLOR` (https://no-color.org): present and not empty means no colour.
fn no_color_unset() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
}

/// Wraps `text` in an ANSI style like the tutorial's `\033[1;44m…\033[0m`, or
/// returns it unchanged when `enabled` is false.
pub fn paint(text: &str, ansi_style: &str, enabled: bool) -> String {
    if enabled { format!("\x1b[{ansi_style}m{text}\x1b[0m") } else { text.to_string() }
}
