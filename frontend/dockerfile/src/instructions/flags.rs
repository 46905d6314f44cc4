//! Instruction flags, in: a node's `--flag[=value]` words and the flags its instruction accepts;
//! out: the values of the flags used, or BuildKit's error (unknown, duplicate, missing value, bad
//! boolean). Invariant: as BuildKit's `BFlags.Parse` (dockerfile 1.26): `--` ends the flags,
//! string and boolean flags may appear once, list flags any number of times; messages name the
//! flag as written (`--link`), hints name it bare (`link`).

use std::collections::BTreeMap;

use crate::suggest::Hint;

/// Why BuildKit rejects an instruction's flags; `Display` is its text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FlagError {
    #[error("arg should start with -- : {argument}")]
    NotAFlag { argument: String },
    #[error("unknown flag: --{name}{hint}")]
    Unknown { name: String, hint: Hint },
    #[error("duplicate flag specified: --{name}")]
    Duplicate { name: String },
    #[error("missing a value on flag: --{name}")]
    MissingValue { name: String },
    #[error("expecting boolean value for flag --{name}, not: {value}")]
    NotBoolean { name: String, value: String },
}

/// What a flag holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FlagKind {
    Boolean,
    Text,
    List,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum FlagValue {
    Boolean(bool),
    Text(String),
    List(Vec<String>),
}

/// The flags an instruction used.
#[derive(Debug, Default)]
pub(super) struct UsedFlags {
    values: BTreeMap<String, FlagValue>,
}

impl UsedFlags {
    /// The value of a string flag, if given.
    pub(super) fn text(&self, name: &str) -> Option<String> {
        match self.values.get(name) {
            Some(FlagValue::Text(value)) => Some(value.clone()),
            _ => None,
        }
    }

    /// The value of a boolean flag, if given (`--link` alone is `true`).
    pub(super) fn boolean(&self, name: &str) -> Option<bool> {
        match self.values.get(name) {
            Some(FlagValue::Boolean(value)) => Some(*value),
            _ => None,
        }
    }

    /// Every value of a list flag, in order.
    pub(super) fn list(&self, name: &str) -> Vec<String> {
        match self.values.get(name) {
            Some(FlagValue::List(values)) => values.clone(),
            _ => Vec::new(),
        }
    }
}

/// Parses `arguments` against the `accepted` flags.
pub(super) fn parse_flags(
    arguments: &[String],
    accepted: &[(&str, FlagKind)],
) -> Result<UsedFlags, FlagError> {
    let mut used = UsedFlags::default();
    for argument in arguments {
        let Some(body) = argument.strip_prefix("--") else {
            return Err(FlagError::NotAFlag {
                argument: argument.clone(),
            });
        };
        if body.is_empty() {
            break;
        }
        let (name, value) = match body.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (body, None),
        };
        let Some((_, kind)) = accepted
            .iter()
            .find(|(accepted_name, _)| *accepted_name == name)
        else {
            let names: Vec<&str> = accepted
                .iter()
                .map(|(accepted_name, _)| *accepted_name)
                .collect();
            return Err(FlagError::Unknown {
                name: name.to_owned(),
                hint: Hint::new(name, &names, true),
            });
        };
        let previous = used.values.get(name);
        if previous.is_some() && *kind != FlagKind::List {
            return Err(FlagError::Duplicate {
                name: name.to_owned(),
            });
        }
        let parsed = match (kind, value) {
            (FlagKind::Boolean, None) => FlagValue::Boolean(true),
            (FlagKind::Boolean, Some("")) | (FlagKind::Text | FlagKind::List, None) => {
                return Err(FlagError::MissingValue {
                    name: name.to_owned(),
                })
            }
            (FlagKind::Boolean, Some(value)) => match value.to_lowercase().as_str() {
                "true" => FlagValue::Boolean(true),
                "false" => FlagValue::Boolean(false),
                _ => {
                    return Err(FlagError::NotBoolean {
                        name: name.to_owned(),
                        value: value.to_owned(),
                    })
                }
            },
            (FlagKind::Text, Some(value)) => FlagValue::Text(value.to_owned()),
            (FlagKind::List, Some(value)) => {
                let mut values = match previous {
                    Some(FlagValue::List(values)) => values.clone(),
                    _ => Vec::new(),
                };
                values.push(value.to_owned());
                FlagValue::List(values)
            }
        };
        used.values.insert(name.to_owned(), parsed);
    }
    Ok(used)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(flags: &[&str]) -> Vec<String> {
        flags.iter().map(|flag| (*flag).to_owned()).collect()
    }

    const ACCEPTED: &[(&str, FlagKind)] = &[
        ("link", FlagKind::Boolean),
        ("from", FlagKind::Text),
        ("mount", FlagKind::List),
    ];

    #[test]
    fn parses_kinds() {
        let used = parse_flags(
            &words(&["--link", "--from=a", "--mount=x", "--mount=y"]),
            ACCEPTED,
        );
        let used = used.unwrap_or_default();
        assert_eq!(used.boolean("link"), Some(true));
        assert_eq!(used.text("from").as_deref(), Some("a"));
        assert_eq!(used.list("mount"), vec!["x", "y"]);
        let used = parse_flags(&words(&["--link=FALSE"]), ACCEPTED).unwrap_or_default();
        assert_eq!(used.boolean("link"), Some(false));
    }

    #[test]
    fn reports_errors_as_buildkit() {
        let error = |flags: &[&str]| {
            parse_flags(&words(flags), ACCEPTED)
                .err()
                .map(|error| error.to_string())
                .unwrap_or_default()
        };
        assert_eq!(error(&["--boo"]), "unknown flag: --boo");
        assert_eq!(
            error(&["--lnk"]),
            "unknown flag: --lnk (did you mean link?)"
        );
        assert_eq!(
            error(&["--from=a", "--from=b"]),
            "duplicate flag specified: --from"
        );
        assert_eq!(error(&["--from"]), "missing a value on flag: --from");
        assert_eq!(error(&["--link="]), "missing a value on flag: --link");
        assert_eq!(
            error(&["--link=yes"]),
            "expecting boolean value for flag --link, not: yes"
        );
    }
}
