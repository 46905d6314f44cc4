//! Parser behaviour tests: spans, comments, directives, continuations, heredocs and errors.

use super::*;

fn parsed(source: &str) -> Ast {
    match parse(source.as_bytes()) {
        Ok(ast) => ast,
        Err(error) => panic!("parse failed: {error} at {:?}", error.span),
    }
}

fn failure(source: &str) -> ParseError {
    match parse(source.as_bytes()) {
        Ok(ast) => panic!("expected an error, got {ast:?}"),
        Err(error) => error,
    }
}

fn spans(ast: &Ast) -> Vec<(usize, usize)> {
    ast.nodes
        .iter()
        .map(|node| (node.span.start, node.span.end))
        .collect()
}

#[test]
fn spans_cover_continuations_and_heredocs() {
    let ast = parsed("FROM a\n\nRUN a \\\n  b\nRUN <<EOF\nx\nEOF\nCMD c\n");
    assert_eq!(spans(&ast), vec![(1, 1), (3, 4), (5, 7), (8, 8)]);
    assert_eq!(ast.nodes[1].args, vec!["a   b"]);
    assert_eq!(ast.nodes[1].original, "RUN a   b");
}

#[test]
fn comments_and_blank_lines_inside_continuations() {
    let ast = parsed("FROM a\nRUN a \\\n# note\n\n    && b\n");
    assert_eq!(ast.nodes[1].args, vec!["a     && b"]);
    assert_eq!(ast.warnings.len(), 1);
    assert_eq!(ast.warnings[0].span, Span::line(5));
    assert!(ast.warnings[0]
        .message
        .starts_with("Empty continuation line found in: RUN a"));
}

#[test]
fn comments_attach_to_next_instruction() {
    let ast = parsed("# syntax=x\n# first\n\n# second\nFROM a\n#\n# reset above\nRUN b\n");
    assert_eq!(ast.nodes[0].comments, vec!["first", "second"]);
    assert_eq!(ast.nodes[1].comments, vec!["reset above"]);
    assert_eq!(ast.directives.syntax.as_deref(), Some("x"));
}

#[test]
fn directives_only_at_the_top() {
    let ast = parsed("# escape=`\n# check=skip=all\nFROM a\nRUN a `\n  b\n");
    assert_eq!(ast.directives.escape, '`');
    assert_eq!(ast.directives.escape_line, Some(1));
    assert_eq!(ast.directives.check.as_deref(), Some("skip=all"));
    assert_eq!(ast.nodes[1].args, vec!["a   b"]);

    let ast = parsed("FROM a\n# escape=`\nRUN a `\n");
    assert_eq!(ast.directives.escape, '\\');
    assert_eq!(ast.nodes[1].args, vec!["a `"]);

    let ast = parsed("\n# escape=`\nFROM a\n");
    assert_eq!(ast.directives.escape, '\\');
    let ast = parsed("# hello\n# escape=`\nFROM a\n");
    assert_eq!(ast.directives.escape, '\\');
}

#[test]
fn directive_errors() {
    let error = failure("# escape=`\n# escape=\\\nFROM a\n");
    assert_eq!(
        error.to_string(),
        "only one escape parser directive can be used"
    );
    assert_eq!(error.span, Span::line(2));
    assert_eq!(
        failure("# escape=x\nFROM a\n").to_string(),
        "invalid escape token 'x' does not match ` or \\"
    );
}

#[test]
fn bom_and_crlf() {
    let ast = parsed("\u{FEFF}# syntax=docker/dockerfile:1\r\nFROM a\r\nRUN a \\\r\n b\r\nCOPY <<EOF /x\r\nhi\r\nEOF\r\n");
    assert_eq!(
        ast.directives.syntax.as_deref(),
        Some("docker/dockerfile:1")
    );
    assert_eq!(ast.nodes[1].args, vec!["a  b"]);
    assert_eq!(ast.nodes[2].heredocs[0].content, "hi\r\n");
}

#[test]
fn heredoc_forms() {
    let ast = parsed(concat!(
        "FROM a\n",
        "RUN <<EOF\necho $X\nEOF\n",
        "RUN python3 <<'PY'\nprint(1)\nPY\n",
        "RUN cat > /f <<-EOT && cat <<B\n\t\tindented\n\tEOT\nsecond\nB\n",
        "COPY <<one <<two /dest/\n1\none\n2\ntwo\n",
        "RUN [\"sh\", \"<<EOF\"]\n",
        "ENV A=<<EOF\n",
    ));
    let run = &ast.nodes[1];
    assert_eq!(
        run.heredocs,
        vec![Heredoc {
            name: "EOF".into(),
            content: "echo $X\n".into(),
            expand: true,
            chomp: false
        }]
    );
    assert!(!ast.nodes[2].heredocs[0].expand);
    let double = &ast.nodes[3].heredocs;
    assert_eq!(
        (
            double[0].name.as_str(),
            double[0].chomp,
            double[0].content.as_str()
        ),
        ("EOT", true, "\t\tindented\n")
    );
    assert_eq!(
        (double[1].name.as_str(), double[1].content.as_str()),
        ("B", "second\n")
    );
    assert_eq!(ast.nodes[4].heredocs.len(), 2);
    assert_eq!(ast.nodes[4].args, vec!["<<one", "<<two", "/dest/"]);
    assert!(ast.nodes[5].heredocs.is_empty());
    assert!(ast.nodes[6].heredocs.is_empty());
    assert_eq!(spans(&ast)[3], (8, 12));
}

