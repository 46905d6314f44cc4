//! Shell state during the walk: script variables, cwd, user, and where text sits.
//!
//! Input: updates from the walker (assignments, `cd`, constructs that may not run). Output:
//! the statically known state at each command. Invariants: whatever a construct that may not
//! run changes becomes unknown after it; a [`Level`] maps parser positions (characters) to
//! byte offsets in an editable root and only yields a place when the text there is verbatim.

use std::collections::BTreeMap;

use brush_parser::ast::{self, IoHereDocument};

use super::{EffectiveUser, Place, Root};
use crate::template::VariableValue;

/// A variable the script set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ScriptVariable {
    pub(super) value: VariableValue,
    pub(super) exported: bool,
}

/// The shell state at a point of the script, as far as it is statically known.
#[derive(Debug, Clone)]
pub(super) struct Scope {
    pub(super) variables: BTreeMap<String, ScriptVariable>,
    pub(super) env_cleared: bool,
    pub(super) home: String,
    pub(super) user: EffectiveUser,
    pub(super) cwd: Option<String>,
    pub(super) conditional: bool,
    pub(super) depth: usize,
}

impl Scope {
    /// A copy for a construct that may not run.
    pub(super) fn conditional_copy(&self) -> Self {
        Self {
            conditional: true,
            ..self.clone()
        }
    }

    /// After a construct that may not have run: whatever it changed is now unknown.
    pub(super) fn merge_uncertain(&mut self, inner: &Self) {
        for (name, variable) in &inner.variables {
            if self.variables.get(name) != Some(variable) {
                let exported = variable.exported
                    || self.variables.get(name).is_some_and(|outer| outer.exported);
                self.variables.insert(
                    name.clone(),
                    ScriptVariable {
                        value: VariableValue::Unknown,
                        exported,
                    },
                );
            }
        }
        if inner.cwd != self.cwd {
            self.cwd = None;
        }
    }
}

/// A parsed text and where it sits in an editable root.
pub(super) struct Level<'t> {
    pub(super) text: &'t str,
    pub(super) origin: Option<(Root, usize)>,
    pub(super) byte_of_char: Vec<usize>,
}

impl<'t> Level<'t> {
    pub(super) fn new(text: &'t str, origin: Option<(Root, usize)>) -> Self {
        let mut byte_of_char: Vec<usize> = text.char_indices().map(|(byte, _)| byte).collect();
        byte_of_char.push(text.len());
        Self {
            text,
            origin,
            byte_of_char,
        }
    }

    /// The byte range of a node span in this level's text.
    fn byte_range(&self, span: Option<&brush_parser::SourceSpan>) -> Option<(usize, usize)> {
        let span = span?;
        let start = *self.byte_of_char.get(span.start.index)?;
        let end = *self.byte_of_char.get(span.end.index)?;
        (start <= end).then_some((start, end))
    }

    /// Where `word` sits in its root, when its text there is exactly the word.
    pub(super) fn place(&self, word: &ast::Word) -> Option<Place> {
        let (root, base) = self.origin?;
        let (start, end) = self.byte_range(word.loc.as_ref())?;
        (self.text.get(start..end)? == word.value).then_some(Place::Text {
            root,
            start: base + start,
            end: base + end,
        })
    }

    /// Where a heredoc body starts in its root, when it is verbatim there.
    pub(super) fn heredoc_origin(&self, heredoc: &IoHereDocument) -> Option<(Root, usize)> {
        let (root, base) = self.origin?;
        if heredoc.remove_tabs {
            return None;
        }
        let (start, _) = self.byte_range(heredoc.doc.loc.as_ref())?;
        let end = start.checked_add(heredoc.doc.value.len())?;
        (self.text.get(start..end)? == heredoc.doc.value).then_some((root, base + start))
    }
}
