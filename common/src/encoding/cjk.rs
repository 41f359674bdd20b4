//! Python's multi-byte codecs — `gbk`, `gb18030`, `big5`, `shift_jis`,
//! `cp949` — rebuilt on the mapping tables of `encoding_rs`.
//!
//! `encoding_rs` follows the WHATWG Encoding Standard, whose tables are close
//! to CPython's `cjkcodecs` but not equal: WHATWG's GBK is all of GB18030's
//! two-byte part, its Big5 is Big5-HKSCS, its Shift_JIS is Windows' cp932.
//! This module takes the characters of each two-byte sequence from
//! `encoding_rs`, keeps only the sequences Python's codec has, corrects the few
//! where Python reads another character, and then decodes the way CPython's
//! decoders do, including how many bytes one U+FFFD replaces. The exhaustive
//! test `cargo test -p common --test python_codecs` compares every character of
//! the BMP and every one- and two-byte sequence (and gb18030's four-byte ones)
//! against python3.

use std::collections::HashMap;
use std::sync::OnceLock;

use encoding_rs::Encoding;

/// The multi-byte codecs this module implements, by Python's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Cjk {
    /// Python's `gbk` (also `cp936`): GB2312 plus the GBK extension.
    Gbk,
    /// Python's `gb18030`: GB18030-2000.
    Gb18030,
    /// Python's `big5`: Big5 with the ETEN extensions in rows C6–C7.
    Big5,
    /// Python's `shift_jis`: JIS X 0201 and JIS X 0208, no Windows extensions.
    ShiftJis,
    /// Python's `cp949`: Windows' Unified Hangul Code (a superset of EUC-KR).
    Cp949,
}

/// What Python's decoder makes of the bytes at the front of its input.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Step {
    /// A character, and how many bytes it took.
    Char(char, usize),
    /// An illegal sequence: one U+FFFD for this many bytes, then go on after them.
    Invalid(usize),
    /// The input ends inside a character: wait for more, or at the very end,
    /// one U+FFFD for all that is left.
    Incomplete,
}

/// A run of two-byte sequences `first..=last` that Python reads as
/// consecutive characters from `char`, where `encoding_rs` reads others.
type Run = (u16, u16, u32);

/// GB18030-2000 (Python) against the WHATWG table (GB18030-2005 and 2022):
/// 2005 moved these characters out of the private use area (PUA) into
/// two-byte codes; Python still reads the two bytes as the PUA code points
/// and writes the characters in four bytes.
const GB18030_2000: &[Run] = &[
    (0xA3A0, 0xA3A0, 0xE5E5),
    (0xA6D9, 0xA6DF, 0xE78D),
    (0xA6EC, 0xA6ED, 0xE794),
    (0xA6F3, 0xA6F3, 0xE796),
    (0xA8BC, 0xA8BC, 0xE7C7),
    (0xFE59, 0xFE59, 0xE81E),
    (0xFE61, 0xFE61, 0xE826),
    (0xFE66, 0xFE67, 0xE82B),
    (0xFE6D, 0xFE6D, 0xE832),
    (0xFE7E, 0xFE7E, 0xE843),
    (0xFE90, 0xFE90, 0xE854),
    (0xFEA0, 0xFEA0, 0xE864),
];

/// The four-byte pointer that GB18030-2005 gave to U+E7C7 when it gave
/// `A8 BC` to U+1E3F (ḿ); GB18030-2000 has it the other way round.
const GB18030_POINTER_1E3F: usize = 7457;

/// How many four-byte GB18030 sequences stand for BMP characters.
const GB18030_BMP_POINTERS: usize = 39420;

/// Two-byte codes of GB18030 that GBK (Python's `gbk`, Windows' cp936) does
/// not have, beyond the PUA: the euro sign and characters GB18030 added.
const GB18030_NOT_GBK: &[(u16, u16)] =
    &[(0xA2E3, 0xA2E3), (0xA8BF, 0xA8BF), (0xA989, 0xA995), (0xFE50, 0xFEA0)];

