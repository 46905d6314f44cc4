//! The check engine's data, in: rule definitions and the findings rules report; out: the findings
//! that survive the check configuration, in report order, and the `error=true` failure text.
//! Invariant: a rule is filtered exactly as BuildKit's linter does: an experimental rule runs only
//! when named in `experimental=` (or `experimental=all`) and then ignores `skip=`; any other rule
//! runs unless `skip=all` or named in `skip=`.

use super::config::CheckConfig;
use crate::parse::Span;

/// One build check as upstream defines it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// The rule's name, e.g. `FromAsCasing`; `skip=` and `experimental=` name rules this way.
    pub name: &'static str,
    /// The rule's one-sentence description (the warning's detail).
    pub description: &'static str,
    /// The rule's documentation page; empty for a rule upstream gives no page.
    pub url: &'static str,
    /// Experimental rules are off unless the configuration enables them.
    pub experimental: bool,
}

/// One finding: a rule, its message and the Dockerfile lines it points at (1-based, inclusive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static Rule,
    pub message: String,
    pub spans: Vec<Span>,
}

impl Finding {
    /// The first line the finding points at, 0 when it points nowhere.
    pub fn line(&self) -> usize {
        self.spans.first().map_or(0, |span| span.start)
    }

    /// The one-line form BuildKit prints: `Rule: message (line N)`.
    pub fn short(&self) -> String {
        let text = format!("{}: {}", self.rule.name, self.message);
        match self.line() {
            0 => text,
            line => format!("{text} (line {line})"),
        }
    }
}

/// The outcome of running the checks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Findings in the order BuildKit reports them.
    pub findings: Vec<Finding>,
    /// With `error=true` and at least one finding: the error the build fails with.
    pub error: Option<String>,
}

/// Collects findings, dropping the ones the configuration turns off.
pub(super) struct Emitter<'a> {
    config: &'a CheckConfig,
    /// The configuration merged with the current instruction's own `# check=` comment.
    scope: Option<CheckConfig>,
    findings: Vec<Finding>,
}

impl<'a> Emitter<'a> {
    pub(super) fn new(config: &'a CheckConfig) -> Emitter<'a> {
        Emitter {
            config,
            scope: None,
            findings: Vec::new(),
        }
    }

    /// Applies an instruction's `# check=` comment (its node's comments) to the findings
    /// reported until the next call; an empty list returns to the build's configuration.
    pub(super) fn scope(&mut self, comments: &[String]) {
        self.scope = self.config.with_comments(comments);
    }

    /// Reports `message` for `rule` at `spans` unless the configuration turns the rule off.
    pub(super) fn emit(&mut self, rule: &'static Rule, spans: Vec<Span>, message: String) {
        let config = self.scope.as_ref().unwrap_or(self.config);
        if config.enables(rule) {
            self.findings.push(Finding {
                rule,
                message,
                spans,
            });
        }
    }

    /// Reports at an instruction's lines: like BuildKit's `Node.Location()`, one range per line.
    pub(super) fn emit_at(&mut self, rule: &'static Rule, span: Span, message: String) {
        let lines = (span.start..=span.end.max(span.start))
            .map(Span::line)
            .collect();
        self.emit(rule, lines, message);
    }

    pub(super) fn finish(self) -> Report {
        let error = if self.config.error && !self.findings.is_empty() {
            let mut names: Vec<&str> = Vec::new();
            for finding in &self.findings {
                if !names.contains(&finding.rule.name) {
                    names.push(finding.rule.name);
                }
            }
            Some(format!(
                "lint violation found for rules: {}",
                names.join(", ")
            ))
        } else {
            None
        };
        Report {
            findings: self.findings,
            error,
        }
    }
}
