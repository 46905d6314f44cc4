//! Compares two image snapshots: input = the expected (stock frontend) and the actual (cachefront)
//! `ImageSnapshot` plus the allowed-to-differ `IgnorePatterns`, output = a `Comparison` listing
//! every difference in the file tree, the config and the history (rendered by `compare_report`).
//! Invariants: ignored file differences are kept in their own list, never dropped; the result is
//! deterministic (files by path, config by field name, history in order).

use serde_json::Value;

use crate::config::HistoryEntry;
use crate::ignore::IgnorePatterns;
use crate::image::ImageSnapshot;
use crate::sequence::{diff_sequences, SequenceEdit};
use crate::tree::FileEntry;

/// One way the actual image differs from the expected one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Difference {
    /// A path present only in the expected image.
    FileOnlyInExpected { path: String, entry: FileEntry },
    /// A path present only in the actual image.
    FileOnlyInActual { path: String, entry: FileEntry },
    /// A path present in both with different metadata or content.
    FileChanged {
        path: String,
        expected: FileEntry,
        actual: FileEntry,
    },
    /// A config field with different values (`null` means absent).
    ConfigField {
        field: String,
        expected: Value,
        actual: Value,
    },
    /// A history entry of the expected image (at `index`) that the actual image lacks.
    HistoryOnlyInExpected { index: usize, entry: HistoryEntry },
    /// A history entry of the actual image (at `index`) that the expected image lacks.
    HistoryOnlyInActual { index: usize, entry: HistoryEntry },
}

impl Difference {
    /// The file path this difference is about, if it is a file difference.
    pub fn path(&self) -> Option<&str> {
        match self {
            Difference::FileOnlyInExpected { path, .. }
            | Difference::FileOnlyInActual { path, .. }
            | Difference::FileChanged { path, .. } => Some(path),
            _ => None,
        }
    }
}

/// The differences between two images, with the names used to print them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    pub expected_label: String,
    pub actual_label: String,
    /// Differences that make the images unequal.
    pub differences: Vec<Difference>,
    /// File differences covered by the ignore patterns: allowed, but reported.
    pub ignored: Vec<Difference>,
    /// The ignore patterns used, as written.
    pub ignore_patterns: Vec<String>,
    /// Differences a known engine difference accounts for, with its name
    /// (`engine_differences::account`): allowed, but reported.
    pub known: Vec<(&'static str, Difference)>,
    /// Known engine differences the case declares that accounted for nothing: the case fails,
    /// as its declaration is out of date.
    pub unseen_known: Vec<&'static str>,
}

impl Comparison {
    /// Whether the images are equal up to ignored paths and known engine differences, and
    /// every declared engine difference showed up.
    pub fn is_equal(&self) -> bool {
        self.differences.is_empty() && self.unseen_known.is_empty()
    }
}

/// Compares `actual` against `expected`; `ignore` moves matching file differences to `ignored`.
pub fn compare_images(
    expected: &ImageSnapshot,
    actual: &ImageSnapshot,
    ignore: &IgnorePatterns,
    expected_label: &str,
    actual_label: &str,
) -> Comparison {
    let mut all = compare_files(expected, actual);
    all.extend(compare_config(expected, actual));
    all.extend(compare_history(&expected.history, &actual.history));
    let (ignored, differences) = all
        .into_iter()
        .partition(|difference| difference.path().is_some_and(|path| ignore.matches(path)));
    Comparison {
        expected_label: expected_label.to_string(),
        actual_label: actual_label.to_string(),
        differences,
        ignored,
        ignore_patterns: ignore.sources().to_vec(),
        known: Vec::new(),
        unseen_known: Vec::new(),
    }
}

fn compare_files(expected: &ImageSnapshot, actual: &ImageSnapshot) -> Vec<Difference> {
    let mut differences = Vec::new();
    for (path, expected_entry) in expected.files.entries() {
        match actual.files.get(path) {
            None => differences.push(Difference::FileOnlyInExpected {
                path: path.clone(),
                entry: expected_entry.clone(),
            }),
            Some(actual_entry) if actual_entry != expected_entry => {
                differences.push(Difference::FileChanged {
                    path: path.clone(),
                    expected: expected_entry.clone(),
                    actual: actual_entry.clone(),
                })
            }
            Some(_) => {}
        }
    }
    for (path, actual_entry) in actual.files.entries() {
        if expected.files.get(path).is_none() {
            differences.push(Difference::FileOnlyInActual {
                path: path.clone(),
                entry: actual_entry.clone(),
            });
        }
    }
    differences.sort_by(|left, right| left.path().cmp(&right.path()));
    differences
}

