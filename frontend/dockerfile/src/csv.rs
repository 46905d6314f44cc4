//! CSV records as Go's `encoding/csv` reads them, in: text; out: the fields of its first record,
//! or the error `csv.Reader.Read` gives with default settings (comma `,`, no comment character,
//! strict quotes, no trimming). Invariant: the one home of CSV splitting in the project: BuildKit
//! reads `RUN --mount` values (and several build options) this way; empty lines before the record
//! are skipped, `\r\n` reads as `\n`, a quoted field may span lines, and error columns are 1-based
//! byte positions, as Go's.

/// Why no record could be read; `Display` is Go's error text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsvError {
    /// The text is empty or holds only empty lines (Go's `io.EOF`).
    #[error("EOF")]
    Empty,
    /// A `"` inside a field that does not start with one.
    #[error("{}bare \" in non-quoted-field", location(*.start_line, *.line, *.column))]
    BareQuote {
        start_line: usize,
        line: usize,
        column: usize,
    },
    /// A quoted field that is not closed, or whose closing `"` is followed by other text.
    #[error("{}extraneous or missing \" in quoted-field", location(*.start_line, *.line, *.column))]
    Quote {
        start_line: usize,
        line: usize,
        column: usize,
    },
}

/// Go's `ParseError` prefix: it names the record's first line too when the error is on another.
fn location(start_line: usize, line: usize, column: usize) -> String {
    if start_line == line {
        format!("parse error on line {line}, column {column}: ")
    } else {
        format!("record on line {start_line}; parse error on line {line}, column {column}: ")
    }
}

/// The fields of the first record of `text`.
pub fn split_fields(text: &str) -> Result<Vec<String>, CsvError> {
    let mut lines = Lines {
        rest: text,
        number: 0,
    };
    let mut line = loop {
        match lines.next_line() {
            None => return Err(CsvError::Empty),
            Some(line) if line.text.is_empty() => continue,
            Some(line) => break line,
        }
    };
    let start_line = lines.number;
    // Go's `pos`: where parsing is, in the record (only a quoted field spanning lines moves on
    // the line; errors on bare quotes name the line last read).
    let mut position_line = start_line;
    let mut column = 1;
    let mut fields = Vec::new();
    loop {
        let Some(quoted) = line.text.strip_prefix('"') else {
            let Some((field, rest)) = line.text.split_once(',') else {
                check_no_quote(line.text, start_line, lines.number, column)?;
                fields.push(line.text.to_owned());
                return Ok(fields);
            };
            check_no_quote(field, start_line, lines.number, column)?;
            fields.push(field.to_owned());
            column += field.len() + 1;
            line.text = rest;
            continue;
        };
        line.text = quoted;
        column += 1;
        let mut field = String::new();
        loop {
            if let Some((text, after)) = line.text.split_once('"') {
                field.push_str(text);
                column += text.len() + 1;
                line.text = after;
                if let Some(after) = line.text.strip_prefix('"') {
                    field.push('"');
                    column += 1;
                    line.text = after;
                } else if let Some(after) = line.text.strip_prefix(',') {
                    column += 1;
                    line.text = after;
                    break;
                } else if line.text.is_empty() {
                    fields.push(field);
                    return Ok(fields);
                } else {
                    return Err(CsvError::Quote {
                        start_line,
                        line: lines.number,
                        column: column - 1,
                    });
                }
            } else if !line.text.is_empty() || line.newline {
                // The quoted field goes on on the next line.
                field.push_str(line.text);
                column += line.text.len();
                if line.newline {
                    field.push('\n');
                    column += 1;
                }
                line = lines.next_line().unwrap_or_default();
                if !line.text.is_empty() || line.newline {
                    position_line += 1;
                    column = 1;
                }
            } else {
                return Err(CsvError::Quote {
                    start_line,
                    line: position_line,
                    column,
                });
            }
        }
        fields.push(field);
    }
}

fn check_no_quote(
    field: &str,
    start_line: usize,
    line: usize,
    column: usize,
) -> Result<(), CsvError> {
    match field.find('"') {
        Some(quote) => Err(CsvError::BareQuote {
            start_line,
            line,
            column: column + quote,
        }),
        None => Ok(()),
    }
}

/// What is left of one line: its text, and whether a `\n` (or `\r\n`) ended it.
#[derive(Debug, Clone, Copy, Default)]
struct Line<'a> {
    text: &'a str,
    newline: bool,
}

/// Go's `csv.Reader.readLine`: `\r\n` reads as `\n`, a `\r` ending the text is dropped, and every
/// read counts a line, the one that finds the end of the text included.
struct Lines<'a> {
    rest: &'a str,
    number: usize,
}

impl<'a> Lines<'a> {
    fn next_line(&mut self) -> Option<Line<'a>> {
        self.number += 1;
        if self.rest.is_empty() {
            return None;
        }
        let line = match self.rest.split_once('\n') {
            Some((text, rest)) => {
                self.rest = rest;
                Line {
                    text: text.strip_suffix('\r').unwrap_or(text),
                    newline: true,
                }
            }
            None => {
                let text = std::mem::take(&mut self.rest);
                Line {
                    text: text.strip_suffix('\r').unwrap_or(text),
                    newline: false,
                }
            }
        };
        Some(line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(text: &str) -> Vec<String> {
        split_fields(text).unwrap_or_default()
    }

    fn error(text: &str) -> String {
        split_fields(text)
            .err()
            .map(|error| error.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn splits_fields_as_go() {
        assert_eq!(fields("type=cache,target=/x"), ["type=cache", "target=/x"]);
        assert_eq!(fields("\"a,b\",c="), ["a,b", "c="]);
        assert_eq!(fields("\"a\"\"b\""), ["a\"b"]);
        assert_eq!(fields("a,,b,"), ["a", "", "b", ""]);
        assert_eq!(fields(" a , b"), [" a ", " b"]);
        assert_eq!(fields("\n\r\na,b\nc,d"), ["a", "b"]);
        assert_eq!(fields("a,b\r"), ["a", "b"]);
        assert_eq!(fields("a\r\n"), ["a"]);
        assert_eq!(fields("a\rb"), ["a\rb"]);
        assert_eq!(fields("\"a\nb\",c"), ["a\nb", "c"]);
        assert_eq!(fields("\"a\r\nb\""), ["a\nb"]);
        assert_eq!(fields("\"\""), [""]);
        assert_eq!(fields("é,\"ü\""), ["é", "ü"]);
    }

    #[test]
    fn reports_errors_as_go() {
        assert_eq!(error(""), "EOF");
        assert_eq!(error("\n\r\n"), "EOF");
        assert_eq!(
            error("a\"b"),
            "parse error on line 1, column 2: bare \" in non-quoted-field"
        );
        assert_eq!(
            error("x,é\"b"),
            "parse error on line 1, column 5: bare \" in non-quoted-field"
        );
        assert_eq!(
            error("\"ab"),
            "parse error on line 1, column 4: extraneous or missing \" in quoted-field"
        );
        assert_eq!(
            error("\"a\"b"),
            "parse error on line 1, column 3: extraneous or missing \" in quoted-field"
        );
        assert_eq!(
            error("\n\"a\nbc"),
            "record on line 2; parse error on line 3, column 3: extraneous or missing \" in quoted-field"
        );
        assert_eq!(
            error("\"a\nb\",\"c"),
            "record on line 1; parse error on line 2, column 6: extraneous or missing \" in quoted-field"
        );
        assert_eq!(
            error("\"a\nb\"c"),
            "record on line 1; parse error on line 2, column 2: extraneous or missing \" in quoted-field"
        );
    }
}
