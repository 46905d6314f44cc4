//! The known differences between an engine's builtin Dockerfile frontend and cachefront, which
//! follows the newest stable upstream frontend on every engine: input = the engine a run uses,
//! the names a case declares (`"engine_differences"` in its case.json) and the comparison with the
//! stock build; output = which differences each name accounts for, and the declared names that
//! accounted for nothing. Invariants: this table is the one list (docs/engine-differences.md
//! documents every entry with its reason, checked by a test); a difference is allowed only when
//! the case names it and the run's engine is one it applies to; a named difference that does not
//! show up fails the case, so the list cannot outlive the behaviour it describes.

use std::fmt;

use crate::compare::{Comparison, Difference};
use crate::config::HistoryEntry;
use crate::history_rules;

/// The engines the suite runs on, told apart by the Docker server's major version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Engine {
    /// Docker 26.1 (BuildKit 0.13): its builtin frontend predates build checks and 1.x syntax
    /// promoted since.
    Docker26,
    /// Docker 28.5 (BuildKit 0.25): its builtin frontend is 1.19.
    Docker28,
}

impl Engine {
    /// The engine of a Docker server version (`26.1.5`, `28.5.2`); other versions are unknown
    /// to the list (their differences were never measured), so they get none.
    pub fn from_server_version(version: &str) -> Option<Engine> {
        match version.split('.').next()? {
            "26" => Some(Engine::Docker26),
            "28" => Some(Engine::Docker28),
            _ => None,
        }
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            Engine::Docker26 => "Docker 26",
            Engine::Docker28 => "Docker 28.5",
        })
    }
}

/// Whether stock's history entry text and cachefront's are the same entry in two formats.
pub type HistoryRule = fn(stock: &str, cachefront: &str) -> bool;

/// What a known difference allows.
#[derive(Clone, Copy)]
pub enum Allowance {
    /// The engine's builtin frontend rejects the Dockerfile with a message containing this text,
    /// where the newest frontend (and cachefront) builds it. The case's two cachefront images
    /// are then compared with each other.
    StockRejects(&'static str),
    /// A history entry reads differently: stock's entry and cachefront's entry at the same
    /// position (in order among the differing entries) satisfy the predicate.
    HistoryText(HistoryRule),
    /// Build-check findings differ (tests/e2e/tests/warnings.rs): the findings only one side
    /// reports are listed in the fixture's `check.json` under this name.
    CheckFindings,
}

impl fmt::Debug for Allowance {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Allowance::StockRejects(text) => write!(formatter, "StockRejects({text:?})"),
            Allowance::HistoryText(_) => formatter.write_str("HistoryText(..)"),
            Allowance::CheckFindings => formatter.write_str("CheckFindings"),
        }
    }
}

/// One entry of the list.
#[derive(Clone, Copy)]
pub struct EngineDifference {
    /// The name cases declare.
    pub name: &'static str,
    /// The engines whose builtin frontend differs this way.
    pub engines: &'static [Engine],
    /// Why, in one sentence (repeated in docs/engine-differences.md).
    pub reason: &'static str,
    pub allowance: Allowance,
}

impl fmt::Debug for EngineDifference {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("EngineDifference")
            .field("name", &self.name)
            .field("engines", &self.engines)
            .finish_non_exhaustive()
    }
}

