//! Addresses as every program in the course spells them.
//!
//! | written | means | Python |
//! | --- | --- | --- |
//! | `127.0.0.1:8080` | that IPv4 address | `('127.0.0.1', 8080)` |
//! | `[::1]:8080` | that IPv6 address | `('::1', 8080)` with `AF_INET6` |
//! | `[fe80::1%eth0]:8080` | a link-local IPv6 address on one interface (its scope id: a name or a number) | `('fe80::1%eth0', 8080)` |
//! | `localhost:8080` | the name, looked up (IPv4 preferred) | `('localhost', 8080)` |
//! | `:8080` | every interface | `('', 8080)` |
//! | `unix:/tmp/s.sock` | an AF_UNIX socket file (TCP lessons only) | `AF_UNIX`, `'/tmp/s.sock'` |
//!
//! The family (AF_INET or AF_INET6) follows from the address, as in Python.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV6, ToSocketAddrs};
use std::path::PathBuf;

/// The forms an address may take, for error messages and `--help`.
pub const ADDR_FORMS: &str = "HOST:PORT, [IPv6]:PORT, localhost:PORT or :PORT";

/// Why an address could not be understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddrError(String);

impl fmt::Display for AddrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for AddrError {}

/// Parses `HOST:PORT`, `[IPv6]:PORT`, `localhost:PORT` or `:PORT`.
///
/// A host name is looked up; IPv4 answers are preferred so that `localhost`
/// meets a server bound to `127.0.0.1`, the course's default.
pub fn parse_addr(text: &str) -> Result<SocketAddr, AddrError> {
    let text = text.trim();
    let expected = || {
        // `--to 8080`: a port alone; say how to write it.
        let example = match text.parse::<u16>() {
            Ok(port) => format!(
                " (port {port} on this machine: 127.0.0.1:{port}; :{port} binds every interface)"
            ),
            Err(_) => String::new(),
        };
        AddrError(format!("'{text}' is not an address: expected {ADDR_FORMS}{example}"))
    };
    // `:8080` is Python's ('', 8080): every interface.
    if let Some(port) = text.strip_prefix(':').filter(|port| !port.contains(':')) {
        let port = parse_port(port, text)?;
        return Ok(SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), port));
    }
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Ok(addr);
    }
    if let Some(scoped) = parse_scoped_ipv6(text) {
        return scoped;
    }
    let (host, port) = text.rsplit_once(':').ok_or_else(expected)?;
    let port = parse_port(port, text)?;
    if host.is_empty() || host.contains(':') || host.starts_with('[') {
        // A bare IPv6 address needs brackets: `::1:80` is ambiguous.
        return Err(AddrError(format!(
            "'{text}' is not an address: write IPv6 addresses in brackets, \
             like [::1]:{port} (expected {ADDR_FORMS})"
        )));
    }
    let found: Vec<SocketAddr> = (host, port)
        .to_socket_addrs()
        .map_err(|err| AddrError(format!("cannot look up host '{host}': {err}")))?
        .collect();
    found
        .iter()
        .find(|addr| addr.is_ipv4())
        .or(found.first())
        .copied()
        .ok_or_else(|| AddrError(format!("host '{host}' has no address")))
}

/// `[fe80::1%eth0]:PORT`: an IPv6 address with a scope id (the interface a
/// link-local address belongs to). std already reads a number (`%2`); a name is
/// turned into its interface index here. `None` when `text` has no `%` in brackets.
fn parse_scoped_ipv6(text: &str) -> Option<Result<SocketAddr, AddrError>> {
    let (inside, port) = text.strip_prefix('[')?.split_once("]:")?;
    let (ip, zone) = inside.split_once('%')?;
    Some(scoped_ipv6(text, ip, zone, port))
}

fn scoped_ipv6(
    text: &str,
    ip: &str,
    zone: &str,
    port: &str,
) -> Result<SocketAddr, AddrError> {
    let ip: Ipv6Addr = ip.parse().map_err(|_| {
        AddrError(format!(
            "'{text}' is not an address: '{ip}' is not an IPv6 address (expected {ADDR_FORMS})"
        ))
    })?;
    let port = parse_port(port, text)?;
    let scope_id = match zone.parse::<u32>() {
        Ok(number) => number,
        Err(_) => interface_index(zone).map_err(|why| {
            AddrError(format!("'{text}' has an unknown scope id '%{zone}': {why}"))
        })?,
    };
    Ok(SocketAddr::V6(SocketAddrV6::new(ip, port, 0, scope_id)))
}

/// The index of the network interface `name` (`lo` → 1), as `if_nametoindex`
/// gives it: Linux lists every interface under /sys/class/net.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn interface_index(name: &str) -> Result<u32, String> {
    let not_found = || {
        format!(
            "this machine has no network interface called '{name}' \
             (`ip link` lists them; a number like %1 works too)"
        )
    };
    // A name, not a path: nothing outside /sys/class/net is ever read.
    if name.is_empty() || name.contains('/') || name == "." || name == ".." {
        return Err(not_found());
    }
    let file = std::path::Path::new("/sys/class/net").join(name).join("ifindex");
    let text = std::fs::read_to_string(file).map_err(|_| not_found())?;
    text.trim().parse::<u32>().map_err(|_| not_found())
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn interface_index(name: &str) -> Result<u32, String> {
    Err(format!(
        "interface names are understood on Linux only: write the number of \
         '{name}' instead, like %1"
    ))
}

