//! Pattern substitution, in: a glob pattern, a value and a replacement; out: the value with the
//! first or every match replaced. Invariant: follows Go's `FindStringIndex` (first) and
//! `ReplaceAllString` (every, with `$0`/`$$` template expansion) as BuildKit uses them.

use super::pattern::Pattern;
use super::reason::PatternError;

/// `${value/pattern/replacement}`: the replacement is inserted literally.
pub(super) fn replace_first(
    pattern: &str,
    value: &str,
    replacement: &str,
) -> Result<String, PatternError> {
    let compiled = Pattern::compile(pattern, true)?;
    let characters: Vec<char> = value.chars().collect();
    Ok(match compiled.matcher(&characters).find(0) {
        Some((start, end)) => {
            let mut replaced = between(&characters, 0, start);
            replaced.push_str(replacement);
            replaced.push_str(&between(&characters, end, characters.len()));
            replaced
        }
        None => value.to_owned(),
    })
}

/// `${value//pattern/replacement}`: every non-overlapping match, as Go's `ReplaceAllString`.
pub(super) fn replace_all(
    pattern: &str,
    value: &str,
    replacement: &str,
) -> Result<String, PatternError> {
    let compiled = Pattern::compile(pattern, true)?;
    let characters: Vec<char> = value.chars().collect();
    let mut matcher = compiled.matcher(&characters);
    let mut replaced = String::new();
    let mut last_match_end = 0;
    let mut search_position = 0;
    while search_position <= characters.len() {
        let Some((start, end)) = matcher.find(search_position) else {
            break;
        };
        replaced.push_str(&between(&characters, last_match_end, start));
        // No replacement for an empty match right after the previous match.
        if end > last_match_end || start == 0 {
            let matched = between(&characters, start, end);
            replaced.push_str(&expand_template(replacement, &matched));
        }
        last_match_end = end;
        search_position = if search_position + 1 > end {
            search_position + 1
        } else {
            end
        };
    }
    replaced.push_str(&between(&characters, last_match_end, characters.len()));
    Ok(replaced)
}

/// The characters from `start` up to `end` (clamped to the value) as a string.
fn between(characters: &[char], start: usize, end: usize) -> String {
    characters.iter().take(end).skip(start).collect()
}

/// Go's regexp template expansion with only group 0: `$0`/`${0}` is the match, `$$` is `$`,
/// other names are empty, a malformed reference is a literal `$`.
fn expand_template(template: &str, matched: &str) -> String {
    let mut expanded = String::new();
    let mut rest = template;
    while let Some((before, after_dollar)) = rest.split_once('$') {
        expanded.push_str(before);
        rest = after_dollar;
        if let Some(after) = rest.strip_prefix('$') {
            expanded.push('$');
            rest = after;
            continue;
        }
        match extract_reference(rest) {
            Some((name, after)) => {
                if name == "0" {
                    expanded.push_str(matched);
                }
                rest = after;
            }
            None => expanded.push('$'),
        }
    }
    expanded.push_str(rest);
    expanded
}

/// A leading `name` or `{name}` of letters, digits and `_`, and what follows it.
fn extract_reference(text: &str) -> Option<(&str, &str)> {
    let (braced, body) = match text.strip_prefix('{') {
        Some(body) => (true, body),
        None => (false, text),
    };
    let length: usize = body
        .chars()
        .take_while(|character| character.is_alphanumeric() || *character == '_')
        .map(char::len_utf8)
        .sum();
    if length == 0 {
        return None;
    }
    let (name, after) = body.split_at_checked(length)?;
    if braced {
        return after.strip_prefix('}').map(|after| (name, after));
    }
    Some((name, after))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_like_go() {
        assert_eq!(replace_all("", "xxyy", "").ok().as_deref(), Some("xxyy"));
        assert_eq!(replace_all("", "ab", "-").ok().as_deref(), Some("-a-b-"));
        assert_eq!(replace_all("x", "xxyx", "-").ok().as_deref(), Some("--y-"));
        assert_eq!(
            replace_all("x*y", "axxyb", "-").ok().as_deref(),
            Some("a-b")
        );
        assert_eq!(replace_first("?", "abc", "-").ok().as_deref(), Some("-bc"));
        assert_eq!(
            replace_first("", "xxyy", "ww").ok().as_deref(),
            Some("wwxxyy")
        );
        assert_eq!(
            replace_all("b", "abc", "[$0$$]").ok().as_deref(),
            Some("a[b$]c")
        );
        assert_eq!(
            replace_all("b", "abc", "$x${").ok().as_deref(),
            Some("a${c")
        );
    }
}
