//! Interop with the Python listings over real sockets: the Rust client
//! (--classic) with `python/file_server.py`, and `python/file_downloader.py`
//! with the Rust server; sizes from 0 to 256 MiB; names in UTF-8 and GBK.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::fs;
use std::path::Path;

use support::*;
use testkit::{Cmd, Proc};

/// `python3 file_server.py 0 ENC` serving `root`, once it listens.
fn python_server(root: &Path, encoding: &str) -> Option<(Proc, std::net::SocketAddr)> {
    let mut server = Cmd::python(testkit::twin!("file_server.py"))?
        .args(["0", encoding])
        .current_dir(root)
        .spawn();
    let addr = server.wait_listening();
    Some((server, addr))
}

#[test]
fn rust_client_classic_with_the_python_server() {
    let dirs = dirs("fd-py-server");
    let sizes =
        [("empty", 0), ("one", 1), ("mib-plus-one", MIB + 1), ("big", 256 * MIB)];
    for (name, size) in sizes {
        write_test_file(&dirs.root.join(name), size);
    }
    let Some((_server, addr)) = python_server(&dirs.root, "utf-8") else { return };
    for (name, size) in sizes {
        let out = dirs.out.join(name);
        let output = download(addr, name, &out, &["--classic"]);
        if size == 0 {
            // The tutorial's protocol: an empty file sends nothing, so nothing is saved.
            assert_eq!(output.code(), Some(1));
            assert!(output.stderr.contains("nothing arrived"), "{}", output.stderr);
            assert!(!out.exists());
        } else {
            assert_downloaded(&output, &dirs.root.join(name), &out);
            fs::remove_file(&out).unwrap();
        }
    }
    // A missing file: the Python server closes without a word.
    let out = dirs.out.join("missing");
    let output = download(addr, "missing", &out, &["--classic"]);
    assert_eq!(output.code(), Some(1));
    assert!(output.stderr.contains("nothing arrived"), "{}", output.stderr);
    assert!(!out.exists());
    // Framed (the default) against the classic server: a hint, not a fake file.
    let output = download(addr, "one", &out, &[]);
    assert_eq!(output.code(), Some(1));
    assert!(output.stderr.contains("retry with --classic"), "{}", output.stderr);
    assert!(!out.exists());
    assert_no_part_files(&dirs.out);
}

#[test]
fn rust_client_classic_with_the_python_server_chinese_names() {
    let dirs = dirs("fd-py-server-names");
    let name = "数据.txt";
    write_test_file(&dirs.root.join(name), 4321);
    for encoding in ["utf-8", "gbk"] {
        let Some((_server, addr)) = python_server(&dirs.root, encoding) else { return };
        let out = dirs.out.join(format!("{encoding}.txt"));
        let output = download(addr, name, &out, &["--classic", "--encoding", encoding]);
        assert_downloaded(&output, &dirs.root.join(name), &out);
    }
}

/// `echo NAME | python3 file_downloader.py PORT ENC`, run in `out`.
fn python_download(
    addr: std::net::SocketAddr,
    name: &str,
    encoding: &str,
    out: &Path,
) -> Option<testkit::Output> {
    Some(
        Cmd::python(testkit::twin!("file_downloader.py"))?
            .args([addr.port().to_string(), encoding.to_string()])
            .current_dir(out)
            .stdin(format!("{name}\n"))
            .run(),
    )
}

#[test]
fn python_client_with_the_rust_server() {
    let dirs = dirs("fd-py-client");
    let sizes =
        [("empty", 0), ("one", 1), ("mib-plus-one", MIB + 1), ("big", 256 * MIB)];
    for (name, size) in sizes {
        write_test_file(&dirs.root.join(name), size);
    }
    let (mut server, addr) = start_server(&dirs.root, &[]);
    for (name, size) in sizes {
        let Some(output) = python_download(addr, name, "utf-8", &dirs.out) else {
            return;
        };
        assert!(output.status.success(), "{}", output.stderr);
        let out = dirs.out.join(name);
        if size == 0 {
            assert!(output.stdout.contains("nothing arrived"), "{}", output.stdout);
            assert!(!out.exists());
        } else {
            assert!(
                output
                    .stdout
                    .contains(&format!("saved {} of", file_downloader::bytes(size))),
                "{}",
                output.stdout
            );
            assert_same_file(&dirs.root.join(name), &out);
            fs::remove_file(&out).unwrap();
        }
        server.wait_stderr(&format!(
            "sent {} of \"{name}\"",
            file_downloader::bytes(size)
        ));
    }
    // The Rust server refuses what the Python server would have sent.
    fs::write(dirs.tmp.join("secret"), "outside the root").unwrap();
    let output = python_download(addr, "../secret", "utf-8", &dirs.out).unwrap();
    assert!(output.stdout.contains("nothing arrived"), "{}", output.stdout);
    assert!(!dirs.out.join("secret").exists());
    server.wait_stderr("refused \"../secret\" (classic)");
}

#[test]
fn python_client_with_the_rust_server_chinese_names() {
    let dirs = dirs("fd-py-client-names");
    let name = "文件下载器.bin";
    write_test_file(&dirs.root.join(name), MIB + 1);
    for encoding in ["utf-8", "gbk"] {
        let (_server, addr) = start_server(&dirs.root, &["--encoding", encoding]);
        let Some(output) = python_download(addr, name, encoding, &dirs.out) else {
            return;
        };
        assert!(output.stdout.contains("saved 1048577 bytes"), "{}", output.stdout);
        assert_same_file(&dirs.root.join(name), &dirs.out.join(name));
        fs::remove_file(dirs.out.join(name)).unwrap();
    }
}