/// The list.
pub const ENGINE_DIFFERENCES: &[EngineDifference] = &[
    EngineDifference {
        name: "expose-history-map",
        engines: &[Engine::Docker26],
        reason:
            "BuildKit 0.13 prints an EXPOSE history entry as a Go map (`EXPOSE map[80/tcp:{}]`); \
                 newer frontends print the port list (`EXPOSE [80/tcp]`), in the instruction's order",
        allowance: Allowance::HistoryText(expose_history_map),
    },
    EngineDifference {
        name: "arg-history-without-value",
        engines: &[Engine::Docker26],
        reason: "BuildKit 0.13 records an ARG with no default as its bare name; newer frontends \
                 record the value the build gives it (`ARG name=value`)",
        allowance: Allowance::HistoryText(arg_history_without_value),
    },
    EngineDifference {
        name: "add-unpack-unknown-flag",
        engines: &[Engine::Docker26],
        reason: "BuildKit 0.13's stable frontend does not know `ADD --unpack` (frontend 1.17 and \
                 later); newer frontends build it",
        allowance: Allowance::StockRejects("unknown flag: unpack"),
    },
    EngineDifference {
        name: "git-url-query",
        engines: &[Engine::Docker26],
        reason: "BuildKit 0.13's frontend passes a git URL's query (`?ref=`, `?branch=`, \
                 `?subdir=`, ...) on to git, which cannot fetch it; newer frontends read it",
        allowance: Allowance::StockRejects("git error: exit status 128"),
    },
    EngineDifference {
        name: "copy-parents-unknown-flag",
        engines: &[Engine::Docker26],
        reason: "BuildKit 0.13's stable frontend does not know `COPY --parents` (stable since \
                 frontend 1.20); newer frontends build it",
        allowance: Allowance::StockRejects("unknown flag: parents"),
    },
    EngineDifference {
        name: "run-device-ignored-without-cdi",
        engines: &[Engine::Docker26],
        reason: "BuildKit 0.13's stable frontend does not know `RUN --device`; the newest frontend \
                 refuses it as labs-only syntax only on engines with CDI (BuildKit 0.20+) and \
                 ignores it on older ones, so the build succeeds",
        allowance: Allowance::StockRejects("unknown flag: device"),
    },
    EngineDifference {
        name: "copy-exclude-unknown-flag",
        engines: &[Engine::Docker26],
        reason: "BuildKit 0.13's stable frontend does not know `COPY --exclude` / `ADD --exclude` \
                 (stable since frontend 1.19); newer frontends build it",
        allowance: Allowance::StockRejects("unknown flag: exclude"),
    },
    EngineDifference {
        name: "copy-parents-labs-in-1-19",
        engines: &[Engine::Docker28],
        reason: "Docker 28.5's builtin frontend 1.19 has `COPY --parents` in its labs channel \
                 only (stable since 1.20); newer frontends build it",
        allowance: Allowance::StockRejects("unknown flag: --parents"),
    },
    EngineDifference {
        name: "run-security-labs-in-1-19",
        engines: &[Engine::Docker28],
        reason: "Docker 28.5's builtin frontend 1.19 has `RUN --security` in its labs channel \
                 only (stable since 1.20); newer frontends build it",
        allowance: Allowance::StockRejects("unknown flag: --security"),
    },
    EngineDifference {
        name: "run-security-unknown-flag",
        engines: &[Engine::Docker26],
        reason: "BuildKit 0.13's stable frontend does not know `RUN --security` (stable since \
                 frontend 1.20); newer frontends build it",
        allowance: Allowance::StockRejects("unknown flag: security"),
    },
    EngineDifference {
        name: "secret-env-unknown-key",
        engines: &[Engine::Docker26],
        reason: "BuildKit 0.13's frontend does not know the `env` key of secret mounts \
                 (frontend 1.10 and later); newer frontends give the secret as a variable",
        allowance: Allowance::StockRejects("unexpected key 'env'"),
    },
    EngineDifference {
        name: "arg-history-default-not-value",
        engines: &[Engine::Docker26],
        reason: "BuildKit 0.13 records an ARG's default even when the build gives it another \
                 value (a build arg); newer frontends record the value (`ARG name=from-cli`)",
        allowance: Allowance::HistoryText(history_rules::arg_history_default_not_value),
    },
    EngineDifference {
        name: "run-history-build-args",
        engines: &[Engine::Docker26],
        reason: "BuildKit 0.13 lists in a RUN entry's `|N` prefix only the ARGs its own stage \
                 declared, repeating a name declared twice; newer frontends also list those of \
                 the stage it is built on, each name once",
        allowance: Allowance::HistoryText(history_rules::run_history_build_args),
    },
    EngineDifference {
        name: "healthcheck-history-fields",
        engines: &[Engine::Docker26, Engine::Docker28],
        reason: "frontends before 1.24 print a HEALTHCHECK entry as Go's `%q` of the config \
                 (`HEALTHCHECK &{[\"CMD\" \"x\"] \"30s\" ... '\\x03'}`); 1.24 and newer print \
                 its fields (`HEALTHCHECK {Test:[CMD x] Interval:30s ... Retries:3}`)",
        allowance: Allowance::HistoryText(history_rules::healthcheck_history_fields),
    },
    EngineDifference {
        name: "check-comment-directives",
        engines: &[Engine::Docker28],
        reason: "frontend 1.21 applies a `# check=skip=` or `experimental=` comment right above an \
                 instruction to that instruction; 1.19 treats it as an ordinary comment",
        allowance: Allowance::CheckFindings,
    },
    EngineDifference {
        name: "copy-ignored-file-not-experimental",
        engines: &[Engine::Docker28],
        reason: "frontend 1.21 runs CopyIgnoredFile by default (and cleans the source path first); \
                 in 1.19 it is experimental and off",
        allowance: Allowance::CheckFindings,
    },
    EngineDifference {
        name: "secrets-file-version-names",
        engines: &[Engine::Docker28],
        reason: "frontend 1.22 stopped flagging ARG and ENV names with a `file` or `version` part \
                 (TOKEN_FILE, KEY_VERSION) as secrets; 1.19 flags them",
        allowance: Allowance::CheckFindings,
    },
];

