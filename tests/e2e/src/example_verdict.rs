//! Judges an example's differential verdict: input = a `Verdict` of stock vs cachefront, output
//! = whether the images are equivalent under the cache contract, and a short report. Invariants:
//! the only difference allowed beyond the ignored cache paths is a directory the stock image has
//! solely as the parent of an ignored cache (`/root/.cache` when pip's cache is
//! `/root/.cache/pip`): cachefront relocates such caches, so the tool never creates that parent;
//! anything else in it would show as its own difference. Python bytecode (`__pycache__/*.pyc`)
//! may differ in content only, with equal size, mode and owner: its header holds the source
//! file's mtime, which is the second pip installed it, so even two stock builds differ there.
//! A fallback to the stock frontend fails.

use std::fmt::Write as _;

use crate::compare::{Comparison, Difference};
use crate::differential::{Outcome, Verdict};
use crate::tree::FileKind;

/// The judgement of one example's verdict.
#[derive(Debug, Clone)]
pub struct ExampleJudgement {
    pub passed: bool,
    /// One paragraph per cachefront way: ignored differences, allowed cache parents; the full
    /// verdict when something failed.
    pub report: String,
}

/// Whether `verdict` shows images equal up to the ignored caches and their parents.
pub fn judge_example(verdict: &Verdict) -> ExampleJudgement {
    let mut passed = verdict.fell_back.is_empty();
    let mut report = String::new();
    if !passed {
        let _ = writeln!(
            report,
            "cachefront fell back to the stock frontend in {:?}",
            verdict.fell_back
        );
    }
    for (frontend, outcome) in &verdict.outcomes {
        let Outcome::Compared(comparison) = outcome else {
            passed &= outcome.passed();
            continue;
        };
        let (parents, rest): (Vec<&Difference>, Vec<&Difference>) = comparison
            .differences
            .iter()
            .partition(|difference| is_cache_parent(difference, comparison));
        let (bytecode, others): (Vec<&Difference>, Vec<&Difference>) = rest
            .into_iter()
            .partition(|difference| is_bytecode_timestamp(difference));
        passed &= others.is_empty();
        let _ = writeln!(
            report,
            "stock vs {frontend}: {} other differences, {} .pyc headers, {} ignored under {:?}, \
             cache parents only in stock: {:?}",
            others.len(),
            bytecode.len(),
            comparison.ignored.len(),
            comparison.ignore_patterns,
            parents
                .iter()
                .filter_map(|difference| difference.path())
                .collect::<Vec<_>>()
        );
    }
    if !passed {
        let _ = write!(report, "{verdict}");
    }
    ExampleJudgement { passed, report }
}

/// A directory only in the stock image that is a strict ancestor of an ignored cache path.
fn is_cache_parent(difference: &Difference, comparison: &Comparison) -> bool {
    let Difference::FileOnlyInExpected { path, entry } = difference else {
        return false;
    };
    if entry.kind != FileKind::Directory {
        return false;
    }
    let prefix = format!("{}/", path.trim_end_matches('/'));
    comparison
        .ignore_patterns
        .iter()
        .map(|pattern| literal_prefix(pattern))
        .any(|literal| literal.starts_with(&prefix) && literal.len() > prefix.len())
}

/// A `__pycache__/*.pyc` file whose content differs but whose size, mode and owner do not.
fn is_bytecode_timestamp(difference: &Difference) -> bool {
    let Difference::FileChanged {
        path,
        expected,
        actual,
    } = difference
    else {
        return false;
    };
    path.ends_with(".pyc")
        && path.contains("/__pycache__/")
        && expected.kind == FileKind::File
        && actual.kind == FileKind::File
        && (expected.mode, expected.uid, expected.gid, expected.size)
            == (actual.mode, actual.uid, actual.gid, actual.size)
}

/// `pattern` up to its first component with a wildcard, which is kept as `/*` (so a pattern's
/// directory counts as the parent of what it matches).
fn literal_prefix(pattern: &str) -> String {
    let components: Vec<&str> = pattern.split('/').collect();
    let literal: Vec<&str> = components
        .iter()
        .copied()
        .take_while(|component| !component.contains(['*', '?', '[']))
        .collect();
    if literal.len() == components.len() {
        literal.join("/")
    } else {
        format!("{}/*", literal.join("/"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::FileEntry;

    fn directory() -> FileEntry {
        FileEntry {
            kind: FileKind::Directory,
            mode: 0o755,
            uid: 0,
            gid: 0,
            size: 0,
            sha256: None,
            link_target: None,
            device: None,
        }
    }

    #[test]
    fn only_parents_of_ignored_caches_are_allowed() {
        let comparison = Comparison {
            expected_label: "stock".into(),
            actual_label: "cachefront".into(),
            differences: vec![],
            ignored: vec![],
            ignore_patterns: vec!["/root/.cache/pip".into(), "/var/log/*.log".into()],
            known: vec![],
            unseen_known: vec![],
        };
        let only = |path: &str| Difference::FileOnlyInExpected {
            path: path.into(),
            entry: directory(),
        };
        assert!(is_cache_parent(&only("/root/.cache"), &comparison));
        assert!(is_cache_parent(&only("/root"), &comparison));
        assert!(is_cache_parent(&only("/var/log"), &comparison));
        assert!(!is_cache_parent(&only("/var/log/x.log"), &comparison));
        assert!(!is_cache_parent(&only("/root/.cache/pip"), &comparison));
        assert!(!is_cache_parent(&only("/root/.cach"), &comparison));
        assert!(!is_cache_parent(&only("/home"), &comparison));
    }

    #[test]
    fn bytecode_may_differ_in_content_only() {
        let changed = |path: &str, expected: &[u8], actual: &[u8]| Difference::FileChanged {
            path: path.into(),
            expected: FileEntry::file(0o644, 0, 0, expected),
            actual: FileEntry::file(0o644, 0, 0, actual),
        };
        assert!(is_bytecode_timestamp(&changed(
            "/a/__pycache__/b.cpython-311.pyc",
            b"12",
            b"34"
        )));
        assert!(!is_bytecode_timestamp(&changed(
            "/a/__pycache__/b.cpython-311.pyc",
            b"12",
            b"345"
        )));
        assert!(!is_bytecode_timestamp(&changed("/a/b.py", b"12", b"34")));
    }
}
