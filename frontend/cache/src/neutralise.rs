//! Neutralising what defeats a mounted cache, for one RUN only.
//!
//! Input: a rule whose cache is mounted, its detections, the analysis and the RUN input.
//! Output: edits to the executed command, env vars to unset for the RUN, and explanation
//! lines; or the reason the cache cannot be kept (then it is not mounted). Invariants: the
//! image config is never touched (env changes are RUN-scoped); the command changes only
//! through word edits at places the shell parser found; a defeater that cannot be neutralised
//! safely is reported, never guessed around.

use crate::detect::Detection;
use crate::error::NotMounted;
use crate::rules::{CacheRule, DefeatingFlag, Freshness, WipeCommand};
use crate::shell::edit::{Edit, EditKind};
use crate::shell::{Analysis, Invocation};
use crate::template::VariableValue;
use crate::tools::{identify, ToolCall};

/// The neutralisations for one rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Neutralisation {
    /// Word edits.
    pub edits: Vec<Edit>,
    /// Env vars to unset for the RUN.
    pub env_unset: Vec<String>,
    /// One line per neutralisation.
    pub explanation: Vec<String>,
    /// Defeaters left alone because they are harmless (the cache is just emptied).
    pub notes: Vec<String>,
}

/// Neutralises the defeaters of `rule` in the RUN.
pub(crate) fn neutralise(
    rule: &CacheRule,
    detections: &[&Detection],
    analysis: &Analysis,
    env: &std::collections::BTreeMap<String, String>,
) -> Result<Neutralisation, NotMounted> {
    let mut result = Neutralisation::default();
    for invocation in &analysis.invocations {
        let Some(call) = identify(invocation) else {
            continue;
        };
        if !rule.tools.contains(&call.tool.as_str()) {
            continue;
        }
        for wipe in rule.wipes {
            if wipe_matches(wipe, &call, invocation) {
                neutralise_wipe(wipe, invocation, &mut result)?;
            }
        }
    }
    for detection in detections {
        let Some(invocation) = analysis.invocations.get(detection.invocation) else {
            continue;
        };
        let shown = describe(invocation, &detection.call);
        for flag in rule.defeating_flags {
            neutralise_flag(flag, invocation, &detection.call, &shown, &mut result)?;
        }
        for variable in rule.defeating_env {
            neutralise_variable(variable, invocation, env, &shown, &mut result)?;
        }
        if let Freshness::InsertFlag(flag) = rule.freshness {
            let present = detection.call.arguments(invocation).contains(&Some(flag));
            if !present {
                let place = detection
                    .call
                    .arguments_from
                    .checked_sub(1)
                    .and_then(|index| invocation.args.get(index))
                    .and_then(|arg| arg.place.clone())
                    .ok_or_else(|| NotMounted::CannotAddFlag {
                        flag,
                        shown: shown.clone(),
                    })?;
                result.edits.push(Edit {
                    place,
                    kind: EditKind::InsertAfter(flag.to_owned()),
                });
                result.explanation.push(format!(
                    "added `{flag}` to `{shown}` so metadata is revalidated as in a fresh build"
                ));
            }
        }
    }
    result.env_unset.sort();
    result.env_unset.dedup();
    Ok(result)
}

/// `program subcommand`, for messages.
pub(crate) fn describe(invocation: &Invocation, call: &ToolCall) -> String {
    let mut words: Vec<String> = invocation
        .args
        .iter()
        .take(call.arguments_from)
        .map(|arg| arg.text().unwrap_or("…").to_owned())
        .collect();
    if let Some(first) = words.first_mut() {
        *first = crate::shell::basename(first).to_owned();
    }
    words.extend(
        call.operands(invocation)
            .into_iter()
            .take(1)
            .map(str::to_owned),
    );
    words.join(" ")
}

/// Whether the command is exactly this cache-wiping command.
fn wipe_matches(wipe: &WipeCommand, call: &ToolCall, invocation: &Invocation) -> bool {
    let arguments = call.arguments(invocation);
    if arguments.iter().any(Option::is_none) {
        return false;
    }
    let arguments: Vec<&str> = arguments.into_iter().flatten().collect();
    let wanted_operands: Vec<&str> = wipe
        .words
        .iter()
        .copied()
        .filter(|word| !word.starts_with('-'))
        .collect();
    let operands: Vec<&str> = arguments
        .iter()
        .copied()
        .filter(|word| !word.starts_with('-'))
        .collect();
    operands == wanted_operands
        && wipe
            .words
            .iter()
            .filter(|word| word.starts_with('-'))
            .all(|option| arguments.contains(option))
}

