//! Python's `time.strftime(format)` for the server: the local time in a
//! format that came from the network, with `jiff`.
//!
//! The format is untrusted input, so nothing here panics: every format is
//! either answered with the time or refused with a reason. The server accepts
//! exactly the directives that C's `strftime` (which Python's `time.strftime`
//! calls) and `jiff` both know, and formats `%c %x %X %r` as the C locale does,
//! so for every format it accepts it answers the same text as the Python
//! listing. It refuses what the two disagree on instead of guessing:
//! directives C does not have (`%Q`, `%f`, `%:z`: Python echoes them back as
//! they are, jiff would format some of them), padding widths (`%10Y`), the `#`
//! flag, the `E`/`O` locale modifiers, and flags on `%z` and `%P`.

use std::fmt;
use std::net::SocketAddr;

use common::{Codec, Error, net::Datagram};
use jiff::fmt::strtime::{BrokenDownTime, Config, PosixCustom};
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};

/// The tutorial's format for an empty datagram: `time_fmt = '%Y-%m-%d %X'`.
pub const DEFAULT_FORMAT: &str = "%Y-%m-%d %X";

/// The longest answer, in bytes. The tutorial's client reads `recv(1024)`: a
/// longer answer would arrive cut (UDP drops the rest of a datagram that does
/// not fit the buffer), so the server refuses it instead.
pub const MAX_ANSWER: usize = 1024;

/// The conversion directives C's `strftime` (glibc) and `jiff` both format.
const DIRECTIVES: &str = "aAbBcCdDeFgGhHIjklmMnpPrRsStTuUVwWxXyYzZ%";

/// The flags both understand alike: `-` no padding, `_` spaces, `0` zeros,
/// `^` upper case (`%-d` is `5`, not `05`).
const FLAGS: &str = "-_0^";

/// Directives on which glibc and jiff disagree about flags (`%-z` is `+800`
/// in glibc, `+0800` in jiff; `%^P` is `am` in glibc, `AM` in jiff).
const NO_FLAGS: &str = "zP";

/// The server's local time zone, found once at start like Python's `time`
/// module does: from `TZ`, else /etc/localtime.
#[derive(Debug, Clone)]
pub struct Clock {
    zone: TimeZone,
    name: String,
    /// Where the zone came from: `TZ`, /etc/localtime or --tz.
    source: &'static str,
}

impl Clock {
    /// The system time zone, or UTC with a warning when `TZ` names a zone
    /// that cannot be found (glibc also falls back to UTC then).
    pub fn local() -> Clock {
        let zone = TimeZone::try_system().unwrap_or_else(|err| {
            let tz = std::env::var("TZ").unwrap_or_default();
            common::warn(format_args!(
                "cannot use the time zone TZ={tz:?} ({err}); answering in UTC \
                 (is the tz database installed in /usr/share/zoneinfo?)"
            ));
            TimeZone::UTC
        });
        let name = match (zone.iana_name(), std::env::var("TZ")) {
            (Some(name), _) => name.to_string(),
            // A POSIX TZ string such as TZ=CST-8 has no IANA name.
            (None, Ok(tz)) => tz,
            // An /etc/localtime that is a copy, not a link, has none either.
            (None, Err(_)) => {
                format!("/etc/localtime (UTC{} now)", zone.to_offset(Timestamp::now()))
            }
        };
        let source =
            if std::env::var_os("TZ").is_some() { "TZ" } else { "/etc/localtime" };
        Clock { zone, name, source }
    }

    /// A named IANA time zone, for `--tz` (a clap value parser).
    pub fn named(name: &str) -> Result<Clock, String> {
        match TimeZone::get(name) {
            Ok(zone) => Ok(Clock { zone, name: name.to_string(), source: "--tz" }),
            Err(err) => Err(format!(
                "'{name}' is not a time zone I can find ({err}); try UTC or \
                 Asia/Shanghai (zone names need the tz database, package tzdata)"
            )),
        }
    }

