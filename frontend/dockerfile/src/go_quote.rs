//! Go-style string quoting, in: any string; out: the text Go's `strconv.Quote` (and `%q`) prints.
//! Invariant: the output is a double-quoted literal with Go's escapes; printable characters are kept
//! as they are (Unicode's printable set is approximated, see `is_printable`).

use std::fmt::Write;

/// Quotes `text` as Go's `strconv.Quote` does.
pub fn go_quote(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for character in text.chars() {
        match character {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\u{7}' => quoted.push_str("\\a"),
            '\u{8}' => quoted.push_str("\\b"),
            '\u{c}' => quoted.push_str("\\f"),
            '\n' => quoted.push_str("\\n"),
            '\r' => quoted.push_str("\\r"),
            '\t' => quoted.push_str("\\t"),
            '\u{b}' => quoted.push_str("\\v"),
            printable if is_printable(printable) => quoted.push(printable),
            control if (control as u32) < 0x80 => {
                let _ = write!(quoted, "\\x{:02x}", control as u32);
            }
            other if (other as u32) < 0x10000 => {
                let _ = write!(quoted, "\\u{:04x}", other as u32);
            }
            other => {
                let _ = write!(quoted, "\\U{:08x}", other as u32);
            }
        }
    }
    quoted.push('"');
    quoted
}

/// Approximates Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII
/// space. Controls, other spaces, format characters and private-use characters are not printable.
fn is_printable(character: char) -> bool {
    if character == ' ' {
        return true;
    }
    if character.is_control() || character.is_whitespace() {
        return false;
    }
    let code = character as u32;
    let format_or_private = matches!(code,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x180E | 0x200B..=0x200F | 0x202A..=0x202E
        | 0x2060..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB | 0xE000..=0xF8FF | 0xF0000..=0x10FFFF);
    let noncharacter = (0xFDD0..=0xFDEF).contains(&code) || code & 0xFFFE == 0xFFFE;
    !format_or_private && !noncharacter
}

#[cfg(test)]
mod tests {
    use super::go_quote;

    #[test]
    fn quotes_like_go() {
        assert_eq!(go_quote("plain"), r#""plain""#);
        assert_eq!(go_quote("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(go_quote("tab\there\nnl"), r#""tab\there\nnl""#);
        assert_eq!(go_quote("\u{1}\u{7f}"), r#""\x01\x7f""#);
        assert_eq!(go_quote("한국어 ü"), "\"한국어 ü\"");
        assert_eq!(go_quote("\u{a0}\u{feff}"), r#""\u00a0\ufeff""#);
    }
}
