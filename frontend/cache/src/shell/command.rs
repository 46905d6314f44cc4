//! Commands: shell builtins that change the state, wrappers, and nested scripts.
//!
//! Input: the words and assignments of one simple command, the heredoc on its stdin, and the
//! current [`Scope`]. Output: an [`Invocation`] recorded on the walker, scope updates for
//! `export`/`unset`/`cd`, and walks of nested scripts (`sh -c`, shells reading heredocs,
//! `eval`). Invariant: a nested script is editable only when its text is verbatim in the root.

use std::collections::BTreeMap;

use super::scope::{Scope, ScriptVariable};
use super::walk::Walker;
use super::wrappers::{unwrap, Nested};
use super::{Arg, CommandAssignment, EffectiveUser, Invocation, Place, Root};
use crate::paths::resolve_against;
use crate::template::{is_variable_name, VariableValue};

impl Walker<'_> {
    /// Records one command (after builtins that change the shell state) and walks its nested
    /// script, if any.
    pub(super) fn process_command(
        &mut self,
        args: Vec<Arg>,
        assignments: Vec<CommandAssignment>,
        stdin_script: Option<(String, Option<(Root, usize)>)>,
        scope: &mut Scope,
    ) {
        if args.is_empty() {
            self.assign_variables(assignments, scope);
            return;
        }
        self.apply_builtin(&args, scope);
        let unwrapped = unwrap(&args);
        let mut variables: BTreeMap<String, VariableValue> = BTreeMap::new();
        let env_cleared = scope.env_cleared || unwrapped.env_cleared;
        if !unwrapped.env_cleared {
            for (name, variable) in &scope.variables {
                if variable.exported {
                    variables.insert(name.clone(), variable.value.clone());
                }
            }
            for assignment in &assignments {
                variables.insert(assignment.name.clone(), assignment.value.clone());
            }
        }
        for assignment in &unwrapped.assignments {
            variables.insert(assignment.name.clone(), assignment.value.clone());
        }
        for name in &unwrapped.unset {
            variables.insert(name.clone(), VariableValue::Unset);
        }
        let user = unwrapped.user.clone().unwrap_or_else(|| scope.user.clone());
        let home = match (&unwrapped.user, &user) {
            (Some(_), EffectiveUser::Root) => "/root".to_owned(),
            _ => scope.home.clone(),
        };
        let mut all_assignments = assignments;
        all_assignments.extend(unwrapped.assignments.iter().cloned());
        let invocation = Invocation {
            args: args.get(unwrapped.start..).unwrap_or_default().to_vec(),
            assignments: all_assignments,
            variables: variables.clone(),
            env_cleared,
            home: home.clone(),
            user: user.clone(),
            conditional: scope.conditional,
            sequence: self.invocations.len(),
            cwd: scope.cwd.clone(),
        };
        if !invocation.args.is_empty() {
            self.invocations.push(invocation);
        }
        let child_scope = |walker_scope: &Scope| Scope {
            variables: variables
                .iter()
                .map(|(name, value)| {
                    (
                        name.clone(),
                        ScriptVariable {
                            value: value.clone(),
                            exported: true,
                        },
                    )
                })
                .collect(),
            env_cleared,
            home: home.clone(),
            user: user.clone(),
            cwd: walker_scope.cwd.clone(),
            conditional: walker_scope.conditional,
            depth: walker_scope.depth,
        };
        self.walk_nested(unwrapped.nested, &args, stdin_script, scope, &child_scope);
    }

    /// A command of assignments only (`A=1`): shell variables, exported when already in the env.
    fn assign_variables(&mut self, assignments: Vec<CommandAssignment>, scope: &mut Scope) {
        for assignment in assignments {
            let exported = scope
                .variables
                .get(&assignment.name)
                .map_or(self.env.contains_key(&assignment.name), |variable| {
                    variable.exported
                });
            scope.variables.insert(
                assignment.name,
                ScriptVariable {
                    value: assignment.value,
                    exported,
                },
            );
        }
    }

    /// Walks the script a command runs: `sh -c` text, a heredoc on a shell's stdin, or `eval`
    /// words; `child_scope` gives the scope a nested shell starts with.
    fn walk_nested(
        &mut self,
        nested: Nested,
        args: &[Arg],
        stdin_script: Option<(String, Option<(Root, usize)>)>,
        scope: &mut Scope,
        child_scope: &dyn Fn(&Scope) -> Scope,
    ) {
        match nested {
            Nested::None => {}
            Nested::ShellString { script_arg } => {
                let Some(arg) = args.get(script_arg) else {
                    return;
                };
                match arg.text() {
                    Some(script) => {
                        let script = script.to_owned();
                        let origin = nested_origin(arg);
                        let mut inner = child_scope(scope);
                        self.walk_script(&script, origin, &mut inner);
                    }
                    None => self.problems.push(format!(
                        "the script of `sh -c {}` is only known at run time; not analysed",
                        arg.raw
                    )),
                }
            }
            Nested::ShellStdin => {
                if let Some((script, origin)) = stdin_script {
                    let mut inner = child_scope(scope);
                    self.walk_script(&script, origin, &mut inner);
                }
            }
            Nested::Eval { from } => {
                let words: Option<Vec<&str>> = args.iter().skip(from).map(Arg::text).collect();
                match words {
                    Some(words) => {
                        let script = words.join(" ");
                        self.walk_script(&script, None, scope);
                    }
                    None => self
                        .problems
                        .push("an `eval` of run-time values is not analysed".to_owned()),
                }
            }
        }
    }

    /// Applies `export`, `unset` and `cd` to the scope.
    fn apply_builtin(&mut self, args: &[Arg], scope: &mut Scope) {
        let Some(name) = args.first().and_then(Arg::text) else {
            return;
        };
        match name {
            "export" | "declare" | "typeset" | "readonly" | "local" => {
                let exported = name == "export"
                    || args.iter().any(|arg| {
                        arg.text()
                            .is_some_and(|text| text.starts_with("-") && text.contains('x'))
                    });
                for arg in args.iter().skip(1) {
                    let variable_name = arg
                        .raw
                        .split_once('=')
                        .map_or(arg.raw.as_str(), |(name, _)| name);
                    if !is_variable_name(variable_name) {
                        continue;
                    }
                    let previous = scope.variables.get(variable_name).cloned();
                    let value = match (arg.raw.contains('='), arg.text()) {
                        (true, Some(text)) => text
                            .split_once('=')
                            .map_or(VariableValue::Unknown, |(_, value)| {
                                VariableValue::Set(value.to_owned())
                            }),
                        (true, None) => VariableValue::Unknown,
                        (false, _) => match previous.as_ref() {
                            Some(variable) => variable.value.clone(),
                            None => self.lookup(scope, variable_name),
                        },
                    };
                    let exported = exported
                        || previous.is_some_and(|variable| variable.exported)
                        || self.env.contains_key(variable_name);
                    scope
                        .variables
                        .insert(variable_name.to_owned(), ScriptVariable { value, exported });
                }
            }
            "unset" => {
                for arg in args.iter().skip(1) {
                    if let Some(text) = arg.text().filter(|text| is_variable_name(text)) {
                        scope.variables.insert(
                            text.to_owned(),
                            ScriptVariable {
                                value: VariableValue::Unset,
                                exported: false,
                            },
                        );
                    }
                }
            }
            "cd" | "pushd" => {
                let operand = args.iter().skip(1).find(|arg| {
                    !arg.text()
                        .is_some_and(|text| text.starts_with('-') && text.len() > 1)
                });
                scope.cwd = match operand.map(Arg::text) {
                    None => Some(scope.home.clone()),
                    Some(Some(path)) => scope
                        .cwd
                        .as_deref()
                        .map(|cwd| resolve_against(cwd, path))
                        .or_else(|| path.starts_with('/').then(|| resolve_against("/", path))),
                    Some(None) => None,
                };
            }
            "popd" => scope.cwd = None,
            _ => {}
        }
    }
}

/// Where a `sh -c` script starts in its root, when the word's text there is the script verbatim
/// (unquoted without escapes, single-quoted, or double-quoted without `\`, `$` or backquotes).
fn nested_origin(arg: &Arg) -> Option<(Root, usize)> {
    let value = arg.text()?;
    match arg.place.as_ref()? {
        Place::Argv { index } => Some((Root::ExecArgument(*index), 0)),
        Place::Text { root, start, .. } => {
            if arg.raw == value {
                return Some((*root, *start));
            }
            let quoted = arg.raw.len() >= 2
                && ((arg.raw.starts_with('\'') && arg.raw.ends_with('\''))
                    || (arg.raw.starts_with('"') && arg.raw.ends_with('"')));
            (quoted && arg.raw.get(1..arg.raw.len() - 1) == Some(value))
                .then_some((*root, start + 1))
        }
    }
}