#[test]
fn heredoc_in_onbuild() {
    let ast = parsed("FROM a\nONBUILD RUN <<EOF\nx\nEOF\n");
    assert_eq!(ast.nodes[1].heredocs.len(), 1);
    assert_eq!(
        ast.nodes[1]
            .next
            .as_ref()
            .map(|child| child.keyword.as_str()),
        Some("run")
    );
    assert_eq!(ast.nodes[1].span, Span::new(2, 4));
}

#[test]
fn unterminated_heredoc_and_empty_files() {
    let error = failure("FROM a\nRUN <<EOF\nx\n");
    assert_eq!(
        (error.to_string().as_str(), error.span),
        ("unterminated heredoc", Span::new(2, 3))
    );
    assert_eq!(failure("").to_string(), "file with no instructions");
    assert_eq!(
        failure("# only a comment\n\n").to_string(),
        "file with no instructions"
    );
}

#[test]
fn json_and_not_json() {
    let ast =
        parsed("FROM a\nCMD [\"a\", \"b\"]\nCMD [\"a\" \"b\"]\nENTRYPOINT []\nRUN [\"a\"] b\n");
    assert!(ast.nodes[1].json);
    assert!(!ast.nodes[2].json);
    assert_eq!(ast.nodes[2].args, vec!["[\"a\" \"b\"]"]);
    assert!(ast.nodes[3].json && ast.nodes[3].args.is_empty());
    assert!(!ast.nodes[4].json);
    let error = failure("FROM a\nCMD [\"a\", 1]\n");
    assert_eq!(
        error.to_string(),
        "when using JSON array syntax, arrays must be comprised of strings only"
    );
    assert_eq!(error.span, Span::line(2));
}

#[test]
fn keywords_flags_and_unknown_instructions() {
    let ast = parsed("from a\nCoPy --from=b --chown=\"x y\" --link src dst\nFOO bar\n");
    assert_eq!(ast.nodes[1].keyword, "copy");
    assert_eq!(
        ast.nodes[1].flags,
        vec!["--from=b", "--chown=x y", "--link"]
    );
    assert_eq!(ast.nodes[2].keyword, "foo");
    assert_eq!(ast.nodes[2].args, vec![""]);
}

#[test]
fn escaped_escape_is_not_a_continuation() {
    let ast = parsed("FROM a\nRUN echo \\\\\nRUN b\n");
    assert_eq!(ast.nodes.len(), 3);
    assert_eq!(ast.nodes[1].args, vec!["echo \\\\"]);
}

#[test]
fn overlong_lines_are_rejected() {
    let source = format!("FROM a\nRUN {}\n", "x".repeat(70_000));
    let error = failure(&source);
    assert_eq!(
        error.to_string(),
        "dockerfile line greater than max allowed size of 65535"
    );
}

#[test]
fn dump_matches_buildkit_format() {
    let ast = parsed(concat!(
        "FROM --platform=$P alpine AS build\n",
        "ENV A=1 B=\"two words\"\n",
        "ENV LEGACY value with spaces\n",
        "ONBUILD RUN --mount=type=cache,target=/x echo \"hi\"\n",
        "HEALTHCHECK --interval=5s CMD [\"curl\", \"-f\"]\n",
        "EXPOSE 80/tcp 443\n",
    ));
    let expected = concat!(
        "(from [\"--platform=$P\"] \"alpine\" \"AS\" \"build\")\n",
        "(env \"A\" \"1\" \"=\" \"B\" \"\\\"two words\\\"\" \"=\")\n",
        "(env \"LEGACY\" \"value with spaces\" \"\")\n",
        "(onbuild (run [\"--mount=type=cache,target=/x\"] \"echo \\\"hi\\\"\"))\n",
        "(healthcheck [\"--interval=5s\"] \"CMD\" \"curl\" \"-f\")\n",
        "(expose \"80/tcp\" \"443\")\n",
    );
    assert_eq!(dump(&ast), expected);
}
