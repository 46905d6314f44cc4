//! Edits of the executed command through word places found by the shell parser.
//!
//! Input: edits (remove a word, replace a word, insert a word after one) at [`Place`]s the
//! analysis found, and the RUN's texts. Output: the rewritten script, exec argv and heredoc
//! bodies. Invariants: only the targeted words change (plus the blank before a removed word);
//! overlapping edits are refused with an [`EditError`] rather than merged.

use std::collections::BTreeMap;

use super::{root_text, Place, Root};
use crate::input::{RunCommand, RunInput};

/// What to do at a place.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum EditKind {
    /// Delete the word (and the blank before it).
    Remove,
    /// Replace the word with this text.
    Replace(String),
    /// Insert ` text` after the word.
    InsertAfter(String),
}

/// One edit.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Edit {
    /// The word.
    pub place: Place,
    /// The change.
    pub kind: EditKind,
}

/// The rewritten texts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Rewritten {
    /// The shell-form script, when changed.
    pub script: Option<String>,
    /// The exec-form argv, when changed.
    pub exec_args: Option<Vec<String>>,
    /// Changed heredoc bodies by index.
    pub heredocs: Vec<(usize, String)>,
}

/// Why edits could not be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum EditError {
    /// Two edits touch the same text.
    #[error("two rewrites overlap in the same words")]
    Overlap,
    /// A place does not exist in the RUN's texts.
    #[error("a rewrite points outside the command")]
    OutOfRange,
}

/// Applies `edits` to the RUN's texts.
pub(crate) fn apply_edits(input: &RunInput, edits: &[Edit]) -> Result<Rewritten, EditError> {
    let mut by_root: BTreeMap<Root, Vec<(usize, usize, &EditKind)>> = BTreeMap::new();
    let mut argv_edits: BTreeMap<usize, Vec<&EditKind>> = BTreeMap::new();
    for edit in edits {
        match &edit.place {
            Place::Text { root, start, end } => {
                by_root
                    .entry(*root)
                    .or_default()
                    .push((*start, *end, &edit.kind));
            }
            Place::Argv { index } => argv_edits.entry(*index).or_default().push(&edit.kind),
        }
    }
    let mut rewritten = Rewritten::default();
    let mut argv: Option<Vec<String>> = match input.command {
        RunCommand::Exec(argv) => Some(argv.to_vec()),
        RunCommand::Shell { .. } => None,
    };
    let mut argv_changed = false;
    for (root, mut root_edits) in by_root {
        let text = root_text(input, root).ok_or(EditError::OutOfRange)?;
        root_edits.sort_by_key(|(start, end, _)| (*start, *end));
        let new_text = edit_text(text, &root_edits)?;
        match root {
            Root::Script => rewritten.script = Some(new_text),
            Root::Heredoc(index) => rewritten.heredocs.push((index, new_text)),
            Root::ExecArgument(index) => {
                let element = argv
                    .as_mut()
                    .and_then(|argv| argv.get_mut(index))
                    .ok_or(EditError::OutOfRange)?;
                *element = new_text;
                argv_changed = true;
            }
        }
    }
    if !argv_edits.is_empty() {
        let old = argv.take().ok_or(EditError::OutOfRange)?;
        if argv_edits.keys().any(|index| *index >= old.len()) {
            return Err(EditError::OutOfRange);
        }
        let mut new = Vec::with_capacity(old.len() + 1);
        for (index, element) in old.into_iter().enumerate() {
            let kinds = argv_edits.get(&index).map(Vec::as_slice).unwrap_or(&[]);
            let removed = kinds.iter().any(|kind| **kind == EditKind::Remove);
            let replaced: Vec<&String> = kinds
                .iter()
                .filter_map(|kind| match kind {
                    EditKind::Replace(text) => Some(text),
                    _ => None,
                })
                .collect();
            if (removed && !replaced.is_empty()) || replaced.len() > 1 {
                return Err(EditError::Overlap);
            }
            match (removed, replaced.first()) {
                (true, _) => {}
                (false, Some(text)) => new.push((*text).clone()),
                (false, None) => new.push(element),
            }
            for kind in kinds {
                if let EditKind::InsertAfter(text) = kind {
                    new.push(text.clone());
                }
            }
        }
        argv = Some(new);
        argv_changed = true;
    }
    if argv_changed {
        rewritten.exec_args = argv;
    }
    Ok(rewritten)
}

/// Applies sorted, non-overlapping edits to one text.
fn edit_text(text: &str, edits: &[(usize, usize, &EditKind)]) -> Result<String, EditError> {
    let mut output = String::with_capacity(text.len());
    let mut cursor = 0;
    for (start, end, kind) in edits {
        let (start, end) = (*start, *end);
        if end > text.len() || !text.is_char_boundary(start) || !text.is_char_boundary(end) {
            return Err(EditError::OutOfRange);
        }
        match kind {
            EditKind::Remove => {
                let blank_start = text[..start]
                    .trim_end_matches([' ', '\t'])
                    .len()
                    .max(cursor);
                if start < cursor {
                    return Err(EditError::Overlap);
                }
                let (remove_start, remove_end) = if blank_start < start {
                    (blank_start, end)
                } else {
                    let following =
                        text[end..].len() - text[end..].trim_start_matches([' ', '\t']).len();
                    (start, end + following)
                };
                output.push_str(&text[cursor..remove_start]);
                cursor = remove_end;
            }
            EditKind::Replace(replacement) => {
                if start < cursor {
                    return Err(EditError::Overlap);
                }
                output.push_str(&text[cursor..start]);
                output.push_str(replacement);
                cursor = end;
            }
            EditKind::InsertAfter(insertion) => {
                if end < cursor {
                    return Err(EditError::Overlap);
                }
                output.push_str(&text[cursor..end]);
                output.push(' ');
                output.push_str(insertion);
                cursor = end;
            }
        }
    }
    output.push_str(&text[cursor..]);
    Ok(output)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_words_with_their_blank() {
        let text = "pip install --no-cache-dir flask";
        let kind = EditKind::Remove;
        assert_eq!(
            edit_text(text, &[(12, 26, &kind)]).unwrap(),
            "pip install flask"
        );
        assert_eq!(edit_text("--x y", &[(0, 3, &kind)]).unwrap(), "y");
    }

    #[test]
    fn replace_and_insert() {
        let text = "apt-get clean && dnf install x";
        let replace = EditKind::Replace("true".to_owned());
        let remove = EditKind::Remove;
        let insert = EditKind::InsertAfter("--refresh".to_owned());
        assert_eq!(
            edit_text(
                text,
                &[(0, 7, &replace), (8, 13, &remove), (17, 20, &insert)]
            )
            .unwrap(),
            "true && dnf --refresh install x"
        );
    }

    #[test]
    fn overlapping_edits_are_refused() {
        let replace = EditKind::Replace("x".to_owned());
        assert_eq!(
            edit_text("abcdef", &[(0, 4, &replace), (2, 5, &replace)]),
            Err(EditError::Overlap)
        );
    }
}
