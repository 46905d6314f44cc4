//! "Did you mean" hints for check messages, in: an undefined name and the names in scope; out: the
//! closest name at most two edits away. Invariant: as BuildKit v0.25's `suggest.Search` (case
//! sensitive): an exact match anywhere means no hint; on equal distance the earlier option wins.
//! (The crate's `suggest` module follows an older, stricter search for its error hints.)

pub(super) fn closest(value: &str, options: &[String]) -> Option<String> {
    let mut best: Option<(usize, &String)> = None;
    for option in options {
        if option == value {
            return None;
        }
        let distance = edit_distance(value, option);
        let limit = best.map_or(3, |(known, _)| known);
        if distance < limit {
            best = Some((distance, option));
        }
    }
    best.map(|(_, option)| option.clone())
}

/// Levenshtein distance over characters.
fn edit_distance(left: &str, right: &str) -> usize {
    let right: Vec<char> = right.chars().collect();
    let mut previous: Vec<usize> = (0..=right.len()).collect();
    for (row, left_character) in left.chars().enumerate() {
        let mut current = Vec::with_capacity(right.len() + 1);
        current.push(row + 1);
        for (column, right_character) in right.iter().enumerate() {
            let above = previous.get(column + 1).copied().unwrap_or(usize::MAX);
            let diagonal = previous.get(column).copied().unwrap_or(usize::MAX);
            let left_cell = current.last().copied().unwrap_or(usize::MAX);
            let substitution =
                diagonal.saturating_add(usize::from(left_character != *right_character));
            current.push(
                substitution
                    .min(above.saturating_add(1))
                    .min(left_cell.saturating_add(1)),
            );
        }
        previous = current;
    }
    previous.last().copied().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_names_up_to_two_edits_away() {
        let options = vec!["VERSION".to_owned(), "TARGETOS".to_owned()];
        assert_eq!(closest("VERSIN", &options).as_deref(), Some("VERSION"));
        assert_eq!(closest("VERSI", &options).as_deref(), Some("VERSION"));
        assert_eq!(closest("VER", &options), None);
        assert_eq!(closest("VERSION", &options), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
