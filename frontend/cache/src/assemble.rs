//! Assembling the plan: applying all rules' rewrites together and filling the [`Plan`].
//!
//! Input: the per-rule plans that passed the safety checks. Output: the final [`Plan`] (mounts
//! with ids, files, env, rewritten command, explanation). Invariants: rewrites of all rules are
//! applied in one pass; a rule whose rewrites collide with an earlier rule's is dropped whole;
//! `rm` commands whose every operand is a cache mount become `true`.

use std::collections::{BTreeMap, BTreeSet};

use crate::cache_id::cache_id;
use crate::candidate::Candidate;
use crate::input::RunInput;
use crate::neutralise::Neutralisation;
use crate::plan::{CacheMount, FileMount, Plan, RewrittenHeredoc, ToolMount};
use crate::safety::Removal;
use crate::shell::edit::{apply_edits, Edit, EditKind, Rewritten};
use crate::shell::Analysis;

/// Everything one rule contributes.
#[derive(Debug, Clone, Default)]
pub(crate) struct RulePlan {
    pub(crate) name: String,
    pub(crate) candidates: Vec<Candidate>,
    pub(crate) neutralisation: Neutralisation,
    pub(crate) dropped_operands: BTreeSet<(usize, usize)>,
    pub(crate) file_mounts: Vec<FileMount>,
    pub(crate) file_explanation: Vec<String>,
    pub(crate) extra_env: Vec<(String, String)>,
    pub(crate) tool_mounts: Vec<ToolMount>,
    pub(crate) scratch_mounts: Vec<String>,
    /// Argv to run in front of the RUN's own (see [`crate::shipped::wrapper_args`]).
    pub(crate) command_prefix: Vec<String>,
}

/// The edits that keep deletions away from mounted caches.
fn removal_edits(
    analysis: &Analysis,
    removals: &[Removal],
    dropped: &BTreeSet<(usize, usize)>,
) -> (Vec<Edit>, Vec<String>) {
    let mut edits = Vec::new();
    let mut explanation = Vec::new();
    let mut by_invocation: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (invocation, position) in dropped {
        by_invocation
            .entry(*invocation)
            .or_default()
            .push(*position);
    }
    for (index, positions) in by_invocation {
        let Some(invocation) = analysis.invocations.get(index) else {
            continue;
        };
        let operand_count = removals
            .iter()
            .filter(|removal| removal.operand.0 == index)
            .count();
        let has_dynamic = invocation
            .args
            .iter()
            .skip(1)
            .any(|arg| arg.text().is_none());
        let shown: Vec<&str> = positions
            .iter()
            .filter_map(|position| invocation.args.get(*position).and_then(|arg| arg.text()))
            .collect();
        let all_places: Option<Vec<_>> = invocation
            .args
            .iter()
            .map(|arg| arg.place.clone())
            .collect();
        match all_places {
            Some(places) if positions.len() == operand_count && !has_dynamic => {
                for (position, place) in places.into_iter().enumerate() {
                    let kind = if position == 0 {
                        EditKind::Replace("true".to_owned())
                    } else {
                        EditKind::Remove
                    };
                    edits.push(Edit { place, kind });
                }
                explanation.push(format!(
                    "ran `true` instead of `rm {}` (it would only delete cache mounts)",
                    shown.join(" ")
                ));
            }
            _ => {
                for position in &positions {
                    if let Some(place) = invocation
                        .args
                        .get(*position)
                        .and_then(|arg| arg.place.clone())
                    {
                        edits.push(Edit {
                            place,
                            kind: EditKind::Remove,
                        });
                    }
                }
                explanation.push(format!(
                    "dropped `{}` from `rm` for this RUN (cache mount contents)",
                    shown.join(" ")
                ));
            }
        }
    }
    (edits, explanation)
}

