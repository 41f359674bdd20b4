//! The command line of `udp-chat`: one subcommand per way of chatting.

use std::net::SocketAddr;
use std::time::Duration;

use clap::{Parser, Subcommand};
use common::cli::{BufferArgs, CommonArgs};

/// Chat over UDP: one socket both sends and receives — lessons "udp聊天器" of
/// tutorial 000, "Python socket编程" (kancloud.cn), and "qq聊天" of
/// tutorial 001, "网络编程" (cnblogs.com).
///
/// A UDP socket has no "sending end" and "receiving end": the socket you
/// `sendto` from is the one the answers come back to. Four ways to see it:
/// `menu` (tutorial 000's 1/2/0 menu), `talk` (a receiving thread and a sending
/// main thread on the same socket), `qq-server` and `qq-client` (tutorial 001).
///
/// Prompts and progress go to stderr, what arrives goes to stdout, and every
/// mode reads stdin line by line, so a pipe can drive it as well as a person.
///
/// Example, from the workspace folder: `cargo run -p udp-chat -- qq-server`,
/// then `cargo run -p udp-chat -- qq-client` in another terminal.
#[derive(Debug, Parser)]
#[command(name = "udp-chat", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The four ways of chatting.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// "udp聊天器" of tutorial 000, "Python socket编程" (kancloud.cn): one bound
    /// socket and a menu — 1 send, 2 receive, 0 quit.
    Menu(MenuArgs),
    /// One socket used at once by a receiving thread and the sending main thread:
    /// every line typed is sent to --peer, every datagram that arrives is printed.
    Talk(TalkArgs),
    /// "qq聊天" of tutorial 001, "网络编程" (cnblogs.com), the server: print each
    /// message, read a reply from stdin, send it back.
    QqServer(QqServerArgs),
    /// "qq聊天" of tutorial 001, "网络编程" (cnblogs.com), the client: choose a
    /// contact, send lines until `q`, print each reply.
    QqClient(QqClientArgs),
}

/// `udp-chat menu`.
#[derive(Debug, clap::Args)]
pub struct MenuArgs {
    /// The local address to bind: where the others send to reach you
    /// (the tutorial binds ('', 7788); port 0 lets the OS choose).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:7788", value_parser = common::cli::addr)]
    pub bind: SocketAddr,

    /// There is no --port: the port is part of --bind's address.
    #[arg(long = "port", hide = true, value_name = "PORT", value_parser = common::error::no_port_option("--bind"))]
    pub _port: Option<u16>,

    #[command(flatten)]
    pub common: CommonArgs,

    #[command(flatten)]
    pub buffer: BufferArgs,
}

/// `udp-chat talk`.
#[derive(Debug, clap::Args)]
pub struct TalkArgs {
    /// The local address to bind (the other talker's --peer).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:7788", value_parser = common::cli::addr)]
    pub bind: SocketAddr,

    /// There is no --port: the port is part of --bind's address.
    #[arg(long = "port", hide = true, value_name = "PORT", value_parser = common::error::no_port_option("--bind"))]
    pub _port: Option<u16>,

    /// Where each typed line is sent (the other talker's --bind).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:7789", value_parser = common::cli::addr)]
    pub peer: SocketAddr,

    #[command(flatten)]
    pub common: CommonArgs,

    #[command(flatten)]
    pub buffer: BufferArgs,
}

/// `udp-chat qq-server`.
#[derive(Debug, clap::Args)]
pub struct QqServerArgs {
    /// The local address to bind (tutorial 001: ('127.0.0.1', 8081)).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8081", value_parser = common::cli::addr)]
    pub bind: SocketAddr,

    /// There is no --port: the port is part of --bind's address.
    #[arg(long = "port", hide = true, value_name = "PORT", value_parser = common::error::no_port_option("--bind"))]
    pub _port: Option<u16>,

    /// Stop after answering N messages (default: until Ctrl+C or the end of stdin).
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,

    #[command(flatten)]
    pub common: CommonArgs,

    #[command(flatten)]
    pub buffer: BufferArgs,
}

/// `udp-chat qq-client`.
#[derive(Debug, clap::Args)]
pub struct QqClientArgs {
    /// A contact, as NAME=ADDR (repeat for more). Without any, the tutorial's four
    /// names (金老板, 哪吒, egg, yuan) all chat with --to.
    #[arg(long = "contact", value_name = "NAME=ADDR", value_parser = contact)]
    pub contacts: Vec<(String, SocketAddr)>,

    /// The address of the tutorial's default contacts (the qq-server).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8081", value_parser = common::cli::addr)]
    pub to: SocketAddr,

    /// There is no --port: the port is part of --to's address.
    #[arg(long = "port", hide = true, value_name = "PORT", value_parser = common::error::no_port_option("--to"))]
    pub _port: Option<u16>,

    /// How long to wait for each reply, in seconds (the tutorial waits forever;
    /// here a missing server is reported and the chat goes on).
    #[arg(long, value_name = "SECS", default_value = "60", value_parser = common::cli::seconds)]
    pub timeout: Duration,

    #[command(flatten)]
    pub common: CommonArgs,

    #[command(flatten)]
    pub buffer: BufferArgs,
}

/// clap value parser for `--contact NAME=ADDR`.
fn contact(text: &str) -> Result<(String, SocketAddr), String> {
    let Some((name, addr)) = text.split_once('=') else {
        return Err(format!(
            "'{text}' is not a contact: expected NAME=ADDR, like egg=127.0.0.1:8081"
        ));
    };
    let name = name.trim();
    if name.is_empty() || name == "q" {
        return Err(format!(
            "'{text}' needs a contact name before '=' (and not 'q', which ends a chat)"
        ));
    }
    Ok((name.to_string(), common::cli::addr(addr.trim())?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contacts_parse() {
        let (name, addr) = contact("金老板=127.0.0.1:9").unwrap();
        assert_eq!((name.as_str(), addr.port()), ("金老板", 9));
        assert!(contact("nobody").is_err());
        assert!(contact("=127.0.0.1:9").is_err());
        assert!(contact("q=127.0.0.1:9").is_err());
        assert!(contact("egg=nowhere").is_err());
    }

    #[test]
    fn defaults_follow_the_tutorials() {
        let cli = Cli::try_parse_from(["udp-chat", "qq-server"]).unwrap();
        let Command::QqServer(args) = cli.command else { panic!("qq-server") };
        assert_eq!(args.bind.to_string(), "127.0.0.1:8081");
        let cli = Cli::try_parse_from(["udp-chat", "qq-client"]).unwrap();
        let Command::QqClient(args) = cli.command else { panic!("qq-client") };
        assert!(args.contacts.is_empty());
        assert_eq!(args.to.to_string(), "127.0.0.1:8081");
    }
}
