//! "Did you mean" hints, in: an unknown word and the words that would have been valid; out: a
//! hint that renders as ` (did you mean x?)` when one option is a single edit away, else as
//! nothing. Invariant: an exact match or a one-character word never gets a hint (as BuildKit's
//! `suggest`).

use std::fmt;

/// The hint appended to an error about `value`; `Display` is the text to append.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hint(Option<String>);

impl Hint {
    /// The closest of `options` to `value`, if one is a single edit away.
    pub(crate) fn new(value: &str, options: &[&str], case_sensitive: bool) -> Hint {
        Hint(closest(value, options, case_sensitive))
    }
}

impl fmt::Display for Hint {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(option) => write!(formatter, " (did you mean {option}?)"),
            None => Ok(()),
        }
    }
}

fn closest(value: &str, options: &[&str], case_sensitive: bool) -> Option<String> {
    if value.chars().count() <= 1 {
        return None;
    }
    let value = if case_sensitive {
        value.to_owned()
    } else {
        value.to_lowercase()
    };
    let mut best: Option<(usize, String)> = None;
    for option in options {
        let option = if case_sensitive {
            (*option).to_owned()
        } else {
            option.to_lowercase()
        };
        if option == value {
            return None;
        }
        let distance = edit_distance(&value, &option);
        if distance < 2 && best.as_ref().is_none_or(|(known, _)| distance < *known) {
            best = Some((distance, option));
        }
    }
    best.map(|(_, option)| option)
}

/// Levenshtein distance over characters, one row of the table at a time.
fn edit_distance(left: &str, right: &str) -> usize {
    let right: Vec<char> = right.chars().collect();
    let mut previous: Vec<usize> = (0..=right.len()).collect();
    for (row, left_character) in left.chars().enumerate() {
        let mut current = Vec::with_capacity(right.len() + 1);
        let mut before = row + 1;
        current.push(before);
        let diagonals = previous.iter().zip(previous.iter().skip(1));
        for ((diagonal, above), right_character) in diagonals.zip(&right) {
            let substitution = diagonal + usize::from(left_character != *right_character);
            before = substitution.min(above + 1).min(before + 1);
            current.push(before);
        }
        previous = current;
    }
    previous.last().copied().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_words() {
        assert_eq!(
            closest("RUNN", &["run", "copy"], false).as_deref(),
            Some("run")
        );
        assert_eq!(
            closest("mout", &["mount", "network"], true).as_deref(),
            Some("mount")
        );
        assert_eq!(closest("zzzz", &["mount"], true), None);
        assert_eq!(closest("x", &["y"], true), None);
        assert_eq!(closest("kitten", &["sitting"], true), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(
            Hint::new("lnk", &["link"], true).to_string(),
            " (did you mean link?)"
        );
        assert_eq!(Hint::new("zzz", &["link"], true).to_string(), "");
    }
}