    /// The time zone's name and where it came from, e.g.
    /// `Asia/Shanghai (from TZ)`.
    pub fn describe(&self) -> String {
        format!("{} (from {})", self.name, self.source)
    }

    /// The time now in the local time zone.
    pub fn now(&self) -> Zoned {
        Timestamp::now().to_zoned(self.zone.clone())
    }
}

/// `time.strftime(format)` at `now`: the formatted time, or why the format
/// cannot be used.
pub fn strftime(format: &str, now: &Zoned) -> Result<String, Error> {
    check_format(format)?;
    // PosixCustom: %c %x %X %r as in the C locale, which is what Python uses
    // (it never calls setlocale(LC_TIME) unless a program asks).
    let config = Config::new().custom(PosixCustom::new());
    // Room for the usual answer at once (`%Y` is 2 bytes of format, 4 of time).
    let mut text = String::with_capacity(2 * format.len() + 16);
    BrokenDownTime::from(now)
        .format_with_config(&config, format, &mut text)
        .map_err(|err| Error::new(format!("cannot format the time: {err}")))?;
    Ok(text)
}

/// One request as it arrived: who sent it and the format it holds, decoded
/// once, for the log, the narration and the answer.
#[derive(Debug)]
pub struct Request {
    /// The client's address, where the answer goes.
    pub from: SocketAddr,
    /// The datagram's text (bad bytes as U+FFFD); empty for an empty datagram.
    pub text: String,
    /// Why the format cannot be used: cut by `recvfrom`, or not valid text.
    pub refused: Option<Error>,
    /// The server's encoding, of the format and of the answer.
    pub codec: Codec,
}

impl Request {
    /// Reads the format in `data`, the bytes of `datagram` that `recvfrom`
    /// kept: refused when the datagram was cut or is not valid in `codec`.
    pub fn read(data: &[u8], datagram: &Datagram, codec: Codec) -> Request {
        let decoded = codec.decode(data);
        let refused = if datagram.truncated() {
            Some(
                Error::new(format!(
                    "the format is {} bytes but this server reads at most {}",
                    datagram.sent_len, datagram.len
                ))
                .hint(
                    "send a shorter format, or start the server with a larger --bufsize",
                ),
            )
        } else if decoded.replaced > 0 {
            Some(
                Error::new(format!(
                    "the format is not valid {}: {} bad byte sequence(s)",
                    codec.name(),
                    decoded.replaced
                ))
                .hint(format!(
                    "send the format in the server's encoding, {}",
                    codec.name()
                )),
            )
        } else {
            None
        };
        Request { from: datagram.from, text: decoded.text, refused, codec }
    }

    /// The format `strftime` gets (the tutorial's `time_fmt`): the text, or the
    /// default for an empty datagram; or why it was refused.
    pub fn time_fmt(&self) -> Result<&str, &Error> {
        match &self.refused {
            Some(err) => Err(err),
            None if self.text.is_empty() => Ok(DEFAULT_FORMAT),
            None => Ok(&self.text),
        }
    }

    /// How the log line shows the format: control characters escaped so one
    /// request stays one line, and the default spelled out for an empty
    /// datagram (`(empty, so %Y-%m-%d %X)`).
    pub fn shown(&self) -> ShownFormat<'_> {
        ShownFormat(&self.text)
    }
}

/// [`Request::shown`]: written straight into the log line, without a copy.
#[derive(Debug)]
pub struct ShownFormat<'a>(&'a str);

impl fmt::Display for ShownFormat<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return write!(f, "(empty, so {DEFAULT_FORMAT})");
        }
        for piece in self.0.split_inclusive(char::is_control) {
            match piece.chars().next_back() {
                Some(c) if c.is_control() => {
                    f.write_str(&piece[..piece.len() - c.len_utf8()])?;
                    write!(f, "{}", c.escape_default())?;
                }
                _ => f.write_str(piece)?,
            }
        }
        Ok(())
    }
}

