//! Build checks on real engines, in: build-check fixtures (`tests/fixtures/checks/<case>/`) and
//! the cachefront image under test (`$CACHEFRONT_E2E_IMAGE`, default `cachefront:dev`, which must
//! exist on BOTH daemons: build it with `CACHEFRONT_IMAGE=... scripts/build-frontend` and again
//! under `scripts/engine 28 --`); out: failures listing every finding (rule, first line) that
//! differs. Per case: stock and cachefront on Docker 28.5, normal build (the `N warnings found`
//! list) and `--call=check,format=json`, must agree up to the differences the case's check.json
//! names (1.26 rules that Docker 28.5's builtin 1.19 lacks); cachefront on Docker 26 must report
//! exactly what it reports on 28.5. Invariants: fails when cachefront reports nothing; both
//! engines are reached explicitly (see `cachefront_e2e::warnings`: the 28.5 client and socket
//! under /opt and /var/run/cachefront-current-engine, the system client on /var/run/docker.sock),
//! so `scripts/engine 28 -- cargo test -p cachefront-e2e --test warnings` and a plain
//! `cargo test` behave the same. Cases run four at a time (about a minute in all).

// A test harness: failing loudly on a broken fixture or daemon is its job.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;
use std::process::Command;

use cachefront_e2e::frontend_image;
use cachefront_e2e::warnings::{findings, CheckCase, Engine, Finding, Mode, Via};

/// The lint cases: every rule the Dockerfile alone decides, the `# check=` controls, and the
/// 1.26 changes (per-instruction comments, CopyIgnoredFile, SecretsUsedInArgOrEnv).
const CASES: &[&str] = &[
    "from-as-casing",
    "stage-name-casing",
    "stage-name-and-as-casing",
    "consistent-instruction-casing",
    "consistent-instruction-casing-lower",
    "no-empty-continuation",
    "maintainer-deprecated",
    "json-args-recommended",
    "legacy-key-value-format",
    "multiple-instructions-disallowed",
    "workdir-relative-path",
    "undefined-var",
    "undefined-var-image-base",
    "undefined-arg-in-from",
    "expose",
    "secrets-used-in-arg-or-env",
    "reachability",
    "stage-names",
    "check-skip",
    "check-comment-skip",
    "check-comment-experimental",
    "copy-ignored-file",
    "secrets-allowed-names",
];

fn set(findings: Vec<Finding>) -> BTreeSet<Finding> {
    findings.into_iter().collect()
}

/// Every comparison of one case; the differences found, as readable lines.
fn run_case(name: &str, image: &str) -> (Vec<String>, usize) {
    let case = CheckCase::load(name).expect("fixture");
    let cachefront = Via::BuildArg(image.to_owned());
    let mut problems = Vec::new();
    let mut reported = 0;
    for mode in [Mode::Build, Mode::Check] {
        let get = |engine, via: &Via| {
            findings(&case, engine, via, mode).unwrap_or_else(|error| panic!("{error:#}"))
        };
        let ours = set(get(Engine::Docker28, &cachefront));
        let stock = set(get(Engine::Docker28, &Via::Stock));
        let on_26 = set(get(Engine::Docker26, &cachefront));
        reported += ours.len();
        let expected_stock = case.stock_expectation(&ours);
        if stock != expected_stock {
            problems.push(format!(
                "{name} {mode:?}: Docker 28.5 stock {stock:?}, cachefront {ours:?} (declared differences: {:?})",
                case.file.engine_differences.iter().map(|d| &d.name).collect::<Vec<_>>()
            ));
        }
        if on_26 != ours {
            problems.push(format!(
                "{name} {mode:?}: cachefront on Docker 26 {on_26:?}, on Docker 28.5 {ours:?}"
            ));
        }
    }
    (problems, reported)
}

