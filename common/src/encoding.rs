//! Text ↔ bytes, as `str.encode(ENC)` and `bytes.decode(ENC)` do in the lessons.
//!
//! A socket carries bytes, never text. The tutorials encode with `gbk` (Windows
//! in China) or `utf-8`; when the two ends disagree the reader sees 乱码
//! (garbled text). So encoding is strict — text the encoding cannot represent
//! is refused, naming the character, and nothing garbled is sent — while
//! decoding is lenient: bytes that are not valid are shown as U+FFFD and
//! counted, so a receiver can warn and keep going.

use std::fmt;

use encoding_rs::{DecoderResult, EncoderResult, Encoding};

/// Examples listed when an `--encoding` label is unknown.
pub const ENCODING_EXAMPLES: &str =
    "utf-8, gbk (or cp936), gb18030, big5, shift_jis, euc-kr";

/// An encoding chosen with `--encoding`, remembered with the label the user gave.
#[derive(Clone, Copy)]
pub struct Codec {
    encoding: &'static Encoding,
    label: &'static str,
}

impl fmt::Debug for Codec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Codec({})", self.label)
    }
}

impl PartialEq for Codec {
    fn eq(&self, other: &Self) -> bool {
        self.encoding == other.encoding
    }
}

impl Default for Codec {
    fn default() -> Self {
        Codec::UTF_8
    }
}

impl fmt::Display for Codec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label)
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
    pub const UTF_8: Codec = Codec { encoding: encoding_rs::UTF_8, label: "utf-8" };
    /// GBK, what the tutorials use on Windows.
    pub const GBK: Codec = Codec { encoding: encoding_rs::GBK, label: "gbk" };

    /// Looks up a label: any WHATWG label `encoding_rs` knows, plus Python's
    /// `cp936` for GBK. Encodings that cannot be written (UTF-16, `replacement`)
    /// are refused, because every program also sends.
    pub fn for_label(label: &str) -> Result<Codec, String> {
        let wanted = label.trim().to_ascii_lowercase().replace('_', "-");
        let wanted = match wanted.as_str() {
            "cp936" | "936" | "ms936" => "gbk",
            "utf8" => "utf-8",
            "shift-jis" => "shift_jis",
            other => other,
        };
        let Some(encoding) = Encoding::for_label(wanted.as_bytes()) else {
            return Err(format!("unknown encoding '{label}'; try {ENCODING_EXAMPLES}"));
        };
        if encoding.output_encoding() != encoding {
            return Err(format!(
                "'{label}' can only be read, not written; try {ENCODING_EXAMPLES}"
            ));
        }
        Ok(Codec { encoding, label: python_name(encoding) })
    }

    /// The name Python would use in `.encode(...)`, e.g. `gbk`, `utf-8`.
    pub fn name(&self) -> &'static str {
        self.label
    }

    /// The `encoding_rs` encoding behind this codec.
    pub fn encoding(&self) -> &'static Encoding {
        self.encoding
    }

    /// `text.encode(ENC)`, refusing (instead of replacing) what cannot be encoded.
    pub fn encode(&self, text: &str) -> Result<Vec<u8>, EncodeError> {
        if self.encoding == encoding_rs::UTF_8 {
            return Ok(text.as_bytes().to_vec());
        }
        let mut encoder = self.encoding.new_encoder();
        let mut out = Vec::with_capacity(text.len() * 2 + 16);
        let mut rest = text;
        loop {
            let needed = encoder
                .max_buffer_length_from_utf8_without_replacement(rest.len())
                .unwrap_or(rest.len() * 4 + 16);
            out.reserve(needed);
            let (result, read) = encoder
                .encode_from_utf8_to_vec_without_replacement(rest, &mut out, true);
            rest = &rest[read..];
            match result {
                EncoderResult::InputEmpty => return Ok(out),
                EncoderResult::OutputFull => continue,
                EncoderResult::Unmappable(character) => {
                    return Err(EncodeError { character, encoding: self.label });
                }
            }
        }
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
        let mut decoder = self.encoding.new_decoder_without_bom_handling();
        let mut text = String::with_capacity(data.len() + 16);
        let mut replaced = 0;
        let mut rest = data;
        loop {
            let needed = decoder
                .max_utf8_buffer_length_without_replacement(rest.len())
                .unwrap_or(rest.len() * 3 + 16);
            text.reserve(needed);
            let (result, read) =
                decoder.decode_to_string_without_replacement(rest, &mut text, true);
            rest = &rest[read..];
            match result {
                DecoderResult::InputEmpty => return Decoded { text, replaced },
                DecoderResult::OutputFull => continue,
                DecoderResult::Malformed(_, _) => {
                    text.push('\u{FFFD}');
                    replaced += 1;
                }
            }
        }
    }

    /// Decodes, and warns on stderr when bytes had to be replaced:
    /// `warning: 2 invalid byte sequence(s) in gbk shown as U+FFFD (…)`.
    pub fn decode_or_warn(&self, data: &[u8], from: impl fmt::Display) -> String {
        let decoded = self.decode(data);
        if decoded.replaced > 0 {
            crate::warn(format_args!(
                "{} byte sequence(s) from {from} are not valid {} and are shown as U+FFFD \
                 (is the sender using another --encoding?)",
                decoded.replaced, self.label
            ));
        }
        decoded.text
    }
}