/// The bytes to send back for a format: the time now, encoded, at most
/// [`MAX_ANSWER`] bytes; or why there is no time to send.
pub fn answer(format: &str, clock: &Clock, codec: Codec) -> Result<Vec<u8>, Error> {
    let text = strftime(format, &clock.now())?;
    // In UTF-8 the text already is its bytes; other encodings convert it.
    let bytes = if codec == Codec::UTF_8 {
        text.into_bytes()
    } else {
        codec
            .encode(&text)
            .map_err(|err| Error::new(format!("the answer cannot be sent: {err}")))?
    };
    if bytes.len() > MAX_ANSWER {
        return Err(Error::new(format!(
            "the answer would be {} bytes, more than the {MAX_ANSWER} a reply may have",
            bytes.len()
        ))
        .hint("use a shorter format: the tutorial's client reads recv(1024)"));
    }
    Ok(bytes)
}

/// `back_msg` for a request: the time in its format, or `error: …` (with a
/// warning on stderr) when there is no time to send. Never a panic: the
/// server keeps serving whatever arrives.
pub fn reply(request: &Request, clock: &Clock) -> Vec<u8> {
    let answered = request.time_fmt().map_err(Error::clone);
    answered.and_then(|time_fmt| answer(time_fmt, clock, request.codec)).unwrap_or_else(
        |err| {
            common::warn(format_args!("{} gets an error: {err}", request.from));
            error_reply(&err, request.codec)
        },
    )
}

/// The reply for a refused format: `error: REASON (hint: …)`, encoded. Any
/// character the encoding lacks becomes `?` (the reason is mostly ASCII).
pub fn error_reply(err: &Error, codec: Codec) -> Vec<u8> {
    let text = format!("error: {err}");
    codec.encode(&text).unwrap_or_else(|_| {
        text.chars()
            .map(|c| if c.is_ascii() { c } else { '?' })
            .collect::<String>()
            .into_bytes()
    })
}

