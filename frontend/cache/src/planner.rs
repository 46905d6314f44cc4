//! [`plan_run`]: the cache-mount plan for one RUN.
//!
//! Input: a [`RunInput`]. Output: a [`Plan`]. Invariants: an empty plan (with reasons) when the
//! pass is off, the RUN opted out or nothing is detected; every mount passed the safety checks;
//! every rewrite was applied through the shell AST; a rule whose defeaters cannot be
//! neutralised safely gets no mount; never panics.

use crate::apt;
use crate::assemble::{apply_rule_edits, assemble, RulePlan};
use crate::candidate::Candidate;
use crate::detect::{detect, Detection, RuleRef};
use crate::input::RunInput;
use crate::neutralise::neutralise;
use crate::paths::overlaps;
use crate::plan::Plan;
use crate::rules::CacheRule;
use crate::safety::{check_removals, collision_reason, forbidden_reason, scan_removals, Removal};
use crate::shell::{analyse, Analysis};
use crate::shipped;
use crate::targets::rule_candidates;
use crate::tools::identify;

/// Plans the cache mounts, RUN-scoped env and rewrites for one RUN.
pub fn plan_run(input: &RunInput) -> Plan {
    let mut plan = Plan::default();
    if !input.settings.enabled {
        plan.skipped
            .push("cache mounts are off for this build (CACHEFRONT=off)".to_owned());
        return plan;
    }
    if input.opted_out {
        plan.skipped
            .push("`# cachefront: off` above this RUN".to_owned());
        return plan;
    }
    let analysis = analyse(input);
    plan.skipped.extend(analysis.problems.iter().cloned());
    let detections = detect(&analysis, input.settings, input.env);
    if detections.is_empty() {
        return plan;
    }
    let (removals, dynamic_removal) = scan_removals(&analysis);
    let context = RuleContext {
        analysis: &analysis,
        input,
        removals: &removals,
        dynamic_removal,
    };
    let mut rule_plans: Vec<RulePlan> = Vec::new();
    for (rule, rule_detections) in group_by_rule(&detections) {
        let rule_plan = plan_rule(
            rule,
            &rule_detections,
            &context,
            &rule_plans,
            &mut plan.skipped,
        );
        if let Some(rule_plan) = rule_plan {
            rule_plans.push(rule_plan);
        }
    }
    let (kept, rewritten) =
        apply_rule_edits(input, &analysis, &removals, rule_plans, &mut plan.skipped);
    assemble(input, &analysis, &removals, kept, rewritten, &mut plan);
    plan
}

