//! Every `--encoding` the programs accept means what Python's codec of that
//! name means, checked exhaustively against python3:
//!
//! - every BMP code point encodes to the bytes Python's `chr(cp).encode(ENC)`
//!   gives, or is refused where Python raises; planes 1–16 are compared in
//!   bulk (`errors='replace'`, so a refusal shows as `?`);
//! - every 1- and 2-byte sequence decodes to Python's
//!   `bytes.decode(ENC, errors='replace')` — the same characters and the same
//!   U+FFFD — and so do gb18030's four-byte sequences (all of the valid range
//!   and its edges), UTF-8's three- and four-byte ones, and random byte
//!   strings, whole and cut into pieces for `StreamDecoder`;
//! - every label spelling `--encoding` accepts is, for Python, that codec.
//!
//! One python3 process writes what Python makes of it all to a binary file;
//! Rust reads it and compares. Run it, with the figures, with
//! `cargo test -p common --test python_codecs -- --nocapture`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr, missing_docs)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use common::Codec;
use common::encoding::{StreamDecoder, accepted_labels};
use testkit::{Cmd, TempDir, python3};

/// Python's side: reads one command per line on stdin and appends what
/// Python's codecs make of it to the file named by argv[1].
const ORACLE: &str = r#"
import codecs, itertools, struct, sys

def positions(spec):
    result = []
    for position in spec.split(','):
        allowed = []
        for item in position.split('+'):
            first, _, last = item.partition('-')
            allowed.extend(range(int(first, 16), int(last or first, 16) + 1))
        result.append(allowed)
    return result

def text(decoded):
    return struct.pack('<I', len(decoded)) + decoded.encode('utf-32-le')

out = open(sys.argv[1], 'wb')
for line in sys.stdin:
    command, *args = line.split()
    if command == 'codec':
        name = args[0]
        encode, decode = codecs.getencoder(name), codecs.getdecoder(name)
    elif command == 'lookup':
        for label in args:
            found = codecs.lookup(label).name.encode()
            out.write(bytes((len(found),)) + found)
    elif command == 'encode_bmp':
        parts = []
        for code in itertools.chain(range(0xD800), range(0xE000, 0x10000)):
            try:
                encoded = encode(chr(code))[0]
            except UnicodeEncodeError:
                parts.append(b'\xff')
                continue
            parts.append(bytes((len(encoded),)) + encoded)
        out.write(b''.join(parts))
    elif command == 'encode_planes':
        for plane in range(1, 17):
            chars = ''.join(map(chr, range(plane << 16, (plane + 1) << 16)))
            encoded = encode(chars, 'replace')[0]
            out.write(struct.pack('<I', len(encoded)) + encoded)
    elif command == 'decode':
        out.write(b''.join(text(decode(bytes(sequence), 'replace')[0])
                           for sequence in itertools.product(*positions(args[0]))))
    elif command == 'strings':
        for hexed in args:
            out.write(text(decode(bytes.fromhex(hexed), 'replace')[0]))
out.close()
"#;

/// The byte sequences decoded for every codec: each position's allowed bytes
/// (hex, `a-b` ranges joined by `+`), all combinations in order.
const EVERY_CODEC: &[&str] = &["00-ff", "00-ff,00-ff"];

/// More sequences for the codecs with longer ones.
fn families(codec: Codec) -> Vec<&'static str> {
    let mut families = EVERY_CODEC.to_vec();
    families.extend_from_slice(match codec.name() {
        "gb18030" => &[
            // Every four-byte sequence of the valid shape (BMP and beyond),
            "81-fe,30-39,81-fe,30-39",
            // the ends of it, and sequences cut after three bytes.
            "80-ff,30-39,00+30+7f+80+81+fe+ff,00+2f+30+39+3a+7f+80+ff",
            "80-ff,30-39,00+30+7f+80+81+fe+ff",
        ],
        // GBK has no four-byte sequences: Python reads them as errors.
        "gbk" => &["81-fe,30-39,81+a0+fe,30+39"],
        "utf-8" => &["e0-f7,80-bf,00-ff", "f0-f7,80-bf,80-bf,00+7f+80+bf+c0+ff"],
        _ => &[],
    });
    families
}

