//! XML that is not well-formed, described the way libvirt shows libxml2's diagnostics:
//! `(domain_definition):LINE: MESSAGE`, the offending line, and a caret under the spot. The common
//! cases use libxml2's wording; the rest keep the parser's own (the contract allows it).

/// (line number, message, the line shown, caret column) for a parse error of `text`.
pub fn describe(text: &str, e: &roxmltree::Error) -> (u32, String, String, usize) {
    use roxmltree::Error as E;
    let lines: Vec<&str> = text.split('\n').collect();
    let shown = |row: u32| -> String {
        match lines.get(row.saturating_sub(1) as usize) {
            Some(l) if !l.is_empty() => l.to_string(),
            _ => "(null)".to_string(),
        }
    };
    match e {
        E::UnclosedRootNode => {
            let row = lines.len() as u32;
            let line = shown(row);
            let caret = if line == "(null)" {
                0
            } else {
                line.chars().count()
            };
            let msg = match open_tags(text).last() {
                Some((name, at)) => format!("Premature end of data in tag {name} line {at}"),
                None => "Premature end of data".to_string(),
            };
            (row, msg, line, caret)
        }
        E::NoRootNode if text.trim().is_empty() => {
            (1, "Document is empty".into(), "(null)".into(), 0)
        }
        E::UnexpectedCloseTag(expected, actual, pos) => {
            let before = byte_offset(text, pos.row, 1);
            let start = byte_offset(text, pos.row, pos.col);
            let upto = text[start.min(text.len())..]
                .find('>')
                .map_or(text.len(), |i| start + i + 1);
            let at = open_tags(&text[..start.min(text.len())])
                .iter()
                .rev()
                .find(|(n, _)| n == expected)
                .map_or(pos.row, |(_, l)| *l);
            let msg = format!("Opening and ending tag mismatch: {expected} line {at} and {actual}");
            (
                pos.row,
                msg,
                shown(pos.row),
                text[before..upto].chars().count(),
            )
        }
        E::UnknownToken(pos) if closed_root_before(text, pos) => (
            pos.row,
            "Extra content at the end of the document".into(),
            shown(pos.row),
            pos.col as usize - 1,
        ),
        other => {
            let pos = other.pos();
            let s = other.to_string();
            let what = s.split(" at ").next().unwrap_or(&s).to_string();
            (
                pos.row,
                what,
                shown(pos.row),
                (pos.col as usize).saturating_sub(1),
            )
        }
    }
}

/// The byte offset of a parser position (row and column count from 1; columns in characters),
/// clamped to the text.
fn byte_offset(text: &str, row: u32, col: u32) -> usize {
    let mut offset = 0;
    for (i, line) in text.split('\n').enumerate() {
        if i + 1 == row as usize {
            let in_line = line
                .char_indices()
                .nth(col.saturating_sub(1) as usize)
                .map_or(line.len(), |(b, _)| b);
            return offset + in_line;
        }
        offset += line.len() + 1;
    }
    text.len()
}

/// Elements opened and not closed in `text`, with the line each was opened on.
fn open_tags(text: &str) -> Vec<(String, u32)> {
    let mut stack: Vec<(String, u32)> = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    let mut line = 1u32;
    while i < b.len() {
        match b[i] {
            b'\n' => line += 1,
            b'<' if text[i..].starts_with("<!--") => {
                let end = text[i..].find("-->").map_or(b.len(), |e| i + e + 3);
                line += text[i..end].matches('\n').count() as u32;
                i = end;
                continue;
            }
            b'<' if matches!(b.get(i + 1), Some(b'?') | Some(b'!')) => {}
            b'<' => {
                let close = b.get(i + 1) == Some(&b'/');
                let name_start = i + 1 + close as usize;
                let name_end = text[name_start..]
                    .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
                    .map_or(b.len(), |e| name_start + e);
                let name = &text[name_start..name_end];
                let tag_end = text[i..].find('>').map(|e| i + e);
                if close {
                    if let Some(p) = stack.iter().rposition(|(n, _)| n == name) {
                        stack.truncate(p);
                    }
                } else if !name.is_empty() && tag_end.is_none_or(|e| b[e - 1] != b'/') {
                    stack.push((name.to_string(), line));
                }
            }
            _ => {}
        }
        i += 1;
    }
    stack
}

/// Has the root element been closed before `pos`? (Then what follows is extra content.)
fn closed_root_before(text: &str, pos: &roxmltree::TextPos) -> bool {
    let head = &text[..byte_offset(text, pos.row, pos.col)];
    head.contains('<') && open_tags(head).is_empty() && head.trim_end().ends_with('>')
}

#[cfg(test)]
mod tests {
    fn d(t: &str) -> (u32, String, String, usize) {
        let e = roxmltree::Document::parse(t).unwrap_err();
        super::describe(t, &e)
    }

    #[test]
    fn libxml2_wording_for_the_common_cases() {
        // Measured on libvirt 9.0 (libxml2 2.9).
        let (l, m, s, c) = d("<domain type='test'><name>bad");
        assert_eq!(
            (l, m.as_str(), s.as_str(), c),
            (
                1,
                "Premature end of data in tag name line 1",
                "<domain type='test'><name>bad",
                29
            )
        );
        let (l, m, _, c) = d("<domain type='test'>\n<name>x</name>\n<memory>1</mem></domain>");
        assert_eq!(
            (l, m.as_str(), c),
            (
                3,
                "Opening and ending tag mismatch: memory line 3 and mem",
                15
            )
        );
        let (l, m, _, c) = d("<domain type='test'><name>x</name></domain>junk");
        assert_eq!(
            (l, m.as_str(), c),
            (1, "Extra content at the end of the document", 43)
        );
        assert_eq!(d("").1, "Document is empty");
        let (l, m, s, c) = d("  <domain type='test'>\n  <name>bad\n");
        assert_eq!(
            (l, m.as_str(), s.as_str(), c),
            (3, "Premature end of data in tag name line 2", "(null)", 0)
        );
    }
}
