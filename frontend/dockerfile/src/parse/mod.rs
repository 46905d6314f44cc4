//! Dockerfile parsing, in: the bytes of a Dockerfile; out: an `Ast` of instruction nodes (keyword,
//! flags, arguments, heredoc bodies, preceding comments, line span), the parser directives and
//! warnings. Invariant: follows BuildKit's `parser.Parse` line by line: BOM and CRLF handling,
//! directives only at the top, comments and blank lines inside continuations, heredocs for RUN,
//! COPY and ADD only. Unknown instructions parse here and are rejected by `instructions`.

mod arguments;
mod directives;
mod dump;
mod error;
mod heredoc;
mod lines;
mod split_command;

pub use arguments::ArgumentsError;
pub use directives::{DirectiveError, Directives};
pub use dump::dump;
pub use error::{ParseError, ParseReason};
pub(crate) use heredoc::parse_heredoc_word;
pub use heredoc::{chomp_heredoc_content, HeredocError};

use directives::DirectiveReader;
use lines::{
    is_comment, is_empty_continuation_line, split_lines, trim_comment, trim_continuation,
    trim_leading_whitespace, trim_newline, MAXIMUM_LINE_LENGTH,
};

/// An inclusive range of 1-based line numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    pub fn line(line: usize) -> Span {
        Span {
            start: line,
            end: line,
        }
    }
}

/// A heredoc body attached to an instruction. `content` is exactly the lines between the opening
/// line and the delimiter, line endings included; when `chomp` (`<<-`) is set, leading tabs still
/// have to be removed (see `chomp_heredoc_content`). `expand` is false when the delimiter was quoted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    pub name: String,
    pub content: String,
    pub expand: bool,
    pub chomp: bool,
}

/// One instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// The instruction keyword, lowercased (`run`, `copy`, ...; unknown words are kept).
    pub keyword: String,
    /// `--flag[=value]` words before the arguments, as written with quotes processed.
    pub flags: Vec<String>,
    /// The arguments as BuildKit's node chain holds them: one shell-form string, JSON array items,
    /// whitespace-split words, or key/value/separator triples for ENV and LABEL. Empty for ONBUILD,
    /// whose instruction is in `next`.
    pub args: Vec<String>,
    /// True for the JSON (exec) form.
    pub json: bool,
    /// The instruction line as written, continuations joined, without heredoc bodies.
    pub original: String,
    pub heredocs: Vec<Heredoc>,
    /// Comment lines since the previous instruction (text after `#`, trimmed); an empty `#` line
    /// clears them, directives are not included.
    pub comments: Vec<String>,
    /// The lines of the instruction, heredoc bodies included.
    pub span: Span,
    /// The instruction an ONBUILD wraps.
    pub next: Option<Box<Node>>,
}

/// A non-fatal finding, such as an empty continuation line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub message: String,
    pub span: Span,
}

/// A parsed Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ast {
    pub directives: Directives,
    pub nodes: Vec<Node>,
    pub warnings: Vec<Warning>,
}

/// Parses a Dockerfile.
pub fn parse(source: &[u8]) -> Result<Ast, ParseError> {
    Parser::new(source).run()
}

/// How many ONBUILDs may wrap each other in the tree (BuildKit rejects more than one anyway).
const MAXIMUM_ONBUILD_DEPTH: usize = 8;

struct Parser<'a> {
    lines: Vec<&'a [u8]>,
    /// Index of the next physical line to read; also the 1-based number of the last line read.
    next_line: usize,
    directive_reader: DirectiveReader,
    /// Set when a line is too long; reading stops there as BuildKit's scanner does.
    line_too_long: bool,
}

/// One instruction's text with its continuation lines joined.
struct LogicalLine {
    text: String,
    /// The line the instruction starts on.
    start_line: usize,
    has_empty_continuation_line: bool,
}

