//! Checks the harness itself on the real daemon, without cachefront: input = fixture cases built
//! with the stock frontend only, output = assertions that the same build compares equal and that
//! a deliberately changed Dockerfile yields a readable diff in files, config and history, and
//! that every fixture behaves under the stock frontend as it says and rebuilds reproducibly.
//! Invariant: needs Docker (fails, never skips, without it) but not `cachefront:dev`.

// A test harness: failing loudly on a broken fixture or daemon is its job.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use cachefront_e2e::{
    build_prepared, case_names, check_stock, compare_builds, compare_images, fixtures_root,
    start_case_services, Case, Difference, Frontend, IgnorePatterns, PreparedBuild,
};

fn load(name: &str) -> Case {
    match Case::load(&fixtures_root().join(name)) {
        Ok(case) => case,
        Err(error) => panic!("loading case {name}: {error:#}"),
    }
}

#[test]
fn stock_against_stock_is_equal() {
    let case = load("copy_context");
    let comparison = compare_builds(
        (&case, Frontend::Stock),
        (&case, Frontend::Stock),
        &IgnorePatterns::default(),
    );
    match comparison {
        Ok(comparison) => assert!(comparison.is_equal(), "{comparison}"),
        Err(error) => panic!("{error:#}"),
    }
}

#[test]
fn changed_dockerfile_gives_a_readable_diff() {
    let case = load("run_forms");
    let mut changed = case.clone();
    changed.name = "run_forms_changed".into();
    changed.dockerfile = case
        .dockerfile
        .replace("echo shell > /shell.txt", "echo changed > /shell.txt && chmod 600 /shell.txt")
        + "ENV EXTRA=1\nLABEL changed=yes\nRUN mkdir -p /root/.cache/tool && echo cached > /root/.cache/tool/blob\n";
    let ignore = IgnorePatterns::new(&["/root/.cache/tool"]).unwrap_or_default();
    let comparison = match compare_builds(
        (&case, Frontend::Stock),
        (&changed, Frontend::Stock),
        &ignore,
    ) {
        Ok(comparison) => comparison,
        Err(error) => panic!("{error:#}"),
    };
    let report = comparison.to_string();
    assert!(!comparison.is_equal(), "{report}");
    let changed_file = comparison.differences.iter().any(|difference| {
        matches!(difference, Difference::FileChanged { path, .. } if path == "/shell.txt")
    });
    assert!(changed_file, "{report}");
    for expected in [
        "changed: /shell.txt: mode 0644 -> 0600; size 6 -> 8; content differs",
        "    Env:",
        "    Labels:",
        "+ [",
        "\"ENV EXTRA=1\" (empty layer)",
        "ignored file differences (ignore_paths: /root/.cache/tool):",
        "only in run_forms_changed(stock): /root/.cache/tool/blob",
    ] {
        assert!(
            report.contains(expected),
            "missing {expected:?} in:\n{report}"
        );
    }
    println!("{report}");
}

/// Checks one case with the stock frontend only: it must behave as its `case.json` says and,
/// when it builds, rebuild without cache to the same image (a nondeterministic fixture would make
/// every cachefront diff lie). Returns the problem, if any.
fn stock_problem(name: &str) -> Option<String> {
    let check = || -> anyhow::Result<Option<String>> {
        let case = Case::load(&fixtures_root().join(name))?;
        // Cases that ADD URLs get one loopback server (one URL) for both builds.
        let (_services, served_case) = start_case_services(&case)?;
        let case = served_case.unwrap_or(case);
        let cached = check_stock(&case)?;
        let Some(cached) = cached.snapshot else {
            return Ok(None);
        };
        let mut prepared = PreparedBuild::new(&case, Frontend::Stock)?;
        // buildx refuses --no-cache together with --no-cache-filter.
        prepared.request.no_cache = !case.flags.iter().any(|flag| flag == "--no-cache-filter");
        let rebuilt = build_prepared(&prepared)?;
        let Some(rebuilt) = rebuilt.snapshot else {
            anyhow::bail!("the --no-cache stock build failed:\n{}", rebuilt.output.log);
        };
        let comparison = compare_images(&cached, &rebuilt, &case.ignore, "cached", "no-cache");
        Ok((!comparison.is_equal()).then(|| comparison.to_string()))
    };
    match check() {
        Ok(None) => None,
        Ok(Some(report)) => Some(format!("case {name} is not reproducible: {report}")),
        Err(error) => Some(format!("case {name}: {error:#}")),
    }
}

#[test]
fn stock_frontend_behaves_as_every_case_expects_and_reproduces() {
    let names = match case_names(&fixtures_root()) {
        Ok(names) => names,
        Err(error) => panic!("listing fixture cases: {error:#}"),
    };
    let (first_half, second_half) = names.split_at(names.len() / 2);
    let check_all = |half: &[String]| -> Vec<String> {
        half.iter().filter_map(|name| stock_problem(name)).collect()
    };
    let problems: Vec<String> = std::thread::scope(|scope| {
        let first = scope.spawn(|| check_all(first_half));
        let mut problems = check_all(second_half);
        match first.join() {
            Ok(more) => problems.extend(more),
            Err(_) => problems.push("a checking thread panicked".into()),
        }
        problems
    });
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
