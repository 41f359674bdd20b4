//! The chart of the tcp-server chapter, `src/lessons/tcp-server-modes.svg`,
//! which `cargo bench -p tcp-server --bench modes` draws from its
//! measurements: it exists, it is a well-formed SVG document with a line and a
//! legend for every mode it measures, and the chapter shows it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::PathBuf;

/// The servers the bench measures, as its legend names them.
const MODES: [&str; 5] =
    ["threads", "nonblocking", "poll", "python-threads", "python-selectors"];

fn lessons_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/lessons")
}

/// One element of the document, in order of appearance.
#[derive(Debug)]
struct Element {
    name: String,
    attributes: Vec<(String, String)>,
    /// The text directly inside it, entities decoded, trimmed.
    text: String,
}

/// Checks that `text` is a well-formed XML document (one root element, tags
/// that nest and close, quoted attributes without duplicates, known entities)
/// and returns its elements; or says what is wrong and where.
fn parse_xml(text: &str) -> Result<Vec<Element>, String> {
    let mut elements: Vec<Element> = Vec::new();
    // Indices into `elements` of the open elements.
    let mut open: Vec<usize> = Vec::new();
    let mut roots = 0;
    let mut rest = text;
    let at = |rest: &str| format!("at byte {}", text.len() - rest.len());
    while !rest.is_empty() {
        let Some(start) = rest.find('<') else {
            let tail = decode(rest).map_err(|err| format!("{err} {}", at(rest)))?;
            if open.is_empty() && !tail.trim().is_empty() {
                return Err(format!("text after the root element {}", at(rest)));
            }
            break;
        };
        let (before, markup) = rest.split_at(start);
        let before = decode(before).map_err(|err| format!("{err} {}", at(rest)))?;
        match open.last() {
            Some(&index) => elements[index].text.push_str(before.trim()),
            None if !before.trim().is_empty() => {
                return Err(format!("text outside the root element {}", at(rest)));
            }
            None => {}
        }
        let skip = |end: &str, what: &str| -> Result<usize, String> {
            markup
                .find(end)
                .map(|i| i + end.len())
                .ok_or(format!("unclosed {what} {}", at(markup)))
        };
        if markup.starts_with("<?") {
            rest = &markup[skip("?>", "<?")?..];
        } else if markup.starts_with("<!--") {
            rest = &markup[skip("-->", "comment")?..];
        } else if markup.starts_with("<![CDATA[") {
            rest = &markup[skip("]]>", "CDATA")?..];
        } else if markup.starts_with("<!") {
            rest = &markup[skip(">", "declaration")?..];
        } else if let Some(close) = markup.strip_prefix("</") {
            let end =
                close.find('>').ok_or(format!("unclosed end tag {}", at(markup)))?;
            let name = close[..end].trim();
            match open.pop() {
                Some(index) if elements[index].name == name => {}
                Some(index) => {
                    return Err(format!(
                        "</{name}> closes <{}> {}",
                        elements[index].name,
                        at(markup)
                    ));
                }
                None => return Err(format!("</{name}> closes nothing {}", at(markup))),
            }
            rest = &close[end + 1..];
        } else {
            let (element, self_closing, after) = start_tag(&markup[1..])
                .map_err(|err| format!("{err} {}", at(markup)))?;
            if open.is_empty() {
                roots += 1;
                if roots > 1 {
                    return Err(format!("a second root element {}", at(markup)));
                }
            }
            elements.push(element);
            if !self_closing {
                open.push(elements.len() - 1);
            }
            rest = after;
        }
    }
    if let Some(&index) = open.last() {
        return Err(format!("<{}> is never closed", elements[index].name));
    }
    if roots == 0 {
        return Err("no root element".into());
    }
    Ok(elements)
}

