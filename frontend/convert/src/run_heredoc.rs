//! RUN heredocs, in: a shell-form RUN with its heredocs; out: the argv the stock frontend runs
//! (a lone heredoc as the script, a shebang script mounted as a file under `/dev/pipes/`, other
//! heredocs appended for the shell) and a progress-name suffix. Invariant: the same text and
//! mounts as upstream for every heredoc form.

use cachefront_cache::paths::clean_path;
use cachefront_dockerfile::instructions::{Run, ShellOrExec};
use cachefront_llb::{FileAction, FileOperation, Mount, OpMetadata, OpOptions, State};

use crate::stage_state::StageState;

/// The command's argv before the shell is prepended, with heredocs turned into what the stock
/// frontend runs: a lone heredoc becomes the script (mounted as a file when it has a shebang);
/// otherwise the heredoc bodies are appended for the shell to read.
pub(crate) fn heredoc_args(
    stage: &StageState,
    run: &Run,
    mounts: &mut Vec<Mount>,
) -> (Vec<String>, String) {
    let line = match &run.command {
        ShellOrExec::Exec(args) => return (args.clone(), String::new()),
        ShellOrExec::Shell(line) => line,
    };
    let Some(first) = run.heredocs.first() else {
        return (vec![line.clone()], String::new());
    };
    if !is_lone_heredoc(line) {
        let mut script = line.clone();
        for heredoc in &run.heredocs {
            script.push('\n');
            script.push_str(&heredoc.content);
            script.push_str(&heredoc.name);
        }
        return (vec![script], String::new());
    }
    let data = if first.chomp {
        chomp(&first.content)
    } else {
        first.content.clone()
    };
    let suffix = format!(" ({})", summarize(&first.content));
    if data.starts_with("#!") {
        let file = clean_path(&format!("/{}", first.name));
        let document = FileOperation::on(State::scratch())
            .then(FileAction::Mkfile {
                path: file.clone(),
                mode: 0o755,
                data: data.into_bytes(),
                owner: None,
            })
            .build(OpOptions {
                platform: Some(stage.platform.clone()),
                metadata: OpMetadata::named("[internal] preparing inline document"),
                location: None,
            });
        mounts.push(Mount::bind("/dev/pipes/", document, "/"));
        return (vec![format!("/dev/pipes{file}")], suffix);
    }
    (vec![data], suffix)
}

/// Whether the command is nothing but a heredoc marker such as `<<EOF` or `<<-'EOF'`.
fn is_lone_heredoc(line: &str) -> bool {
    let Some(rest) = line.trim().strip_prefix("<<") else {
        return false;
    };
    let rest = rest.strip_prefix('-').unwrap_or(rest).trim();
    !rest.is_empty() && !rest.contains('<') && rest.split_whitespace().count() == 1
}

/// `<<-` strips leading tabs from every line.
fn chomp(content: &str) -> String {
    content
        .split_inclusive('\n')
        .map(|line| line.trim_start_matches('\t'))
        .collect()
}

/// The first line of a heredoc, with `...` when there are more.
fn summarize(content: &str) -> String {
    let trimmed = content.trim();
    let mut lines = trimmed.lines();
    let first = lines.next().unwrap_or_default().to_owned();
    if lines.next().is_some() {
        format!("{first}...")
    } else {
        first
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lone_heredoc_markers() {
        assert!(is_lone_heredoc("<<EOF"));
        assert!(is_lone_heredoc("<<-'EOF'"));
        assert!(!is_lone_heredoc("python3 <<EOF"));
        assert!(!is_lone_heredoc("cat <<EOF > /x"));
    }

    #[test]
    fn chomp_and_summary() {
        assert_eq!(chomp("\t\techo a\n\techo b\n"), "echo a\necho b\n");
        assert_eq!(summarize("echo a\necho b\n"), "echo a...");
        assert_eq!(summarize("  echo a\n"), "echo a");
    }
}
