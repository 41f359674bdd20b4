//! Text ↔ bytes, exactly as `str.encode(ENC)` and
//! `bytes.decode(ENC, errors='replace')` do in the lessons' Python twins.
//!
//! A socket carries bytes, never text. The tutorials encode with `gbk` (Windows
//! in China) or `utf-8`; when the two ends disagree the reader sees 乱码
//! (garbled text). So encoding is strict — text the encoding cannot represent
//! is refused, naming the character, and nothing garbled is sent — while
//! decoding is lenient: bytes that are not valid are shown as U+FFFD and
//! counted, so a receiver can warn and keep going.
//!
//! `--encoding` takes Python's codec names and means what Python means by
//! them ([`ACCEPTED`]). `encoding_rs` follows the WHATWG labels instead, where
//! `ascii` and `latin1` are windows-1252, `gbk` is GB18030's two-byte part and
//! `big5` is Big5-HKSCS: UTF-8 comes from `encoding_rs` as it is, ASCII and
//! Latin-1 are written here, and the multi-byte codecs take `encoding_rs`'s
//! tables with Python's differences applied (module `cjk`). The proof is
//! `cargo test -p common --test python_codecs`, which compares every BMP
//! character and every short byte sequence with what python3 makes of it.

use std::fmt;

use encoding_rs::DecoderResult;

mod cjk;

use cjk::{Cjk, Step};

/// The encodings `--encoding` accepts, as listed in error messages.
pub const ACCEPTED: &str =
    "utf-8, gbk (or cp936), gb18030, big5, shift_jis, cp949, ascii, latin-1";

/// Examples listed when an `--encoding` label is unknown: all of [`ACCEPTED`].
pub const ENCODING_EXAMPLES: &str = ACCEPTED;

/// The labels `--encoding` accepts, in Python's normalised spelling (lower
/// case, each run of other characters than letters, digits and `.` as one
/// `_`), with the codec Python's `codecs.lookup` finds for each.
const LABELS: &[(&str, Kind)] = &[
    ("utf_8", Kind::Utf8),
    ("utf8", Kind::Utf8),
    ("u8", Kind::Utf8),
    ("utf", Kind::Utf8),
    ("cp65001", Kind::Utf8),
    ("ascii", Kind::Ascii),
    ("us_ascii", Kind::Ascii),
    ("us", Kind::Ascii),
    ("646", Kind::Ascii),
    ("cp367", Kind::Ascii),
    ("csascii", Kind::Ascii),
    ("ibm367", Kind::Ascii),
    ("iso646_us", Kind::Ascii),
    ("iso_ir_6", Kind::Ascii),
    ("ansi_x3_4_1968", Kind::Ascii),
    ("latin_1", Kind::Latin1),
    ("latin1", Kind::Latin1),
    ("latin", Kind::Latin1),
    ("l1", Kind::Latin1),
    ("iso_8859_1", Kind::Latin1),
    ("iso8859_1", Kind::Latin1),
    ("iso8859", Kind::Latin1),
    ("8859", Kind::Latin1),
    ("iso_8859_1_1987", Kind::Latin1),
    ("iso_ir_100", Kind::Latin1),
    ("cp819", Kind::Latin1),
    ("ibm819", Kind::Latin1),
    ("csisolatin1", Kind::Latin1),
    ("gbk", Kind::Cjk(Cjk::Gbk)),
    ("cp936", Kind::Cjk(Cjk::Gbk)),
    ("936", Kind::Cjk(Cjk::Gbk)),
    ("ms936", Kind::Cjk(Cjk::Gbk)),
    ("gb18030", Kind::Cjk(Cjk::Gb18030)),
    ("gb18030_2000", Kind::Cjk(Cjk::Gb18030)),
    ("big5", Kind::Cjk(Cjk::Big5)),
    ("big5_tw", Kind::Cjk(Cjk::Big5)),
    ("csbig5", Kind::Cjk(Cjk::Big5)),
    ("shift_jis", Kind::Cjk(Cjk::ShiftJis)),
    ("shiftjis", Kind::Cjk(Cjk::ShiftJis)),
    ("sjis", Kind::Cjk(Cjk::ShiftJis)),
    ("s_jis", Kind::Cjk(Cjk::ShiftJis)),
    ("csshiftjis", Kind::Cjk(Cjk::ShiftJis)),
    ("cp949", Kind::Cjk(Cjk::Cp949)),
    ("949", Kind::Cjk(Cjk::Cp949)),
    ("ms949", Kind::Cjk(Cjk::Cp949)),
    ("uhc", Kind::Cjk(Cjk::Cp949)),
];

