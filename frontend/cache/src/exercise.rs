//! Robustness probe, in: arbitrary bytes read as one RUN and its surroundings; out: the plan
//! invariants the input broke (empty when none). Drives every public entry point of this crate
//! (settings, os-release, opt-out comments, planning, rendering, offline reads) on the same input,
//! for the fuzz target and the seeded no-panic test alike. Invariant: returns normally for every
//! input; a panic anywhere in the planner surfaces here.
//!
//! Input layout (the fixture format of `tests/fixtures/cache/<case>/`, joined by NUL bytes, so
//! fixtures seed the fuzzer): `script \0 env \0 options \0 heredoc`, where `script` is the RUN's
//! shell-form text (or one argv element per line with `form: exec`), `env` holds `KEY=VALUE`
//! lines, `options` holds `key: value` lines (`user: uid:gid:home`, `workdir`, `offline`,
//! `opted-out`, `form`, `protected`, `mount`, `distro: id version`, `os-release: text`,
//! `platform`, `build-arg: K=V`, `shell: word`), and `heredoc` is a body fed to a shell. Anything
//! unreadable falls back to a default.

use std::collections::BTreeMap;

use crate::input::{HeredocScript, RunCommand, RunInput, RunUser};
use crate::paths::{clean_path, overlaps, resolve_against};
use crate::plan::Plan;
use crate::{
    buildkit_cache_id, is_opt_out_comment, offline_read_paths, parse_os_release, parse_settings,
    plan_run, render_plan, Distro, Settings,
};

/// The RUN and its surroundings, decoded from fuzz bytes.
#[derive(Debug, Default)]
struct Case {
    script: String,
    env: BTreeMap<String, String>,
    user: RunUser,
    workdir: String,
    offline: bool,
    opted_out: bool,
    exec_form: bool,
    protected: Vec<String>,
    mounts: Vec<String>,
    build_args: BTreeMap<String, String>,
    distro: Option<Distro>,
    platform: Option<String>,
    shell: Vec<String>,
    heredoc: Option<String>,
}

/// Plans `data` read as a RUN (see the module docs) and returns the broken plan invariants.
pub fn exercise_plan(data: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(data);
    let case = decode(&text);
    let _ = is_opt_out_comment(&case.script);
    let settings = match parse_settings(&case.build_args) {
        Ok(settings) => settings,
        Err(error) => {
            let _ = error.to_string();
            Settings::default()
        }
    }
    .for_stage(case.platform.as_deref(), case.distro.clone());
    let argv: Vec<String> = case.script.lines().map(str::to_owned).collect();
    let command = if case.exec_form {
        RunCommand::Exec(&argv)
    } else {
        RunCommand::Shell {
            script: &case.script,
            shell: &case.shell,
        }
    };
    let heredocs: Vec<HeredocScript> = case
        .heredoc
        .iter()
        .map(|content| HeredocScript {
            name: "EOF",
            content,
            fed_to_shell: true,
        })
        .collect();
    let input = RunInput {
        command,
        heredocs: &heredocs,
        env: &case.env,
        user: &case.user,
        workdir: &case.workdir,
        user_mount_targets: &case.mounts,
        protected_paths: &case.protected,
        offline: case.offline,
        opted_out: case.opted_out,
        settings: &settings,
    };
    let plan = plan_run(&input);
    let _ = render_plan(&plan);
    let _ = offline_read_paths(&input);
    let mut broken = broken_invariants(&plan, &input);
    if plan_run(&input) != plan {
        broken.push("planning the same RUN twice gave different plans".to_owned());
    }
    broken
}

