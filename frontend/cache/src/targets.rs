//! Cache targets: from detections to candidate mounts.
//!
//! Input: the detections of one rule, the analysis and the RUN input. Output: candidate mounts
//! (deduplicated by mount point) and skip reasons. Invariants: paths come from the command's
//! effective env (image env, script exports, prefix assignments, `sudo` resets) and HOME from
//! the user; a cache whose location is only known at run time, relative, or for an unknown user
//! is skipped with a reason; for a non-root user a cache deeper than a direct child of HOME is
//! relocated through its location env var, or skipped, because BuildKit would create missing
//! parent directories owned by root and the user could no longer write there.

use crate::candidate::Candidate;
use crate::detect::{Detection, RuleRef};
use crate::error::NotMounted;
use crate::input::RunInput;
use crate::paths::{clean_path, resolve_against};
use crate::placement::placement;
use crate::rules::{CacheCondition, CacheDir, CacheKind, CacheRule, DistroRequirement, Freshness};
use crate::shell::{Analysis, EffectiveUser, Invocation};
use crate::template::{Resolution, Template, VariableValue};
use crate::tools::{identify, ToolCall};

/// Candidate mounts for one rule.
pub(crate) fn rule_candidates(
    rule: RuleRef,
    detections: &[&Detection],
    analysis: &Analysis,
    input: &RunInput,
    skipped: &mut Vec<String>,
) -> Vec<Candidate> {
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut blocked: Vec<String> = Vec::new();
    let mut reasons: Vec<String> = Vec::new();
    if let RuleRef::Builtin(builtin) = rule {
        if let Some(reason) = distro_mismatch(builtin, input) {
            skipped.push(format!("{}: {reason}", builtin.name));
            return candidates;
        }
    }
    for detection in detections {
        let Some(invocation) = analysis.invocations.get(detection.invocation) else {
            continue;
        };
        let offline = match rule {
            RuleRef::Builtin(builtin) => is_offline(builtin, &detection.call, invocation, input),
            RuleRef::Extra(_) => input.offline,
        };
        let found = detection_candidates(rule, detection, invocation, analysis, input);
        let found = found.map(|(found, found_reasons)| {
            reasons.extend(found_reasons);
            found
        });
        match found {
            Ok(found) => {
                for candidate in found {
                    let populated = candidates
                        .iter()
                        .any(|existing| existing.mount_target == candidate.mount_target);
                    // An offline command reads the download cache from disk: fine when an
                    // earlier command of this RUN filled the mount, otherwise it must read
                    // the image, so that cache is not mounted at all.
                    if offline && candidate.kind == CacheKind::Download && !populated {
                        reasons.push(format!(
                            "{} not mounted: `{}` works offline from what is on disk",
                            candidate.natural_target,
                            crate::neutralise::describe(invocation, &detection.call)
                        ));
                        blocked.push(candidate.mount_target);
                        continue;
                    }
                    if !populated {
                        candidates.push(candidate);
                    }
                }
            }
            Err(reason) => reasons.push(reason.to_string()),
        }
    }
    candidates.retain(|candidate| !blocked.contains(&candidate.mount_target));
    // One cache id must not be mounted twice (a locked cache would wait for itself): when some
    // command needs the natural path (e.g. under `sudo`, which drops the relocation variable),
    // every command gets the natural path.
    let natural_placements: Vec<String> = candidates
        .iter()
        .filter(|candidate| candidate.mount_target == candidate.natural_target)
        .map(|candidate| candidate.natural_target.clone())
        .collect();
    candidates.retain(|candidate| {
        candidate.mount_target == candidate.natural_target
            || !natural_placements.contains(&candidate.natural_target)
    });
    reasons.sort();
    reasons.dedup();
    skipped.extend(
        reasons
            .into_iter()
            .map(|reason| format!("{}: {reason}", rule.name())),
    );
    candidates
}

/// The candidates of one detected command, plus reasons for caches left out; or why the
/// command gets none.
fn detection_candidates(
    rule: RuleRef,
    detection: &Detection,
    invocation: &Invocation,
    analysis: &Analysis,
    input: &RunInput,
) -> Result<(Vec<Candidate>, Vec<String>), NotMounted> {
    let owner = match &invocation.user {
        EffectiveUser::Root => (0, 0),
        EffectiveUser::RunUser => (input.user.uid, input.user.gid),
        EffectiveUser::Other(name) => return Err(NotMounted::UnknownUser(name.clone())),
    };
    match rule {
        RuleRef::Builtin(builtin) => {
            builtin_candidates(builtin, detection, invocation, analysis, input, owner)
        }
        RuleRef::Extra(extra) => {
            let lookup = |name: &str| invocation.variable(name, input.env);
            resolve(&extra.target, &lookup).map(|natural| {
                (
                    vec![Candidate {
                        rule: extra.tool.clone(),
                        natural_target: natural.clone(),
                        mount_target: natural,
                        sharing: extra.sharing,
                        kind: CacheKind::Download,
                        owner: owner_of(owner),
                        env: Vec::new(),
                    }],
                    Vec::new(),
                )
            })
        }
    }
}