/// Labels Python knows that the course refuses, and why.
const REFUSED: &[(&[&str], &str)] = &[
    (
        &[
            "utf_16",
            "utf16",
            "u16",
            "utf_16_le",
            "utf_16le",
            "utf_16_be",
            "utf_16be",
            "utf_32",
            "utf32",
            "u32",
            "utf_32_le",
            "utf_32le",
            "utf_32_be",
            "utf_32be",
        ],
        "the lessons cut lines at the byte b'\\n', which in UTF-16 and UTF-32 \
         is also a part of other characters",
    ),
    (
        &[
            "euc_kr",
            "euckr",
            "korean",
            "ksc5601",
            "ks_c_5601",
            "ks_c_5601_1987",
            "ksx1001",
            "ks_x_1001",
        ],
        "Python's euc_kr writes the hangul that KS X 1001 lacks as 8-byte \
         sequences, which this course does not; use cp949 (Windows' Korean, \
         which has them all) at both ends",
    ),
];

/// At most this many characters of a bad label are repeated in the error.
const SHOWN_LABEL_CHARS: usize = 40;

/// An encoding chosen with `--encoding`: one of Python's codecs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Codec {
    kind: Kind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// `utf-8`: `encoding_rs`'s UTF-8, which replaces like Python.
    Utf8,
    /// `ascii`: seven bits; every byte from 0x80 on is invalid.
    Ascii,
    /// `latin-1`: ISO-8859-1, byte = code point; every byte is valid.
    Latin1,
    /// The multi-byte codecs of China, Taiwan, Japan and Korea.
    Cjk(Cjk),
}

impl fmt::Debug for Codec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Codec({})", self.name())
    }
}

impl Default for Codec {
    fn default() -> Self {
        Codec::UTF_8
    }
}

impl fmt::Display for Codec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Text that the encoding cannot represent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodeError {
    /// The first character that has no bytes in the encoding.
    pub character: char,
    /// The encoding's name.
    pub encoding: &'static str,
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "'{}' (U+{:04X}) cannot be encoded in {}",
            self.character, self.character as u32, self.encoding
        )
    }
}

impl std::error::Error for EncodeError {}

/// The text decoded from some bytes, and how many invalid sequences became U+FFFD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text, with U+FFFD where the bytes were not valid.
    pub text: String,
    /// How many invalid byte sequences were replaced.
    pub replaced: usize,
}

impl Codec {
    /// UTF-8, the default on Linux and macOS.
    pub const UTF_8: Codec = Codec { kind: Kind::Utf8 };
    /// GBK, what the tutorials use on Windows.
    pub const GBK: Codec = Codec { kind: Kind::Cjk(Cjk::Gbk) };

    /// Looks up a label as Python's `codecs.lookup` does (any case, `-`, `_`
    /// or space between the parts: `UTF-8`, `utf8`, `latin-1`, `cp936`), among
    /// the codecs of [`ACCEPTED`]. The error repeats at most 40 characters of
    /// the label and lists the accepted encodings.
    pub fn for_label(label: &str) -> Result<Codec, String> {
        let wanted = python_normalized(label);
        let found = |wanted: &str| LABELS.iter().find(|(name, _)| *name == wanted);
        if let Some(&(_, kind)) =
            found(&wanted).or_else(|| found(&wanted.replace('.', "_")))
        {
            return Ok(Codec { kind });
        }
        let shown = shortened(label);
        if let Some((_, why)) =
            REFUSED.iter().find(|(names, _)| names.contains(&wanted.as_str()))
        {
            return Err(format!(
                "encoding '{shown}' is not offered: {why} (accepted: {ACCEPTED})"
            ));
        }
        Err(format!("unknown encoding '{shown}' (accepted: {ACCEPTED})"))
    }

