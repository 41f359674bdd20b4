//! What `--explain` says at each step of `src/steps/`: the Python call and
//! the Rust call side by side, one table per program. The programs fill in
//! the values (`{socket}`, `{from}`, `{local}`, `{bufsize}`, `{encoding}`, …).

pub mod file_downloader;
pub mod file_server;
