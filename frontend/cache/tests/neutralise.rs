//! Neutralisation tests: defeaters are neutralised for the RUN only, through mounts, RUN-scoped
//! env, mounted files and AST word edits.

#![allow(clippy::unwrap_used)]

mod common;

use cachefront_cache::render_plan;
use common::{mount_points, plan, targets, Case};

#[test]
fn docker_clean_and_keep_downloads_files() {
    let planned = plan("apt-get update && apt install -y curl", &[]);
    let paths: Vec<&str> = planned
        .file_mounts
        .iter()
        .map(|file| file.path.as_str())
        .collect();
    assert_eq!(
        paths,
        [
            "/etc/apt/apt.conf.d/docker-clean",
            "/.cachefront/apt/apt.conf"
        ]
    );
    assert_eq!(
        planned.env,
        [(
            "APT_CONFIG".to_owned(),
            "/.cachefront/apt/apt.conf".to_owned()
        )]
    );
    assert_eq!(planned.file_mounts[0].contents, "");
    assert!(planned.file_mounts[1]
        .contents
        .contains("Binary::apt::APT::Keep-Downloaded-Packages \"true\";"));
    assert!(planned.script.is_none());
}

#[test]
fn pip_flag_abbreviations_and_nested_strings() {
    let planned = plan("pip install --no-cache flask", &[]);
    assert_eq!(planned.script.as_deref(), Some("pip install flask"));
    let nested = plan("sh -c \"pip install --no-cache-dir flask\"", &[]);
    assert_eq!(
        nested.script.as_deref(),
        Some("sh -c \"pip install flask\"")
    );
    let single = plan("su -c 'pip install --no-cache-dir flask'", &[]);
    assert_eq!(single.script.as_deref(), Some("su -c 'pip install flask'"));
    // Not a verbatim literal: the flag cannot be dropped, so no mount (it would stay unused).
    let dynamic = plan("sh -c \"pip install --no-cache-dir $PACKAGES\"", &[]);
    assert!(dynamic.cache_mounts.is_empty());
    assert!(render_plan(&dynamic).contains("not a literal word"));
    // `--no-color` is not an abbreviation of --no-cache-dir.
    assert!(plan("pip install --no-color flask", &[]).script.is_none());
}

#[test]
fn pip_env_defeaters() {
    let from_image = plan("pip install flask", &[("PIP_NO_CACHE_DIR", "1")]);
    assert_eq!(from_image.env_unset, ["PIP_NO_CACHE_DIR"]);
    assert!(from_image.script.is_none());
    let prefix = plan("PIP_NO_CACHE_DIR=1 pip install flask", &[]);
    assert_eq!(prefix.script.as_deref(), Some("pip install flask"));
    let exported = plan("export PIP_NO_CACHE_DIR=1 && pip install flask", &[]);
    assert!(exported.cache_mounts.is_empty());
    let sudo_reset = plan("sudo pip install flask", &[("PIP_NO_CACHE_DIR", "1")]);
    assert!(
        sudo_reset.env_unset.is_empty(),
        "sudo resets the env anyway"
    );
}

#[test]
fn uv_apk_dnf_composer_bun() {
    let uv = plan(
        "uv pip install --no-cache --system flask",
        &[("UV_NO_CACHE", "true")],
    );
    assert_eq!(uv.script.as_deref(), Some("uv pip install --system flask"));
    assert_eq!(uv.env_unset, ["UV_NO_CACHE"]);
    let apk = Case::default().script("apk --no-cache add curl");
    assert_eq!(apk.script.as_deref(), Some("apk --update-cache add curl"));
    let dnf = Case::default()
        .with_distro("fedora", "40")
        .script("dnf -y install gcc && dnf clean all");
    assert_eq!(
        dnf.script.as_deref(),
        Some("dnf --refresh -y install gcc && true")
    );
    let already = Case::default()
        .with_distro("fedora", "40")
        .script("dnf --refresh -y install gcc");
    assert!(already.script.is_none());
    let composer = plan("composer install --no-cache", &[]);
    assert_eq!(composer.script.as_deref(), Some("composer install"));
    let bun = plan("bun install --no-cache", &[]);
    assert_eq!(bun.script.as_deref(), Some("bun install"));
}

#[test]
fn cache_wiping_commands_become_no_ops() {
    let cases = [
        (
            "apt-get install -y curl && apt-get clean",
            "apt-get install -y curl && true",
        ),
        ("npm ci && npm cache clean --force", "npm ci && true"),
        ("pip install x && pip cache purge", "pip install x && true"),
        (
            "go build ./... && go clean -modcache",
            "go build ./... && true",
        ),
        ("yarn && yarn cache clean", "yarn && true"),
        ("pnpm install && pnpm store prune", "pnpm install && true"),
        ("uv sync && uv cache prune --ci", "uv sync && true"),
        (
            "sudo apt-get install -y curl && sudo apt-get clean",
            "sudo apt-get install -y curl && sudo true",
        ),
    ];
    for (script, executed) in cases {
        assert_eq!(
            plan(script, &[]).script.as_deref(),
            Some(executed),
            "{script}"
        );
    }
    // `go clean` without cache flags cleans the project: left alone.
    assert!(plan("go build ./... && go clean", &[]).script.is_none());
}

#[test]
fn removals_of_mounted_caches() {
    let partial = plan(
        "cargo build && rm -rf /root/.cargo/registry/* /tmp/build",
        &[],
    );
    assert_eq!(
        partial.script.as_deref(),
        Some("cargo build && rm -rf /tmp/build")
    );
    let whole = plan("cargo build && rm -rf ~/.cargo/git", &[]);
    assert_eq!(whole.script.as_deref(), Some("cargo build && true"));
    let relative = Case {
        workdir: "/root",
        ..Case::default()
    }
    .script("cargo build && rm -rf .cargo/git");
    assert_eq!(relative.script.as_deref(), Some("cargo build && true"));
    // pip's cache is relocated, so this rm runs unchanged on the real (unmounted) path.
    let relocated = plan("pip install x && rm -rf /root/.cache/pip", &[]);
    assert_eq!(
        mount_points(&relocated),
        ["/.cachefront/pip/root/.cache/pip"]
    );
    assert!(relocated.script.is_none());
    let find = plan("cargo build && find /root/.cargo -delete", &[]);
    assert!(targets(&find).is_empty());
}

#[test]
fn heredoc_bodies_are_rewritten_in_place() {
    let planned = Case {
        heredocs: vec![("set -e\npip install --no-cache-dir flask\n", true)],
        ..Case::default()
    }
    .script("");
    assert_eq!(planned.heredocs.len(), 1);
    assert_eq!(planned.heredocs[0].content, "set -e\npip install flask\n");
    let exec = Case::default().exec(&["pip", "install", "--no-cache-dir", "flask"]);
    assert_eq!(
        exec.exec_args,
        Some(vec![
            "pip".to_owned(),
            "install".to_owned(),
            "flask".to_owned()
        ])
    );
}