    /// The name Python would use in `.encode(...)`, e.g. `gbk`, `utf-8`.
    pub fn name(&self) -> &'static str {
        match self.kind {
            Kind::Utf8 => "utf-8",
            Kind::Ascii => "ascii",
            Kind::Latin1 => "latin-1",
            Kind::Cjk(Cjk::Gbk) => "gbk",
            Kind::Cjk(Cjk::Gb18030) => "gb18030",
            Kind::Cjk(Cjk::Big5) => "big5",
            Kind::Cjk(Cjk::ShiftJis) => "shift_jis",
            Kind::Cjk(Cjk::Cp949) => "cp949",
        }
    }

    /// `text.encode(ENC)`, refusing (instead of replacing) what cannot be encoded.
    pub fn encode(&self, text: &str) -> Result<Vec<u8>, EncodeError> {
        if self.kind == Kind::Utf8 {
            return Ok(text.as_bytes().to_vec());
        }
        let mut out = Vec::with_capacity(text.len() + 16);
        for character in text.chars() {
            let encoded = match self.kind {
                Kind::Utf8 => {
                    out.extend_from_slice(
                        character.encode_utf8(&mut [0; 4]).as_bytes(),
                    );
                    true
                }
                Kind::Ascii => push_byte(&mut out, character, 0x7F),
                Kind::Latin1 => push_byte(&mut out, character, 0xFF),
                Kind::Cjk(codec) => codec.encode_char(character, &mut out),
            };
            if !encoded {
                return Err(EncodeError { character, encoding: self.name() });
            }
        }
        Ok(out)
    }

    /// [`Codec::encode`] for interactive programs, where one bad line must not
    /// end the session: prints `error: '😀' (U+1F600) cannot be encoded in gbk:
    /// nothing was sent (hint: …)` and returns `None`.
    pub fn encode_or_report(&self, text: &str) -> Option<Vec<u8>> {
        match self.encode(text) {
            Ok(data) => Some(data),
            Err(err) => {
                crate::errln!("error: {}", crate::Error::from(err));
                None
            }
        }
    }

    /// `data.decode(ENC, errors='replace')`, counting the replacements.
    pub fn decode(&self, data: &[u8]) -> Decoded {
        let mut text = String::with_capacity(data.len() + 16);
        let replaced = Engine::new(self.kind).decode(self.kind, data, true, &mut text);
        Decoded { text, replaced }
    }

    /// Decodes, and warns on stderr when bytes had to be replaced:
    /// `warning: 2 byte sequence(s) from ADDR are not valid gbk and are shown
    /// as U+FFFD (…)`.
    pub fn decode_or_warn(&self, data: &[u8], from: impl fmt::Display) -> String {
        let decoded = self.decode(data);
        warn_replaced(decoded.replaced, &from, *self);
        decoded.text
    }

    /// One step of Python's decoder for the codecs decoded here (all but UTF-8).
    fn step(self, bytes: &[u8]) -> Step {
        match (self.kind, bytes.first()) {
            (_, None) => Step::Incomplete,
            (Kind::Latin1, Some(&byte)) => Step::Char(char::from(byte), 1),
            (Kind::Utf8 | Kind::Ascii, Some(&byte)) if byte < 0x80 => {
                Step::Char(char::from(byte), 1)
            }
            (Kind::Utf8 | Kind::Ascii, Some(_)) => Step::Invalid(1),
            (Kind::Cjk(codec), Some(_)) => codec.step(bytes),
        }
    }
}

/// Every spelling `--encoding` accepts, in Python's normalised form
/// (`utf_8`, `cp936`, `iso_8859_1`, …), with its codec.
pub fn accepted_labels() -> impl Iterator<Item = (&'static str, Codec)> {
    LABELS.iter().map(|&(label, kind)| (label, Codec { kind }))
}

/// Pushes `character` as one byte when it is at most `max`.
fn push_byte(out: &mut Vec<u8>, character: char, max: u8) -> bool {
    match u8::try_from(character) {
        Ok(byte) if byte <= max => {
            out.push(byte);
            true
        }
        _ => false,
    }
}

fn warn_replaced(replaced: usize, from: &dyn fmt::Display, codec: Codec) {
    if replaced > 0 {
        crate::warn(format_args!(
            "{replaced} byte sequence(s) from {from} are not valid {codec} and are \
             shown as U+FFFD (is the sender using another --encoding?)"
        ));
    }
}