/// Applies all rules' edits; drops rules whose edits collide with earlier ones.
pub(crate) fn apply_rule_edits(
    input: &RunInput,
    analysis: &Analysis,
    removals: &[Removal],
    rule_plans: Vec<RulePlan>,
    skipped: &mut Vec<String>,
) -> (Vec<RulePlan>, Rewritten) {
    let mut kept: Vec<RulePlan> = Vec::new();
    let mut rewritten = Rewritten::default();
    for rule_plan in rule_plans {
        kept.push(rule_plan);
        let mut dropped = BTreeSet::new();
        let mut edits = Vec::new();
        for plan in &kept {
            dropped.extend(plan.dropped_operands.iter().copied());
            edits.extend(plan.neutralisation.edits.iter().cloned());
        }
        edits.extend(removal_edits(analysis, removals, &dropped).0);
        edits.sort();
        edits.dedup();
        match apply_edits(input, &edits) {
            Ok(result) => rewritten = result,
            Err(error) => {
                if let Some(rejected) = kept.pop() {
                    skipped.push(format!("{}: {error}; not mounted", rejected.name));
                }
            }
        }
    }
    (kept, rewritten)
}

/// Fills the plan from the kept rules.
pub(crate) fn assemble(
    input: &RunInput,
    analysis: &Analysis,
    removals: &[Removal],
    kept: Vec<RulePlan>,
    rewritten: Rewritten,
    plan: &mut Plan,
) {
    let mut dropped = BTreeSet::new();
    let mut rewrites = Vec::new();
    for rule_plan in &kept {
        for candidate in &rule_plan.candidates {
            let id = cache_id(input.settings, &candidate.natural_target);
            let (uid, gid) = match candidate.owner {
                Some((uid, gid)) => (Some(uid), Some(gid)),
                None => (None, None),
            };
            let mut line = format!(
                "cache mount {} ({}, {}, id={id}",
                candidate.mount_target, candidate.rule, candidate.sharing
            );
            if let Some((uid, gid)) = candidate.owner {
                line.push_str(&format!(", uid={uid}, gid={gid}"));
            }
            if candidate.mount_target != candidate.natural_target {
                let via = match candidate.env.first() {
                    Some((name, _)) => name.clone(),
                    None if candidate.rule == crate::shipped::BUILD_DIR_RULE => {
                        "a symlink".to_owned()
                    }
                    None => "apt configuration".to_owned(),
                };
                line.push_str(&format!(", for {} via {via}", candidate.natural_target));
            }
            line.push(')');
            plan.explanation.push(line);
            plan.cache_mounts.push(CacheMount {
                target: candidate.mount_target.clone(),
                cache_path: candidate.natural_target.clone(),
                id,
                sharing: candidate.sharing,
                uid,
                gid,
                mode: None,
                rule: candidate.rule.clone(),
            });
            for (name, value) in &candidate.env {
                if !plan.env.iter().any(|(existing, _)| existing == name) {
                    plan.env.push((name.clone(), value.clone()));
                    if candidate.mount_target == candidate.natural_target {
                        plan.explanation.push(format!(
                            "env {name}={value} for this RUN ({}: keeps the cache at the mount)",
                            candidate.rule
                        ));
                    }
                }
            }
        }
        plan.file_mounts
            .extend(rule_plan.file_mounts.iter().cloned());
        plan.tool_mounts
            .extend(rule_plan.tool_mounts.iter().cloned());
        plan.scratch_mounts
            .extend(rule_plan.scratch_mounts.iter().cloned());
        for (name, value) in &rule_plan.extra_env {
            if !plan.env.iter().any(|(existing, _)| existing == name) {
                plan.env.push((name.clone(), value.clone()));
            }
        }
        plan.explanation
            .extend(rule_plan.file_explanation.iter().cloned());
        if !rule_plan.command_prefix.is_empty() {
            plan.command_prefix = rule_plan.command_prefix.clone();
        }
        for name in &rule_plan.neutralisation.env_unset {
            if !plan.env_unset.contains(name) {
                plan.env_unset.push(name.clone());
            }
        }
        rewrites.extend(rule_plan.neutralisation.explanation.iter().cloned());
        dropped.extend(rule_plan.dropped_operands.iter().copied());
    }
    rewrites.extend(removal_edits(analysis, removals, &dropped).1);
    if rewritten.script.is_some() || rewritten.exec_args.is_some() || !rewritten.heredocs.is_empty()
    {
        rewrites.push(
            "the executed command differs from the written one only as above; history keeps the RUN as written"
                .to_owned(),
        );
    }
    plan.explanation.extend(rewrites);
    plan.script = rewritten.script;
    plan.exec_args = rewritten.exec_args;
    plan.heredocs = rewritten
        .heredocs
        .into_iter()
        .map(|(index, content)| RewrittenHeredoc { index, content })
        .collect();
}