fn parse_port(port: &str, whole: &str) -> Result<u16, AddrError> {
    port.parse::<u16>().map_err(|_| {
        AddrError(format!(
            "'{whole}' has no valid port: '{port}' is not a number from 0 to 65535 \
             (expected {ADDR_FORMS})"
        ))
    })
}

/// Where a stream socket lives: an internet address or, on Unix, a socket file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// AF_INET or AF_INET6: `127.0.0.1:8898`, `[::1]:8898`.
    Inet(SocketAddr),
    /// AF_UNIX: a path in the file system, written `unix:PATH`.
    Unix(PathBuf),
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::Inet(addr) => write!(f, "{addr}"),
            Endpoint::Unix(path) => write!(f, "unix:{}", path.display()),
        }
    }
}

/// Parses an address as [`parse_addr`] does, or `unix:PATH` for AF_UNIX.
pub fn parse_endpoint(text: &str) -> Result<Endpoint, AddrError> {
    match text.strip_prefix("unix:") {
        Some("") => {
            Err(AddrError("'unix:' needs a path, like unix:/tmp/lesson.sock".into()))
        }
        Some(path) => Ok(Endpoint::Unix(PathBuf::from(path))),
        None => parse_addr(text).map(Endpoint::Inet),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_with_port() {
        assert_eq!(parse_addr("127.0.0.1:8080"), Ok("127.0.0.1:8080".parse().unwrap()));
    }

    #[test]
    fn ipv6_in_brackets() {
        assert_eq!(parse_addr("[::1]:9000"), Ok("[::1]:9000".parse().unwrap()));
    }

    #[test]
    fn ipv6_with_a_numeric_scope_id() {
        let addr = parse_addr("[fe80::1%7]:9000").unwrap();
        let SocketAddr::V6(v6) = addr else { panic!("{addr}") };
        assert_eq!((v6.scope_id(), v6.port()), (7, 9000));
        assert_eq!(*v6.ip(), "fe80::1".parse::<Ipv6Addr>().unwrap());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn ipv6_with_an_interface_name_as_scope_id() {
        let lo: u32 = std::fs::read_to_string("/sys/class/net/lo/ifindex")
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        for text in ["[fe80::1%lo]:0", "[::1%lo]:8080"] {
            let addr = parse_addr(text).unwrap();
            let SocketAddr::V6(v6) = addr else { panic!("{addr}") };
            assert_eq!(v6.scope_id(), lo, "{text}");
        }
        assert_eq!(
            parse_endpoint("[fe80::1%lo]:0").unwrap().to_string(),
            format!("[fe80::1%{lo}]:0")
        );
    }

    #[test]
    fn bad_scope_ids_are_explained() {
        let err = parse_addr("[fe80::1%nosuchif0]:80").unwrap_err().to_string();
        assert!(err.contains("scope id '%nosuchif0'"), "{err}");
        assert!(!err.contains("brackets"), "{err}");
        for bad in ["[fe80::1%]:80", "[fe80::1%../lo]:80", "[fe80::1%.]:80"] {
            let err = parse_addr(bad).unwrap_err().to_string();
            assert!(err.contains("scope id"), "{bad}: {err}");
        }
        let err = parse_addr("[fe80::zz%lo]:80").unwrap_err().to_string();
        assert!(err.contains("not an IPv6 address"), "{err}");
        let err = parse_addr("[fe80::1%lo]:http").unwrap_err().to_string();
        assert!(err.contains("no valid port"), "{err}");
    }

    #[test]
    fn colon_port_means_every_interface() {
        assert_eq!(parse_addr(":8080"), Ok("0.0.0.0:8080".parse().unwrap()));
    }

    #[test]
    fn localhost_prefers_ipv4() {
        assert_eq!(parse_addr("localhost:7"), Ok("127.0.0.1:7".parse().unwrap()));
    }

    #[test]
    fn errors_say_which_form_is_expected() {
        for bad in
            ["8080", "127.0.0.1", "127.0.0.1:http", "127.0.0.1:70000", "::1:80", ":"]
        {
            let err = parse_addr(bad).unwrap_err().to_string();
            assert!(err.contains("HOST:PORT"), "{bad}: {err}");
        }
        assert!(parse_addr("::1:80").unwrap_err().to_string().contains("brackets"));
    }

    #[test]
    fn unix_endpoint() {
        assert_eq!(
            parse_endpoint("unix:/tmp/a.sock"),
            Ok(Endpoint::Unix("/tmp/a.sock".into()))
        );
        assert!(parse_endpoint("unix:").is_err());
        assert_eq!(
            parse_endpoint("127.0.0.1:1").unwrap().to_string(),
            "127.0.0.1:1".to_string()
        );
    }
}