/// Python's `encodings.normalize_encoding`, lower-cased as `codecs.lookup`
/// does: `UTF-8` → `utf_8`, ` Latin 1 ` → `latin_1`.
fn python_normalized(label: &str) -> String {
    let mut normalized = String::new();
    let mut gap = false;
    for character in label.chars() {
        if character.is_ascii_alphanumeric() || character == '.' {
            if gap && !normalized.is_empty() {
                normalized.push('_');
            }
            normalized.push(character.to_ascii_lowercase());
            gap = false;
        } else {
            gap = true;
        }
    }
    normalized
}

/// The first 40 characters of what was typed, control characters escaped,
/// and `…` when there was more: a 100 kB label is not repeated in full.
fn shortened(label: &str) -> String {
    let mut shown = String::new();
    for (count, character) in label.chars().enumerate() {
        if count == SHOWN_LABEL_CHARS {
            shown.push('…');
            break;
        }
        if character.is_control() {
            shown.extend(character.escape_default());
        } else {
            shown.push(character);
        }
    }
    shown
}

/// clap's value parser for `--encoding`: [`Codec::for_label`], with an error
/// that repeats at most 40 characters of the value (clap's own parsers
/// repeat it whole).
#[derive(Clone, Copy, Debug, Default)]
pub struct CodecParser;

impl clap::builder::TypedValueParser for CodecParser {
    type Value = Codec;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<Codec, clap::Error> {
        use clap::error::ErrorKind;
        let label = value.to_string_lossy();
        Codec::for_label(&label).map_err(|message| {
            let arg = arg.map_or("--encoding <ENC>".to_string(), ToString::to_string);
            // The message names the (shortened) label once; the rest is how
            // clap ends every usage error.
            let message = format!(
                "invalid value for '{arg}': {message}\n\n\
                 For more information, try '--help'.\n"
            );
            clap::Error::raw(ErrorKind::ValueValidation, message).with_cmd(cmd)
        })
    }
}

/// The decoding machinery behind [`Codec::decode`] and [`StreamDecoder`].
enum Engine {
    /// `encoding_rs` decodes UTF-8, holding a character cut between pieces.
    Utf8(encoding_rs::Decoder),
    /// Python's decoders, rebuilt here: the bytes of a character cut at the
    /// end of the last piece wait for the next.
    Steps(Vec<u8>),
}

impl Engine {
    fn new(kind: Kind) -> Engine {
        match kind {
            Kind::Utf8 => {
                Engine::Utf8(encoding_rs::UTF_8.new_decoder_without_bom_handling())
            }
            _ => Engine::Steps(Vec::new()),
        }
    }

    /// Decodes the next piece onto `text`; `last` ends the stream, when a
    /// character left unfinished becomes one U+FFFD. Returns how many
    /// invalid sequences were replaced.
    fn decode(
        &mut self,
        kind: Kind,
        data: &[u8],
        last: bool,
        text: &mut String,
    ) -> usize {
        match self {
            Engine::Utf8(decoder) => decode_utf8(decoder, data, last, text),
            Engine::Steps(held) => {
                let joined;
                let mut rest = if held.is_empty() {
                    data
                } else {
                    joined = [held.as_slice(), data].concat();
                    held.clear();
                    joined.as_slice()
                };
                let codec = Codec { kind };
                let mut replaced = 0;
                while !rest.is_empty() {
                    let used = match codec.step(rest) {
                        Step::Char(character, used) => {
                            text.push(character);
                            used
                        }
                        Step::Invalid(used) => {
                            text.push('\u{FFFD}');
                            replaced += 1;
                            used
                        }
                        Step::Incomplete if last => {
                            text.push('\u{FFFD}');
                            replaced += 1;
                            rest.len()
                        }
                        Step::Incomplete => {
                            held.extend_from_slice(rest);
                            rest.len()
                        }
                    };
                    rest = rest.get(used.max(1)..).unwrap_or_default();
                }
                replaced
            }
        }
    }
}

