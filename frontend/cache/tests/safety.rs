//! Safety tests: mounts that could change the image or break the RUN are never made.

#![allow(clippy::unwrap_used)]

mod common;

use cachefront_cache::{
    is_opt_out_comment, offline_read_paths, parse_settings, plan_run, render_plan, RunCommand,
    RunInput, RunUser, Settings,
};
use common::{mount_points, plan, rules, targets, Case};
use std::collections::BTreeMap;

#[test]
fn paths_the_image_needs_are_never_mounted() {
    let cases: [(&str, &[(&str, &str)]); 6] = [
        (
            "npm ci",
            &[("npm_config_cache", "/app/node_modules/.cache")],
        ),
        (
            "pip install x",
            &[("PIP_CACHE_DIR", "/usr/lib/python3/dist-packages/cache")],
        ),
        ("cargo build", &[("CARGO_HOME", "/app/target/cargo")]),
        ("pip install x", &[("PIP_CACHE_DIR", "/usr")]),
        ("pip install x", &[("PIP_CACHE_DIR", "/")]),
        ("composer install", &[("COMPOSER_CACHE_DIR", "/dev/null")]),
    ];
    for (script, env) in cases {
        assert!(targets(&plan(script, env)).is_empty(), "{script} {env:?}");
    }
    let workdir_parent = Case {
        workdir: "/root/.cache/pip/project",
        ..Case::default()
    };
    assert!(targets(&workdir_parent.script("pip install .")).is_empty());
}

#[test]
fn relative_and_runtime_paths_are_skipped() {
    let relative = plan("pip install x", &[("PIP_CACHE_DIR", "cache")]);
    assert!(relative.cache_mounts.is_empty());
    assert!(render_plan(&relative).contains("relative"));
    let runtime = plan("export PIP_CACHE_DIR=$(mktemp -d) && pip install x", &[]);
    assert!(runtime.cache_mounts.is_empty());
    assert!(render_plan(&runtime).contains("only known at run time"));
    let conditional = plan(
        "test -n \"$CI\" && export GOCACHE=/ci || true; go build",
        &[],
    );
    assert_eq!(
        targets(&conditional),
        ["/root/go/pkg/mod"],
        "GOCACHE became unknown"
    );
}

#[test]
fn protected_paths_and_user_mounts_win() {
    let protected = Case {
        protected: vec!["/go/pkg".to_owned()],
        env: &[("GOPATH", "/go")],
        ..Case::default()
    };
    assert_eq!(
        targets(&protected.script("go build")),
        ["/root/.cache/go-build"]
    );
    let mounted = Case {
        mounts: vec!["/root/.cache".to_owned(), "/var/cache/apt".to_owned()],
        ..Case::default()
    };
    let planned = mounted.script("apt-get install -y python3-pip && pip install x && npm ci");
    assert_eq!(targets(&planned), ["/root/.npm"]);
    assert!(
        planned.file_mounts.is_empty(),
        "no docker-clean change without our apt mount"
    );
}

#[test]
fn offline_runs_keep_download_caches_in_the_image() {
    let offline = Case {
        offline: true,
        env: &[("GOPATH", "/go")],
        ..Case::default()
    };
    assert_eq!(
        targets(&offline.script("go build ./...")),
        ["/root/.cache/go-build"]
    );
    assert!(targets(&plan("go build ./...", &[("GOPROXY", "off")]))
        .iter()
        .all(|target| *target != "/root/go/pkg/mod"));
    assert!(targets(&plan("npm ci --offline", &[])).is_empty());
    assert!(targets(&plan("dotnet build --no-restore", &[])).is_empty());
}

#[test]
fn offline_read_paths_for_lowering() {
    let env: BTreeMap<String, String> = [("GOPATH".to_owned(), "/go".to_owned())].into();
    let user = RunUser::root();
    let settings = Settings::default();
    let shell = vec!["/bin/sh".to_owned(), "-c".to_owned()];
    let input = |script: &'static str, offline: bool| RunInput {
        command: RunCommand::Shell {
            script,
            shell: &shell,
        },
        heredocs: &[],
        env: &env,
        user: &user,
        workdir: "/src",
        user_mount_targets: &[],
        protected_paths: &[],
        offline,
        opted_out: false,
        settings: &settings,
    };
    assert_eq!(
        offline_read_paths(&input("go build ./...", true)),
        ["/go/pkg/mod"]
    );
    assert!(offline_read_paths(&input("go build ./...", false)).is_empty());
    assert_eq!(
        offline_read_paths(&input("cargo build --frozen", false)),
        ["/root/.cargo/registry", "/root/.cargo/git"]
    );
}

