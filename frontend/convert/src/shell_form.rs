//! Shell and exec forms, in: a command as written (a shell line or an argv) and the image's SHELL;
//! out: the argv that runs it. Invariant: a shell line runs through the SHELL in effect.

use cachefront_dockerfile::instructions::ShellOrExec;

/// The shell a shell-form command runs through when the image sets no SHELL: `/bin/sh -c`.
pub(crate) fn default_shell() -> Vec<String> {
    vec!["/bin/sh".to_owned(), "-c".to_owned()]
}

/// Shell form runs through the image's SHELL (default `/bin/sh -c`); exec form runs as written.
pub(crate) fn with_shell(shell: &Option<Vec<String>>, command: &ShellOrExec) -> Vec<String> {
    match command {
        ShellOrExec::Exec(args) => args.clone(),
        ShellOrExec::Shell(line) => {
            let mut args = shell
                .clone()
                .filter(|shell| !shell.is_empty())
                .unwrap_or_else(default_shell);
            args.push(line.clone());
            args
        }
    }
}