/// Detections grouped by rule, in order of first detection.
fn group_by_rule<'d, 'a>(
    detections: &'d [Detection<'a>],
) -> Vec<(RuleRef<'a>, Vec<&'d Detection<'a>>)> {
    let mut groups: Vec<(RuleRef<'a>, Vec<&'d Detection<'a>>)> = Vec::new();
    for detection in detections {
        match groups
            .iter_mut()
            .find(|(rule, _)| rule.name() == detection.rule.name())
        {
            Some((_, group)) => group.push(detection),
            None => groups.push((detection.rule, vec![detection])),
        }
    }
    groups
}

/// What planning one rule reads besides the rule and its detections.
struct RuleContext<'r, 'a> {
    analysis: &'r Analysis,
    input: &'r RunInput<'a>,
    removals: &'r [Removal],
    dynamic_removal: bool,
}

/// The plan for one rule: its safe candidates, their neutralisations and apt's extras; `None`
/// when nothing of it can be mounted.
fn plan_rule(
    rule: RuleRef,
    detections: &[&Detection],
    context: &RuleContext,
    earlier: &[RulePlan],
    skipped: &mut Vec<String>,
) -> Option<RulePlan> {
    let name = rule.name().to_owned();
    let builtin: Option<&CacheRule> = match rule {
        RuleRef::Builtin(builtin) => Some(builtin),
        RuleRef::Extra(_) => None,
    };
    let shipped = builtin.and_then(|builtin| builtin.ships).map(|ships| {
        shipped::admit(
            &ships,
            detections,
            context.analysis,
            context.input,
            context.removals,
            skipped,
        )
    });
    let admitted;
    let (detections, shipped_uses) = match shipped {
        Some((kept, uses)) => {
            admitted = kept;
            (admitted.as_slice(), uses)
        }
        None => (detections, shipped::ShippedUses::default()),
    };
    if detections.is_empty() {
        return shipped::build_dirs_only(&name, &shipped_uses, context.input);
    }
    let candidates = candidates(rule, builtin, detections, context, skipped)?;
    let mut rule_plan = RulePlan {
        name: name.clone(),
        ..RulePlan::default()
    };
    admit_safe_candidates(
        &mut rule_plan,
        candidates,
        home_of(detections, context),
        context,
        earlier,
        skipped,
    );
    if rule_plan.candidates.is_empty() {
        return None;
    }
    if let Some(builtin) = builtin {
        match neutralise(builtin, detections, context.analysis, context.input.env) {
            Ok(neutralisation) => {
                skipped.extend(
                    neutralisation
                        .notes
                        .iter()
                        .map(|note| format!("{name}: {note}")),
                );
                rule_plan.neutralisation = neutralisation;
            }
            Err(reason) => {
                skipped.push(format!("{name}: {reason}; not mounted"));
                return None;
            }
        }
    }
    if name == "apt" {
        add_apt_extras(&mut rule_plan, detections, context, skipped);
    }
    shipped::add_extras(&mut rule_plan, &shipped_uses, context.input);
    Some(rule_plan)
}

/// The rule's candidate mounts (apt's lists included); `None` when the RUN computes a path it
/// deletes from where the tool says its cache is.
fn candidates(
    rule: RuleRef,
    builtin: Option<&CacheRule>,
    detections: &[&Detection],
    context: &RuleContext,
    skipped: &mut Vec<String>,
) -> Option<Vec<Candidate>> {
    let name = rule.name();
    let mut candidates =
        rule_candidates(rule, detections, context.analysis, context.input, skipped);
    if name == "apt" {
        match apt::lists_candidate(
            detections,
            context.analysis,
            context.removals,
            context.input,
        ) {
            Ok(Some(lists)) => candidates.push(lists),
            Ok(None) => {}
            Err(reason) => skipped.push(format!("apt: {reason}")),
        }
    }
    if let Some(builtin) = builtin {
        if context.dynamic_removal && queries_location(builtin, context.analysis) {
            skipped.push(format!(
                "{name}: the RUN deletes a path computed at run time from the cache location; not mounted"
            ));
            return None;
        }
    }
    Some(candidates)
}

/// HOME of the first detected command (it may differ from the RUN user's under `sudo`).
fn home_of(detections: &[&Detection], context: &RuleContext) -> String {
    detections
        .first()
        .and_then(|detection| context.analysis.invocations.get(detection.invocation))
        .map_or_else(
            || context.input.user.home.clone(),
            |invocation| invocation.home.clone(),
        )
}

/// Moves into `rule_plan` each candidate that no earlier rule planned and that passes the
/// safety checks (forbidden places, the user's mounts and protected paths, earlier mounts, the
/// RUN's own deletions); says why for each one left out.
fn admit_safe_candidates(
    rule_plan: &mut RulePlan,
    candidates: Vec<Candidate>,
    home: String,
    context: &RuleContext,
    earlier: &[RulePlan],
    skipped: &mut Vec<String>,
) {
    let name = rule_plan.name.clone();
    let workdir = context.input.workdir;
    for candidate in candidates {
        let already_planned = earlier
            .iter()
            .flat_map(|rule_plan| rule_plan.candidates.iter())
            .any(|other| {
                other.mount_target == candidate.mount_target
                    && other.natural_target == candidate.natural_target
                    && other.env == candidate.env
            });
        if already_planned {
            continue;
        }
        let (natural, mount) = (&candidate.natural_target, &candidate.mount_target);
        let reason = forbidden_reason(natural, &home, workdir)
            .or_else(|| forbidden_reason(mount, &home, workdir))
            .or_else(|| collision_reason(natural, mount, context.input))
            .or_else(|| collision_with_earlier(&candidate, earlier, &rule_plan.candidates));
        if let Some(reason) = reason {
            skipped.push(format!("{name}: {natural} not mounted: {reason}"));
            continue;
        }
        let verdict = check_removals(mount, context.removals);
        if let Some(conflict) = verdict.conflict {
            skipped.push(format!("{name}: {natural} not mounted: {conflict}"));
            continue;
        }
        skipped.extend(
            verdict
                .wipes
                .iter()
                .map(|wipe| format!("{name}: `{wipe}` empties the cache at the end of the RUN")),
        );
        rule_plan.dropped_operands.extend(verdict.dropped_operands);
        rule_plan.candidates.push(candidate);
    }
}

/// apt's RUN-only files and env, for the archives and lists caches this plan mounts.
fn add_apt_extras(
    rule_plan: &mut RulePlan,
    detections: &[&Detection],
    context: &RuleContext,
    skipped: &mut Vec<String>,
) {
    let mounts = |path: &str| {
        rule_plan
            .candidates
            .iter()
            .any(|candidate| candidate.natural_target == path)
    };
    let (archives, lists) = (mounts("/var/cache/apt"), mounts(apt::LISTS_PATH));
    let extras = apt::extras(detections, context.analysis, context.input, archives, lists);
    rule_plan.file_mounts = extras.files;
    rule_plan.file_explanation = extras.explanation;
    rule_plan.extra_env = extras.env;
    skipped.extend(extras.skipped);
}

/// Whether a command prints this rule's cache location (`pip cache dir`, `go env GOMODCACHE`).
fn queries_location(rule: &CacheRule, analysis: &Analysis) -> bool {
    analysis.invocations.iter().any(|invocation| {
        identify(invocation).is_some_and(|call| {
            rule.tools.contains(&call.tool.as_str())
                && rule.location_queries.iter().any(|query| {
                    let arguments = call.arguments(invocation);
                    arguments.len() >= query.len()
                        && query
                            .iter()
                            .zip(&arguments)
                            .all(|(wanted, argument)| Some(*wanted) == *argument)
                })
        })
    })
}

/// Why a candidate collides with a mount or env var already planned.
fn collision_with_earlier(
    candidate: &Candidate,
    earlier: &[RulePlan],
    same_rule: &[Candidate],
) -> Option<String> {
    let planned = earlier
        .iter()
        .flat_map(|rule_plan| rule_plan.candidates.iter())
        .chain(same_rule.iter());
    for other in planned {
        if overlaps(&candidate.mount_target, &other.mount_target) {
            return Some(if candidate.mount_target == other.mount_target {
                format!("already mounted for {}", other.rule)
            } else {
                format!(
                    "overlaps the {} mount at {}",
                    other.rule, other.mount_target
                )
            });
        }
        for (name, value) in &candidate.env {
            if other
                .env
                .iter()
                .any(|(other_name, other_value)| other_name == name && other_value != value)
            {
                return Some(format!("{name} is already set for {}", other.rule));
            }
        }
    }
    None
}