fn decode(text: &str) -> Case {
    let mut sections = text.split('\0');
    let mut case = Case {
        script: sections.next().unwrap_or_default().to_owned(),
        workdir: "/".to_owned(),
        shell: Vec::new(),
        ..Case::default()
    };
    case.env = sections
        .next()
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.split_once('='))
        .map(|(key, value)| (key.to_owned(), value.to_owned()))
        .collect();
    for line in sections.next().unwrap_or_default().lines() {
        if let Some((key, value)) = line.split_once(':') {
            apply_option(&mut case, key.trim(), value.trim());
        }
    }
    case.heredoc = sections.next().map(str::to_owned);
    if case.shell.is_empty() {
        case.shell = vec!["/bin/sh".to_owned(), "-c".to_owned()];
    }
    case
}

fn apply_option(case: &mut Case, key: &str, value: &str) {
    match key {
        "user" => {
            let mut parts = value.splitn(3, ':');
            let uid = parts.next().and_then(|uid| uid.parse().ok()).unwrap_or(0);
            let gid = parts.next().and_then(|gid| gid.parse().ok()).unwrap_or(0);
            let home = parts.next().unwrap_or("/root").to_owned();
            case.user = RunUser { uid, gid, home };
        }
        "workdir" => case.workdir = value.to_owned(),
        "offline" => case.offline = value == "true",
        "opted-out" => case.opted_out = value == "true",
        "form" => case.exec_form = value == "exec",
        "protected" => case.protected.push(value.to_owned()),
        "mount" => case.mounts.push(value.to_owned()),
        "distro" => {
            let (id, version) = value.split_once(' ').unwrap_or((value, ""));
            case.distro = Some(Distro::new(id, version));
        }
        "os-release" => case.distro = parse_os_release(&value.replace("\\n", "\n")),
        "platform" => case.platform = Some(value.to_owned()),
        "build-arg" => {
            let (name, arg_value) = value.split_once('=').unwrap_or((value, ""));
            case.build_args
                .insert(name.to_owned(), arg_value.to_owned());
        }
        "shell" => case.shell.push(value.to_owned()),
        _ => {}
    }
}

/// The documented promises of a plan that `plan` breaks for `input`.
fn broken_invariants(plan: &Plan, input: &RunInput) -> Vec<String> {
    let mut broken = Vec::new();
    for (index, mount) in plan.cache_mounts.iter().enumerate() {
        let target = &mount.target;
        if !target.starts_with('/') || clean_path(target) != *target {
            broken.push(format!(
                "cache mount target {target:?} is not clean and absolute"
            ));
        }
        if target == "/" || mount.cache_path == "/" {
            broken.push(format!("cache mount {target:?} covers the root directory"));
        }
        let later = plan.cache_mounts.iter().skip(index + 1);
        if later.clone().any(|other| other.target == *target) {
            broken.push(format!("two cache mounts at {target}"));
        }
        if later.clone().any(|other| other.id == mount.id) {
            broken.push(format!("cache id {} mounted twice", mount.id));
        }
        let expected_id = buildkit_cache_id(&input.settings.cache_namespace, &mount.cache_path);
        if input.settings.id_mode == crate::CacheIdMode::BuildKit && mount.id != expected_id {
            broken.push(format!(
                "cache id {} for {} is not BuildKit's {expected_id}",
                mount.id, mount.cache_path
            ));
        }
        for user_target in input.user_mount_targets {
            let user_target = resolve_against(input.workdir, user_target);
            if overlaps(target, &user_target) || overlaps(&mount.cache_path, &user_target) {
                broken.push(format!(
                    "cache mount {target} overlaps the RUN's own mount {user_target}"
                ));
            }
        }
        for protected in input.protected_paths {
            let protected = resolve_against(input.workdir, protected);
            if overlaps(target, &protected) || overlaps(&mount.cache_path, &protected) {
                broken.push(format!(
                    "cache mount {target} overlaps {protected}, which a later step reads"
                ));
            }
        }
    }
    let planned_nothing = !input.settings.enabled || input.opted_out;
    if planned_nothing && !plan.is_empty() {
        broken.push("a RUN with cache mounts off or opted out got a plan".to_owned());
    }
    broken
}
