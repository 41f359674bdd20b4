//! Python's `repr`, so a Rust program can print exactly what the Python
//! listing prints — `print(udp_socket.recvfrom(1024))` shows
//! `(b'\xca\xfd\xbe\xdd', ('127.0.0.1', 12821))` — and the two outputs can be
//! compared line by line. And text from a peer, escaped the same way before
//! it reaches a terminal ([`escape_controls`]).

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

/// `repr(text)` for a `str`: `'127.0.0.1'`, `'%Y年'`, `"it's"`, `'a\nb'`.
///
/// Python picks double quotes only when the text holds `'` and no `"`; inside,
/// the text is escaped as [`escape_controls`] does (so the same few rare
/// invisible characters it leaves alone are printed as they are here too).
pub fn str_repr(text: &str) -> String {
    let quote = if text.contains('\'') && !text.contains('"') { '"' } else { '\'' };
    let mut body = escape_controls(text);
    if quote == '\'' {
        body = body.replace('\'', "\\'");
    }
    format!("{quote}{body}{quote}")
}

/// Text from a peer, safe to print: escaped as inside Python's `repr(text)`,
/// without the quotes. A backslash is doubled; `\t`, `\n` and `\r` are
/// written so; every other control character (C0, DEL, C1) is `\xNN`; the
/// invisible characters that reorder or hide text (zero-width, bidi
/// overrides, line and paragraph separators, BOM) are `\uNNNN`. So an `ERR`
/// line holding `ESC[2J` prints as `\x1b[2J` instead of clearing the
/// student's screen. (Python also escapes unassigned code points, which
/// would need Unicode's tables; they are printed as they are.)
pub fn escape_controls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            _ if ch.is_control() => {
                let _ = write!(out, "\\x{:02x}", u32::from(ch));
            }
            '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206f}'
            | '\u{feff}' => {
                let _ = write!(out, "\\u{:04x}", u32::from(ch));
            }
            _ => out.push(ch),
        }
    }
    out
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
    fn str_repr_quotes_and_escapes_like_python() {
        // Each expected string is what Python prints for repr(text).
        assert_eq!(str_repr("%Y年"), "'%Y年'");
        assert_eq!(str_repr("it's\n"), "\"it's\\n\"");
        assert_eq!(str_repr("it's \"x\""), "'it\\'s \"x\"'");
        assert_eq!(str_repr("\\ \t \x1b"), "'\\\\ \\t \\x1b'");
        assert_eq!(str_repr(""), "''");
    }

    #[test]
    fn peer_text_is_escaped_like_python() {
        // Each expected string is what Python prints for repr(text), quotes removed.
        assert_eq!(escape_controls("no such file"), "no such file");
        assert_eq!(escape_controls("数据.txt"), "数据.txt");
        assert_eq!(
            escape_controls("\x1b[2J\x1b]0;pwned\x07"),
            "\\x1b[2J\\x1b]0;pwned\\x07"
        );
        assert_eq!(escape_controls("a\tb\nc\rd\\e"), "a\\tb\\nc\\rd\\\\e");
        assert_eq!(escape_controls("\0\x7f\u{9b}"), "\\x00\\x7f\\x9b");
        assert_eq!(
            escape_controls("\u{202e}txt.exe\u{200b}\u{feff}"),
            "\\u202etxt.exe\\u200b\\ufeff"
        );
        // Quotes are kept as they are: there are none around the result.
        assert_eq!(escape_controls("it's \"x\""), "it's \"x\"");
    }

    #[test]
    fn ipv6_tuple_has_four_fields() {
        let from: SocketAddr = "[::1]:9".parse().unwrap();
        assert_eq!(addr_repr(&from), "('::1', 9, 0, 0)");
    }
}
