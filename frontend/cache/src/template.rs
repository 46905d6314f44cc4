//! Cache path templates: where a tool keeps its cache, as a function of the environment.
//!
//! Input: a template string such as `$PIP_CACHE_DIR | $XDG_CACHE_HOME/pip | $HOME/.cache/pip`
//! and a variable lookup. Output: the first alternative whose variables are all set and
//! non-empty, as a clean absolute path. Invariants: parsing rejects malformed templates with a
//! [`TemplateError`]; resolution never guesses a variable whose value is not statically known
//! (it reports [`Resolution::Unknown`]) and never returns a relative path.
//!
//! Syntax: alternatives separated by `|`; in each, `$NAME` or `${NAME}` is a variable, and
//! `${NAME%%:*}` is the first element of a `:`-separated list (any one-character separator).

use std::fmt;

use crate::paths::clean_absolute_path;

/// The value of a variable as far as the planner knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VariableValue {
    /// Set to this (possibly empty) value.
    Set(String),
    /// Not set.
    Unset,
    /// Set by the script to a value only known at run time (e.g. `$(pwd)/cache`).
    Unknown,
}

/// One piece of an alternative.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Literal(String),
    Variable {
        name: String,
        first_of_list: Option<char>,
    },
}

/// A parsed cache path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    source: String,
    alternatives: Vec<Vec<Piece>>,
}

/// A malformed template.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// An alternative is empty (`a || b`, or an empty template).
    #[error("empty alternative in template {0:?}")]
    EmptyAlternative(String),
    /// `${` without a matching `}` or with an unsupported operator.
    #[error("unsupported variable expression {expression:?} in template {template:?}")]
    BadVariable {
        /// The template.
        template: String,
        /// The offending expression.
        expression: String,
    },
    /// An alternative that starts with neither `/` nor a variable.
    #[error("alternative {0:?} is not an absolute path")]
    NotAbsolute(String),
}

/// The result of resolving a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// The cache path.
    Path(String),
    /// The first applicable alternative uses a variable only known at run time.
    Unknown(String),
    /// The chosen alternative resolved to a relative path (relative to an unknown cwd).
    Relative(String),
    /// No alternative had all its variables set.
    Unresolved,
}

impl Template {
    /// Parses a template.
    pub fn parse(source: &str) -> Result<Self, TemplateError> {
        let mut alternatives = Vec::new();
        for alternative in source.split('|') {
            let alternative = alternative.trim();
            if alternative.is_empty() {
                return Err(TemplateError::EmptyAlternative(source.to_owned()));
            }
            if !alternative.starts_with('/') && !alternative.starts_with('$') {
                return Err(TemplateError::NotAbsolute(alternative.to_owned()));
            }
            alternatives.push(parse_alternative(source, alternative)?);
        }
        Ok(Self {
            source: source.to_owned(),
            alternatives,
        })
    }

    /// The template as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The variable names the template reads.
    pub fn variables(&self) -> impl Iterator<Item = &str> {
        self.alternatives
            .iter()
            .flatten()
            .filter_map(|piece| match piece {
                Piece::Variable { name, .. } => Some(name.as_str()),
                Piece::Literal(_) => None,
            })
    }

    /// Resolves the template with `lookup`.
    pub fn resolve(&self, lookup: &dyn Fn(&str) -> VariableValue) -> Resolution {
        'alternatives: for alternative in &self.alternatives {
            let mut path = String::new();
            for piece in alternative {
                match piece {
                    Piece::Literal(text) => path.push_str(text),
                    Piece::Variable {
                        name,
                        first_of_list,
                    } => match lookup(name) {
                        VariableValue::Unknown => return Resolution::Unknown(name.clone()),
                        VariableValue::Unset => continue 'alternatives,
                        VariableValue::Set(value) => {
                            let value = match first_of_list {
                                Some(separator) => {
                                    value.split(*separator).next().unwrap_or("").to_owned()
                                }
                                None => value,
                            };
                            if value.is_empty() {
                                continue 'alternatives;
                            }
                            path.push_str(&value);
                        }
                    },
                }
            }
            return match clean_absolute_path(&path) {
                Some(clean) => Resolution::Path(clean),
                None => Resolution::Relative(path),
            };
        }
        Resolution::Unresolved
    }
}

impl fmt::Display for Template {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.source)
    }
}

