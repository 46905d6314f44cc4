//! Physical-line helpers, in: raw Dockerfile bytes and single lines; out: lines with their endings,
//! comment tests and continuation handling. Invariant: mirrors BuildKit's parser helpers
//! (`scanLines`, `trimNewline`, `isComment`, `trimContinuationCharacter`) for the escape token.

/// BuildKit's scanner refuses a line (with its newline) longer than this.
pub(super) const MAXIMUM_LINE_LENGTH: usize = 64 * 1024;

/// Splits `source` into lines that keep their `\n` (and `\r\n`) endings.
pub(super) fn split_lines(source: &[u8]) -> Vec<&[u8]> {
    source.split_inclusive(|byte| *byte == b'\n').collect()
}

/// Removes every trailing `\r` and `\n`.
pub(super) fn trim_newline(line: &str) -> &str {
    line.trim_end_matches(['\r', '\n'])
}

pub(super) fn trim_leading_whitespace(line: &str) -> &str {
    line.trim_start_matches(char::is_whitespace)
}

/// A comment is a line whose first non-blank character is `#`.
pub(super) fn is_comment(line: &str) -> bool {
    trim_leading_whitespace(line).starts_with('#')
}

/// A comment line contributes nothing to an instruction.
pub(super) fn trim_comment(line: &str) -> &str {
    if is_comment(line) {
        ""
    } else {
        line
    }
}

pub(super) fn is_empty_continuation_line(line: &str) -> bool {
    trim_leading_whitespace(trim_newline(line)).is_empty()
}

/// Removes a trailing escape token (and blanks after it) that continues the instruction on the next
/// line; returns the line and whether the instruction ends here. An escape preceded by another
/// escape is not a continuation (BuildKit's regexp `([^E])E[ \t]*$|^E[ \t]*$`).
pub(super) fn trim_continuation(line: &str, escape: char) -> (String, bool) {
    let trimmed = line.trim_end_matches([' ', '\t']);
    if let Some(before) = trimmed.strip_suffix(escape) {
        if before.is_empty() {
            return (String::new(), false);
        }
        if !before.ends_with(escape) {
            return (before.to_owned(), false);
        }
    }
    (line.to_owned(), true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuation_rules() {
        assert_eq!(
            trim_continuation("RUN a \\", '\\'),
            ("RUN a ".to_owned(), false)
        );
        assert_eq!(
            trim_continuation("RUN a\\  \t", '\\'),
            ("RUN a".to_owned(), false)
        );
        assert_eq!(trim_continuation("\\", '\\'), (String::new(), false));
        assert_eq!(
            trim_continuation("RUN a \\\\", '\\'),
            ("RUN a \\\\".to_owned(), true)
        );
        assert_eq!(
            trim_continuation("RUN a `", '`'),
            ("RUN a ".to_owned(), false)
        );
        assert_eq!(
            trim_continuation("RUN a \\", '`'),
            ("RUN a \\".to_owned(), true)
        );
    }

    #[test]
    fn lines_keep_endings() {
        assert_eq!(split_lines(b"a\r\nb\nc"), vec![&b"a\r\n"[..], b"b\n", b"c"]);
        assert!(split_lines(b"").is_empty());
    }
}
