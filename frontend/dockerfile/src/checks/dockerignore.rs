//! `.dockerignore` matching for CopyIgnoredFile, in: the context's ignore patterns (as the CLI
//! reads them: cleaned, `!` exceptions kept) and a cleaned, slash-separated source path; out:
//! whether the path or one of its parents is excluded, as moby/patternmatcher's
//! `MatchesOrParentMatches` decides. Invariant: linear-ish (memoised) matching that never panics;
//! a pattern that does not compile (an unclosed `[`) matches nothing.

/// One piece of a compiled pattern (Go's regular expression, per piece).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Literal(char),
    /// `*`: any run of characters but `/`.
    Star,
    /// `?`: one character but `/`.
    One,
    /// `**` followed by more: `(.*/)?`.
    AnyDirectories,
    /// A trailing `**` after other pieces: `.*`.
    Rest,
    /// `[...]` as a regular-expression class.
    Class {
        negated: bool,
        items: Vec<(char, char)>,
    },
}

/// How a pattern matches, as patternmatcher compiles it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Compiled {
    Exact(String),
    Prefix(String),
    Suffix(String),
    Tokens(Vec<Token>),
    Invalid,
}

/// A set of ignore patterns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct IgnoreMatcher {
    patterns: Vec<(String, Compiled)>,
    exclusions: bool,
}

impl IgnoreMatcher {
    /// `None` when there are no patterns (BuildKit then has no matcher).
    pub(super) fn new(patterns: &[String]) -> Option<IgnoreMatcher> {
        let patterns: Vec<&str> = patterns
            .iter()
            .map(|pattern| pattern.trim())
            .filter(|pattern| !pattern.is_empty())
            .collect();
        if patterns.is_empty() {
            return None;
        }
        let exclusions = patterns.iter().any(|pattern| pattern.starts_with('!'));
        let patterns = patterns
            .into_iter()
            .filter(|pattern| !pattern.starts_with('!'))
            .map(|pattern| (pattern.to_owned(), compile(pattern)))
            .collect();
        Some(IgnoreMatcher {
            patterns,
            exclusions,
        })
    }

    /// Whether any pattern is a `!` exception (1.26 then skips the rule).
    pub(super) fn has_exclusions(&self) -> bool {
        self.exclusions
    }

    /// Whether a pattern excludes the whole context root (`*`, `**` or `**/*`).
    pub(super) fn ignores_root(&self) -> bool {
        self.patterns
            .iter()
            .any(|(pattern, _)| matches!(pattern.as_str(), "*" | "**" | "**/*"))
    }

    /// `MatchesOrParentMatches` for a matcher without exceptions.
    pub(super) fn matches_or_parent_matches(&self, file: &str) -> bool {
        let parent = match file.rfind('/') {
            None => ".".to_owned(),
            Some(0) => "/".to_owned(),
            Some(index) => file.get(..index).unwrap_or_default().to_owned(),
        };
        let dirs: Vec<&str> = parent.split('/').collect();
        self.patterns.iter().any(|(_, compiled)| {
            matches(compiled, file)
                || (parent != "."
                    && (1..=dirs.len()).any(|count| {
                        let prefix = dirs.get(..count).unwrap_or_default().join("/");
                        matches(compiled, &prefix)
                    }))
        })
    }
}

fn matches(compiled: &Compiled, path: &str) -> bool {
    match compiled {
        Compiled::Exact(pattern) => path == pattern,
        Compiled::Prefix(prefix) => path.starts_with(prefix.as_str()),
        Compiled::Suffix(suffix) => {
            path.ends_with(suffix.as_str())
                || suffix.strip_prefix('/').is_some_and(|rest| path == rest)
        }
        Compiled::Tokens(tokens) => {
            let chars: Vec<char> = path.chars().collect();
            let mut memo = vec![None; (tokens.len() + 1) * (chars.len() + 1)];
            match_from(tokens, &chars, 0, 0, &mut memo)
        }
        Compiled::Invalid => false,
    }
}

fn match_from(
    tokens: &[Token],
    chars: &[char],
    token: usize,
    at: usize,
    memo: &mut Vec<Option<bool>>,
) -> bool {
    let slot = token * (chars.len() + 1) + at;
    if let Some(Some(known)) = memo.get(slot) {
        return *known;
    }
    let next =
        |memo: &mut Vec<Option<bool>>, to: usize| match_from(tokens, chars, token + 1, to, memo);
    let result = match tokens.get(token) {
        None => at == chars.len(),
        Some(Token::Literal(expected)) => chars.get(at) == Some(expected) && next(memo, at + 1),
        Some(Token::One) => chars.get(at).is_some_and(|c| *c != '/') && next(memo, at + 1),
        Some(Token::Class { negated, items }) => {
            chars
                .get(at)
                .is_some_and(|c| items.iter().any(|(low, high)| low <= c && c <= high) != *negated)
                && next(memo, at + 1)
        }
        Some(Token::Star) => {
            let end = chars
                .iter()
                .skip(at)
                .position(|c| *c == '/')
                .map_or(chars.len(), |offset| at + offset);
            (at..=end).any(|to| next(memo, to))
        }
        Some(Token::Rest) => (at..=chars.len()).any(|to| next(memo, to)),
        Some(Token::AnyDirectories) => {
            next(memo, at)
                || (at..chars.len())
                    .filter(|index| chars.get(*index) == Some(&'/'))
                    .any(|index| next(memo, index + 1))
        }
    };
    if let Some(entry) = memo.get_mut(slot) {
        *entry = Some(result);
    }
    result
}