/// Big5 in Python (Big5 with ETEN's kana, Cyrillic and circled numbers)
/// against WHATWG's Big5-HKSCS.
const BIG5_ETEN: &[Run] = &[
    (0xA145, 0xA145, 0x2022),
    (0xA14E, 0xA14E, 0xFF64),
    (0xA1C2, 0xA1C2, 0x203E),
    (0xA1E3, 0xA1E3, 0x223C),
    (0xA1F2, 0xA1F2, 0x2641),
    (0xA1F3, 0xA1F3, 0x2609),
    (0xA241, 0xA241, 0xFF0F),
    (0xA242, 0xA242, 0xFF3C),
    (0xA244, 0xA244, 0x00A5),
    (0xA246, 0xA247, 0x00A2),
    (0xC6A1, 0xC6A1, 0x30FE),
    (0xC6A2, 0xC6A3, 0x309D),
    (0xC6A4, 0xC6A4, 0x3005),
    (0xC6A5, 0xC6F7, 0x3041),
    (0xC6F8, 0xC6FE, 0x30A1),
    (0xC740, 0xC77E, 0x30A8),
    (0xC7A1, 0xC7B0, 0x30E7),
    (0xC7B1, 0xC7B2, 0x0414),
    (0xC7B3, 0xC7B3, 0x0401),
    (0xC7B4, 0xC7BA, 0x0416),
    (0xC7BB, 0xC7CD, 0x0423),
    (0xC7CE, 0xC7CE, 0x0451),
    (0xC7CF, 0xC7E8, 0x0436),
    (0xC7E9, 0xC7F2, 0x2460),
    (0xC7F3, 0xC7FC, 0x2474),
];

/// Codes inside Big5's grid (leads A1–F9) that Python's `big5` leaves empty
/// and HKSCS fills.
const BIG5_EMPTY: &[(u16, u16)] = &[
    (0xA3C0, 0xA3FE),
    (0xC7FD, 0xC7FE),
    (0xC840, 0xC87E),
    (0xC8A1, 0xC8FE),
    (0xF9D6, 0xF9FE),
];

/// JIS X 0208 as Python maps it, against Windows' cp932 (WHATWG): 〜 ‖ − ¢ £ ¬
/// instead of the full-width ～ ∥ － ￠ ￡ ￢.
const JIS_X_0208: &[Run] = &[
    (0x8160, 0x8160, 0x301C),
    (0x8161, 0x8161, 0x2016),
    (0x817C, 0x817C, 0x2212),
    (0x8191, 0x8192, 0x00A2),
    (0x81CA, 0x81CA, 0x00AC),
];

/// One codec's tables, built once from `encoding_rs` when first used.
struct Table {
    /// The character of each two-byte sequence, at `(lead - 0x80) * 256 + trail`.
    pairs: Vec<Option<char>>,
    /// The two bytes Python writes for each character that has two.
    encode: HashMap<char, [u8; 2]>,
    /// gb18030 only: the BMP character of each four-byte pointer, ascending.
    four: Vec<Option<char>>,
}

fn index(lead: u8, trail: u8) -> usize {
    usize::from(lead - 0x80) * 256 + usize::from(trail)
}

fn in_ranges(code: u16, ranges: &[(u16, u16)]) -> bool {
    ranges.iter().any(|&(first, last)| (first..=last).contains(&code))
}

fn is_private_use(character: char) -> bool {
    ('\u{E000}'..='\u{F8FF}').contains(&character)
}

/// The one character `encoding_rs` reads in `bytes`, if it reads exactly one.
fn one_char(encoding: &'static Encoding, bytes: &[u8]) -> Option<char> {
    let text = encoding.decode_without_bom_handling_and_without_replacement(bytes)?;
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(character), None) => Some(character),
        _ => None,
    }
}

/// The two-byte sequences of `encoding` with a lead byte Python's codec
/// accepts, as `encoding_rs` reads them, then corrected by `runs`.
fn pairs_from(
    encoding: &'static Encoding,
    has_lead: impl Fn(u8) -> bool,
    runs: &[Run],
) -> Vec<Option<char>> {
    let mut pairs = vec![None; 128 * 256];
    for lead in (0x81..=0xFE).filter(|&lead| has_lead(lead)) {
        for trail in 0x40..=0xFE {
            pairs[index(lead, trail)] = one_char(encoding, &[lead, trail]);
        }
    }
    for &(first, last, first_char) in runs {
        for (code, char_code) in (first..=last).zip(first_char..) {
            let [lead, trail] = code.to_be_bytes();
            pairs[index(lead, trail)] = char::from_u32(char_code);
        }
    }
    pairs
}

/// The inverse of `pairs`; where two codes have the same character, Python
/// writes the later one (Big5 has ／ ＼ 十 卅 twice).
fn encoder_of(pairs: &[Option<char>]) -> HashMap<char, [u8; 2]> {
    let mut encode = HashMap::with_capacity(pairs.len() / 2);
    for (at, character) in pairs.iter().enumerate() {
        if let Some(character) = character {
            let lead = u8::try_from(at / 256 + 0x80).unwrap_or(0);
            let trail = u8::try_from(at % 256).unwrap_or(0);
            encode.insert(*character, [lead, trail]);
        }
    }
    encode
}