fn owner_of((uid, gid): (u32, u32)) -> Option<(u32, u32)> {
    (uid != 0).then_some((uid, gid))
}

fn distro_mismatch(rule: &CacheRule, input: &RunInput) -> Option<String> {
    let distro = input.settings.distro.as_ref();
    let fits = match rule.distro {
        DistroRequirement::Any => true,
        DistroRequirement::DebianFamily => distro.is_none_or(|distro| distro.is_debian_family()),
        DistroRequirement::Alpine => distro.is_none_or(|distro| distro.is_alpine()),
        DistroRequirement::DnfBased => distro.is_some_and(|distro| {
            let major: u32 = distro
                .version_id
                .split('.')
                .next()
                .and_then(|major| major.parse().ok())
                .unwrap_or(0);
            distro.id == "fedora"
                || (distro.id == "amzn" && major >= 2023)
                || (distro.is_rhel_family() && distro.id != "amzn" && major >= 8)
        }),
    };
    if fits {
        return None;
    }
    Some(match distro {
        Some(distro) => format!("does not apply to {}", distro.scope_label()),
        None => "needs a known dnf-based base distro (EL8+, Fedora, Amazon Linux 2023)".to_owned(),
    })
}

/// Whether the command works offline from what is on disk.
pub(crate) fn is_offline(
    rule: &CacheRule,
    call: &ToolCall,
    invocation: &Invocation,
    input: &RunInput,
) -> bool {
    input.offline
        || has_argument(call, invocation, rule.offline_arguments)
        || env_has(invocation, input, rule.offline_env)
}

/// Whether any argument (alone, or joined with the next one by `=` or a space) is in `list`.
pub(crate) fn has_argument(call: &ToolCall, invocation: &Invocation, list: &[&str]) -> bool {
    let arguments = call.arguments(invocation);
    arguments.iter().enumerate().any(|(index, argument)| {
        let Some(argument) = argument else {
            return false;
        };
        let next = arguments.get(index + 1).copied().flatten();
        list.iter().any(|wanted| {
            *wanted == *argument
                || next.is_some_and(|next| {
                    *wanted == format!("{argument}={next}")
                        || *wanted == format!("{argument} {next}")
                })
        })
    })
}

/// Whether an env var has this value (or this word among whitespace-separated words).
pub(crate) fn env_has(invocation: &Invocation, input: &RunInput, pairs: &[(&str, &str)]) -> bool {
    pairs.iter().any(|(name, wanted)| {
        matches!(invocation.variable(name, input.env), VariableValue::Set(value)
            if value.eq_ignore_ascii_case(wanted) || value.split_whitespace().any(|word| word == *wanted))
    })
}

fn builtin_candidates(
    rule: &CacheRule,
    detection: &Detection,
    invocation: &Invocation,
    analysis: &Analysis,
    input: &RunInput,
    owner: (u32, u32),
) -> Result<(Vec<Candidate>, Vec<String>), NotMounted> {
    let call = &detection.call;
    if has_argument(call, invocation, rule.unsafe_arguments)
        || env_has(invocation, input, rule.unsafe_env)
    {
        return Err(NotMounted::UnsafeOptions);
    }
    if let Freshness::RequireRefresh { flags, subcommand } = rule.freshness {
        let refreshes_itself = has_argument(call, invocation, flags);
        let refreshed_before = analysis.invocations.iter().any(|earlier| {
            earlier.sequence < invocation.sequence
                && identify(earlier).is_some_and(|earlier_call| {
                    earlier_call.tool == call.tool
                        && earlier_call.operands(earlier).contains(&subcommand)
                })
        });
        if !refreshes_itself && !refreshed_before {
            return Err(NotMounted::NoRefresh {
                tool: call.tool.clone(),
                subcommand,
                flags: flags.join("/"),
            });
        }
    }
    let mut candidates = Vec::new();
    let mut reasons = Vec::new();
    for cache in rule.caches {
        if !condition_holds(cache, call, invocation, analysis, input, owner) {
            let berry = cache.conditions.contains(&CacheCondition::NotYarnBerry)
                && yarn_berry_signal(analysis, call, invocation, input);
            if berry {
                reasons.push(
                    "looks like yarn berry, whose Plug'n'Play runtime reads packages from its \
                     cache folder (set YARN_NODE_LINKER=node-modules to cache berry downloads)"
                        .to_owned(),
                );
            }
            continue;
        }
        let natural = match natural_target(cache, call, invocation, input) {
            Ok(Some(natural)) => natural,
            Ok(None) => continue,
            Err(reason) => {
                reasons.push(reason.to_string());
                continue;
            }
        };
        match placement(rule.name, cache, &natural, invocation, input, owner) {
            Ok((mount_target, env)) => candidates.push(Candidate {
                rule: rule.name.to_owned(),
                natural_target: natural,
                mount_target,
                sharing: cache.sharing,
                kind: cache.kind,
                owner: owner_of(owner),
                env,
            }),
            Err(reason) => reasons.push(reason.to_string()),
        }
    }
    Ok((candidates, reasons))
}