fn positions(spec: &str) -> Vec<Vec<u8>> {
    spec.split(',')
        .map(|position| {
            position
                .split('+')
                .flat_map(|item| {
                    let (first, last) = item.split_once('-').unwrap_or((item, item));
                    let [first, last] =
                        [first, last].map(|hex| u8::from_str_radix(hex, 16).unwrap());
                    first..=last
                })
                .collect()
        })
        .collect()
}

/// Calls `each` with every combination, the last position changing fastest
/// (Python's `itertools.product`).
fn product(positions: &[Vec<u8>], each: &mut impl FnMut(&[u8])) {
    let mut at = vec![0; positions.len()];
    let mut sequence: Vec<u8> = positions.iter().map(|allowed| allowed[0]).collect();
    loop {
        each(&sequence);
        let mut place = positions.len();
        loop {
            if place == 0 {
                return;
            }
            place -= 1;
            at[place] += 1;
            if at[place] < positions[place].len() {
                sequence[place] = positions[place][at[place]];
                break;
            }
            at[place] = 0;
            sequence[place] = positions[place][0];
        }
    }
}

/// Byte strings that mix ASCII, digits (gb18030's second and fourth bytes)
/// and high bytes, from a fixed seed.
fn random_strings(count: usize, length: usize) -> Vec<Vec<u8>> {
    let mut state = 0x9E37_79B9_u32;
    let mut random = move || {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        state
    };
    (0..count)
        .map(|_| {
            (0..length)
                .map(|_| match random() % 8 {
                    0 => b'a',
                    1 | 2 => 0x30 + (random() % 10) as u8,
                    _ => 0x80 | (random() % 128) as u8,
                })
                .collect()
        })
        .collect()
}

/// Reads what the oracle wrote, in order.
struct Answers {
    bytes: Vec<u8>,
    at: usize,
}

impl Answers {
    fn take(&mut self, count: usize) -> &[u8] {
        let taken = &self.bytes[self.at..self.at + count];
        self.at += count;
        taken
    }

    fn u32(&mut self) -> usize {
        u32::from_le_bytes(self.take(4).try_into().unwrap()) as usize
    }

    fn text(&mut self) -> String {
        let count = self.u32();
        self.take(count * 4)
            .chunks(4)
            .map(|code| {
                char::from_u32(u32::from_le_bytes(code.try_into().unwrap())).unwrap()
            })
            .collect()
    }
}

/// How many things were compared for a codec, and the differences found.
#[derive(Default)]
struct Tally {
    compared: BTreeMap<&'static str, usize>,
    differences: Vec<String>,
}