/// Decodes a byte stream piece by piece, as it comes out of `recv`.
///
/// TCP has no message boundaries: `recv(1024)` returns whatever has arrived,
/// so one character of UTF-8 (3 bytes for 数) or GBK (2 bytes) can be cut
/// between two pieces. Decoding each piece alone would show U+FFFD where
/// nothing was wrong; this decoder keeps the first bytes of a cut character
/// until the rest arrives (encoding_rs decoders are built for streams).
pub struct StreamDecoder {
    codec: Codec,
    decoder: encoding_rs::Decoder,
}

impl fmt::Debug for StreamDecoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StreamDecoder({})", self.codec)
    }
}

impl StreamDecoder {
    /// A decoder for `codec` with nothing held back.
    pub fn new(codec: Codec) -> StreamDecoder {
        StreamDecoder {
            codec,
            decoder: codec.encoding.new_decoder_without_bom_handling(),
        }
    }

    /// The text of the next piece. An unfinished character at its end waits
    /// for the next piece; bytes that are really invalid become U+FFFD, with a
    /// warning naming `from`.
    pub fn push(&mut self, data: &[u8], from: impl fmt::Display) -> String {
        self.decode(data, false, from)
    }

    /// The end of the stream: a character left unfinished (a peer that left in
    /// the middle of one) is shown as U+FFFD with a warning. `None` when
    /// nothing was held back. The decoder can then start a new stream.
    pub fn finish(&mut self, from: impl fmt::Display) -> Option<String> {
        let text = self.decode(&[], true, from);
        self.decoder = self.codec.encoding.new_decoder_without_bom_handling();
        (!text.is_empty()).then_some(text)
    }

    fn decode(
        &mut self,
        mut rest: &[u8],
        last: bool,
        from: impl fmt::Display,
    ) -> String {
        let mut text = String::with_capacity(rest.len() + 4);
        let mut replaced = 0;
        loop {
            let needed = self
                .decoder
                .max_utf8_buffer_length_without_replacement(rest.len())
                .unwrap_or(rest.len() * 3 + 16);
            text.reserve(needed);
            let (result, read) = self
                .decoder
                .decode_to_string_without_replacement(rest, &mut text, last);
            rest = &rest[read..];
            match result {
                DecoderResult::InputEmpty => break,
                DecoderResult::OutputFull => continue,
                DecoderResult::Malformed(_, _) => {
                    text.push('\u{FFFD}');
                    replaced += 1;
                }
            }
        }
        if replaced > 0 {
            crate::warn(format_args!(
                "{replaced} byte sequence(s) from {from} are not valid {} and are shown as \
                 U+FFFD (is the sender using another --encoding?)",
                self.codec.label
            ));
        }
        text
    }
}

/// The text without one trailing line ending: a peer that sends `hi\n` (or
/// `hi\r\n`) is printed as `hi`.
pub fn without_line_ending(text: &str) -> &str {
    text.strip_suffix('\n').map_or(text, |text| text.strip_suffix('\r').unwrap_or(text))
}

/// Python's spelling of the common encodings, so narration shows `.encode('gbk')`.
fn python_name(encoding: &'static Encoding) -> &'static str {
    match encoding.name() {
        "UTF-8" => "utf-8",
        "GBK" => "gbk",
        "gb18030" => "gb18030",
        "Big5" => "big5",
        "Shift_JIS" => "shift_jis",
        "EUC-KR" => "euc_kr",
        "EUC-JP" => "euc_jp",
        "windows-1252" => "cp1252",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_include_python_cp936() {
        assert_eq!(Codec::for_label("cp936").unwrap(), Codec::GBK);
        assert_eq!(Codec::for_label("GBK").unwrap().name(), "gbk");
        assert_eq!(Codec::for_label("utf8").unwrap(), Codec::UTF_8);
        assert_eq!(Codec::for_label("gb18030").unwrap().name(), "gb18030");
        assert_eq!(Codec::for_label("big5").unwrap().name(), "big5");
    }

    #[test]
    fn unknown_labels_list_examples() {
        let err = Codec::for_label("klingon").unwrap_err();
        assert!(
            err.contains("unknown encoding 'klingon'") && err.contains("gbk"),
            "{err}"
        );
        assert!(Codec::for_label("utf-16le").unwrap_err().contains("only be read"));
    }

    #[test]
    fn gbk_bytes_match_python() {
        // '数据'.encode('gbk') == b'\xca\xfd\xbe\xdd' (the tutorial's example)
        assert_eq!(Codec::GBK.encode("数据").unwrap(), b"\xca\xfd\xbe\xdd");
        assert_eq!(Codec::GBK.decode(b"\xca\xfd\xbe\xdd").text, "数据");
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
    }

    #[test]
    fn characters_cut_between_pieces_are_kept_whole() {
        for codec in [Codec::UTF_8, Codec::GBK, Codec::for_label("gb18030").unwrap()] {
            let text = "数据 and 数据 ".repeat(50);
            let bytes = codec.encode(&text).unwrap();
            for size in [1, 2, 5, 7, 64] {
                let mut stream = StreamDecoder::new(codec);
                let got: String =
                    bytes.chunks(size).map(|piece| stream.push(piece, "t")).collect();
                assert_eq!(got, text, "{codec} in pieces of {size}");
                assert_eq!(stream.finish("t"), None);
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