fn condition_holds(
    cache: &CacheDir,
    call: &ToolCall,
    invocation: &Invocation,
    analysis: &Analysis,
    input: &RunInput,
    owner: (u32, u32),
) -> bool {
    cache.conditions.iter().all(|condition| match condition {
        CacheCondition::IfResolved => true,
        CacheCondition::RootOnly => owner.0 == 0,
        CacheCondition::NonRootOnly => owner.0 != 0,
        CacheCondition::EnvEquals(name, value) => env_has(invocation, input, &[(name, value)]),
        CacheCondition::ProgramIs(program) => call.program == *program,
        CacheCondition::NotYarnBerry => !yarn_berry_signal(analysis, call, invocation, input),
    })
}

/// Whether anything suggests yarn berry rather than yarn 1: `corepack` in the RUN, a
/// berry-only flag or subcommand, or a berry-only `YARN_*` variable.
pub(crate) fn yarn_berry_signal(
    analysis: &Analysis,
    call: &ToolCall,
    invocation: &Invocation,
    input: &RunInput,
) -> bool {
    let corepack = analysis
        .invocations
        .iter()
        .any(|other| other.program() == Some("corepack"));
    let berry_argument = has_argument(
        call,
        invocation,
        &[
            "--immutable",
            "--immutable-cache",
            "--check-cache",
            "dlx",
            "set",
            "plugin",
        ],
    );
    let berry_variable = input
        .env
        .keys()
        .chain(invocation.variables.keys())
        .any(|name| {
            name.starts_with("YARN_ENABLE_")
                || name.starts_with("YARN_NPM_")
                || name.starts_with("YARN_PNP_")
                || matches!(name.as_str(), "YARN_NODE_LINKER" | "YARN_GLOBAL_FOLDER")
        });
    corepack || berry_argument || berry_variable
}

/// Where the tool keeps this cache; `Ok(None)` when an optional cache does not apply.
pub(crate) fn natural_target(
    cache: &CacheDir,
    call: &ToolCall,
    invocation: &Invocation,
    input: &RunInput,
) -> Result<Option<String>, NotMounted> {
    if let Some(prefix) = cache.argument_override {
        let overridden = call
            .arguments(invocation)
            .into_iter()
            .flatten()
            .find_map(|argument| argument.strip_prefix(prefix));
        if let Some(path) = overridden {
            return match (path.starts_with('/'), invocation.cwd.as_deref()) {
                (true, _) => Ok(Some(clean_path(path))),
                (false, Some(cwd)) => Ok(Some(resolve_against(cwd, path))),
                (false, None) => Err(NotMounted::RelativeToUnknownDirectory {
                    prefix,
                    path: path.to_owned(),
                }),
            };
        }
    }
    let template = Template::parse(cache.template)?;
    let lookup = |name: &str| {
        if name == "CACHEFRONT_TOOL_PREFIX" {
            return call
                .prefix
                .clone()
                .map_or(VariableValue::Unset, VariableValue::Set);
        }
        invocation.variable(name, input.env)
    };
    match resolve(&template, &lookup) {
        Ok(path) => Ok(Some(path)),
        Err(_) if cache.conditions.contains(&CacheCondition::IfResolved) => Ok(None),
        Err(reason) => Err(reason),
    }
}

/// Resolves a template to a clean absolute path, or says why not.
fn resolve(
    template: &Template,
    lookup: &dyn Fn(&str) -> VariableValue,
) -> Result<String, NotMounted> {
    match template.resolve(lookup) {
        Resolution::Path(path) => Ok(path),
        Resolution::Unknown(name) => Err(NotMounted::KnownOnlyAtRunTime(name)),
        Resolution::Relative(path) => Err(NotMounted::RelativeCachePath(path)),
        Resolution::Unresolved => Err(NotMounted::Unresolved(template.as_str().to_owned())),
    }
}
