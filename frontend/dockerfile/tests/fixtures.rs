//! Fixture snapshots, in: `tests/fixtures/parse/<case>/Dockerfile` and
//! `tests/fixtures/parse-errors/<case>/Dockerfile`; out: insta snapshots of the BuildKit-format dump
//! (with heredocs, directives, warnings and the typing outcome) and of the rendered errors.
//! Invariant: every parse fixture parses and every error fixture fails.

use std::fmt::Write;

use cachefront_dockerfile::instructions::parse_dockerfile;
use cachefront_dockerfile::parse::{dump, parse, Ast, Directives};
use cachefront_dockerfile::{go_quote, parse_and_type, render_error};

fn describe(ast: &Ast) -> String {
    let mut text = dump(ast);
    if ast.directives != Directives::default() {
        let directives = &ast.directives;
        let _ = writeln!(
            text,
            "--- directives\nsyntax={:?} escape={:?} check={:?}",
            directives.syntax, directives.escape, directives.check
        );
    }
    for node in ast.nodes.iter().filter(|node| !node.heredocs.is_empty()) {
        let _ = writeln!(
            text,
            "--- heredocs of lines {}-{}",
            node.span.start, node.span.end
        );
        for heredoc in &node.heredocs {
            let _ = writeln!(
                text,
                "{} expand={} chomp={} content={}",
                heredoc.name,
                heredoc.expand,
                heredoc.chomp,
                go_quote(&heredoc.content)
            );
        }
    }
    for node in ast.nodes.iter().filter(|node| !node.comments.is_empty()) {
        let _ = writeln!(
            text,
            "--- comments before line {}: {:?}",
            node.span.start, node.comments
        );
    }
    for warning in &ast.warnings {
        let _ = writeln!(
            text,
            "--- warning at line {}: {}",
            warning.span.start, warning.message
        );
    }
    let spans: Vec<String> = ast
        .nodes
        .iter()
        .map(|node| format!("{}-{}", node.span.start, node.span.end))
        .collect();
    let _ = writeln!(text, "--- spans\n{}", spans.join(" "));
    match parse_dockerfile(ast) {
        Ok(dockerfile) => {
            let _ = writeln!(
                text,
                "--- typed: {} meta ARGs, {} stages",
                dockerfile.meta_args.len(),
                dockerfile.stages.len()
            );
        }
        Err(error) => {
            let _ = writeln!(text, "--- typed: {error}");
        }
    }
    text
}

#[test]
fn parse_fixtures() {
    insta::glob!("../../../tests/fixtures", "parse/*/Dockerfile", |path| {
        let source = std::fs::read(path).expect("fixture is readable");
        let ast = parse(&source).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        insta::assert_snapshot!(describe(&ast));
    });
}

#[test]
fn parse_error_fixtures() {
    insta::glob!(
        "../../../tests/fixtures",
        "parse-errors/*/Dockerfile",
        |path| {
            let source = std::fs::read(path).expect("fixture is readable");
            let error = match parse_and_type(&source) {
                Ok(_) => panic!("{} should not parse", path.display()),
                Err(error) => error,
            };
            insta::assert_snapshot!(format!(
                "{error}\n\n{}",
                render_error("Dockerfile", &source, &error)
            ));
        }
    );
}