impl<'a> Parser<'a> {
    fn new(source: &'a [u8]) -> Parser<'a> {
        Parser {
            lines: split_lines(source),
            next_line: 0,
            directive_reader: DirectiveReader::default(),
            line_too_long: false,
        }
    }

    fn escape(&self) -> char {
        self.directive_reader.directives.escape
    }

    /// The next physical line with its ending, or `None` at the end (or after a too-long line).
    fn read_line(&mut self) -> Option<String> {
        if self.line_too_long {
            return None;
        }
        let bytes = self.lines.get(self.next_line)?;
        if bytes.len() > MAXIMUM_LINE_LENGTH {
            self.line_too_long = true;
            return None;
        }
        let mut text = String::from_utf8_lossy(bytes).into_owned();
        if self.next_line == 0 {
            if let Some(without_bom) = text.strip_prefix('\u{FEFF}') {
                text = without_bom.to_owned();
            }
        }
        self.next_line += 1;
        Some(text)
    }

    /// Strips the line ending (and, for a first line, leading blanks), feeds the directive reader and
    /// drops comments; returns the remaining text and whether the line was a directive.
    fn process_line(
        &mut self,
        raw: &str,
        strip_leading: bool,
    ) -> Result<(String, bool), ParseError> {
        let mut token = trim_newline(raw);
        if strip_leading {
            token = trim_leading_whitespace(token);
        }
        let line_number = self.next_line;
        let is_directive = self
            .directive_reader
            .read_line(token, line_number)
            .map_err(|error| ParseError::new(error, Span::line(line_number)))?;
        Ok((trim_comment(token).to_owned(), is_directive))
    }

    fn run(mut self) -> Result<Ast, ParseError> {
        let mut nodes = Vec::new();
        let mut warnings = Vec::new();
        let mut comments: Vec<String> = Vec::new();
        while let Some(raw) = self.read_line() {
            if trim_leading_whitespace(&raw).starts_with('#') {
                // As BuildKit: the line minus its first byte, trimmed, so an indented `# x`
                // is kept as `# x`.
                let comment = raw.get(1..).unwrap_or_default().trim();
                if comment.is_empty() {
                    comments.clear();
                } else {
                    comments.push(comment.to_owned());
                }
            }
            let Some(line) = self.read_logical_line(&raw, &mut comments)? else {
                continue;
            };
            if line.has_empty_continuation_line {
                warnings.push(Warning {
                    message: format!("Empty continuation line found in: {}", line.text),
                    span: Span::line(self.next_line),
                });
            }
            let span = || Span::new(line.start_line, self.next_line);
            let mut node = self
                .node_from_line(&line.text, std::mem::take(&mut comments))
                .map_err(|reason| ParseError::new(reason, span()))?;
            if can_contain_heredoc(&node) && line.text.contains("<<") {
                self.read_heredocs(&line, &mut node)?;
            }
            node.span = Span::new(line.start_line, self.next_line);
            nodes.push(node);
        }
        let last_line = Span::line(self.next_line.max(1));
        if self.line_too_long {
            return Err(ParseError::new(ParseReason::LineTooLong, last_line));
        }
        if nodes.is_empty() {
            return Err(ParseError::new(ParseReason::NoInstructions, last_line));
        }
        Ok(Ast {
            directives: self.directive_reader.directives,
            nodes,
            warnings,
        })
    }

    /// Reads the rest of the instruction that starts with the physical line `raw` (continuations,
    /// with comments and blank lines inside them skipped); `None` when `raw` holds no instruction
    /// (a blank line, a comment or a directive).
    fn read_logical_line(
        &mut self,
        raw: &str,
        comments: &mut Vec<String>,
    ) -> Result<Option<LogicalLine>, ParseError> {
        let (first, is_directive) = self.process_line(raw, true)?;
        if is_directive {
            comments.pop();
        }
        let start_line = self.next_line;
        let (first, mut is_end_of_line) = trim_continuation(&first, self.escape());
        if is_end_of_line && first.is_empty() {
            return Ok(None);
        }
        let mut text = first;
        let mut has_empty_continuation_line = false;
        while !is_end_of_line {
            let Some(raw) = self.read_line() else { break };
            let (continued, _) = self.process_line(&raw, false)?;
            if is_comment(&raw) {
                continue;
            }
            if is_empty_continuation_line(&continued) {
                has_empty_continuation_line = true;
                continue;
            }
            let (continued, end) = trim_continuation(&continued, self.escape());
            is_end_of_line = end;
            text.push_str(&continued);
        }
        Ok(Some(LogicalLine {
            text,
            start_line,
            has_empty_continuation_line,
        }))
    }

    /// Reads the bodies of the heredocs `line` opens, in order, into `node`.
    fn read_heredocs(&mut self, line: &LogicalLine, node: &mut Node) -> Result<(), ParseError> {
        let words = heredoc::heredocs_in_line(&line.text)
            .map_err(|error| ParseError::new(error, Span::new(line.start_line, self.next_line)))?;
        for word in words {
            let Some(content) = self.read_heredoc_body(&word.name, word.chomp) else {
                let span = Span::new(line.start_line, self.next_line);
                return Err(ParseError::new(ParseReason::UnterminatedHeredoc, span));
            };
            node.heredocs.push(word.into_heredoc(content));
        }
        Ok(())
    }

    /// Reads lines up to the delimiter; `None` when the file ends first.
    fn read_heredoc_body(&mut self, name: &str, chomp: bool) -> Option<String> {
        let mut content = String::new();
        while let Some(raw) = self.read_line() {
            let mut candidate = trim_newline(&raw);
            if chomp {
                candidate = candidate.trim_start_matches('\t');
            }
            if candidate == name {
                return Some(content);
            }
            content.push_str(&raw);
        }
        None
    }

    fn node_from_line(&self, line: &str, comments: Vec<String>) -> Result<Node, ParseReason> {
        self.nested_node_from_line(line, comments, 0)
    }

    /// `depth` counts enclosing ONBUILDs; BuildKit rejects any chain later, so a deep one is
    /// refused here with the same words instead of recursing without bound.
    fn nested_node_from_line(
        &self,
        line: &str,
        comments: Vec<String>,
        depth: usize,
    ) -> Result<Node, ParseReason> {
        if depth > MAXIMUM_ONBUILD_DEPTH {
            return Err(ParseReason::ChainedOnbuild);
        }
        let split = split_command::split_command(line);
        let keyword = split.keyword.to_lowercase();
        let mut node = Node {
            keyword: keyword.clone(),
            flags: split.flags,
            args: Vec::new(),
            json: false,
            original: line.to_owned(),
            heredocs: Vec::new(),
            comments,
            span: Span::default(),
            next: None,
        };
        if keyword == "onbuild" {
            if !split.arguments.is_empty() {
                let child = self.nested_node_from_line(&split.arguments, Vec::new(), depth + 1)?;
                node.next = Some(Box::new(child));
            }
            return Ok(node);
        }
        let parsed = arguments::parse_arguments(&keyword, &split.arguments, self.escape())?;
        node.args = parsed.values;
        node.json = parsed.json;
        Ok(node)
    }
}

/// RUN, COPY and ADD in shell form (also wrapped in ONBUILD) may open heredocs.
fn can_contain_heredoc(node: &Node) -> bool {
    let node = match (node.keyword.as_str(), &node.next) {
        ("onbuild", Some(child)) => child,
        _ => node,
    };
    matches!(node.keyword.as_str(), "run" | "copy" | "add") && !node.json
}

#[cfg(test)]
mod tests;