/// patternmatcher's `compile` with `/` as the separator.
fn compile(pattern: &str) -> Compiled {
    #[derive(PartialEq)]
    enum Kind {
        Exact,
        Prefix,
        Suffix,
        Tokens,
    }
    let mut kind = Kind::Exact;
    let mut tokens = Vec::new();
    let chars: Vec<char> = pattern.chars().collect();
    let mut index = 0;
    let mut iteration = 0;
    while let Some(&c) = chars.get(index) {
        index += 1;
        match c {
            '*' if chars.get(index) == Some(&'*') => {
                index += 1;
                if chars.get(index) == Some(&'/') {
                    index += 1;
                }
                if index >= chars.len() {
                    if kind == Kind::Exact {
                        kind = Kind::Prefix;
                    } else {
                        tokens.push(Token::Rest);
                        kind = Kind::Tokens;
                    }
                } else {
                    tokens.push(Token::AnyDirectories);
                    kind = Kind::Tokens;
                }
                if iteration == 0 {
                    kind = Kind::Suffix;
                }
            }
            '*' => {
                tokens.push(Token::Star);
                kind = Kind::Tokens;
            }
            '?' => {
                tokens.push(Token::One);
                kind = Kind::Tokens;
            }
            '\\' => match chars.get(index) {
                Some(&escaped) => {
                    index += 1;
                    tokens.push(Token::Literal(escaped));
                    kind = Kind::Tokens;
                }
                None => tokens.push(Token::Literal('\\')),
            },
            '[' => {
                let Some((class, end)) = class(&chars, index) else {
                    return Compiled::Invalid;
                };
                tokens.push(class);
                index = end;
                kind = Kind::Tokens;
            }
            ']' => {
                tokens.push(Token::Literal(']'));
                kind = Kind::Tokens;
            }
            other => tokens.push(Token::Literal(other)),
        }
        iteration += 1;
    }
    match kind {
        Kind::Exact => Compiled::Exact(pattern.to_owned()),
        Kind::Prefix => Compiled::Prefix(
            pattern
                .get(..pattern.len().saturating_sub(2))
                .unwrap_or_default()
                .to_owned(),
        ),
        Kind::Suffix => Compiled::Suffix(pattern.get(2..).unwrap_or_default().to_owned()),
        Kind::Tokens => Compiled::Tokens(tokens),
    }
}

/// A `[...]` class starting after the `[` at `start`; the token and the index after `]`.
fn class(chars: &[char], start: usize) -> Option<(Token, usize)> {
    let mut index = start;
    let negated = chars.get(index) == Some(&'^');
    if negated {
        index += 1;
    }
    let mut items = Vec::new();
    let mut first = true;
    loop {
        let c = *chars.get(index)?;
        index += 1;
        if c == ']' && !first {
            return Some((Token::Class { negated, items }, index));
        }
        first = false;
        let c = if c == '\\' {
            let escaped = *chars.get(index)?;
            index += 1;
            escaped
        } else {
            c
        };
        if chars.get(index) == Some(&'-') && chars.get(index + 1).is_some_and(|next| *next != ']') {
            let high = *chars.get(index + 1)?;
            index += 2;
            items.push((c, high));
        } else {
            items.push((c, c));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::IgnoreMatcher;

    fn matcher(patterns: &[&str]) -> IgnoreMatcher {
        let patterns: Vec<String> = patterns.iter().map(|p| (*p).to_owned()).collect();
        IgnoreMatcher::new(&patterns).expect("patterns")
    }

    #[test]
    fn patterns_match_as_patternmatcher() {
        let cases: &[(&str, &str, bool)] = &[
            ("secret.txt", "secret.txt", true),
            ("secret.txt", "dir/secret.txt", false),
            ("dir", "dir/file", true),
            ("*.log", "a.log", true),
            ("*.log", "d/a.log", false),
            ("**/*.log", "d/e/a.log", true),
            ("**/*.log", "a.log", true),
            ("**/node_modules", "node_modules", true),
            ("**/node_modules", "a/node_modules/x", true),
            ("build**", "build/x", true),
            ("a?c", "abc", true),
            ("a?c", "a/c", false),
            ("[a-c].txt", "b.txt", true),
            ("[^a-c].txt", "b.txt", false),
            ("a/**/b", "a/b", true),
            ("a/**/b", "a/x/y/b", true),
            ("a/**", "a/x", true),
        ];
        for (pattern, path, expected) in cases {
            assert_eq!(
                matcher(&[pattern]).matches_or_parent_matches(path),
                *expected,
                "{pattern} vs {path}"
            );
        }
    }

    #[test]
    fn exceptions_and_root() {
        assert!(matcher(&["*", "!keep"]).has_exclusions());
        assert!(matcher(&["**"]).ignores_root());
        assert!(!matcher(&["a"]).ignores_root());
        assert!(IgnoreMatcher::new(&[]).is_none());
    }
}
