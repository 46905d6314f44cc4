//! Go-style quoting, in: a string, a list of strings or an integer; out: the text Go's `%q` prints
//! for it (`strconv.Quote`, `[%q %q]`, `strconv.QuoteRune`). Invariant: a character is kept as it
//! is exactly when Go's `strconv.IsPrint` says it is printable (see `go_printable`); every other
//! one gets Go's escape: `\a`-style, `\x` below U+0080 (and U+007F), `\u` in the BMP, `\U` above.

use std::fmt::Write;

use crate::go_printable::is_printable;

/// Quotes `text` as Go's `strconv.Quote` (and `%q` of a string) does.
pub fn go_quote(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for character in text.chars() {
        push_escaped(&mut quoted, character, '"');
    }
    quoted.push('"');
    quoted
}

/// Go's `%q` of a string slice: `["a" "b"]`.
pub fn go_quote_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|item| go_quote(item)).collect();
    format!("[{}]", quoted.join(" "))
}

/// Go's `%q` of an integer: a single-quoted character literal (`'\x04'`, `'A'`). A value that is
/// no Unicode scalar (negative, a surrogate, past U+10FFFF) prints as U+FFFD, as in Go.
pub fn go_quote_rune(value: i64) -> String {
    let character = u32::try_from(value)
        .ok()
        .and_then(char::from_u32)
        .unwrap_or(char::REPLACEMENT_CHARACTER);
    let mut quoted = String::from("'");
    push_escaped(&mut quoted, character, '\'');
    quoted.push('\'');
    quoted
}

/// Appends `character` as Go's `appendEscapedRune` does inside a literal delimited by `quote`.
fn push_escaped(quoted: &mut String, character: char, quote: char) {
    if character == quote || character == '\\' {
        quoted.push('\\');
        quoted.push(character);
        return;
    }
    if is_printable(character) {
        quoted.push(character);
        return;
    }
    let code = u32::from(character);
    let _ = match character {
        '\u{7}' => write!(quoted, "\\a"),
        '\u{8}' => write!(quoted, "\\b"),
        '\u{c}' => write!(quoted, "\\f"),
        '\n' => write!(quoted, "\\n"),
        '\r' => write!(quoted, "\\r"),
        '\t' => write!(quoted, "\\t"),
        '\u{b}' => write!(quoted, "\\v"),
        _ if code < 0x20 || code == 0x7f => write!(quoted, "\\x{code:02x}"),
        _ if code < 0x10000 => write!(quoted, "\\u{code:04x}"),
        _ => write!(quoted, "\\U{code:08x}"),
    };
}

#[cfg(test)]
mod tests {
    use super::{go_quote, go_quote_list, go_quote_rune};

    #[test]
    fn quotes_like_go() {
        assert_eq!(go_quote("plain"), r#""plain""#);
        assert_eq!(go_quote("a\"b\\c'"), r#""a\"b\\c'""#);
        assert_eq!(go_quote("tab\there\nnl"), r#""tab\there\nnl""#);
        assert_eq!(go_quote("\u{1}\u{7f}"), r#""\x01\x7f""#);
        assert_eq!(go_quote("한국어 ü"), "\"한국어 ü\"");
        assert_eq!(go_quote("\u{a0}\u{feff}"), r#""\u00a0\ufeff""#);
    }

    #[test]
    fn escapes_what_go_does_not_print() {
        // C1 controls are `\u`, not `\x`; the soft hyphen and other format characters are escaped.
        assert_eq!(go_quote("\u{85}\u{ad}\u{600}"), r#""\u0085\u00ad\u0600""#);
        // Spaces other than U+0020, and line and paragraph separators.
        assert_eq!(
            go_quote("\u{2003}\u{2028}\u{3000}"),
            r#""\u2003\u2028\u3000""#
        );
        // Unassigned (Unicode 15.0, as Go has it), private use, and tags above the BMP.
        assert_eq!(go_quote("\u{378}\u{e000}"), r#""\u0378\ue000""#);
        assert_eq!(
            go_quote("\u{e0001}\u{10ffff}\u{1fffe}"),
            r#""\U000e0001\U0010ffff\U0001fffe""#
        );
        // Printable: marks, symbols, the replacement character, emoji, and Unicode 15.0 additions.
        assert_eq!(
            go_quote("e\u{301}€\u{fffd}😀\u{1f6dc}"),
            "\"e\u{301}€\u{fffd}😀\u{1f6dc}\""
        );
    }

    #[test]
    fn quotes_lists_like_go() {
        let items = [
            "/bin/sh".to_owned(),
            "-c".to_owned(),
            "echo \"hi\"".to_owned(),
        ];
        assert_eq!(go_quote_list(&items), r#"["/bin/sh" "-c" "echo \"hi\""]"#);
        assert_eq!(go_quote_list(&[]), "[]");
    }

    #[test]
    fn quotes_runes_like_go() {
        assert_eq!(go_quote_rune(4), r"'\x04'");
        assert_eq!(go_quote_rune(0), r"'\x00'");
        assert_eq!(go_quote_rune(10), r"'\n'");
        assert_eq!(go_quote_rune(65), "'A'");
        assert_eq!(go_quote_rune(39), r"'\''");
        assert_eq!(go_quote_rune(34), "'\"'");
        assert_eq!(go_quote_rune(160), r"'\u00a0'");
        assert_eq!(go_quote_rune(0x85), r"'\u0085'");
        assert_eq!(go_quote_rune(0xe0001), r"'\U000e0001'");
        // Not a Unicode scalar value: Go prints the replacement character itself.
        assert_eq!(go_quote_rune(0xd800), "'\u{fffd}'");
        assert_eq!(go_quote_rune(0x11_0000), "'\u{fffd}'");
        assert_eq!(go_quote_rune(-1), "'\u{fffd}'");
    }
}
