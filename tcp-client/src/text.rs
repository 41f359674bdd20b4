//! Text from a byte stream, piece by piece.
//!
//! TCP has no message boundaries: `recv(1024)` returns whatever has arrived, so
//! one character of UTF-8 (3 bytes for 数) or GBK (2 bytes) can be cut between
//! two pieces. Decoding each piece alone would show U+FFFD where nothing was
//! wrong. [`TextPieces`] holds back the last bytes of an unfinished character
//! and puts them in front of the next piece, so no text is lost or garbled.
//!
//! (Candidate for `common::encoding`: tcp-server has the same file.)

use common::Codec;

/// The longest unfinished character to hold back (gb18030 has 4-byte ones).
const MAX_HELD: usize = 3;

/// Decodes a stream of pieces in one encoding.
#[derive(Debug)]
pub struct TextPieces {
    codec: Codec,
    held: Vec<u8>,
}

impl TextPieces {
    /// A decoder for `codec` with nothing held back.
    pub fn new(codec: Codec) -> TextPieces {
        TextPieces { codec, held: Vec::new() }
    }

    /// The text of `data`, with the bytes held back from the last piece in
    /// front and an unfinished character at the end held back for the next.
    /// Bytes that are really invalid become U+FFFD, with a warning naming `from`.
    pub fn push(&mut self, data: &[u8], from: &str) -> String {
        if self.held.is_empty() {
            // The usual case: nothing held back, and the piece is whole text.
            let decoded = self.codec.decode(data);
            if decoded.replaced == 0 {
                return decoded.text;
            }
        }
        self.held.extend_from_slice(data);
        let whole = self.codec.decode(&self.held);
        if whole.replaced == 0 {
            self.held.clear();
            return whole.text;
        }
        // Is everything fine but the last 1 to 3 bytes? Then they start a
        // character whose other bytes are still on their way.
        for keep in 1..=MAX_HELD.min(self.held.len()) {
            let head = self.codec.decode(&self.held[..self.held.len() - keep]);
            if head.replaced == 0 {
                self.held.drain(..self.held.len() - keep);
                return head.text;
            }
        }
        let bytes = std::mem::take(&mut self.held);
        self.codec.decode_or_warn(&bytes, from)
    }

    /// What is still held back when the stream ends (a peer that left in the
    /// middle of a character): shown with U+FFFD and a warning, or `None`.
    pub fn finish(&mut self, from: &str) -> Option<String> {
        if self.held.is_empty() {
            return None;
        }
        let bytes = std::mem::take(&mut self.held);
        Some(self.codec.decode_or_warn(&bytes, from))
    }
}

/// The text without one trailing line ending: a client that sends `hi\n`
/// is printed as `ADDR: hi`.
pub fn without_newline(text: &str) -> &str {
    text.strip_suffix('\n').map_or(text, |text| text.strip_suffix('\r').unwrap_or(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_cut_between_pieces_are_kept_whole() {
        for codec in [Codec::UTF_8, Codec::GBK] {
            let text = "数据 and 数据 ".repeat(50);
            let bytes = codec.encode(&text).unwrap();
            for size in [1, 2, 5, 7, 64] {
                let mut pieces = TextPieces::new(codec);
                let got: String = bytes
                    .chunks(size)
                    .map(|piece| pieces.push(piece, "test"))
                    .collect();
                assert_eq!(got, text, "{codec} in pieces of {size}");
                assert_eq!(pieces.finish("test"), None);
            }
        }
    }

    #[test]
    fn invalid_bytes_are_replaced_not_held() {
        let mut pieces = TextPieces::new(Codec::UTF_8);
        assert_eq!(
            pieces.push(b"a\xff\xfe\xfdb", "test"),
            "a\u{FFFD}\u{FFFD}\u{FFFD}b"
        );
        assert_eq!(pieces.push(b"\xe6\x95", "test"), "");
        assert_eq!(pieces.finish("test").unwrap(), "\u{FFFD}");
    }

    #[test]
    fn one_line_ending_is_dropped() {
        assert_eq!(without_newline("hi\r\n"), "hi");
        assert_eq!(without_newline("hi\n\n"), "hi\n");
        assert_eq!(without_newline("hi"), "hi");
    }
}
