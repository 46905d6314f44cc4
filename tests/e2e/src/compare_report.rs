//! Renders a `Comparison` for people: input = the differences and ignored differences of two
//! images, output = an indented text report with sections for files, config, history and ignored
//! file differences. Invariants: sections keep the comparison's order; a section prints at most
//! `DISPLAY_LIMIT` entries and then says how many more there are; empty sections are omitted.

use std::fmt;

use crate::compare::{Comparison, Difference};
use crate::tree::FileEntry;

/// How many differences of one section are printed before summarizing the rest.
const DISPLAY_LIMIT: usize = 200;

/// Lists the attributes that differ between two entries of the same path.
fn describe_change(expected: &FileEntry, actual: &FileEntry) -> String {
    let mut parts = Vec::new();
    if expected.kind != actual.kind {
        parts.push(format!(
            "kind {} -> {}",
            expected.kind.name(),
            actual.kind.name()
        ));
    }
    if expected.mode != actual.mode {
        parts.push(format!("mode {:04o} -> {:04o}", expected.mode, actual.mode));
    }
    if (expected.uid, expected.gid) != (actual.uid, actual.gid) {
        parts.push(format!(
            "owner {}:{} -> {}:{}",
            expected.uid, expected.gid, actual.uid, actual.gid
        ));
    }
    if expected.size != actual.size {
        parts.push(format!("size {} -> {}", expected.size, actual.size));
    }
    if expected.sha256 != actual.sha256 {
        parts.push("content differs".to_string());
    }
    if expected.link_target != actual.link_target {
        parts.push(format!(
            "link {:?} -> {:?}",
            expected.link_target.as_deref().unwrap_or(""),
            actual.link_target.as_deref().unwrap_or("")
        ));
    }
    if expected.device != actual.device {
        parts.push(format!(
            "device {:?} -> {:?}",
            expected.device, actual.device
        ));
    }
    parts.join("; ")
}

impl Comparison {
    fn write_difference(
        &self,
        formatter: &mut fmt::Formatter<'_>,
        difference: &Difference,
    ) -> fmt::Result {
        let (expected, actual) = (&self.expected_label, &self.actual_label);
        match difference {
            Difference::FileOnlyInExpected { path, entry } => {
                writeln!(formatter, "    only in {expected}: {path}  {entry}")
            }
            Difference::FileOnlyInActual { path, entry } => {
                writeln!(formatter, "    only in {actual}: {path}  {entry}")
            }
            Difference::FileChanged {
                path,
                expected: expected_entry,
                actual: actual_entry,
            } => {
                let summary = describe_change(expected_entry, actual_entry);
                writeln!(formatter, "    changed: {path}: {summary}")?;
                writeln!(formatter, "        {expected}: {expected_entry}")?;
                writeln!(formatter, "        {actual}: {actual_entry}")
            }
            Difference::ConfigField {
                field,
                expected: expected_value,
                actual: actual_value,
            } => {
                writeln!(formatter, "    {field}:")?;
                writeln!(formatter, "        {expected}: {expected_value}")?;
                writeln!(formatter, "        {actual}: {actual_value}")
            }
            Difference::HistoryOnlyInExpected { index, entry } => {
                writeln!(formatter, "    - [{index}] {entry}")
            }
            Difference::HistoryOnlyInActual { index, entry } => {
                writeln!(formatter, "    + [{index}] {entry}")
            }
        }
    }

    fn write_section(
        &self,
        formatter: &mut fmt::Formatter<'_>,
        title: &str,
        differences: &[&Difference],
    ) -> fmt::Result {
        if differences.is_empty() {
            return Ok(());
        }
        writeln!(formatter, "  {title}:")?;
        for difference in differences.iter().take(DISPLAY_LIMIT) {
            self.write_difference(formatter, difference)?;
        }
        if differences.len() > DISPLAY_LIMIT {
            writeln!(
                formatter,
                "    ... and {} more",
                differences.len() - DISPLAY_LIMIT
            )?;
        }
        Ok(())
    }
}

impl fmt::Display for Comparison {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.is_equal() {
            "equal"
        } else {
            "DIFFERENT"
        };
        writeln!(
            formatter,
            "{} vs {}: {verdict} ({} differences, {} ignored{})",
            self.expected_label,
            self.actual_label,
            self.differences.len(),
            self.ignored.len(),
            match self.known.len() {
                0 => String::new(),
                known => format!(", {known} known engine differences"),
            }
        )?;
        let select = |wanted: fn(&Difference) -> bool| -> Vec<&Difference> {
            self.differences
                .iter()
                .filter(|difference| wanted(difference))
                .collect()
        };
        let files = select(|difference| difference.path().is_some());
        let config = select(|difference| matches!(difference, Difference::ConfigField { .. }));
        let history = select(|difference| {
            matches!(
                difference,
                Difference::HistoryOnlyInExpected { .. } | Difference::HistoryOnlyInActual { .. }
            )
        });
        self.write_section(formatter, "files", &files)?;
        self.write_section(formatter, "config", &config)?;
        let history_title = format!(
            "history (- only in {}, + only in {})",
            self.expected_label, self.actual_label
        );
        self.write_section(formatter, &history_title, &history)?;
        let ignored: Vec<&Difference> = self.ignored.iter().collect();
        let ignored_title = format!(
            "ignored file differences (ignore_paths: {})",
            self.ignore_patterns.join(", ")
        );
        self.write_section(formatter, &ignored_title, &ignored)?;
        for (name, difference) in &self.known {
            writeln!(formatter, "  known engine difference `{name}`:")?;
            self.write_difference(formatter, difference)?;
        }
        for name in &self.unseen_known {
            writeln!(
                formatter,
                "  known engine difference `{name}` is declared but did not show up: remove it \
                 from the case (and from the list if no case shows it any more)"
            )?;
        }
        Ok(())
    }
}
