//! Shell glob patterns for `${v#p}`, `${v%p}` and `${v/p/r}`, in: a pattern (`*`, `?`, `\`
//! escapes) and a value; out: match positions. Invariant: matches exactly where BuildKit's
//! pattern-to-regexp translation matches under Go's leftmost-first regexp semantics (`*` and `?`
//! never match a newline, as Go's `.`); memoized backtracking on a heap stack keeps it polynomial
//! and free of deep recursion.

use std::collections::HashMap;

use super::reason::PatternError;

/// One element of a translated pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Literal(char),
    AnyCharacter,
    AnyString,
}

/// A compiled pattern with BuildKit's star flavour (`greedy` = longest, else shortest).
pub(super) struct Pattern {
    tokens: Vec<Token>,
    greedy: bool,
}

impl Pattern {
    /// Translates a pattern as BuildKit's `convertShellPatternToRegex` does. Runs of `*` are
    /// merged; they match the same text under either star flavour.
    pub(super) fn compile(pattern: &str, greedy: bool) -> Result<Pattern, PatternError> {
        let pattern = pattern.strip_prefix('\u{FEFF}').unwrap_or(pattern);
        let mut characters = pattern.chars().peekable();
        let mut tokens: Vec<Token> = Vec::with_capacity(pattern.len());
        while let Some(character) = characters.next() {
            let token = match character {
                '*' if tokens.last() == Some(&Token::AnyString) => continue,
                '*' => Token::AnyString,
                '?' => Token::AnyCharacter,
                '\\' => {
                    // `}` and `/` are escaped inside `${}`, but the escape is not part of the pattern.
                    if matches!(characters.peek(), Some('}' | '/')) {
                        continue;
                    }
                    match characters.next() {
                        Some(literal @ ('*' | '?' | '\\')) => Token::Literal(literal),
                        other => {
                            return Err(PatternError::InvalidEscape(other.unwrap_or('\u{FFFD}')))
                        }
                    }
                }
                literal => Token::Literal(literal),
            };
            tokens.push(token);
        }
        Ok(Pattern { tokens, greedy })
    }

    /// A matcher of this pattern against one value.
    pub(super) fn matcher<'a>(&'a self, value: &'a [char]) -> Matcher<'a> {
        Matcher {
            pattern: self,
            value,
            known: HashMap::new(),
        }
    }
}

/// Where matching the fixed tokens from a point leads.
enum Step {
    Matched(usize),
    Failed,
    AtStar { token: usize, position: usize },
}

/// One star being tried: which lengths are left.
struct Attempt {
    token: usize,
    position: usize,
    longest: usize,
    tried: usize,
}

/// Matches one pattern against one value, remembering the outcome from each star and position
/// (it does not depend on where the match started), without recursion.
pub(super) struct Matcher<'a> {
    pattern: &'a Pattern,
    value: &'a [char],
    known: HashMap<(usize, usize), Option<usize>>,
}

