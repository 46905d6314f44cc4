//! Heredoc words, in: an instruction line (or one word); out: the heredocs it opens, in order, with
//! their name, `<<-` chomping and whether the body expands. Invariant: as BuildKit's
//! `heredocsFromLine`/`ParseHeredoc`: a word opens a heredoc when it matches `^\d*<<-?[^<]*$` with
//! a non-empty, single-word delimiter; any quoting in the delimiter turns expansion off.

use super::Heredoc;
use crate::expand::{ExpandError, Lexer, NoVariables};

/// A heredoc word BuildKit rejects.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeredocError {
    /// The delimiter cannot be expanded (an unterminated quote, a bad substitution...).
    #[error(transparent)]
    Delimiter(#[from] ExpandError),
    /// The delimiter is one word without quotes but not with them; holds the delimiter.
    #[error("internal lexing of heredoc produced inconsistent results: {0}")]
    Inconsistent(String),
}

/// A heredoc opened by a word, before its body is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HeredocWord {
    pub(crate) name: String,
    pub(crate) expand: bool,
    pub(crate) chomp: bool,
}

impl HeredocWord {
    pub(super) fn into_heredoc(self, content: String) -> Heredoc {
        Heredoc {
            name: self.name,
            content,
            expand: self.expand,
            chomp: self.chomp,
        }
    }
}

/// The heredocs opened in `line`; a line that cannot be split into words opens none.
pub(super) fn heredocs_in_line(line: &str) -> Result<Vec<HeredocWord>, HeredocError> {
    let lexer = Lexer::for_heredoc_detection(true, true);
    let words = lexer.expand_words(line, &NoVariables).unwrap_or_default();
    let mut heredocs = Vec::new();
    for word in words {
        if let Some(heredoc) = parse_heredoc_word(&word)? {
            heredocs.push(heredoc);
        }
    }
    Ok(heredocs)
}

/// The heredoc a single word opens, if any (BuildKit `ParseHeredoc`).
pub(crate) fn parse_heredoc_word(word: &str) -> Result<Option<HeredocWord>, HeredocError> {
    let after_digits = word.trim_start_matches(|character: char| character.is_ascii_digit());
    let Some(rest) = after_digits.strip_prefix("<<") else {
        return Ok(None);
    };
    let (chomp, delimiter) = match rest.strip_prefix('-') {
        Some(delimiter) => (true, delimiter),
        None => (false, rest),
    };
    if delimiter.contains('<') || delimiter.is_empty() {
        return Ok(None);
    }
    let cooked = Lexer::for_heredoc_detection(false, false);
    let words = cooked.expand_words(delimiter, &NoVariables)?;
    let [name] = words.as_slice() else {
        return Ok(None);
    };
    let raw = Lexer::for_heredoc_detection(true, false);
    let raw_words = raw.expand_words(delimiter, &NoVariables)?;
    let [raw_name] = raw_words.as_slice() else {
        return Err(HeredocError::Inconsistent(delimiter.to_owned()));
    };
    let quote_count = |text: &str| {
        text.chars()
            .filter(|character| matches!(character, '\'' | '"'))
            .count()
    };
    Ok(Some(HeredocWord {
        name: name.clone(),
        expand: quote_count(name) == quote_count(raw_name),
        chomp,
    }))
}

/// Removes leading tabs from every line, as `<<-` asks (BuildKit `ChompHeredocContent`).
pub fn chomp_heredoc_content(content: &str) -> String {
    let mut chomped = String::with_capacity(content.len());
    for line in content.split_inclusive('\n') {
        chomped.push_str(line.trim_start_matches('\t'));
    }
    chomped
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(name: &str, expand: bool, chomp: bool) -> HeredocWord {
        HeredocWord {
            name: name.to_owned(),
            expand,
            chomp,
        }
    }

    #[test]
    fn recognises_heredoc_words() {
        assert_eq!(
            parse_heredoc_word("<<EOF"),
            Ok(Some(word("EOF", true, false)))
        );
        assert_eq!(
            parse_heredoc_word("<<-EOF"),
            Ok(Some(word("EOF", true, true)))
        );
        assert_eq!(
            parse_heredoc_word("<<'EOF'"),
            Ok(Some(word("EOF", false, false)))
        );
        assert_eq!(
            parse_heredoc_word("<<\"E\"OF"),
            Ok(Some(word("EOF", false, false)))
        );
        assert_eq!(
            parse_heredoc_word("2<<EOF"),
            Ok(Some(word("EOF", true, false)))
        );
        assert_eq!(parse_heredoc_word("<<"), Ok(None));
        assert_eq!(parse_heredoc_word("<<<EOF"), Ok(None));
        assert_eq!(parse_heredoc_word("cat<<EOF"), Ok(None));
    }

    #[test]
    fn finds_heredocs_anywhere_in_line() {
        let found = heredocs_in_line("RUN cat <<A > /x && cat <<-\"B\"");
        assert_eq!(
            found,
            Ok(vec![word("A", true, false), word("B", false, true)])
        );
        assert_eq!(heredocs_in_line("RUN echo '<<A"), Ok(vec![]));
        assert_eq!(heredocs_in_line("RUN echo \\<<A"), Ok(vec![]));
    }

    #[test]
    fn chomps_leading_tabs() {
        assert_eq!(chomp_heredoc_content("\t\ta\n\tb\n c\n"), "a\nb\n c\n");
    }
}