/// The four bytes of GB18030 pointer `pointer` (BMP pointers start at 81 30 81 30).
fn gb18030_four_bytes(pointer: u32, first_lead: u32) -> [u8; 4] {
    let bytes = [
        pointer / 12600 + first_lead,
        pointer / 1260 % 10 + 0x30,
        pointer / 10 % 126 + 0x81,
        pointer % 10 + 0x30,
    ];
    bytes.map(|byte| u8::try_from(byte).unwrap_or(0))
}

fn build(codec: Cjk) -> Table {
    let gb18030 = || pairs_from(encoding_rs::GB18030, |_| true, GB18030_2000);
    let pairs = match codec {
        Cjk::Gb18030 => gb18030(),
        Cjk::Gbk => {
            let mut pairs = gb18030();
            for (at, slot) in pairs.iter_mut().enumerate() {
                let code = u16::try_from(at + 0x8000).unwrap_or(0);
                if slot.is_some_and(is_private_use) || in_ranges(code, GB18030_NOT_GBK)
                {
                    *slot = None;
                }
            }
            pairs
        }
        Cjk::Big5 => {
            let mut pairs = pairs_from(
                encoding_rs::BIG5,
                |lead| (0xA1..=0xF9).contains(&lead),
                BIG5_ETEN,
            );
            for (at, slot) in pairs.iter_mut().enumerate() {
                if in_ranges(u16::try_from(at + 0x8000).unwrap_or(0), BIG5_EMPTY) {
                    *slot = None;
                }
            }
            pairs
        }
        // Leads 85–87 are rows 9–13 of JIS X 0208: empty there, NEC's
        // specials in cp932; leads from ED on are Windows' extensions.
        Cjk::ShiftJis => pairs_from(
            encoding_rs::SHIFT_JIS,
            |lead| matches!(lead, 0x81..=0x84 | 0x88..=0x9F | 0xE0..=0xEA),
            JIS_X_0208,
        ),
        Cjk::Cp949 => pairs_from(encoding_rs::EUC_KR, |_| true, &[]),
    };
    let four = if codec == Cjk::Gb18030 {
        (0..GB18030_BMP_POINTERS)
            .map(|pointer| match pointer {
                GB18030_POINTER_1E3F => Some('\u{1E3F}'),
                _ => u32::try_from(pointer).ok().and_then(|pointer| {
                    one_char(encoding_rs::GB18030, &gb18030_four_bytes(pointer, 0x81))
                }),
            })
            .collect()
    } else {
        Vec::new()
    };
    Table { encode: encoder_of(&pairs), pairs, four }
}

