//! Human-readable rendering of a [`Plan`] for `cachefront explain` and progress output.
//!
//! Input: a plan. Output: text, one line per mount, file, env change, rewrite and skip.
//! Invariant: deterministic (plan order), no trailing spaces, empty string for an empty plan
//! with nothing skipped.

use std::fmt::Write;

use crate::plan::Plan;

/// Renders the plan's explanation and skipped lines, one per line.
pub fn render_plan(plan: &Plan) -> String {
    let mut text = String::new();
    for line in &plan.explanation {
        let _ = writeln!(text, "{line}");
    }
    for line in &plan.skipped {
        let _ = writeln!(text, "skipped: {line}");
    }
    text
}
