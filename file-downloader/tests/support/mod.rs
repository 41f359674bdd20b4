//! Helpers shared by this crate's integration tests: test files made fast,
//! byte-by-byte comparison, and starting the server.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::fs::File;
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use testkit::{Cmd, Output, Proc};

pub const MIB: u64 = 1 << 20;

/// Writes `size` bytes of test data: pseudo-random 1 MiB blocks, each
/// stamped with its index and the size, so that a lost, repeated or
/// reordered block — or a file of another size — never compares equal.
/// Fast even in a debug build: one block is generated, then patched.
pub fn write_test_file(path: &Path, size: u64) {
    let mut block = vec![0u8; MIB as usize];
    let mut state = size.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    for chunk in block.chunks_mut(8) {
        // xorshift64
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        chunk.copy_from_slice(&state.to_le_bytes()[..chunk.len()]);
    }
    let mut file = File::create(path).unwrap();
    let mut written = 0u64;
    let mut index = 0u64;
    while written < size {
        block[..8].copy_from_slice(&index.to_le_bytes());
        block[8..16].copy_from_slice(&size.to_le_bytes());
        let n = (size - written).min(MIB) as usize;
        file.write_all(&block[..n]).unwrap();
        written += n as u64;
        index += 1;
    }
}

/// Fails unless the two files hold exactly the same bytes (compared in
/// 1 MiB pieces: a hash would only be a shorter way to say the same).
pub fn assert_same_file(expected: &Path, actual: &Path) {
    let mut a = File::open(expected).unwrap();
    let mut b = File::open(actual)
        .unwrap_or_else(|err| panic!("{} was not saved: {err}", actual.display()));
    let (len_a, len_b) = (a.metadata().unwrap().len(), b.metadata().unwrap().len());
    assert_eq!(
        len_a,
        len_b,
        "{} has {len_b} bytes, expected {len_a}",
        actual.display()
    );
    let mut buf_a = vec![0u8; MIB as usize];
    let mut buf_b = vec![0u8; MIB as usize];
    let mut offset = 0u64;
    loop {
        let n = read_full(&mut a, &mut buf_a);
        let m = read_full(&mut b, &mut buf_b);
        assert_eq!(n, m);
        if n == 0 {
            return;
        }
        if buf_a[..n] != buf_b[..n] {
            let at = buf_a.iter().zip(&buf_b).position(|(x, y)| x != y).unwrap();
            panic!("{} differs at byte {}", actual.display(), offset + at as u64);
        }
        offset += n as u64;
    }
}

fn read_full(file: &mut File, buf: &mut [u8]) -> usize {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..]).unwrap() {
            0 => break,
            n => filled += n,
        }
    }
    filled
}

/// Fails if `dir` holds any `.part` file.
pub fn assert_no_part_files(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name();
        assert!(
            !name.to_string_lossy().ends_with(".part"),
            "{name:?} was left in {}",
            dir.display()
        );
    }
}

/// `file-server --bind 127.0.0.1:0 --root ROOT EXTRA…`, once it listens.
pub fn start_server(root: &Path, extra: &[&str]) -> (Proc, SocketAddr) {
    let mut server = Cmd::bin("file-server")
        .args(["--bind", "127.0.0.1:0", "--root"])
        .arg(root)
        .args(extra)
        .spawn();
    let addr = server.wait_listening();
    (server, addr)
}

/// `file-downloader NAME --from ADDR --output OUT EXTRA…`, run to the end.
pub fn download(addr: SocketAddr, name: &str, out: &Path, extra: &[&str]) -> Output {
    Cmd::bin("file-downloader")
        .arg(name)
        .args(["--from", &addr.to_string(), "--output"])
        .arg(out)
        .args(extra)
        .run()
}

/// Asserts that a download succeeded and the file is the same as `expected`.
pub fn assert_downloaded(output: &Output, expected: &Path, out: &Path) {
    assert!(output.status.success(), "download failed:\n{}", output.stderr);
    assert!(output.stdout.starts_with("saved "), "{}", output.stdout);
    assert_same_file(expected, out);
    assert_no_part_files(out.parent().unwrap());
}

/// A temporary directory with `root/` (served) and `out/` (downloads).
pub struct Dirs {
    pub tmp: testkit::TempDir,
    pub root: PathBuf,
    pub out: PathBuf,
}

pub fn dirs(prefix: &str) -> Dirs {
    let tmp = testkit::TempDir::new(prefix);
    let root = tmp.join("root");
    let out = tmp.join("out");
    std::fs::create_dir(&root).unwrap();
    std::fs::create_dir(&out).unwrap();
    Dirs { tmp, root, out }
}

/// How many threads process `pid` has now (Linux: the entries of
/// `/proc/PID/task`).
#[cfg(target_os = "linux")]
pub fn threads_of(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/task")).unwrap().count()
}

/// Waits until process `pid` is down to `baseline` threads again; fails,
/// saying how many are left, after `timeout`.
#[cfg(target_os = "linux")]
pub fn wait_threads(pid: u32, baseline: usize, timeout: std::time::Duration) {
    let start = std::time::Instant::now();
    loop {
        let now = threads_of(pid);
        if now <= baseline {
            return;
        }
        assert!(
            start.elapsed() < timeout,
            "the server still has {now} threads after {timeout:?} (baseline {baseline}): \
             {} of its workers are stuck",
            now - baseline
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}