/// A start tag after its `<`: the element, whether it ends with `/>`, and the
/// text after the tag.
fn start_tag(text: &str) -> Result<(Element, bool, &str), String> {
    let name_end = text.find(|c: char| c.is_whitespace() || c == '>' || c == '/');
    let name_end = name_end.ok_or("unclosed start tag")?;
    let name = &text[..name_end];
    if !is_name(name) {
        return Err(format!("bad element name {name:?}"));
    }
    let mut attributes: Vec<(String, String)> = Vec::new();
    let mut rest = &text[name_end..];
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("/>") {
            return Ok((
                Element { name: name.into(), attributes, text: String::new() },
                true,
                after,
            ));
        }
        if let Some(after) = rest.strip_prefix('>') {
            return Ok((
                Element { name: name.into(), attributes, text: String::new() },
                false,
                after,
            ));
        }
        let equals =
            rest.find('=').ok_or(format!("attribute without value in <{name}>"))?;
        let key = rest[..equals].trim();
        if !is_name(key) {
            return Err(format!("bad attribute name {key:?} in <{name}>"));
        }
        let value_text = rest[equals + 1..].trim_start();
        let quote = value_text.chars().next().filter(|c| *c == '"' || *c == '\'');
        let quote = quote.ok_or(format!("unquoted value of {key} in <{name}>"))?;
        let value_end = value_text[1..]
            .find(quote)
            .ok_or(format!("unclosed value of {key} in <{name}>"))?;
        let raw = &value_text[1..1 + value_end];
        if raw.contains('<') {
            return Err(format!("`<` in the value of {key} in <{name}>"));
        }
        if attributes.iter().any(|(seen, _)| seen == key) {
            return Err(format!("attribute {key} twice in <{name}>"));
        }
        attributes.push((key.into(), decode(raw)?));
        rest = &value_text[1 + value_end + 1..];
        if !(rest.starts_with(char::is_whitespace)
            || rest.starts_with('>')
            || rest.starts_with('/'))
        {
            return Err(format!("no space after the value of {key} in <{name}>"));
        }
    }
}

fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_alphanumeric() || "_:.-".contains(c))
}

/// Text with its entities decoded; an unknown or unterminated one is an error.
fn decode(text: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let semi = rest[amp..].find(';').ok_or("an `&` without `;`")?;
        let entity = &rest[amp + 1..amp + semi];
        let decoded = match entity {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let number = if let Some(hex) = entity.strip_prefix("#x") {
                    u32::from_str_radix(hex, 16).ok()
                } else {
                    entity.strip_prefix('#').and_then(|dec| dec.parse().ok())
                };
                number
                    .and_then(char::from_u32)
                    .ok_or(format!("unknown entity &{entity};"))?
            }
        };
        out.push(decoded);
        rest = &rest[amp + semi + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn attribute<'a>(element: &'a Element, key: &str) -> Option<&'a str> {
    element
        .attributes
        .iter()
        .find(|(name, _)| name == key)
        .map(|(_, value)| value.as_str())
}

#[test]
fn the_modes_chart_is_a_well_formed_svg_with_every_mode() {
    let path = lessons_dir().join("tcp-server-modes.svg");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|err| {
        panic!(
            "cannot read {}: {err} (draw it with `cargo bench -p tcp-server --bench modes`)",
            path.display()
        )
    });
    let elements =
        parse_xml(&text).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    let root = &elements[0];
    assert_eq!(root.name, "svg", "the root element");
    assert_eq!(attribute(root, "xmlns"), Some("http://www.w3.org/2000/svg"));
    for size in ["width", "height"] {
        let value = attribute(root, size).unwrap_or("");
        assert!(value.parse::<f64>().is_ok_and(|v| v > 0.0), "{size}={value:?}");
    }
    let texts: BTreeSet<&str> = elements
        .iter()
        .filter(|element| element.name == "text")
        .map(|element| element.text.as_str())
        .collect();
    for mode in MODES {
        assert!(texts.contains(mode), "the legend has no {mode:?}: {texts:?}");
    }
    // Three panels (latency, memory, idle CPU), a line for every mode in each.
    let lines = elements.iter().filter(|element| element.name == "polyline").count();
    assert!(lines >= 3 * MODES.len(), "only {lines} polylines");
}

#[test]
fn the_tcp_server_chapter_shows_the_chart() {
    let chapter = std::fs::read_to_string(lessons_dir().join("tcp-server.md")).unwrap();
    assert!(
        chapter.contains("](tcp-server-modes.svg)"),
        "no image of tcp-server-modes.svg"
    );
    assert!(chapter.contains("cargo bench -p tcp-server --bench modes"));
}

#[test]
fn the_xml_checker_finds_what_is_wrong() {
    let good = "<?xml version=\"1.0\"?>\n<svg a=\"1\" b='x &amp; y'><g><text>hi &lt;3</text></g><rect/></svg>\n";
    let elements = parse_xml(good).unwrap();
    assert_eq!(
        elements.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(),
        ["svg", "g", "text", "rect"]
    );
    assert_eq!(elements[2].text, "hi <3");
    assert_eq!(attribute(&elements[0], "b"), Some("x & y"));
    for bad in [
        "<svg><g></svg>",
        "<svg></g>",
        "<svg a=1></svg>",
        "<svg a=\"1\" a=\"2\"></svg>",
        "<svg>&nbsp;</svg>",
        "<svg></svg><svg></svg>",
        "<svg>",
        "text",
        "<svg a=\"1\"b=\"2\"></svg>",
        "<svg><text>a & b</text></svg>",
    ] {
        assert!(parse_xml(bad).is_err(), "{bad:?} passed");
    }
}