fn neutralise_wipe(
    wipe: &WipeCommand,
    invocation: &Invocation,
    result: &mut Neutralisation,
) -> Result<(), NotMounted> {
    let shown = invocation
        .args
        .iter()
        .filter_map(|arg| arg.text())
        .collect::<Vec<_>>()
        .join(" ");
    let places: Option<Vec<_>> = invocation
        .args
        .iter()
        .map(|arg| arg.place.clone())
        .collect();
    match places {
        Some(places) => {
            for (index, place) in places.into_iter().enumerate() {
                let kind = if index == 0 {
                    EditKind::Replace("true".to_owned())
                } else {
                    EditKind::Remove
                };
                result.edits.push(Edit { place, kind });
            }
            result.explanation.push(format!(
                "ran `true` instead of `{shown}` (it would only empty the cache mount)"
            ));
            Ok(())
        }
        None if wipe.removes_directory => Err(NotMounted::WipeDeletesMountPoint(shown)),
        None => {
            result
                .notes
                .push(format!("`{shown}` empties the cache at the end of the RUN"));
            Ok(())
        }
    }
}

fn flag_matches(flag: &DefeatingFlag, argument: &str) -> bool {
    if flag.shortest_prefix == 0 {
        return argument == flag.flag;
    }
    argument.len() >= flag.shortest_prefix && flag.flag.starts_with(argument)
}

fn neutralise_flag(
    flag: &DefeatingFlag,
    invocation: &Invocation,
    call: &ToolCall,
    shown: &str,
    result: &mut Neutralisation,
) -> Result<(), NotMounted> {
    for arg in invocation.args.iter().skip(call.arguments_from) {
        let Some(text) = arg.text() else {
            continue;
        };
        if text == "--" {
            break;
        }
        if !flag_matches(flag, text) {
            continue;
        }
        let place = arg
            .place
            .clone()
            .ok_or_else(|| NotMounted::CannotDropFlag {
                text: text.to_owned(),
                shown: shown.to_owned(),
            })?;
        match flag.replacement {
            Some(replacement) => {
                result.edits.push(Edit {
                    place,
                    kind: EditKind::Replace(replacement.to_owned()),
                });
                result.explanation.push(format!(
                    "ran `{shown}` with `{replacement}` instead of `{text}` for this RUN"
                ));
            }
            None => {
                result.edits.push(Edit {
                    place,
                    kind: EditKind::Remove,
                });
                result
                    .explanation
                    .push(format!("dropped `{text}` from `{shown}` for this RUN"));
            }
        }
    }
    Ok(())
}

fn neutralise_variable(
    variable: &str,
    invocation: &Invocation,
    env: &std::collections::BTreeMap<String, String>,
    shown: &str,
    result: &mut Neutralisation,
) -> Result<(), NotMounted> {
    if let Some(assignment) = invocation
        .assignments
        .iter()
        .find(|assignment| assignment.name == variable)
    {
        let place = assignment
            .place
            .clone()
            .ok_or_else(|| NotMounted::CannotDropAssignment {
                variable: variable.to_owned(),
                shown: shown.to_owned(),
            })?;
        result.edits.push(Edit {
            place,
            kind: EditKind::Remove,
        });
        result.explanation.push(format!(
            "dropped the {variable} assignment from `{shown}` for this RUN"
        ));
        return Ok(());
    }
    match invocation.variables.get(variable) {
        Some(VariableValue::Unset) => Ok(()),
        Some(_) => Err(NotMounted::ExportedByScript(variable.to_owned())),
        None if !invocation.env_cleared && env.contains_key(variable) => {
            if !result.env_unset.iter().any(|name| name == variable) {
                result.env_unset.push(variable.to_owned());
                result.explanation.push(format!(
                    "unset {variable} for this RUN (the image keeps it)"
                ));
            }
            Ok(())
        }
        None => Ok(()),
    }
}
