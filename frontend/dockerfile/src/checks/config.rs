//! The check configuration, in: the `# check=` directive of a Dockerfile's bytes or the
//! `BUILDKIT_DOCKERFILE_CHECK` build argument; out: which rules are skipped or enabled and whether
//! findings fail the build. Invariant: reads and rejects exactly what BuildKit's
//! `ParseLintOptions` and `ParseDirective("check")` read and reject, with the same error texts.

use super::engine::Rule;
use crate::go_quote;

/// What `skip=`, `experimental=` and `error=` asked for. The default runs every non-experimental
/// rule and never fails the build.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckConfig {
    pub skip_all: bool,
    pub skip: Vec<String>,
    pub experimental_all: bool,
    pub experimental: Vec<String>,
    /// `error=true`: any finding fails the build.
    pub error: bool,
}

/// A check configuration that could not be read, worded as BuildKit words it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct CheckConfigError {
    pub message: String,
}

/// The build argument that overrides the directive.
pub const CHECK_BUILD_ARG: &str = "BUILDKIT_DOCKERFILE_CHECK";

impl CheckConfig {
    /// The configuration a build uses: the `BUILDKIT_DOCKERFILE_CHECK` build argument when it is
    /// given at all (even empty), else the `# check=` directive of `source`. BuildKit reads it
    /// before parsing the Dockerfile, so its error comes before any parse error.
    pub fn for_build(
        source: &[u8],
        build_arg: Option<&str>,
    ) -> Result<CheckConfig, CheckConfigError> {
        match build_arg {
            Some(value) => CheckConfig::parse(value).map_err(|reason| CheckConfigError {
                message: format!("failed to parse build-arg:{CHECK_BUILD_ARG}: {reason}"),
            }),
            None => CheckConfig::from_directive(source),
        }
    }

    /// The configuration of the `# check=` directive; the default when there is none.
    pub fn from_directive(source: &[u8]) -> Result<CheckConfig, CheckConfigError> {
        let value = check_directive(source).unwrap_or_default();
        CheckConfig::parse(&value).map_err(|reason| CheckConfigError {
            message: format!("failed to parse check options: {reason}"),
        })
    }

    /// Reads `skip=<rules>|all;error=<bool>;experimental=<rules>|all` (any subset, any order).
    /// Like BuildKit, the text is cut into at most three parts at `;`, so a fourth option ends
    /// up in the third one's value.
    pub fn parse(text: &str) -> Result<CheckConfig, String> {
        let text = text.trim();
        let mut config = CheckConfig::default();
        if text.is_empty() {
            return Ok(config);
        }
        for part in text.splitn(3, ';') {
            let Some((key, value)) = part.split_once('=') else {
                return Err(format!("invalid check option {}", go_quote(part)));
            };
            let value = value.trim();
            match key.trim() {
                "skip" if value == "all" => config.skip_all = true,
                "skip" => config.skip = rule_list(value),
                "experimental" if value == "all" => config.experimental_all = true,
                "experimental" => config.experimental = rule_list(value),
                "error" => {
                    config.error = parse_go_bool(value).ok_or_else(|| {
                        format!(
                            "failed to parse check option {}: strconv.ParseBool: parsing {}: invalid syntax",
                            go_quote(part),
                            go_quote(value)
                        )
                    })?;
                }
                other => return Err(format!("invalid check option {}", go_quote(other))),
            }
        }
        Ok(config)
    }

    /// The configuration of an instruction's own `# check=` comment (1.26's
    /// `WithMergedConfigFromComments`): the first comment above it that reads as a `check`
    /// directive, its value cut at the first space, merged into `self`. A comment whose value
    /// does not parse leaves `self` as it is (and ends the search).
    pub fn with_comments(&self, comments: &[String]) -> Option<CheckConfig> {
        let local = comments.iter().find_map(|comment| {
            let line = format!("#{comment}");
            let (key, value) = directive_line(&line)?;
            key.eq_ignore_ascii_case("check")
                .then(|| value.split(' ').next().unwrap_or_default().to_owned())
        })?;
        let local = CheckConfig::parse(&local).ok()?;
        Some(self.merged(&local))
    }

    /// `self` with `other`'s skips and experimental rules added (upstream's `WithMergedConfig`;
    /// `error=` is the build's alone).
    fn merged(&self, other: &CheckConfig) -> CheckConfig {
        let mut merged = self.clone();
        merged.skip_all |= other.skip_all;
        merged.experimental_all |= other.experimental_all;
        merged.skip.extend(other.skip.iter().cloned());
        merged
            .experimental
            .extend(other.experimental.iter().cloned());
        merged
    }

    /// Whether findings of `rule` are reported.
    pub fn enables(&self, rule: &Rule) -> bool {
        let named = |names: &[String]| names.iter().any(|name| name == rule.name);
        if rule.experimental {
            self.experimental_all || named(&self.experimental)
        } else {
            !(self.skip_all || named(&self.skip))
        }
    }
}

fn rule_list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(|rule| rule.trim().to_owned())
        .collect()
}

/// Go's `strconv.ParseBool`.
fn parse_go_bool(value: &str) -> Option<bool> {
    match value {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// The `# check=` directive's value as BuildKit's `ParseDirective` returns it: a BOM and a `#!`
/// first line are skipped, directives are read from column 0 until the first line that is not
/// one (or a repeated one), and the value is cut at its first space.
pub fn check_directive(source: &[u8]) -> Option<String> {
    let source = source.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(source);
    let text = String::from_utf8_lossy(source);
    let mut lines = text.split('\n').peekable();
    if lines.peek().is_some_and(|first| first.starts_with("#!")) {
        lines.next();
    }
    let mut seen: Vec<String> = Vec::new();
    let mut check = None;
    for line in lines {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let Some((key, value)) = directive_line(line) else {
            break;
        };
        let key = key.to_ascii_lowercase();
        if !matches!(key.as_str(), "syntax" | "escape" | "check") || seen.contains(&key) {
            break;
        }
        if key == "check" {
            let first_word = value.split(' ').next().unwrap_or_default();
            check = Some(first_word.to_owned());
        }
        seen.push(key);
    }
    check
}

/// `^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$` (Go's `\s`: tab, newline, form feed, CR, space).
fn directive_line(line: &str) -> Option<(&str, &str)> {
    let is_space = |c: char| matches!(c, '\t' | '\n' | '\x0c' | '\r' | ' ');
    let rest = line.strip_prefix('#')?.trim_start_matches(is_space);
    let key_end = rest
        .char_indices()
        .find(|(index, c)| !(c.is_ascii_alphabetic() || (*index > 0 && c.is_ascii_digit())))
        .map_or(rest.len(), |(index, _)| index);
    let (key, after_key) = rest.split_at(key_end);
    if key.is_empty() {
        return None;
    }
    let after_equals = after_key.trim_start_matches(is_space).strip_prefix('=')?;
    if after_equals.is_empty() {
        return None;
    }
    // The value needs one character; when only blanks follow `=`, the regexp hands one of them
    // to the value, which trims to nothing later.
    let value = after_equals.trim_matches(is_space);
    Some((key, if value.is_empty() { " " } else { value }))
}
