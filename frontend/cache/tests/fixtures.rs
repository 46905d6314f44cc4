//! Snapshot tests over `tests/fixtures/cache/<case>/`.
//!
//! Input per case: `run.sh` (the RUN's shell-form script, or one argv element per line with
//! `form: exec`), an optional `env` file (`KEY=VALUE` lines: the effective env) and an optional
//! `input` file (`key: value` lines: `user: uid:gid:home`, `workdir`, `offline: true`,
//! `opted-out: true`, `protected`, `mount`, `distro: id version`, `platform`, `build-arg: K=V`,
//! `heredoc: <file>` for a heredoc fed to a shell). Output: `plan.snap` next to them, holding
//! `render_plan` plus the executed command and file contents when they differ.

// Test helpers outside `#[test]` functions: a malformed fixture should fail the test loudly.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::fmt::Write;
use std::fs;
use std::path::{Path, PathBuf};

use cachefront_cache::{
    parse_settings, plan_run, render_plan, Distro, HeredocScript, RunCommand, RunInput, RunUser,
};

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/cache")
}

fn read_optional(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_default()
}

fn render_case(case: &Path) -> String {
    let script = fs::read_to_string(case.join("run.sh")).expect("run.sh");
    let env: BTreeMap<String, String> = read_optional(&case.join("env"))
        .lines()
        .filter_map(|line| line.split_once('='))
        .map(|(key, value)| (key.to_owned(), value.to_owned()))
        .collect();
    let mut user = RunUser::root();
    let mut workdir = "/".to_owned();
    let mut offline = false;
    let mut opted_out = false;
    let mut exec_form = false;
    let mut protected = Vec::new();
    let mut mounts = Vec::new();
    let mut build_args = BTreeMap::new();
    let mut distro = None;
    let mut platform = None;
    let mut heredoc_bodies = Vec::new();
    for line in read_optional(&case.join("input")).lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match key.trim() {
            "user" => {
                let parts: Vec<&str> = value.splitn(3, ':').collect();
                user = RunUser {
                    uid: parts[0].parse().expect("uid"),
                    gid: parts[1].parse().expect("gid"),
                    home: parts[2].to_owned(),
                };
            }
            "workdir" => workdir = value.to_owned(),
            "offline" => offline = value == "true",
            "opted-out" => opted_out = value == "true",
            "form" => exec_form = value == "exec",
            "protected" => protected.push(value.to_owned()),
            "mount" => mounts.push(value.to_owned()),
            "distro" => {
                let (id, version) = value.split_once(' ').unwrap_or((value, ""));
                distro = Some(Distro::new(id, version));
            }
            "platform" => platform = Some(value.to_owned()),
            "build-arg" => {
                let (name, arg_value) = value.split_once('=').expect("build-arg K=V");
                build_args.insert(name.to_owned(), arg_value.to_owned());
            }
            "heredoc" => {
                heredoc_bodies.push(fs::read_to_string(case.join(value)).expect("heredoc"))
            }
            other => panic!("unknown input key {other}"),
        }
    }
    let settings = parse_settings(&build_args)
        .expect("settings")
        .for_stage(platform.as_deref(), distro);
    let shell = vec!["/bin/sh".to_owned(), "-c".to_owned()];
    let argv: Vec<String> = script.lines().map(str::to_owned).collect();
    let command = if exec_form {
        RunCommand::Exec(&argv)
    } else {
        RunCommand::Shell {
            script: script.trim_end_matches('\n'),
            shell: &shell,
        }
    };
    let heredocs: Vec<HeredocScript> = heredoc_bodies
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
        env: &env,
        user: &user,
        workdir: &workdir,
        user_mount_targets: &mounts,
        protected_paths: &protected,
        offline,
        opted_out,
        settings: &settings,
    };
    let plan = plan_run(&input);
    let mut text = render_plan(&plan);
    if let Some(script) = &plan.script {
        let _ = write!(text, "--- executed script ---\n{script}\n");
    }
    if let Some(argv) = &plan.exec_args {
        let _ = write!(text, "--- executed argv ---\n{argv:?}\n");
    }
    for heredoc in &plan.heredocs {
        let _ = write!(
            text,
            "--- executed heredoc {} ---\n{}\n",
            heredoc.index, heredoc.content
        );
    }
    for file in &plan.file_mounts {
        let _ = write!(text, "--- file {} ---\n{}", file.path, file.contents);
    }
    if !plan.env.is_empty() || !plan.env_unset.is_empty() {
        let _ = writeln!(text, "--- env ---");
        for (name, value) in &plan.env {
            let _ = writeln!(text, "set {name}={value}");
        }
        for name in &plan.env_unset {
            let _ = writeln!(text, "unset {name}");
        }
    }
    text
}

#[test]
fn fixtures() {
    let mut cases: Vec<PathBuf> = fs::read_dir(fixtures_root())
        .expect("fixtures dir")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.join("run.sh").is_file())
        .collect();
    cases.sort();
    assert!(!cases.is_empty());
    for case in cases {
        let rendered = render_case(&case);
        insta::with_settings!({
            snapshot_path => case.clone(),
            prepend_module_to_snapshot => false,
            omit_expression => true,
            description => case.file_name().and_then(|name| name.to_str()).unwrap_or(""),
        }, {
            insta::assert_snapshot!("plan", rendered);
        });
    }
}