/// Refuses what C's strftime and jiff would not format alike (see the module docs).
fn check_format(format: &str) -> Result<(), Error> {
    const DIRECTIVE_HINT: &str = "use directives such as %Y %m %d %H %M %S %a %b %X; write %% for a percent sign";
    if format.contains('\0') {
        return Err(Error::new(
            "the format contains a NUL byte, which strftime cannot take",
        )
        .hint("remove it (Python's strftime refuses it too)"));
    }
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            continue;
        }
        let mut spec = String::from("%");
        let mut next = chars.next();
        if let Some(flag) = next.filter(|c| FLAGS.contains(*c)) {
            spec.push(flag);
            next = chars.next();
        }
        let Some(directive) = next else {
            return Err(Error::new(format!("the format ends with a lone {spec}"))
                .hint(DIRECTIVE_HINT));
        };
        spec.push(directive);
        if directive.is_ascii_digit() {
            return Err(Error::new(format!(
                "{spec}…: padding widths such as %10Y are not supported"
            ))
            .hint("C libraries disagree on them; use the flags - _ 0 ^, e.g. %-d"));
        }
        if directive == '#' || directive == 'E' || directive == 'O' {
            return Err(Error::new(format!(
                "{spec}…: the # flag and the E and O modifiers are not supported"
            ))
            .hint("C libraries disagree on them; use the flags - _ 0 ^, e.g. %^a"));
        }
        if !DIRECTIVES.contains(directive) {
            return Err(Error::new(format!("{spec} is not a strftime directive"))
                .hint(DIRECTIVE_HINT));
        }
        if spec.len() > 2 && NO_FLAGS.contains(directive) {
            return Err(Error::new(format!(
                "{spec}: flags on %z and %P are not supported"
            ))
            .hint(format!("C libraries disagree on them; write %{directive}")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use jiff::civil::date;

    fn at(tz: &str) -> Zoned {
        date(2024, 7, 5)
            .at(9, 3, 7, 0)
            .to_zoned(TimeZone::get(tz).unwrap_or(TimeZone::UTC))
            .unwrap()
    }

    #[test]
    fn default_format_is_the_c_locale() {
        assert_eq!(
            strftime(DEFAULT_FORMAT, &at("UTC")).unwrap(),
            "2024-07-05 09:03:07"
        );
        assert_eq!(strftime("%c", &at("UTC")).unwrap(), "Fri Jul  5 09:03:07 2024");
        assert_eq!(strftime("%x %r", &at("UTC")).unwrap(), "07/05/24 09:03:07 AM");
    }

    #[test]
    fn text_around_directives_is_kept() {
        let now = at("UTC");
        assert_eq!(strftime("%Y年%m月%d日", &now).unwrap(), "2024年07月05日");
        assert_eq!(strftime("now: %H:%M:%S!", &now).unwrap(), "now: 09:03:07!");
        assert_eq!(strftime("100%% %-d %_m %^a", &now).unwrap(), "100% 5  7 FRI");
        assert_eq!(strftime("", &now).unwrap(), "");
    }

    #[test]
    fn bad_formats_are_refused_not_panicked_on() {
        let now = at("UTC");
        for (format, reason) in [
            ("%Q", "%Q is not a strftime directive"),
            ("%", "lone %"),
            ("abc%-", "lone %-"),
            ("%:z", "%: is not"),
            ("%f", "%f is not"),
            ("%10Y", "padding widths"),
            ("%#a", "# flag"),
            ("%Ey", "E and O"),
            ("%-z", "flags on %z"),
            ("a\0b", "NUL"),
            ("%年", "%年 is not"),
        ] {
            let err = strftime(format, &now).unwrap_err().to_string();
            assert!(err.contains(reason), "{format:?}: {err}");
        }
    }

    #[test]
    fn every_accepted_directive_formats() {
        let now = at("Asia/Shanghai");
        for directive in DIRECTIVES.chars() {
            for flag in ["", "-", "_", "0", "^"] {
                let format = format!("%{flag}{directive}");
                let result = strftime(&format, &now);
                if flag.is_empty() || !NO_FLAGS.contains(directive) {
                    assert!(result.is_ok(), "{format}: {result:?}");
                }
            }
        }
    }

    #[test]
    fn long_answers_are_refused() {
        let clock = Clock { zone: TimeZone::UTC, name: "UTC".into(), source: "--tz" };
        let long = "%Y".repeat(500);
        let err = answer(&long, &clock, Codec::UTF_8).unwrap_err();
        assert!(err.to_string().contains("2000 bytes"), "{err}");
        let text = "x".repeat(1000);
        assert_eq!(answer(&text, &clock, Codec::UTF_8).unwrap().len(), 1000);
    }

    fn request(data: &[u8], sent_len: usize) -> Request {
        let from = "127.0.0.1:5000".parse().unwrap();
        let datagram = Datagram { len: data.len(), sent_len, from };
        Request::read(data, &datagram, Codec::UTF_8)
    }

    #[test]
    fn a_request_is_read_once_for_the_log_and_the_answer() {
        let empty = request(b"", 0);
        assert_eq!(empty.time_fmt(), Ok(DEFAULT_FORMAT));
        assert_eq!(empty.shown().to_string(), "(empty, so %Y-%m-%d %X)");
        let chinese = request("%Y年\n%d\u{7}".as_bytes(), 9);
        assert_eq!(chinese.time_fmt(), Ok("%Y年\n%d\u{7}"));
        assert_eq!(chinese.shown().to_string(), "%Y年\\n%d\\u{7}");
        let bad = request(b"%Y\xff", 3);
        assert!(bad.time_fmt().is_err());
        assert_eq!(bad.shown().to_string(), "%Y\u{fffd}");
        assert!(bad.refused.unwrap().to_string().contains("not valid utf-8"));
        let cut = request(b"%Y", 2000);
        assert!(cut.refused.unwrap().to_string().contains("2000 bytes"));
    }
}