/// `EXPOSE map[80/tcp:{} 8080/udp:{}]` against `EXPOSE [80/tcp 8080/udp]`.
fn expose_history_map(stock: &str, cachefront: &str) -> bool {
    let Some(ports) = stock
        .strip_prefix("EXPOSE map[")
        .and_then(|rest| rest.strip_suffix(']'))
    else {
        return false;
    };
    let listed: Vec<&str> = ports
        .split(' ')
        .map(|port| port.strip_suffix(":{}").unwrap_or(port))
        .collect();
    // The list keeps the instruction's order and repeats; the map is sorted and has each once.
    let Some(mut newest) = cachefront
        .strip_prefix("EXPOSE [")
        .and_then(|rest| rest.strip_suffix(']'))
        .map(|ports| ports.split(' ').collect::<Vec<&str>>())
    else {
        return false;
    };
    newest.sort_unstable();
    newest.dedup();
    newest == listed
}

/// `ARG name` against `ARG name=value` (each name of the entry, in order).
fn arg_history_without_value(stock: &str, cachefront: &str) -> bool {
    let (Some(stock_names), Some(cachefront_pairs)) =
        (stock.strip_prefix("ARG "), cachefront.strip_prefix("ARG "))
    else {
        return false;
    };
    stock_names != cachefront_pairs
        && stock_names.split(' ').count() == cachefront_pairs.split(' ').count()
        && stock_names
            .split(' ')
            .zip(cachefront_pairs.split(' '))
            .all(|(name, pair)| {
                name == pair
                    || pair
                        .strip_prefix(name)
                        .is_some_and(|rest| rest.starts_with('='))
            })
}

/// Looks up a declared name.
pub fn find(name: &str) -> Option<&'static EngineDifference> {
    ENGINE_DIFFERENCES.iter().find(|entry| entry.name == name)
}

/// The declared differences that apply on `engine`.
pub fn applying(
    declared: &[&'static EngineDifference],
    engine: Option<Engine>,
) -> Vec<&'static EngineDifference> {
    declared
        .iter()
        .copied()
        .filter(|entry| engine.is_some_and(|engine| entry.engines.contains(&engine)))
        .collect()
}

