//! The crate's error, in: a parse or typing failure; out: one error with its message, its line
//! span and a rustc-like rendering against the source. Invariant: `Display` is the text BuildKit
//! reports for the same Dockerfile; `render_error` never panics, whatever the span.

use std::fmt::Write;

use crate::instructions::{parse_dockerfile, Dockerfile, InstructionError};
use crate::parse::{parse, Ast, ParseError, Span};

/// Any reason a Dockerfile was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Parse(#[from] ParseError),
    #[error(transparent)]
    Instruction(#[from] InstructionError),
}

impl Error {
    /// The lines the error is about.
    pub fn span(&self) -> Option<Span> {
        Some(match self {
            Error::Parse(error) => error.span,
            Error::Instruction(error) => error.span,
        })
    }

    /// The reason alone, without BuildKit's `dockerfile parse error on line N:` prefix.
    pub fn message(&self) -> String {
        match self {
            Error::Parse(error) => error.reason.to_string(),
            Error::Instruction(error) => error.reason.to_string(),
        }
    }
}

/// Parses and types a Dockerfile in one step.
pub fn parse_and_type(source: &[u8]) -> Result<(Ast, Dockerfile), Error> {
    let ast = parse(source)?;
    let dockerfile = parse_dockerfile(&ast)?;
    Ok((ast, dockerfile))
}

/// Renders an error as a compiler would:
///
/// ```text
/// error: unknown instruction: RUNN (did you mean run?)
///  --> Dockerfile:3
///   |
/// 3 | RUNN apt-get update
///   | ^^^^^^^^^^^^^^^^^^^
/// ```
pub fn render_error(filename: &str, source: &[u8], error: &Error) -> String {
    let mut rendered = format!("error: {}\n", error.message());
    let Some(span) = error.span().filter(|span| span.start > 0) else {
        return rendered;
    };
    let _ = writeln!(rendered, " --> {filename}:{}", span.start);
    let text = String::from_utf8_lossy(source);
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text);
    let lines: Vec<&str> = text.lines().collect();
    const SHOWN_LINES: usize = 5;
    let last = span
        .end
        .max(span.start)
        .min(span.start + SHOWN_LINES - 1)
        .min(lines.len());
    if span.start > last {
        return rendered;
    }
    let width = last.to_string().len();
    let _ = writeln!(rendered, "{:width$} |", "");
    let shown = lines
        .iter()
        .enumerate()
        .skip(span.start - 1)
        .take(last + 1 - span.start);
    for (index, line) in shown {
        let number = index + 1;
        let line = line.trim_end_matches('\r');
        let _ = writeln!(rendered, "{number:>width$} | {line}");
        if number == span.start {
            let indent: String = line.chars().take_while(|c| c.is_whitespace()).collect();
            let carets = line.trim().chars().count().max(1);
            let _ = writeln!(rendered, "{:width$} | {indent}{}", "", "^".repeat(carets));
        }
    }
    if span.end > last {
        let _ = writeln!(rendered, "{:width$} | ...", "");
    }
    rendered
}
