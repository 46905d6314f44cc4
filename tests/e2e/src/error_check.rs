//! Checks that a failed build points at the right Dockerfile line: input = the build log, the
//! expected 1-based line, its source text and extra required strings, output = the list of what
//! is missing (empty when the log is right). Invariants: the log must name `Dockerfile:<line>`
//! and hold a BuildKit snippet line `<line> | >>> <source text>`; whitespace around the source
//! text is not significant.

/// What BuildKit prints before the source location of an error.
pub const DOCKERFILE_NAME: &str = "Dockerfile";

/// Returns what the log lacks; empty means the error is reported at `line` as expected.
pub fn check_error_log(
    log: &str,
    line: usize,
    line_text: &str,
    contains: &[String],
) -> Vec<String> {
    let mut problems = Vec::new();
    if !names_location(log, line) {
        problems.push(format!(
            "no `{DOCKERFILE_NAME}:{line}` location in the output"
        ));
    }
    if !has_snippet_marker(log, line, line_text) {
        problems.push(format!(
            "no `{line} | >>> {}` snippet line in the output",
            line_text.trim()
        ));
    }
    for expected in contains {
        if !log.contains(expected.as_str()) {
            problems.push(format!("output does not contain {expected:?}"));
        }
    }
    problems
}

/// Whether `Dockerfile:<line>` occurs, not followed by another digit.
fn names_location(log: &str, line: usize) -> bool {
    let needle = format!("{DOCKERFILE_NAME}:{line}");
    log.match_indices(&needle).any(|(start, _)| {
        !log[start + needle.len()..]
            .chars()
            .next()
            .is_some_and(|next| next.is_ascii_digit())
    })
}

/// Whether a snippet line `  <line> | >>> <text>` marks `line` with the expected text.
fn has_snippet_marker(log: &str, line: usize, line_text: &str) -> bool {
    let wanted_number = line.to_string();
    log.lines().any(|log_line| {
        let Some((number, rest)) = log_line.split_once(" | ") else {
            return false;
        };
        let Some(source) = rest.trim_start().strip_prefix(">>>") else {
            return false;
        };
        number.trim() == wanted_number && source.trim() == line_text.trim()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str =
        "#5 ERROR: process \"/bin/sh -c exit 3\" did not complete successfully: exit code: 3
------
 > [2/2] RUN exit 3:
------
Dockerfile:13
--------------------
  11 |     FROM debian:bookworm
  12 |     RUN true
  13 | >>> RUN exit 3
  14 |
--------------------
ERROR: failed to solve: process \"/bin/sh -c exit 3\" did not complete successfully: exit code: 3
";

    #[test]
    fn accepts_a_log_marking_the_line() {
        let contains = vec!["exit code: 3".to_string()];
        assert_eq!(
            check_error_log(LOG, 13, "RUN exit 3", &contains),
            Vec::<String>::new()
        );
    }

    #[test]
    fn reports_everything_missing() {
        let contains = vec!["unknown instruction".to_string()];
        let problems = check_error_log(LOG, 1, "RUN exit 3", &contains);
        insta::assert_snapshot!(problems.join("\n"), @r#"
        no `Dockerfile:1` location in the output
        no `1 | >>> RUN exit 3` snippet line in the output
        output does not contain "unknown instruction"
        "#);
    }

    #[test]
    fn line_numbers_must_match_exactly() {
        assert!(!names_location(LOG, 1));
        assert!(names_location(LOG, 13));
        assert!(!has_snippet_marker(LOG, 12, "RUN true"));
        assert!(!has_snippet_marker(LOG, 13, "RUN exit 4"));
    }
}