fn decode_utf8(
    decoder: &mut encoding_rs::Decoder,
    mut rest: &[u8],
    last: bool,
    text: &mut String,
) -> usize {
    let mut replaced = 0;
    loop {
        let needed = decoder
            .max_utf8_buffer_length_without_replacement(rest.len())
            .unwrap_or(rest.len() * 3 + 16);
        text.reserve(needed);
        let (result, read) =
            decoder.decode_to_string_without_replacement(rest, text, last);
        rest = rest.get(read..).unwrap_or_default();
        match result {
            DecoderResult::InputEmpty => return replaced,
            DecoderResult::OutputFull => continue,
            DecoderResult::Malformed(_, _) => {
                text.push('\u{FFFD}');
                replaced += 1;
            }
        }
    }
}

/// Decodes a byte stream piece by piece, as it comes out of `recv`.
///
/// TCP has no message boundaries: `recv(1024)` returns whatever has arrived,
/// so one character of UTF-8 (3 bytes for 数) or GBK (2 bytes) can be cut
/// between two pieces. Decoding each piece alone would show U+FFFD where
/// nothing was wrong; this decoder keeps the first bytes of a cut character
/// until the rest arrives, so the pieces decode as their concatenation would.
pub struct StreamDecoder {
    codec: Codec,
    engine: Engine,
}

impl fmt::Debug for StreamDecoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StreamDecoder({})", self.codec)
    }
}

impl StreamDecoder {
    /// A decoder for `codec` with nothing held back.
    pub fn new(codec: Codec) -> StreamDecoder {
        StreamDecoder { codec, engine: Engine::new(codec.kind) }
    }

    /// The text of the next piece. An unfinished character at its end waits
    /// for the next piece; bytes that are really invalid become U+FFFD, with a
    /// warning naming `from`.
    pub fn push(&mut self, data: &[u8], from: impl fmt::Display) -> String {
        let decoded = self.push_decoded(data);
        warn_replaced(decoded.replaced, &from, self.codec);
        decoded.text
    }

    /// The end of the stream: a character left unfinished (a peer that left in
    /// the middle of one) is shown as U+FFFD with a warning. `None` when
    /// nothing was held back. The decoder can then start a new stream.
    pub fn finish(&mut self, from: impl fmt::Display) -> Option<String> {
        let decoded = self.finish_decoded();
        warn_replaced(decoded.replaced, &from, self.codec);
        (!decoded.text.is_empty()).then_some(decoded.text)
    }

    /// [`StreamDecoder::push`] without the warning: the text and how many
    /// invalid sequences it replaced.
    pub fn push_decoded(&mut self, data: &[u8]) -> Decoded {
        let mut text = String::with_capacity(data.len() + 4);
        let replaced = self.engine.decode(self.codec.kind, data, false, &mut text);
        Decoded { text, replaced }
    }

    /// [`StreamDecoder::finish`] without the warning; the text is empty when
    /// nothing was held back.
    pub fn finish_decoded(&mut self) -> Decoded {
        let mut text = String::new();
        let replaced = self.engine.decode(self.codec.kind, &[], true, &mut text);
        self.engine = Engine::new(self.codec.kind);
        Decoded { text, replaced }
    }
}