#[test]
fn non_root_users() {
    let app = Case {
        user: RunUser {
            uid: 1000,
            gid: 1001,
            home: "/home/app".to_owned(),
        },
        workdir: "/home/app/src",
        ..Case::default()
    };
    let npm = app.script("npm ci");
    assert_eq!(targets(&npm), ["/home/app/.npm"]);
    assert_eq!(
        (npm.cache_mounts[0].uid, npm.cache_mounts[0].gid),
        (Some(1000), Some(1001))
    );
    assert_eq!(npm.cache_mounts[0].id, "//home/app/.npm");
    let pip = app.script("pip install --user flask");
    assert_eq!(targets(&pip), ["/home/app/.cache/pip"]);
    assert_eq!(mount_points(&pip), ["/.cachefront/pip/home/app/.cache/pip"]);
    assert_eq!(pip.cache_mounts[0].id, "//home/app/.cache/pip");
    assert_eq!(
        pip.env,
        [(
            "PIP_CACHE_DIR".to_owned(),
            "/.cachefront/pip/home/app/.cache/pip".to_owned()
        )]
    );
    // No location variable for the module cache, embedded paths: natural path only, and
    // ~/go may not exist (BuildKit would create it owned by root).
    let go = app.script("go build ./...");
    assert_eq!(targets(&go), ["/home/app/.cache/go-build"]);
    let with_gopath = Case {
        env: &[("GOPATH", "/go")],
        ..app
    };
    assert_eq!(
        mount_points(&with_gopath.script("go build ./...")),
        ["/go/pkg/mod", "/.cachefront/go/home/app/.cache/go-build"]
    );
    let app = Case {
        user: RunUser {
            uid: 1000,
            gid: 1001,
            home: "/home/app".to_owned(),
        },
        ..Case::default()
    };
    let cargo = app.script("cargo build");
    assert!(
        targets(&cargo).is_empty(),
        "~/.cargo may not exist; cargo paths are embedded"
    );
    let sudo = app.script("sudo apt-get install -y curl");
    assert_eq!(sudo.cache_mounts[0].uid, None, "sudo runs apt as root");
    let root = plan("pip install x", &[]);
    assert_eq!(
        (root.cache_mounts[0].uid, root.cache_mounts[0].mode),
        (None, None)
    );
}

#[test]
fn opt_outs() {
    assert!(is_opt_out_comment("# cachefront: off"));
    let off = parse_settings(&[("CACHEFRONT".to_owned(), "off".to_owned())].into()).unwrap();
    let env = BTreeMap::new();
    let user = RunUser::root();
    let shell = vec!["/bin/sh".to_owned(), "-c".to_owned()];
    let mut input = RunInput {
        command: RunCommand::Shell {
            script: "pip install x",
            shell: &shell,
        },
        heredocs: &[],
        env: &env,
        user: &user,
        workdir: "/",
        user_mount_targets: &[],
        protected_paths: &[],
        offline: false,
        opted_out: false,
        settings: &off,
    };
    assert!(plan_run(&input).is_empty());
    let on = Settings::default();
    input.settings = &on;
    assert!(!plan_run(&input).is_empty());
    input.opted_out = true;
    assert!(plan_run(&input).is_empty());
}

#[test]
fn no_panics_on_odd_input() {
    let long_chain = "pip install x && ".repeat(500) + "true";
    let deep = "sh -c \"".repeat(40) + "pip install x";
    for script in [
        "",
        "'",
        "\"$(",
        "pip install `",
        "<<EOF",
        "((((((",
        "case x in",
        "${",
        "echo \u{1F600} && pip install x # émoji",
        "f() { pip install x; }; f",
        "coproc pip install x",
        "sudo -u",
        "env -S 'pip install'",
        "sh -c",
        "rm -rf",
        "rm -rf -- \"$UNSET\"/*",
        long_chain.as_str(),
        deep.as_str(),
    ] {
        let planned = plan(script, &[]);
        let _ = render_plan(&planned);
    }
    let _ = Case::default().exec(&[]);
    let _ = Case::default().exec(&["sh", "-c"]);
}

#[test]
fn deeply_nested_parentheses_are_left_alone_quickly() {
    // The shell parser's time doubles with each bare `(` level (a fuzz finding: 74 levels hung
    // it); past twelve levels, wherever they stand, the script is not analysed and nothing is
    // injected.
    let deep = format!("{}pip install x", "(".repeat(74));
    assert!(rules(&plan(&deep, &[])).is_empty());
    let commented = |levels: usize| format!("pip install x # {}", "(".repeat(levels));
    assert_eq!(rules(&plan(&commented(3), &[])), vec!["pip"]);
    assert!(rules(&plan(&commented(13), &[])).is_empty());
    // A fuzz finding too: the shell parser panics on a file descriptor number that overflows.
    assert!(rules(&plan("pip install x 22222222222>|f", &[])).is_empty());
    assert_eq!(rules(&plan("pip install x 2>|f", &[])), vec!["pip"]);
}

#[test]
fn relocation_never_fights_the_script() {
    let exported = plan(
        "export PIP_CACHE_DIR=/x && pip install --no-cache-dir flask",
        &[],
    );
    assert_eq!(mount_points(&exported), ["/x"]);
    assert!(exported.env.is_empty());
    let prefixed = plan("PIP_CACHE_DIR=/y pip install flask", &[]);
    assert_eq!(mount_points(&prefixed), ["/y"]);
    let from_image = plan("pip install flask", &[("PIP_CACHE_DIR", "/cache/pip")]);
    assert_eq!(mount_points(&from_image), ["/.cachefront/pip/cache/pip"]);
    let sudo = plan("sudo pip install flask", &[]);
    assert_eq!(
        mount_points(&sudo),
        ["/root/.cache/pip"],
        "sudo drops the variable"
    );
}

#[test]
fn competing_location_variables_block_relocation() {
    let upper = plan("npm ci", &[("NPM_CONFIG_CACHE", "/npm-cache")]);
    assert_eq!(mount_points(&upper), ["/npm-cache"]);
    assert!(upper.env.is_empty());
    let lower = plan("npm ci", &[("npm_config_cache", "/npm-cache")]);
    assert_eq!(mount_points(&lower), ["/.cachefront/npm/npm-cache"]);
}