/// The `StockRejects` text among the differences that apply, if any.
pub fn stock_rejection(
    applying: &[&'static EngineDifference],
) -> Option<(&'static str, &'static str)> {
    applying.iter().find_map(|entry| match entry.allowance {
        Allowance::StockRejects(text) => Some((entry.name, text)),
        Allowance::HistoryText(_) | Allowance::CheckFindings => None,
    })
}

/// Moves the differences of `comparison` that the applying entries allow into its `known`
/// list, and records in `unseen_known` every applying image entry that allowed nothing.
pub fn account(comparison: &mut Comparison, applying: &[&'static EngineDifference]) {
    let history_rules: Vec<(&'static str, HistoryRule)> = applying
        .iter()
        .filter_map(|entry| match entry.allowance {
            Allowance::HistoryText(rule) => Some((entry.name, rule)),
            Allowance::StockRejects(_) | Allowance::CheckFindings => None,
        })
        .collect();
    let (stock_entries, cachefront_entries) = differing_history(&comparison.differences);
    let mut allowed: Vec<(usize, usize, &'static str)> = Vec::new();
    for (stock_position, cachefront_position) in stock_entries.iter().zip(&cachefront_entries) {
        let (stock, cachefront) = (&stock_position.1, &cachefront_position.1);
        if let Some((name, _)) = history_rules.iter().find(|(_, rule)| {
            rule(&stock.created_by, &cachefront.created_by)
                && stock.empty_layer == cachefront.empty_layer
        }) {
            allowed.push((stock_position.0, cachefront_position.0, name));
        }
    }
    let mut kept = Vec::new();
    for (position, difference) in comparison.differences.drain(..).enumerate() {
        let name = allowed
            .iter()
            .find(|(stock, cachefront, _)| *stock == position || *cachefront == position)
            .map(|(_, _, name)| *name);
        match name {
            Some(name) => comparison.known.push((name, difference)),
            None => kept.push(difference),
        }
    }
    comparison.differences = kept;
    comparison.unseen_known = history_rules
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| !comparison.known.iter().any(|(known, _)| known == name))
        .collect();
}

/// The history differences, each with its position in `differences`: stock's entries and
/// cachefront's entries, in order.
type Positioned = Vec<(usize, HistoryEntry)>;
fn differing_history(differences: &[Difference]) -> (Positioned, Positioned) {
    let mut stock = Vec::new();
    let mut cachefront = Vec::new();
    for (position, difference) in differences.iter().enumerate() {
        match difference {
            Difference::HistoryOnlyInExpected { entry, .. } => {
                stock.push((position, entry.clone()))
            }
            Difference::HistoryOnlyInActual { entry, .. } => {
                cachefront.push((position, entry.clone()))
            }
            _ => {}
        }
    }
    (stock, cachefront)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_documented_with_their_reason() {
        let documentation = include_str!("../../../docs/engine-differences.md");
        for (position, entry) in ENGINE_DIFFERENCES.iter().enumerate() {
            assert!(
                !ENGINE_DIFFERENCES[..position]
                    .iter()
                    .any(|earlier| earlier.name == entry.name),
                "{} is listed twice",
                entry.name
            );
            assert!(
                documentation.contains(&format!("`{}`", entry.name)),
                "docs/engine-differences.md does not document {}",
                entry.name
            );
            assert!(
                !entry.engines.is_empty(),
                "{} applies to no engine",
                entry.name
            );
        }
        let documented = documentation
            .lines()
            .filter_map(|line| line.strip_prefix("## `"))
            .filter_map(|rest| rest.split('`').next());
        for name in documented {
            assert!(
                find(name).is_some(),
                "docs/engine-differences.md documents {name}, which the list lacks"
            );
        }
    }

    fn history(created_by: &str) -> HistoryEntry {
        HistoryEntry {
            created_by: created_by.into(),
            empty_layer: true,
            comment: "buildkit.dockerfile.v0".into(),
        }
    }

    fn comparison(pairs: &[(&str, &str)]) -> Comparison {
        let mut differences = Vec::new();
        for (index, (stock, _)) in pairs.iter().enumerate() {
            differences.push(Difference::HistoryOnlyInExpected {
                index,
                entry: history(stock),
            });
        }
        for (index, (_, cachefront)) in pairs.iter().enumerate() {
            differences.push(Difference::HistoryOnlyInActual {
                index,
                entry: history(cachefront),
            });
        }
        Comparison {
            expected_label: "stock".into(),
            actual_label: "cachefront".into(),
            differences,
            ignored: Vec::new(),
            ignore_patterns: Vec::new(),
            known: Vec::new(),
            unseen_known: Vec::new(),
        }
    }

    fn entries(names: &[&str]) -> Vec<&'static EngineDifference> {
        names.iter().filter_map(|name| find(name)).collect()
    }

    #[test]
    fn declared_differences_account_for_their_entries_only() {
        let mut mixed = comparison(&[
            ("EXPOSE map[80/tcp:{}]", "EXPOSE [80/tcp]"),
            ("ENV A=1", "ENV A=2"),
        ]);
        account(&mut mixed, &entries(&["expose-history-map"]));
        assert_eq!(mixed.known.len(), 2, "{mixed}");
        assert_eq!(mixed.differences.len(), 2, "{mixed}");
        assert!(!mixed.is_equal());

        let mut known_only = comparison(&[("EXPOSE map[80/tcp:{}]", "EXPOSE [80/tcp]")]);
        account(&mut known_only, &entries(&["expose-history-map"]));
        assert!(known_only.is_equal(), "{known_only}");
    }

    #[test]
    fn a_declared_difference_that_does_not_show_fails_the_case() {
        let mut unchanged = comparison(&[]);
        account(
            &mut unchanged,
            &entries(&["expose-history-map", "arg-history-without-value"]),
        );
        assert_eq!(
            unchanged.unseen_known,
            ["expose-history-map", "arg-history-without-value"]
        );
        assert!(!unchanged.is_equal());
    }

    #[test]
    fn differences_apply_only_on_their_engines() {
        let declared = entries(&["expose-history-map"]);
        assert_eq!(applying(&declared, Some(Engine::Docker26)).len(), 1);
        assert!(applying(&declared, Some(Engine::Docker28)).is_empty());
        assert!(applying(&declared, None).is_empty());
        assert_eq!(
            Engine::from_server_version("26.1.5+dfsg1"),
            Some(Engine::Docker26)
        );
        assert_eq!(
            Engine::from_server_version("28.5.2"),
            Some(Engine::Docker28)
        );
        assert_eq!(Engine::from_server_version("29.0.0"), None);
    }

    #[test]
    fn expose_map_matches_only_the_same_ports() {
        assert!(expose_history_map(
            "EXPOSE map[80/tcp:{} 8080/udp:{}]",
            "EXPOSE [80/tcp 8080/udp]"
        ));
        assert!(!expose_history_map(
            "EXPOSE map[80/tcp:{} 8080/udp:{}]",
            "EXPOSE [80/tcp 8081/udp]"
        ));
        assert!(!expose_history_map("EXPOSE [80/tcp]", "EXPOSE [80/tcp]"));
        assert!(expose_history_map(
            "EXPOSE map[5000/tcp:{} 80/tcp:{}]",
            "EXPOSE [80/tcp 5000/tcp 80/tcp]"
        ));
    }

    #[test]
    fn arg_without_value_matches_only_added_values() {
        assert!(arg_history_without_value("ARG group", "ARG group=nobody"));
        assert!(arg_history_without_value("ARG a b=2", "ARG a=1 b=2"));
        assert!(!arg_history_without_value("ARG group", "ARG other=nobody"));
        assert!(!arg_history_without_value("ARG a=1", "ARG a=1"));
        assert!(!arg_history_without_value("ARG a=1", "ARG a=2"));
    }
}
