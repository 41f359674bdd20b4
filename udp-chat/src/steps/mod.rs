//! The lessons themselves: one file per program, each beside its Python twin.
//!
//! | file | Python twin | steps |
//! | --- | --- | --- |
//! | `menu.rs` | `python/udp_chat.py` | 1 create, 2 bind, 3 menu, 4 send, 5 receive, 6 close |
//! | `talk.rs` | `python/udp_talk.py` | 1 create, 2 bind, 3 thread, 4 receive (thread), 5 send, 6 close |
//! | `qq_server.rs` | `python/qq_server.py` | 1 create, 2 bind, 3 receive, 4 print, 5 reply, 6 send, 7 close |
//! | `qq_client.rs` | `python/qq_client.py` | 1 create, 2 contacts, 3 choose, 4 message, 5 send, 6 receive, 7 print, 8 close |
//!
//! Each holds the tutorial's numbered steps and nothing else, in plain
//! `std::net` / `socket2` calls, and takes plain values (addresses, a buffer
//! size, an encoding) instead of the command line. What a person types comes
//! from [`common::cli::Input`] (Python's `input()`); what arrives is printed
//! by [`crate::chat::show`]. The tool around the steps is `src/menu.rs`,
//! `src/talk.rs`, `src/qq_server.rs` and `src/qq_client.rs`; the `--explain`
//! texts are in `src/narration/`.

// `course check menu` / `course check qq-server` build the student's file
// (udp-chat/exercise/NAME.rs) in place of that one program's steps.
#[cfg_attr(feature = "exercise-menu", path = "../../exercise/menu.rs")]
pub mod menu;
pub mod qq_client;
#[cfg_attr(feature = "exercise-qq-server", path = "../../exercise/qq_server.rs")]
pub mod qq_server;
pub mod talk;