impl Matcher<'_> {
    /// Matches the tokens that are not stars, from `token` at `position`.
    fn step(&self, mut token: usize, mut position: usize) -> Step {
        loop {
            let Some(current) = self.pattern.tokens.get(token) else {
                return Step::Matched(position);
            };
            let fits = match (current, self.value.get(position)) {
                (Token::AnyString, _) => return Step::AtStar { token, position },
                (Token::Literal(expected), Some(actual)) => actual == expected,
                (Token::AnyCharacter, Some(actual)) => *actual != '\n',
                (_, None) => false,
            };
            if !fits {
                return Step::Failed;
            }
            token += 1;
            position += 1;
        }
    }

    fn attempt(&self, token: usize, position: usize) -> Attempt {
        let longest = self
            .value
            .get(position..)
            .unwrap_or_default()
            .iter()
            .take_while(|character| **character != '\n')
            .count();
        Attempt {
            token,
            position,
            longest,
            tried: 0,
        }
    }

    /// The end of the preferred match starting exactly at `start`, if any: stars try their
    /// lengths longest-first (greedy) or shortest-first, and the first success wins.
    pub(super) fn match_at(&mut self, start: usize) -> Option<usize> {
        let mut attempts = match self.step(0, start) {
            Step::Matched(end) => return Some(end),
            Step::Failed => return None,
            Step::AtStar { token, position } => match self.known.get(&(token, position)) {
                Some(known) => return *known,
                None => vec![self.attempt(token, position)],
            },
        };
        let mut finished: Option<Option<usize>> = None;
        while let Some(attempt) = attempts.last_mut() {
            if let Some(outcome) = finished.take() {
                if outcome.is_none() && attempt.tried < attempt.longest {
                    attempt.tried += 1;
                } else {
                    self.known
                        .insert((attempt.token, attempt.position), outcome);
                    attempts.pop();
                    finished = Some(outcome);
                    continue;
                }
            }
            let Some(attempt) = attempts.last() else {
                break;
            };
            let length = if self.pattern.greedy {
                attempt.longest - attempt.tried
            } else {
                attempt.tried
            };
            match self.step(attempt.token + 1, attempt.position + length) {
                Step::Matched(end) => finished = Some(Some(end)),
                Step::Failed => finished = Some(None),
                Step::AtStar { token, position } => match self.known.get(&(token, position)) {
                    Some(known) => finished = Some(*known),
                    None => {
                        let next = self.attempt(token, position);
                        attempts.push(next);
                    }
                },
            }
        }
        finished.flatten()
    }

    /// The leftmost match at or after `from`, as `(start, end)` character indices.
    pub(super) fn find(&mut self, from: usize) -> Option<(usize, usize)> {
        (from..=self.value.len()).find_map(|start| self.match_at(start).map(|end| (start, end)))
    }
}

/// `${value#pattern}` / `${value##pattern}`: removes the shortest/longest matching prefix.
pub(super) fn trim_prefix(
    pattern: &str,
    value: &str,
    greedy: bool,
) -> Result<String, PatternError> {
    let compiled = Pattern::compile(pattern, greedy)?;
    let characters: Vec<char> = value.chars().collect();
    Ok(match compiled.matcher(&characters).match_at(0) {
        Some(end) => characters.iter().skip(end).collect(),
        None => value.to_owned(),
    })
}

/// `${value%pattern}` / `${value%%pattern}`: removes the shortest/longest matching suffix, by
/// matching the reversed pattern against the reversed value as BuildKit does.
pub(super) fn trim_suffix(
    pattern: &str,
    value: &str,
    greedy: bool,
) -> Result<String, PatternError> {
    let reversed_pattern = reverse_pattern(pattern);
    let reversed_value: String = value.chars().rev().collect();
    let trimmed = trim_prefix(&reversed_pattern, &reversed_value, greedy)?;
    Ok(trimmed.chars().rev().collect())
}

/// Reverses a pattern but keeps each `\x` escape in front of its character: the pattern is cut
/// into units (an escape with the character after it, or one character) and the units reversed.
fn reverse_pattern(pattern: &str) -> String {
    let mut units: Vec<(Option<char>, char)> = Vec::with_capacity(pattern.len());
    let mut characters = pattern.chars().peekable();
    while let Some(character) = characters.next() {
        match characters.peek() {
            Some(&escaped) if character == '\\' => {
                characters.next();
                units.push((Some(character), escaped));
            }
            _ => units.push((None, character)),
        }
    }
    let mut reversed = String::with_capacity(pattern.len());
    for (escape, character) in units.into_iter().rev() {
        reversed.extend(escape);
        reversed.push(character);
    }
    reversed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reverses_patterns_keeping_escapes() {
        assert_eq!(reverse_pattern("a\\*c"), "c\\*a");
        assert_eq!(reverse_pattern("\\\\\\ab"), "b\\a\\\\");
        assert_eq!(reverse_pattern("ab\\"), "\\ba");
        assert_eq!(reverse_pattern("👽\\🚀🖖"), "🖖\\🚀👽");
        assert_eq!(reverse_pattern("\\\\b"), "b\\\\");
    }

    #[test]
    fn rejects_invalid_escapes() {
        for pattern in ["\\", "\\x", "\\\\\\"] {
            assert!(Pattern::compile(pattern, true).is_err(), "{pattern}");
        }
    }

    #[test]
    fn stars_do_not_cross_newlines() {
        assert_eq!(
            trim_prefix("*b", "a\nb", true).ok().as_deref(),
            Some("a\nb")
        );
        assert_eq!(
            trim_prefix("a*", "ab\nc", true).ok().as_deref(),
            Some("\nc")
        );
    }
}
