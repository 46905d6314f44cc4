//! Parser directives, in: the leading lines of a Dockerfile, one at a time; out: `syntax`,
//! `escape` and `check` values with their lines. Invariant: as BuildKit's `DirectiveParser`,
//! directives are only read until the first line that is not one (a blank line, an instruction, any
//! other comment), each may appear once, and only `` ` `` or `\` are valid escape tokens.

/// The parser directives found at the top of a Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directives {
    /// `# syntax=` value as written (trimmed), e.g. `docker/dockerfile:1`.
    pub syntax: Option<String>,
    pub syntax_line: Option<usize>,
    /// The escape token: `\` unless `# escape=` set `` ` ``.
    pub escape: char,
    pub escape_line: Option<usize>,
    /// `# check=` value as written (trimmed), e.g. `skip=all`.
    pub check: Option<String>,
    pub check_line: Option<usize>,
}

impl Default for Directives {
    fn default() -> Self {
        Directives {
            syntax: None,
            syntax_line: None,
            escape: '\\',
            escape_line: None,
            check: None,
            check_line: None,
        }
    }
}

/// A directive line BuildKit rejects.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DirectiveError {
    /// The lowercased directive name.
    #[error("only one {0} parser directive can be used")]
    Repeated(String),
    #[error("invalid escape token '{0}' does not match ` or \\")]
    InvalidEscape(String),
}

/// Reads directives line by line until the first line that is not one.
#[derive(Debug, Default)]
pub(super) struct DirectiveReader {
    pub(super) directives: Directives,
    done: bool,
}

impl DirectiveReader {
    /// Looks at one line (newline removed, leading blanks removed); returns `Ok(true)` when it was
    /// a directive, or the error for a repeated directive or an invalid escape token.
    pub(super) fn read_line(
        &mut self,
        line: &str,
        line_number: usize,
    ) -> Result<bool, DirectiveError> {
        if self.done {
            return Ok(false);
        }
        let Some((key, value)) = match_directive(line) else {
            self.done = true;
            return Ok(false);
        };
        let key = key.to_ascii_lowercase();
        let directives = &mut self.directives;
        let (slot_seen, line_slot) = match key.as_str() {
            "syntax" => (directives.syntax.is_some(), &mut directives.syntax_line),
            "escape" => (
                directives.escape_line.is_some(),
                &mut directives.escape_line,
            ),
            "check" => (directives.check.is_some(), &mut directives.check_line),
            _ => {
                self.done = true;
                return Ok(false);
            }
        };
        if slot_seen {
            return Err(DirectiveError::Repeated(key));
        }
        *line_slot = Some(line_number);
        match key.as_str() {
            "syntax" => directives.syntax = Some(value.to_owned()),
            "check" => directives.check = Some(value.to_owned()),
            _ => {
                directives.escape = match value {
                    "\\" => '\\',
                    "`" => '`',
                    invalid => return Err(DirectiveError::InvalidEscape(invalid.to_owned())),
                };
            }
        }
        Ok(true)
    }
}

/// Matches `#` + blanks + `key` + blanks `=` blanks + `value` (trailing blanks dropped), where
/// the key is an ASCII letter followed by ASCII letters or digits and the value is not empty.
fn match_directive(line: &str) -> Option<(&str, &str)> {
    let rest = line
        .strip_prefix('#')?
        .trim_start_matches(char::is_whitespace);
    let key_length = rest
        .char_indices()
        .take_while(|(index, character)| {
            if *index == 0 {
                character.is_ascii_alphabetic()
            } else {
                character.is_ascii_alphanumeric()
            }
        })
        .count();
    if key_length == 0 {
        return None;
    }
    let (key, rest) = rest.split_at(key_length);
    let rest = rest.trim_start_matches(is_regexp_space).strip_prefix('=')?;
    let value = rest.trim_matches(is_regexp_space);
    if value.is_empty() {
        return None;
    }
    Some((key, value))
}

/// Go regexp's `\s`: tab, newline, form feed, carriage return and space.
fn is_regexp_space(character: char) -> bool {
    matches!(character, '\t' | '\n' | '\u{c}' | '\r' | ' ')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_directive_lines() {
        assert_eq!(
            match_directive("# syntax=docker/dockerfile:1"),
            Some(("syntax", "docker/dockerfile:1"))
        );
        assert_eq!(match_directive("#escape = `  "), Some(("escape", "`")));
        assert_eq!(match_directive("# escape="), None);
        assert_eq!(match_directive("# 1abc=x"), None);
        assert_eq!(match_directive("#!/bin/sh"), None);
        assert_eq!(match_directive("RUN x"), None);
    }

    #[test]
    fn stops_after_first_non_directive() {
        let mut reader = DirectiveReader::default();
        assert_eq!(reader.read_line("# escape=`", 1), Ok(true));
        assert_eq!(reader.read_line("# hello", 2), Ok(false));
        assert_eq!(reader.read_line("# syntax=x", 3), Ok(false));
        assert_eq!(reader.directives.escape, '`');
        assert_eq!(reader.directives.syntax, None);
    }

    #[test]
    fn rejects_repeats_and_bad_escapes() {
        let mut reader = DirectiveReader::default();
        assert_eq!(reader.read_line("# check=skip=all", 1), Ok(true));
        assert!(reader.read_line("# CHECK=error=true", 2).is_err());
        let mut reader = DirectiveReader::default();
        assert!(reader.read_line("# escape=x", 1).is_err());
    }
}