/// The text without one trailing line ending: a peer that sends `hi\n` (or
/// `hi\r\n`) is printed as `hi`.
pub fn without_line_ending(text: &str) -> &str {
    text.strip_suffix('\n').map_or(text, |text| text.strip_suffix('\r').unwrap_or(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_python_s() {
        assert_eq!(Codec::for_label("cp936").unwrap(), Codec::GBK);
        assert_eq!(Codec::for_label("GBK").unwrap().name(), "gbk");
        assert_eq!(Codec::for_label("utf8").unwrap(), Codec::UTF_8);
        assert_eq!(Codec::for_label(" UTF-8 ").unwrap(), Codec::UTF_8);
        assert_eq!(Codec::for_label("gb18030").unwrap().name(), "gb18030");
        assert_eq!(Codec::for_label("big5-tw").unwrap().name(), "big5");
        assert_eq!(Codec::for_label("Shift-JIS").unwrap().name(), "shift_jis");
        assert_eq!(Codec::for_label("ISO-8859-1").unwrap().name(), "latin-1");
        assert_eq!(Codec::for_label("US-ASCII").unwrap().name(), "ascii");
    }

    #[test]
    fn unknown_labels_list_the_accepted_ones() {
        let err = Codec::for_label("klingon").unwrap_err();
        assert!(
            err.contains("unknown encoding 'klingon'") && err.contains(ACCEPTED),
            "{err}"
        );
        // WHATWG labels that Python spells otherwise are unknown here.
        assert!(Codec::for_label("x-user-defined").is_err());
        assert!(Codec::for_label("windows-1252").is_err());
        let err = Codec::for_label("utf-16le").unwrap_err();
        assert!(err.contains("not offered") && err.contains("b'\\n'"), "{err}");
        let err = Codec::for_label("euc-kr").unwrap_err();
        assert!(err.contains("cp949"), "{err}");
    }

    #[test]
    fn a_huge_label_is_not_repeated_in_full() {
        let label = "x".repeat(100_000);
        let err = Codec::for_label(&label).unwrap_err();
        assert!(err.contains(&format!("'{}…'", "x".repeat(40))), "{err}");
        assert!(err.len() < 300, "{} bytes", err.len());
        assert_eq!(shortened("gbk\n"), "gbk\\n");
    }

    #[test]
    fn clap_repeats_at_most_40_characters_of_a_bad_label() {
        let command = || {
            clap::Command::new("demo").arg(
                clap::Arg::new("encoding")
                    .long("encoding")
                    .value_name("ENC")
                    .value_parser(CodecParser),
            )
        };
        let label = "x".repeat(100_000);
        let err =
            command().try_get_matches_from(["demo", "--encoding", &label]).unwrap_err();
        let shown = err.render().to_string();
        assert_eq!(err.exit_code(), 2);
        assert!(shown.len() < 400, "{} bytes: {shown}", shown.len());
        assert!(
            shown.contains(&format!("unknown encoding '{}…'", "x".repeat(40))),
            "{shown}"
        );
        assert!(
            shown.contains("for '--encoding <ENC>'") && shown.contains(ACCEPTED),
            "{shown}"
        );
        let matches =
            command().try_get_matches_from(["demo", "--encoding", "CP936"]).unwrap();
        assert_eq!(matches.get_one::<Codec>("encoding"), Some(&Codec::GBK));
    }

    #[test]
    fn ascii_and_latin1_are_not_windows_1252() {
        let ascii = Codec::for_label("ascii").unwrap();
        let latin1 = Codec::for_label("latin1").unwrap();
        // Python: '€'.encode('latin-1') fails; b'\x80'.decode('latin-1') == '\x80'.
        assert_eq!(latin1.encode("€").unwrap_err().character, '€');
        assert_eq!(latin1.encode("é\u{80}ÿ").unwrap(), b"\xe9\x80\xff");
        assert_eq!(
            latin1.decode(b"\x80\xe9"),
            Decoded { text: "\u{80}é".into(), replaced: 0 }
        );
        assert_eq!(ascii.encode("é").unwrap_err().character, 'é');
        assert_eq!(
            ascii.decode(b"a\x80\xe9"),
            Decoded { text: "a\u{FFFD}\u{FFFD}".into(), replaced: 2 }
        );
    }

    #[test]
    fn gbk_bytes_match_python() {
        // '数据'.encode('gbk') == b'\xca\xfd\xbe\xdd' (the tutorial's example)
        assert_eq!(Codec::GBK.encode("数据").unwrap(), b"\xca\xfd\xbe\xdd");
        assert_eq!(Codec::GBK.decode(b"\xca\xfd\xbe\xdd").text, "数据");
        // Python's gbk has no euro sign (cp936's 0x80 is not in it).
        assert_eq!(Codec::GBK.encode("%Y €").unwrap_err().character, '€');
        assert_eq!(Codec::GBK.decode(b"\x80").replaced, 1);
    }

    #[test]
    fn unmappable_text_is_refused_naming_the_character() {
        let err = Codec::GBK.encode("hi 😀").unwrap_err();
        assert_eq!(err.character, '😀');
        assert!(err.to_string().contains("U+1F600"), "{err}");
        // gb18030 can encode every character.
        assert!(Codec::for_label("gb18030").unwrap().encode("😀").is_ok());
    }

    #[test]
    fn invalid_bytes_are_replaced_and_counted() {
        let decoded = Codec::UTF_8.decode(b"ok \xff\xfe end");
        assert_eq!(decoded.replaced, 2);
        assert!(decoded.text.starts_with("ok \u{FFFD}"));
        // UTF-8 read as GBK is 乱码 but not necessarily invalid; a lone lead byte is.
        assert_eq!(Codec::GBK.decode(b"\x81").replaced, 1);
        // Python: b'\x81 a'.decode('gbk', 'replace') == '\ufffd a': a bad
        // pair costs its first byte only.
        assert_eq!(Codec::GBK.decode(b"\x81 a").text, "\u{FFFD} a");
    }

    #[test]
    fn characters_cut_between_pieces_are_kept_whole() {
        let labels =
            ["utf-8", "gbk", "gb18030", "big5", "shift_jis", "cp949", "latin-1"];
        for codec in labels.map(|label| Codec::for_label(label).unwrap()) {
            let text = match codec.name() {
                "big5" => "資料 and 資料 ".repeat(50),
                "shift_jis" => "データ and ﾃﾞｰﾀ ".repeat(50),
                "cp949" => "데이터 and 데이터 ".repeat(50),
                "latin-1" => "données ".repeat(50),
                "gbk" => "数据 and 数据 ".repeat(50),
                _ => "数据 and 数据 😀 ".repeat(50),
            };
            let bytes = codec.encode(&text).unwrap();
            for size in [1, 2, 3, 5, 7, 64] {
                let mut stream = StreamDecoder::new(codec);
                let got: String =
                    bytes.chunks(size).map(|piece| stream.push(piece, "t")).collect();
                assert_eq!(got, text, "{codec} in pieces of {size}");
                assert_eq!(stream.finish("t"), None);
            }
        }
    }

    #[test]
    fn pieces_decode_as_their_concatenation_would() {
        // Bad bytes among good ones, cut anywhere: the same text as one decode.
        let mut state = 0x2545_F491_u32;
        let mut random = move || {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state
        };
        for label in ["utf-8", "ascii", "gbk", "gb18030", "big5", "shift_jis", "cp949"]
        {
            let codec = Codec::for_label(label).unwrap();
            for _ in 0..20 {
                let bytes: Vec<u8> = (0..300)
                    .map(|_| match random() % 4 {
                        0 => b'a',
                        1 => 0x30 + (random() % 10) as u8,
                        _ => (random() % 256) as u8,
                    })
                    .collect();
                let whole = codec.decode(&bytes);
                let mut stream = StreamDecoder::new(codec);
                let mut got = String::new();
                let mut rest = bytes.as_slice();
                while !rest.is_empty() {
                    let size = (1 + random() as usize % 6).min(rest.len());
                    got += &stream.push_decoded(&rest[..size]).text;
                    rest = &rest[size..];
                }
                got += &stream.finish_decoded().text;
                assert_eq!(got, whole.text, "{label}: {bytes:02x?}");
            }
        }
    }

    #[test]
    fn stream_replaces_invalid_bytes_and_an_unfinished_end() {
        let mut stream = StreamDecoder::new(Codec::UTF_8);
        assert_eq!(stream.push(b"a\xff\xfe\xfdb", "t"), "a\u{FFFD}\u{FFFD}\u{FFFD}b");
        assert_eq!(stream.push(b"\xe6\x95", "t"), "");
        assert_eq!(stream.finish("t").unwrap(), "\u{FFFD}");
        // After finish, a new stream starts clean.
        assert_eq!(stream.push("数".as_bytes(), "t"), "数");
        let mut stream = StreamDecoder::new(Codec::GBK);
        assert_eq!(stream.push(b"\xca", "t"), "");
        assert_eq!(stream.finish("t").unwrap(), "\u{FFFD}");
        assert_eq!(stream.push(b"\xca\xfd", "t"), "数");
    }

    #[test]
    fn one_line_ending_is_dropped() {
        assert_eq!(without_line_ending("hi\r\n"), "hi");
        assert_eq!(without_line_ending("hi\n\n"), "hi\n");
        assert_eq!(without_line_ending("hi"), "hi");
    }

    #[test]
    fn long_text_round_trips() {
        let text = "数据 and data ".repeat(1000);
        for codec in [Codec::UTF_8, Codec::GBK] {
            let bytes = codec.encode(&text).unwrap();
            assert_eq!(
                codec.decode(&bytes),
                Decoded { text: text.clone(), replaced: 0 }
            );
        }
    }
}
