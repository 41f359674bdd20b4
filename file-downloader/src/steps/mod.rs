//! The lessons themselves: one file per program, each beside its Python twin.
//!
//! | file | Python twin | steps |
//! | --- | --- | --- |
//! | `file_downloader.rs` | `python/file_downloader.py` | 1 create, 2 the server's address, 3 connect, 4 the file name, 5 send the request, 6 receive, 7 create the file once data arrived, 8 close |
//! | `file_server.rs` | `python/file_server.py` | 1 create, 2 bind, 3 listen, 4 accept, 5 receive the file name, 6 send the file, 7 close |
//!
//! Each holds the tutorial's numbered steps and nothing else, in plain
//! `std::net` / `socket2` calls, and takes plain values (an address, a
//! buffer size, an encoding, the served root) instead of the command line.
//! The tool around them is in the other modules of the crate ([`crate::client`],
//! [`crate::server`], [`crate::part`], [`crate::root`], …) and in the two
//! programs' `main`; what `--explain` says is in [`crate::narration`].
//!
//! `course exercise file-downloader` and `course exercise file-server` swap
//! in a student's version of a file (features `exercise-file-downloader`
//! and `exercise-file-server`).

#[cfg_attr(
    feature = "exercise-file-downloader",
    path = "../../exercise/file_downloader.rs"
)]
pub mod file_downloader;
#[cfg_attr(feature = "exercise-file-server", path = "../../exercise/file_server.rs")]
pub mod file_server;