#[test]
fn findings_match_stock_on_both_engines() {
    let image = frontend_image();
    let mut problems = Vec::new();
    let mut reported = 0;
    for chunk in CASES.chunks(4) {
        let results: Vec<(Vec<String>, usize)> = std::thread::scope(|scope| {
            let handles: Vec<_> = chunk
                .iter()
                .map(|name| scope.spawn(|| run_case(name, &image)))
                .collect();
            handles
                .into_iter()
                .map(|handle| handle.join().expect("case thread"))
                .collect()
        });
        for (case_problems, count) in results {
            problems.extend(case_problems);
            reported += count;
        }
    }
    assert!(reported > 0, "cachefront reported no finding at all");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// With `# syntax=` the Dockerfile cachefront reads starts with that line: every finding is one
/// line further down than stock's on the file without it.
#[test]
fn syntax_directive_lines_are_the_files_lines() {
    let image = frontend_image();
    let case = CheckCase::load("stage-name-and-as-casing").expect("fixture");
    let stock = findings(&case, Engine::Docker28, &Via::Stock, Mode::Build).unwrap();
    for engine in [Engine::Docker28, Engine::Docker26] {
        let ours = findings(&case, engine, &Via::Directive(image.clone()), Mode::Build).unwrap();
        let shifted: Vec<Finding> = stock
            .iter()
            .map(|(rule, line)| (rule.clone(), line + 1))
            .collect();
        assert!(!ours.is_empty(), "{engine:?}: no findings");
        assert_eq!(set(ours), set(shifted), "{engine:?}");
    }
}

/// The `error=true` failure: the same `ERROR:` line as stock, after the same warnings.
#[test]
fn error_true_fails_as_stock() {
    let image = frontend_image();
    let directory = CheckCase::load("check-error").expect("fixture").directory;
    let error_line = |extra: &[&str], docker: &str, config: Option<&str>, host: &str| {
        let mut command = Command::new(docker);
        command
            .args([
                "buildx",
                "build",
                "--progress=plain",
                "--output=type=cacheonly",
            ])
            .args(extra)
            .arg(&directory)
            .env("DOCKER_HOST", host);
        match config {
            Some(config) => command.env("DOCKER_CONFIG", config),
            None => command.env_remove("DOCKER_CONFIG"),
        };
        let output = command.output().expect("docker runs");
        assert!(!output.status.success(), "the build must fail");
        let stderr = String::from_utf8_lossy(&output.stderr).to_string();
        stderr
            .lines()
            .find(|line| line.starts_with("ERROR:"))
            .unwrap_or_default()
            .to_owned()
    };
    let current = "/opt/cachefront-current-engine/client-bin/docker";
    let current_config = Some("/opt/cachefront-current-engine/client-config");
    let socket_28 = "unix:///var/run/cachefront-current-engine/docker.sock";
    let syntax = format!("--build-arg=BUILDKIT_SYNTAX={image}");
    let stock = error_line(&[], current, current_config, socket_28);
    let ours = error_line(&[&syntax], current, current_config, socket_28);
    let on_26 = error_line(&[&syntax], "docker", None, "unix:///var/run/docker.sock");
    // Upstream lists the rules in Go map order: compare them as a set.
    let split = |line: &str| -> (String, BTreeSet<String>) {
        let marker = "lint violation found for rules: ";
        let (head, rules) = line.split_once(marker).unwrap_or((line, ""));
        let rules = rules.split(", ").map(str::to_owned).collect();
        (format!("{head}{marker}"), rules)
    };
    let expected: BTreeSet<String> = ["FromAsCasing", "JSONArgsRecommended"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    let (stock_head, stock_rules) = split(&stock);
    assert_eq!(
        stock_head,
        "ERROR: failed to build: failed to solve: lint violation found for rules: "
    );
    assert_eq!(stock_rules, expected);
    assert_eq!(
        split(&ours),
        (stock_head, expected.clone()),
        "cachefront: {ours:?}"
    );
    assert_eq!(
        split(&on_26).1,
        expected,
        "cachefront on Docker 26: {on_26:?}"
    );
}
