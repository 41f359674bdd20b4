//! Python's `repr`, so a Rust program can print exactly what the Python
//! listing prints — `print(udp_socket.recvfrom(1024))` shows
//! `(b'\xca\xfd\xbe\xdd', ('127.0.0.1', 12821))` — and the two outputs can be
//! compared line by line.

use std::fmt::Write as _;
use std::net::SocketAddr;

/// `repr(data)` for `bytes`: `b'nihao'`, `b'\xca\xfd'`, `b"it's"`.
pub fn bytes_repr(data: &[u8]) -> String {
    // Python picks double quotes only when the bytes hold ' and no ".
    let quote =
        if data.contains(&b'\'') && !data.contains(&b'"') { b'"' } else { b'\'' };
    let mut out = String::with_capacity(data.len() + 3);
    out.push('b');
    out.push(quote as char);
    for &byte in data {
        match byte {
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            _ if byte == quote => {
                out.push('\\');
                out.push(byte as char);
            }
            0x20..=0x7e => out.push(byte as char),
            _ => {
                let _ = write!(out, "\\x{byte:02x}");
            }
        }
    }
    out.push(quote as char);
    out
}

/// `repr(str)` for a host: `'127.0.0.1'`.
fn str_repr(text: &str) -> String {
    format!("'{text}'")
}

/// The address tuple Python returns: `('127.0.0.1', 12821)` for AF_INET,
/// `('::1', 12821, 0, 0)` (host, port, flowinfo, scope_id) for AF_INET6.
pub fn addr_repr(addr: &SocketAddr) -> String {
    match addr {
        SocketAddr::V4(v4) => {
            format!("({}, {})", str_repr(&v4.ip().to_string()), v4.port())
        }
        SocketAddr::V6(v6) => format!(
            "({}, {}, {}, {})",
            str_repr(&v6.ip().to_string()),
            v6.port(),
            v6.flowinfo(),
            v6.scope_id()
        ),
    }
}

/// The address as Python writes it for this endpoint: `('127.0.0.1', 8898)`,
/// or the path `'/tmp/s.sock'` for AF_UNIX.
pub fn endpoint_repr(endpoint: &crate::Endpoint) -> String {
    match endpoint {
        crate::Endpoint::Inet(addr) => addr_repr(addr),
        crate::Endpoint::Unix(path) => str_repr(&path.display().to_string()),
    }
}

/// `repr(udp_socket.recvfrom(n))`: `(b'...', ('127.0.0.1', 12821))`.
pub fn recvfrom_repr(data: &[u8], from: &SocketAddr) -> String {
    format!("({}, {})", bytes_repr(data), addr_repr(from))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tutorials_example() {
        let from: SocketAddr = "127.0.0.1:12821".parse().unwrap();
        assert_eq!(
            recvfrom_repr(b"\xca\xfd\xbe\xdd", &from),
            "(b'\\xca\\xfd\\xbe\\xdd', ('127.0.0.1', 12821))"
        );
    }

    #[test]
    fn quotes_and_escapes_like_python() {
        assert_eq!(bytes_repr(b""), "b''");
        assert_eq!(bytes_repr(b"it's"), "b\"it's\"");
        assert_eq!(bytes_repr(b"'\""), "b'\\'\"'");
        assert_eq!(bytes_repr(b"a\\b\t\n\r\x00\x7f"), "b'a\\\\b\\t\\n\\r\\x00\\x7f'");
    }

    #[test]
    fn ipv6_tuple_has_four_fields() {
        let from: SocketAddr = "[::1]:9".parse().unwrap();
        assert_eq!(addr_repr(&from), "('::1', 9, 0, 0)");
    }
}
