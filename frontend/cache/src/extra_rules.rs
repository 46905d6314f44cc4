//! User-supplied rules from the `CACHEFRONT_RULES` build arg.
//!
//! Input: the build arg's value. Output: a list of [`ExtraRule`]s, or an [`ExtraRuleError`]
//! naming the bad entry. Invariant: every returned rule has a valid tool name and template.
//!
//! Format: entries separated by `;` or newlines, each `tool=target[,sharing]`:
//! - `tool` is a command name as invoked (its basename), e.g. `bazel`;
//! - `target` is a cache path template (see [`crate::template`]), e.g.
//!   `$BAZEL_CACHE | $HOME/.cache/bazel`;
//! - `sharing` is `shared` (default), `private` or `locked`.
//!
//! Example: `--build-arg 'CACHEFRONT_RULES=bazel=$HOME/.cache/bazel,locked;ccache=/ccache'`.
//! An extra rule mounts its target whenever the tool is invoked; the user vouches that the
//! directory is a pure cache.

use crate::plan::Sharing;
use crate::template::{Template, TemplateError};

/// One user-supplied rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtraRule {
    /// The command name that triggers the rule.
    pub tool: String,
    /// Where the cache lives.
    pub target: Template,
    /// How concurrent builds share it.
    pub sharing: Sharing,
}

/// A malformed `CACHEFRONT_RULES` entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtraRuleError {
    /// No `=` between the tool and the target.
    #[error("entry {0:?} is not of the form tool=target[,sharing]")]
    MissingEquals(String),
    /// The tool name is empty or contains characters a command name does not.
    #[error("entry {entry:?} has an invalid tool name {tool:?}")]
    BadTool {
        /// The entry.
        entry: String,
        /// The tool name.
        tool: String,
    },
    /// The sharing mode is not shared, private or locked.
    #[error("entry {entry:?} has sharing {sharing:?}; expected shared, private or locked")]
    BadSharing {
        /// The entry.
        entry: String,
        /// The sharing mode.
        sharing: String,
    },
    /// The target template is malformed.
    #[error("entry {entry:?}: {source}")]
    BadTarget {
        /// The entry.
        entry: String,
        /// Why the template is malformed.
        source: TemplateError,
    },
}

/// Parses the value of `CACHEFRONT_RULES`.
pub fn parse_extra_rules(value: &str) -> Result<Vec<ExtraRule>, ExtraRuleError> {
    value
        .split([';', '\n'])
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(parse_entry)
        .collect()
}

fn parse_entry(entry: &str) -> Result<ExtraRule, ExtraRuleError> {
    let (tool, rest) = entry
        .split_once('=')
        .ok_or_else(|| ExtraRuleError::MissingEquals(entry.to_owned()))?;
    let tool = tool.trim();
    let valid_tool = !tool.is_empty()
        && tool
            .chars()
            .all(|character| character.is_ascii_alphanumeric() || "._+-".contains(character));
    if !valid_tool {
        return Err(ExtraRuleError::BadTool {
            entry: entry.to_owned(),
            tool: tool.to_owned(),
        });
    }
    let (target, sharing) = match rest.rsplit_once(',') {
        Some((target, sharing)) => {
            let sharing =
                Sharing::parse(sharing.trim()).ok_or_else(|| ExtraRuleError::BadSharing {
                    entry: entry.to_owned(),
                    sharing: sharing.trim().to_owned(),
                })?;
            (target, sharing)
        }
        None => (rest, Sharing::Shared),
    };
    let target = Template::parse(target.trim()).map_err(|source| ExtraRuleError::BadTarget {
        entry: entry.to_owned(),
        source,
    })?;
    Ok(ExtraRule {
        tool: tool.to_owned(),
        target,
        sharing,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_entries() {
        let rules = parse_extra_rules(
            "bazel=$BAZEL_CACHE | $HOME/.cache/bazel,locked;\n mytool=/var/cache/mytool",
        )
        .unwrap();
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[0].tool, "bazel");
        assert_eq!(
            rules[0].target.as_str(),
            "$BAZEL_CACHE | $HOME/.cache/bazel"
        );
        assert_eq!(rules[0].sharing, Sharing::Locked);
        assert_eq!(rules[1].sharing, Sharing::Shared);
    }

    #[test]
    fn rejects_bad_entries() {
        insta::assert_snapshot!([
            "no-equals",
            "=/x",
            "a b=/x",
            "tool=/x,sometimes",
            "tool=relative",
        ]
        .iter()
        .map(|entry| parse_extra_rules(entry).unwrap_err().to_string())
        .collect::<Vec<_>>()
        .join("\n"));
    }
}