fn parse_alternative(template: &str, alternative: &str) -> Result<Vec<Piece>, TemplateError> {
    let bad = |expression: &str| TemplateError::BadVariable {
        template: template.to_owned(),
        expression: expression.to_owned(),
    };
    let mut pieces = Vec::new();
    let mut literal = String::new();
    let mut rest = alternative;
    while let Some(dollar) = rest.find('$') {
        literal.push_str(&rest[..dollar]);
        let after = &rest[dollar + 1..];
        let (name, first_of_list, consumed) = if let Some(braced) = after.strip_prefix('{') {
            let close = braced.find('}').ok_or_else(|| bad(&rest[dollar..]))?;
            let inner = &braced[..close];
            let (name, first_of_list) = match inner.split_once("%%") {
                None => (inner, None),
                Some((name, pattern)) => {
                    let mut chars = pattern.chars();
                    match (chars.next(), chars.next(), chars.next()) {
                        (Some(separator), Some('*'), None) => (name, Some(separator)),
                        _ => return Err(bad(inner)),
                    }
                }
            };
            (name, first_of_list, close + 2)
        } else {
            let length = after
                .find(|character: char| !(character.is_ascii_alphanumeric() || character == '_'))
                .unwrap_or(after.len());
            (&after[..length], None, length)
        };
        if !is_variable_name(name) {
            return Err(bad(&rest[dollar..dollar + 1 + consumed.min(after.len())]));
        }
        if !literal.is_empty() {
            pieces.push(Piece::Literal(std::mem::take(&mut literal)));
        }
        pieces.push(Piece::Variable {
            name: name.to_owned(),
            first_of_list,
        });
        rest = &after[consumed..];
    }
    literal.push_str(rest);
    if !literal.is_empty() {
        pieces.push(Piece::Literal(literal));
    }
    Ok(pieces)
}

/// Whether `name` is a shell variable name.
pub fn is_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(first) if first.is_ascii_alphabetic() || first == '_')
        && chars.all(|character| character.is_ascii_alphanumeric() || character == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup_from(
        pairs: &'static [(&'static str, &'static str)],
    ) -> impl Fn(&str) -> VariableValue {
        move |name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map_or(VariableValue::Unset, |(_, value)| {
                    if *value == "?" {
                        VariableValue::Unknown
                    } else {
                        VariableValue::Set((*value).to_owned())
                    }
                })
        }
    }

    #[test]
    fn first_alternative_with_all_variables_set_wins() {
        let template =
            Template::parse("$PIP_CACHE_DIR | ${XDG_CACHE_HOME}/pip | $HOME/.cache/pip").unwrap();
        let home_only = lookup_from(&[("HOME", "/home/app/")]);
        assert_eq!(
            template.resolve(&home_only),
            Resolution::Path("/home/app/.cache/pip".into())
        );
        let xdg = lookup_from(&[("HOME", "/root"), ("XDG_CACHE_HOME", "/cache")]);
        assert_eq!(
            template.resolve(&xdg),
            Resolution::Path("/cache/pip".into())
        );
        let empty_xdg = lookup_from(&[("HOME", "/root"), ("XDG_CACHE_HOME", "")]);
        assert_eq!(
            template.resolve(&empty_xdg),
            Resolution::Path("/root/.cache/pip".into())
        );
        let unknown = lookup_from(&[("HOME", "/root"), ("PIP_CACHE_DIR", "?")]);
        assert_eq!(
            template.resolve(&unknown),
            Resolution::Unknown("PIP_CACHE_DIR".into())
        );
        let relative = lookup_from(&[("PIP_CACHE_DIR", "cache")]);
        assert_eq!(
            template.resolve(&relative),
            Resolution::Relative("cache".into())
        );
    }

    #[test]
    fn first_of_list() {
        let template = Template::parse("$GOMODCACHE | ${GOPATH%%:*}/pkg/mod").unwrap();
        let lookup = lookup_from(&[("GOPATH", "/go:/other")]);
        assert_eq!(
            template.resolve(&lookup),
            Resolution::Path("/go/pkg/mod".into())
        );
        assert_eq!(template.resolve(&lookup_from(&[])), Resolution::Unresolved);
    }

    #[test]
    fn malformed_templates() {
        assert!(Template::parse("").is_err());
        assert!(Template::parse("/a || /b").is_err());
        assert!(Template::parse("relative/path").is_err());
        assert!(Template::parse("${UNCLOSED").is_err());
        assert!(Template::parse("${A:-b}").is_err());
        assert!(Template::parse("$1/x").is_err());
    }
}
