//! How RUN heredoc forms reach the planner: the command line without bodies plus heredocs.

#![allow(clippy::unwrap_used)]

mod common;

use cachefront_cache::render_plan;
use common::{targets, Case};

#[test]
fn command_line_without_bodies_plus_heredocs() {
    for line in [
        "<<EOF",
        "bash <<EOF",
        "set -e; bash -e <<'EOF'",
        "<<EOF bash",
    ] {
        let planned = Case {
            heredocs: vec![("apt-get install -y curl\n", true)],
            ..Case::default()
        }
        .script(line);
        assert_eq!(targets(&planned), ["/var/cache/apt"], "{line}");
        assert!(
            planned.skipped.is_empty(),
            "{line}: {}",
            render_plan(&planned)
        );
    }
    let python = Case {
        heredocs: vec![("import os\n", false)],
        ..Case::default()
    }
    .script("python3 <<EOF");
    assert!(
        python.is_empty() && python.skipped.is_empty(),
        "{}",
        render_plan(&python)
    );
}