impl Tally {
    fn check(
        &mut self,
        what: &'static str,
        same: bool,
        describe: impl FnOnce() -> String,
    ) {
        *self.compared.entry(what).or_default() += 1;
        if !same {
            self.differences.push(describe());
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn escaped(text: &str) -> String {
    text.escape_unicode().to_string()
}

#[test]
fn every_encoding_is_python_s_codec_of_that_name() {
    let Some(python) = python3() else { return };
    let started = Instant::now();
    let mut codecs: Vec<Codec> = Vec::new();
    for (_, codec) in accepted_labels() {
        if !codecs.contains(&codec) {
            codecs.push(codec);
        }
    }
    let labels: Vec<(&str, Codec)> = accepted_labels().collect();
    let strings = random_strings(40, 600);

    let mut commands = String::from("lookup");
    for (label, codec) in &labels {
        write!(commands, " {label} {}", codec.name()).unwrap();
    }
    commands.push('\n');
    for codec in &codecs {
        writeln!(commands, "codec {}\nencode_bmp\nencode_planes", codec.name())
            .unwrap();
        for family in families(*codec) {
            writeln!(commands, "decode {family}").unwrap();
        }
        let hexed: Vec<String> = strings.iter().map(|string| hex(string)).collect();
        writeln!(commands, "strings {}", hexed.join(" ")).unwrap();
    }

    let dir = TempDir::new("python-codecs");
    let answers_path = dir.join("answers.bin");
    let mut oracle = Cmd::new(python)
        .args(["-c", ORACLE])
        .arg(&answers_path)
        .stdin(commands.into_bytes())
        .spawn();
    let output = oracle.wait_exit(Duration::from_secs(300));
    assert!(output.status.success(), "python3 failed: {}", output.stderr);
    let python_took = started.elapsed();
    let mut answers = Answers { bytes: std::fs::read(&answers_path).unwrap(), at: 0 };

    // Each label is, for Python, the codec it stands for here.
    let mut label_problems = Vec::new();
    for (label, codec) in &labels {
        let mut name = || {
            let length = answers.take(1)[0] as usize;
            String::from_utf8(answers.take(length).to_vec()).unwrap()
        };
        let (python_label, python_codec) = (name(), name());
        if python_label != python_codec {
            label_problems.push(format!(
                "{label}: Python's codec is {python_label}, not {python_codec} ({codec})"
            ));
        }
    }
    assert!(label_problems.is_empty(), "{label_problems:#?}");

    let mut report = format!(
        "{} labels checked against codecs.lookup; python3 took {python_took:.1?}\n",
        labels.len()
    );
    let mut all_differences = Vec::new();
    for codec in &codecs {
        let mut tally = Tally::default();
        let name = codec.name();
        for code in (0..0xD800).chain(0xE000..0x10000) {
            let character = char::from_u32(code).unwrap();
            let length = answers.take(1)[0];
            let python =
                (length != 0xFF).then(|| answers.take(length as usize).to_vec());
            let rust = codec.encode(character.encode_utf8(&mut [0; 4])).ok();
            tally.check("BMP code points encoded", rust == python, || {
                format!(
                    "{name}: U+{code:04X} encodes to {:?} in Rust, {:?} in Python",
                    rust.as_deref().map(hex),
                    python.as_deref().map(hex)
                )
            });
        }
        for plane in 1..=16u32 {
            let length = answers.u32();
            let python = answers.take(length).to_vec();
            let mut rust = Vec::new();
            for code in plane << 16..(plane + 1) << 16 {
                let character = char::from_u32(code).unwrap();
                match codec.encode(character.encode_utf8(&mut [0; 4])) {
                    Ok(bytes) => rust.extend_from_slice(&bytes),
                    Err(_) => rust.push(b'?'),
                }
            }
            *tally.compared.entry("code points of planes 1-16 encoded").or_default() +=
                0x10000;
            if rust != python {
                tally
                    .differences
                    .push(format!("{name}: plane {plane} encodes differently"));
            }
        }
        for family in families(*codec) {
            product(&positions(family), &mut |sequence| {
                let python = answers.text();
                let rust = codec.decode(sequence).text;
                tally.check("byte sequences decoded", rust == python, || {
                    format!(
                        "{name}: {} decodes to {} in Rust, {} in Python",
                        hex(sequence),
                        escaped(&rust),
                        escaped(&python)
                    )
                });
            });
        }
        for (index, string) in strings.iter().enumerate() {
            let python = answers.text();
            let whole = codec.decode(string).text;
            let mut stream = StreamDecoder::new(*codec);
            let mut pieces = String::new();
            for piece in string.chunks(1 + index % 7) {
                pieces += &stream.push_decoded(piece).text;
            }
            pieces += &stream.finish_decoded().text;
            tally.check(
                "random strings decoded (whole and in pieces)",
                whole == python && pieces == python,
                || {
                    format!(
                        "{name}: random string {index} ({}) decodes differently",
                        hex(string)
                    )
                },
            );
        }
        let figures: Vec<String> = tally
            .compared
            .iter()
            .map(|(what, count)| format!("{count} {what}"))
            .collect();
        writeln!(
            report,
            "{name:>9}: {}; differences: {}",
            figures.join(", "),
            tally.differences.len()
        )
        .unwrap();
        all_differences.extend(tally.differences);
    }
    assert_eq!(answers.at, answers.bytes.len(), "the oracle wrote more than was read");
    write!(report, "total {:.1?}", started.elapsed()).unwrap();
    eprintln!("{report}");
    let shown: Vec<&String> = all_differences.iter().take(40).collect();
    assert!(
        all_differences.is_empty(),
        "{} differences from Python (first 40):\n{shown:#?}",
        all_differences.len()
    );
}