impl Cjk {
    fn table(self) -> &'static Table {
        static GBK: OnceLock<Table> = OnceLock::new();
        static GB18030: OnceLock<Table> = OnceLock::new();
        static BIG5: OnceLock<Table> = OnceLock::new();
        static SHIFT_JIS: OnceLock<Table> = OnceLock::new();
        static CP949: OnceLock<Table> = OnceLock::new();
        let cell = match self {
            Cjk::Gbk => &GBK,
            Cjk::Gb18030 => &GB18030,
            Cjk::Big5 => &BIG5,
            Cjk::ShiftJis => &SHIFT_JIS,
            Cjk::Cp949 => &CP949,
        };
        cell.get_or_init(|| build(self))
    }

    /// One step of CPython's decoder for this codec over `bytes` (not empty):
    /// ASCII is one byte; a lead byte needs its trail byte (gb18030: or three
    /// more); a sequence that is not in the table is an error of one byte.
    pub(super) fn step(self, bytes: &[u8]) -> Step {
        let Some(&lead) = bytes.first() else { return Step::Incomplete };
        if lead < 0x80 {
            return Step::Char(char::from(lead), 1);
        }
        if self == Cjk::ShiftJis {
            match lead {
                // JIS X 0201: half-width katakana in one byte.
                0xA1..=0xDF => return Step::Char(half_width_katakana(lead), 1),
                0x81..=0x9F | 0xE0..=0xEA => {}
                _ => return Step::Invalid(1),
            }
        }
        let Some(&trail) = bytes.get(1) else { return Step::Incomplete };
        if self == Cjk::Gb18030 && trail.is_ascii_digit() {
            return self.four_byte_step(bytes);
        }
        match self.table().pairs[index(lead, trail)] {
            Some(character) => Step::Char(character, 2),
            None => Step::Invalid(1),
        }
    }

    /// gb18030's `81–FE 30–39 81–FE 30–39`: the BMP from pointer 0, and
    /// U+10000 on from lead 90.
    fn four_byte_step(self, bytes: &[u8]) -> Step {
        let [first, second, third, fourth] = match bytes {
            [first, second, third, fourth, ..] => {
                [*first, *second, *third, *fourth].map(u32::from)
            }
            _ => return Step::Incomplete,
        };
        if !(0x81..=0xFE).contains(&first)
            || !(0x81..=0xFE).contains(&third)
            || !(0x30..=0x39).contains(&fourth)
        {
            return Step::Invalid(1);
        }
        let linear = (second - 0x30) * 1260 + (third - 0x81) * 10 + (fourth - 0x30);
        let character = match first {
            0x81..=0x84 => usize::try_from((first - 0x81) * 12600 + linear)
                .ok()
                .and_then(|pointer| self.table().four.get(pointer).copied().flatten()),
            0x90..=0xFE => char::from_u32(0x10000 + (first - 0x90) * 12600 + linear),
            _ => None,
        };
        character.map_or(Step::Invalid(1), |character| Step::Char(character, 4))
    }

    /// Appends what Python's encoder writes for `character`, or returns false
    /// when Python's codec has no bytes for it.
    pub(super) fn encode_char(self, character: char, out: &mut Vec<u8>) -> bool {
        let code = u32::from(character);
        if code < 0x80 {
            out.push(code as u8);
            return true;
        }
        if self == Cjk::ShiftJis {
            let single = match character {
                // JIS X 0201 Roman: Python writes ¥ and ‾ where ASCII has \ and ~.
                '\u{A5}' => Some(0x5C),
                '\u{203E}' => Some(0x7E),
                '\u{FF61}'..='\u{FF9F}' => u8::try_from(code - 0xFEC0).ok(),
                _ => None,
            };
            if let Some(byte) = single {
                out.push(byte);
                return true;
            }
        }
        let table = self.table();
        if let Some(pair) = table.encode.get(&character) {
            out.extend_from_slice(pair);
            return true;
        }
        if self != Cjk::Gb18030 {
            return false;
        }
        // Everything else has four bytes in gb18030.
        if code >= 0x10000 {
            out.extend_from_slice(&gb18030_four_bytes(code - 0x10000, 0x90));
            return true;
        }
        let pointer = table
            .four
            .partition_point(|found| found.is_none_or(|found| found < character));
        if table.four.get(pointer) != Some(&Some(character)) {
            return false;
        }
        match u32::try_from(pointer) {
            Ok(pointer) => {
                out.extend_from_slice(&gb18030_four_bytes(pointer, 0x81));
                true
            }
            Err(_) => false,
        }
    }
}

fn half_width_katakana(byte: u8) -> char {
    char::from_u32(0xFEC0 + u32::from(byte)).unwrap_or('\u{FFFD}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bytes_of_the_issue_are_python_s() {
        // Python: 'Д'.encode('big5') == b'\xc7\xb1',
        // b'\xc7\xf7'.decode('big5') == '⑸'.
        let mut out = Vec::new();
        assert!(Cjk::Big5.encode_char('Д', &mut out));
        assert_eq!(out, b"\xc7\xb1");
        assert_eq!(Cjk::Big5.step(b"\xc7\xf7"), Step::Char('⑸', 2));
        // '€' is not in Python's gbk; it is in gb18030, as A2 E3.
        assert!(!Cjk::Gbk.encode_char('€', &mut Vec::new()));
        let mut out = Vec::new();
        assert!(Cjk::Gb18030.encode_char('€', &mut out));
        assert_eq!(out, b"\xa2\xe3");
        // GB18030-2000: ḿ in four bytes, A8 BC is U+E7C7.
        let mut out = Vec::new();
        assert!(Cjk::Gb18030.encode_char('\u{1E3F}', &mut out));
        assert_eq!(out, b"\x81\x35\xf4\x37");
        assert_eq!(Cjk::Gb18030.step(b"\xa8\xbc"), Step::Char('\u{E7C7}', 2));
    }

    #[test]
    fn cut_sequences_wait_and_bad_ones_cost_one_byte() {
        assert_eq!(Cjk::Gbk.step(b"\xca"), Step::Incomplete);
        assert_eq!(Cjk::Gbk.step(b"\x81\x20"), Step::Invalid(1));
        assert_eq!(Cjk::Gb18030.step(b"\x81\x30\x81"), Step::Incomplete);
        assert_eq!(Cjk::Gb18030.step(b"\x81\x30\x81\x30"), Step::Char('\u{80}', 4));
        assert_eq!(Cjk::Gb18030.step(b"\x90\x30\x81\x30"), Step::Char('\u{10000}', 4));
        assert_eq!(Cjk::ShiftJis.step(b"\xf0"), Step::Invalid(1));
    }
}