fn compare_config(expected: &ImageSnapshot, actual: &ImageSnapshot) -> Vec<Difference> {
    let mut fields: Vec<&String> = expected.config.fields.keys().collect();
    fields.extend(actual.config.fields.keys());
    fields.sort();
    fields.dedup();
    fields
        .into_iter()
        .filter_map(|field| {
            let expected_value = expected.config.fields.get(field).unwrap_or(&Value::Null);
            let actual_value = actual.config.fields.get(field).unwrap_or(&Value::Null);
            (expected_value != actual_value).then(|| Difference::ConfigField {
                field: field.clone(),
                expected: expected_value.clone(),
                actual: actual_value.clone(),
            })
        })
        .collect()
}

fn compare_history(expected: &[HistoryEntry], actual: &[HistoryEntry]) -> Vec<Difference> {
    diff_sequences(expected, actual)
        .into_iter()
        .filter_map(|edit| match edit {
            SequenceEdit::Same { .. } => None,
            SequenceEdit::OnlyInLeft(index) => Some(Difference::HistoryOnlyInExpected {
                index,
                entry: expected.get(index).cloned().unwrap_or_default(),
            }),
            SequenceEdit::OnlyInRight(index) => Some(Difference::HistoryOnlyInActual {
                index,
                entry: actual.get(index).cloned().unwrap_or_default(),
            }),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::tree::FileTree;

    fn image(files: &[(&str, FileEntry)], env: Value, history: &[&str]) -> ImageSnapshot {
        let mut tree = FileTree::new();
        for (path, entry) in files {
            tree.insert((*path).to_string(), entry.clone());
        }
        let mut snapshot = ImageSnapshot {
            files: tree,
            ..ImageSnapshot::default()
        };
        snapshot.config.fields.insert("Env".into(), env);
        snapshot.history = history
            .iter()
            .map(|created_by| HistoryEntry {
                created_by: (*created_by).to_string(),
                empty_layer: created_by.starts_with("ENV"),
                comment: "buildkit.dockerfile.v0".into(),
            })
            .collect();
        snapshot
    }

    fn stock() -> ImageSnapshot {
        image(
            &[
                ("/app", FileEntry::directory(0o755, 0, 0)),
                ("/app/main", FileEntry::file(0o755, 0, 0, b"main")),
                ("/app/link", FileEntry::symlink("main")),
                (
                    "/root/.cache/pip/wheel",
                    FileEntry::file(0o644, 0, 0, b"wheel"),
                ),
            ],
            json!(["PATH=/usr/bin", "A=1"]),
            &["ENV A=1", "RUN make", "COPY . /app"],
        )
    }

    #[test]
    fn identical_images_are_equal() {
        let comparison = compare_images(
            &stock(),
            &stock(),
            &IgnorePatterns::default(),
            "stock",
            "cachefront",
        );
        assert!(comparison.is_equal());
        assert!(comparison.ignored.is_empty());
        insta::assert_snapshot!(comparison.to_string(), @"stock vs cachefront: equal (0 differences, 0 ignored)\n");
    }

    #[test]
    fn different_images_give_a_readable_diff() {
        let actual = image(
            &[
                ("/app", FileEntry::directory(0o755, 0, 0)),
                ("/app/main", FileEntry::file(0o700, 1000, 1000, b"other")),
                ("/app/link", FileEntry::symlink("/app/main")),
                ("/app/extra", FileEntry::file(0o644, 0, 0, b"")),
            ],
            json!(["PATH=/usr/bin", "A=2"]),
            &["ENV A=2", "RUN make", "COPY . /app"],
        );
        let ignore = IgnorePatterns::new(&["/root/.cache"]).unwrap_or_default();
        let comparison = compare_images(&stock(), &actual, &ignore, "stock", "cachefront");
        assert!(!comparison.is_equal());
        assert_eq!(comparison.ignored.len(), 1);
        insta::assert_snapshot!(comparison.to_string());
    }

    #[test]
    fn ignored_differences_alone_keep_images_equal() {
        let mut actual = stock();
        actual.files.remove_subtree("/root");
        let ignore = IgnorePatterns::new(&["/root/.cache/pip"]).unwrap_or_default();
        let comparison = compare_images(&stock(), &actual, &ignore, "stock", "cachefront");
        assert!(comparison.is_equal(), "{comparison}");
        assert_eq!(comparison.ignored.len(), 1);
        insta::assert_snapshot!(comparison.to_string());
    }
}
