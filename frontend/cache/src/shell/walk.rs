//! The AST walker behind [`analyse`]: visits every command a RUN can execute.
//!
//! Input: a [`RunInput`]. Output: an [`Analysis`]. Invariants: commands are recorded in
//! execution order with a sequence number; commands that may not run although the RUN succeeds
//! are marked conditional; variables assigned in such places become unknown afterwards;
//! recursion into nested scripts is bounded; brush-parser panics are contained.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::panic::{catch_unwind, AssertUnwindSafe};

use brush_parser::ast::{
    self, AndOr, Command, CommandPrefixOrSuffixItem, CompoundCommand, CompoundList, IoHereDocument,
    IoRedirect, SeparatorOperator,
};
use brush_parser::word::{self, WordPiece};
use brush_parser::{Parser, ParserOptions};

use super::scope::{Level, Scope, ScriptVariable};
use super::words::{evaluate_word, WordValue};
use super::{
    basename, is_posix_shell, Analysis, Arg, CommandAssignment, EffectiveUser, Invocation, Place,
    Root,
};
use crate::input::{RunCommand, RunInput};
use crate::template::VariableValue;

/// How deep `sh -c "sh -c ..."`, `$(...)` and `eval` nest before analysis stops.
const MAXIMUM_DEPTH: usize = 12;

/// How deep `(` may nest in a script the shell parser is given: its time doubles with each level
/// of bare `(((` (subshell or arithmetic), so deeper scripts are left unanalysed.
const MAXIMUM_PARENTHESES: usize = 12;

/// Whether a redirection names a file descriptor of more than nine digits (`22222222222>|f`):
/// the shell parser panics on those (its number overflows), so such scripts are not analysed.
fn has_oversized_io_number(text: &str) -> bool {
    let mut digits = 0usize;
    for byte in text.bytes() {
        match byte {
            b'0'..=b'9' => digits += 1,
            b'<' | b'>' if digits > 9 => return true,
            _ => digits = 0,
        }
    }
    false
}

/// The deepest nesting of `(` in `text` (quotes are not skipped: this only bounds parser work).
fn parenthesis_depth(text: &str) -> usize {
    let mut depth = 0usize;
    let mut deepest = 0usize;
    for byte in text.bytes() {
        match byte {
            b'(' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// Analyses every command of the RUN.
pub(crate) fn analyse(input: &RunInput) -> Analysis {
    let mut walker = Walker {
        env: input.env,
        invocations: Vec::new(),
        problems: Vec::new(),
    };
    let mut scope = Scope {
        variables: BTreeMap::new(),
        env_cleared: false,
        home: input
            .env
            .get("HOME")
            .cloned()
            .unwrap_or_else(|| input.user.home.clone()),
        user: EffectiveUser::RunUser,
        cwd: Some(input.workdir.to_owned()),
        conditional: false,
        depth: 0,
    };
    match input.command {
        RunCommand::Shell { script, shell } => {
            let shell_name = shell.first().map(|program| basename(program));
            if shell_name.is_some_and(is_posix_shell) {
                // With heredocs the command line comes without their bodies; terminate each
                // one with an empty body so the line parses (the bodies are walked below).
                let mut text = script.to_owned();
                for heredoc in input.heredocs {
                    text.push('\n');
                    text.push_str(heredoc.name);
                }
                walker.walk_script(&text, Some((Root::Script, 0)), &mut scope);
            } else {
                walker.problems.push(format!(
                    "SHELL {shell:?} is not a POSIX shell; the script is not analysed"
                ));
            }
        }
        RunCommand::Exec(argv) => {
            let args = argv
                .iter()
                .enumerate()
                .map(|(index, text)| Arg {
                    raw: text.clone(),
                    value: WordValue::Static {
                        text: text.clone(),
                        glob: false,
                    },
                    place: Some(Place::Argv { index }),
                })
                .collect();
            walker.process_command(args, Vec::new(), None, &mut scope);
        }
    }
    for (index, heredoc) in input.heredocs.iter().enumerate() {
        if heredoc.fed_to_shell {
            walker.walk_script(heredoc.content, Some((Root::Heredoc(index), 0)), &mut scope);
        }
    }
    Analysis {
        invocations: walker.invocations,
        problems: walker.problems,
    }
}

pub(super) struct Walker<'a> {
    pub(super) env: &'a BTreeMap<String, String>,
    pub(super) invocations: Vec<Invocation>,
    pub(super) problems: Vec<String>,
}

impl Walker<'_> {
    /// The value of `name` in the current shell (exported or not).
    pub(super) fn lookup(&self, scope: &Scope, name: &str) -> VariableValue {
        if let Some(variable) = scope.variables.get(name) {
            return variable.value.clone();
        }
        if name == "HOME" {
            return VariableValue::Set(scope.home.clone());
        }
        if scope.env_cleared && name != "PATH" {
            return VariableValue::Unset;
        }
        self.env.get(name).map_or(VariableValue::Unset, |value| {
            VariableValue::Set(value.clone())
        })
    }

    fn evaluate(&self, scope: &Scope, raw: &str) -> WordValue {
        evaluate_word(raw, &|name| self.lookup(scope, name), &scope.home)
    }

    pub(super) fn walk_script(
        &mut self,
        text: &str,
        origin: Option<(Root, usize)>,
        scope: &mut Scope,
    ) {
        if scope.depth >= MAXIMUM_DEPTH {
            self.problems
                .push("scripts nest too deeply; the innermost ones are not analysed".to_owned());
            return;
        }
        let parentheses = parenthesis_depth(text);
        if parentheses > MAXIMUM_PARENTHESES {
            self.problems.push(format!(
                "parentheses nest {parentheses} deep (more than {MAXIMUM_PARENTHESES}); the script is not analysed"
            ));
            return;
        }
        if has_oversized_io_number(text) {
            self.problems.push(
                "a redirection names a file descriptor of over nine digits; the script is not analysed"
                    .to_owned(),
            );
            return;
        }
        let options = ParserOptions::default();
        let parsed = catch_unwind(AssertUnwindSafe(|| {
            Parser::new(Cursor::new(text.as_bytes()), &options).parse_program()
        }));
        let program = match parsed {
            Ok(Ok(program)) => program,
            Ok(Err(error)) => {
                self.problems
                    .push(format!("the shell script could not be parsed ({error})"));
                return;
            }
            Err(_) => {
                self.problems
                    .push("the shell parser failed on the script".to_owned());
                return;
            }
        };
        let level = Level::new(text, origin);
        scope.depth += 1;
        for list in &program.complete_commands {
            self.walk_list(list, scope, &level);
        }
        scope.depth -= 1;
    }

    fn walk_list(&mut self, list: &CompoundList, scope: &mut Scope, level: &Level) {
        for item in &list.0 {
            if matches!(item.1, SeparatorOperator::Async) {
                let mut inner = scope.conditional_copy();
                self.walk_and_or(&item.0, &mut inner, level);
                scope.merge_uncertain(&inner);
            } else {
                self.walk_and_or(&item.0, scope, level);
            }
        }
    }

    /// `a && b && c` counts as running every part (a failure fails the RUN); once a `||`
    /// appears anywhere in the list, every part after the first may be skipped while the RUN
    /// still succeeds, so they are conditional.
    fn walk_and_or(&mut self, list: &ast::AndOrList, scope: &mut Scope, level: &Level) {
        self.walk_pipeline(&list.first, scope, level);
        let has_alternative = list
            .additional
            .iter()
            .any(|next| matches!(next, AndOr::Or(_)));
        if !has_alternative {
            for next in &list.additional {
                if let AndOr::And(pipeline) = next {
                    self.walk_pipeline(pipeline, scope, level);
                }
            }
            return;
        }
        let mut inner = scope.conditional_copy();
        for next in &list.additional {
            match next {
                AndOr::And(pipeline) | AndOr::Or(pipeline) => {
                    self.walk_pipeline(pipeline, &mut inner, level);
                }
            }
        }
        scope.merge_uncertain(&inner);
    }

    fn walk_pipeline(&mut self, pipeline: &ast::Pipeline, scope: &mut Scope, level: &Level) {
        if let [command] = pipeline.seq.as_slice() {
            self.walk_command(command, scope, level);
        } else {
            // Each part of a multi-command pipeline runs in a subshell.
            for command in &pipeline.seq {
                let mut inner = scope.clone();
                self.walk_command(command, &mut inner, level);
            }
        }
    }

    fn walk_command(&mut self, command: &Command, scope: &mut Scope, level: &Level) {
        match command {
            Command::Simple(simple) => self.walk_simple(simple, scope, level),
            Command::Compound(compound, _) => self.walk_compound(compound, scope, level),
            Command::Function(definition) => {
                let mut inner = scope.conditional_copy();
                self.walk_compound(&definition.body.0, &mut inner, level);
            }
            Command::ExtendedTest(..) => {}
        }
    }

    fn walk_conditional_list(&mut self, list: &CompoundList, scope: &mut Scope, level: &Level) {
        let mut inner = scope.conditional_copy();
        self.walk_list(list, &mut inner, level);
        scope.merge_uncertain(&inner);
    }

    fn walk_compound(&mut self, compound: &CompoundCommand, scope: &mut Scope, level: &Level) {
        match compound {
            CompoundCommand::BraceGroup(group) => self.walk_list(&group.list, scope, level),
            CompoundCommand::Subshell(subshell) => {
                let mut inner = scope.clone();
                self.walk_list(&subshell.list, &mut inner, level);
            }
            CompoundCommand::ForClause(clause) => {
                for value in clause.values.iter().flatten() {
                    self.walk_substitutions(&value.value, scope);
                }
                let mut inner = scope.conditional_copy();
                inner.variables.insert(
                    clause.variable_name.clone(),
                    ScriptVariable {
                        value: VariableValue::Unknown,
                        exported: false,
                    },
                );
                self.walk_list(&clause.body.list, &mut inner, level);
                scope.merge_uncertain(&inner);
            }
            CompoundCommand::ArithmeticForClause(clause) => {
                self.walk_conditional_list(&clause.body.list, scope, level);
            }
            CompoundCommand::CaseClause(clause) => {
                self.walk_substitutions(&clause.value.value, scope);
                for case in &clause.cases {
                    if let Some(list) = &case.cmd {
                        self.walk_conditional_list(list, scope, level);
                    }
                }
            }
            CompoundCommand::IfClause(clause) => {
                self.walk_list(&clause.condition, scope, level);
                self.walk_conditional_list(&clause.then, scope, level);
                for else_clause in clause.elses.iter().flatten() {
                    if let Some(condition) = &else_clause.condition {
                        self.walk_conditional_list(condition, scope, level);
                    }
                    self.walk_conditional_list(&else_clause.body, scope, level);
                }
            }
            CompoundCommand::WhileClause(clause) | CompoundCommand::UntilClause(clause) => {
                self.walk_conditional_list(&clause.0, scope, level);
                self.walk_conditional_list(&clause.1.list, scope, level);
            }
            CompoundCommand::Coprocess(coprocess) => {
                let mut inner = scope.conditional_copy();
                self.walk_command(&coprocess.body, &mut inner, level);
            }
            CompoundCommand::Arithmetic(_) => {}
        }
    }

    /// Walks the `$(...)` and backquoted scripts inside a word (they run in subshells).
    fn walk_substitutions(&mut self, raw: &str, scope: &Scope) {
        if !raw.contains('$') && !raw.contains('`') {
            return;
        }
        let Ok(pieces) = word::parse(raw, &ParserOptions::default()) else {
            return;
        };
        let mut scripts = Vec::new();
        collect_substitutions(&pieces, &mut scripts);
        for script in scripts {
            let mut inner = scope.clone();
            self.walk_script(&script, None, &mut inner);
        }
    }

    fn walk_simple(&mut self, simple: &ast::SimpleCommand, scope: &mut Scope, level: &Level) {
        let mut assignments = Vec::new();
        let mut args = Vec::new();
        let mut heredoc = None;
        for item in simple.prefix.iter().flat_map(|prefix| prefix.0.iter()) {
            match item {
                CommandPrefixOrSuffixItem::AssignmentWord(assignment, word) => {
                    self.walk_substitutions(&word.value, scope);
                    let value = match &assignment.value {
                        ast::AssignmentValue::Scalar(value) => {
                            match self.evaluate(scope, &value.value) {
                                WordValue::Static { text, .. } => VariableValue::Set(text),
                                WordValue::Dynamic => VariableValue::Unknown,
                            }
                        }
                        ast::AssignmentValue::Array(_) => VariableValue::Unknown,
                    };
                    let name = match &assignment.name {
                        ast::AssignmentName::VariableName(name) => name.clone(),
                        ast::AssignmentName::ArrayElementName(name, _) => name.clone(),
                    };
                    assignments.push(CommandAssignment {
                        name,
                        value,
                        place: level.place(word),
                    });
                }
                CommandPrefixOrSuffixItem::Word(word) => args.push(self.arg(word, scope, level)),
                CommandPrefixOrSuffixItem::IoRedirect(redirect) => {
                    self.note_redirect(redirect, scope, &mut heredoc);
                }
                CommandPrefixOrSuffixItem::ProcessSubstitution(_, subshell) => {
                    let mut inner = scope.clone();
                    self.walk_list(&subshell.list, &mut inner, level);
                }
            }
        }
        if let Some(word) = &simple.word_or_name {
            args.push(self.arg(word, scope, level));
        }
        for item in simple.suffix.iter().flat_map(|suffix| suffix.0.iter()) {
            match item {
                CommandPrefixOrSuffixItem::Word(word)
                | CommandPrefixOrSuffixItem::AssignmentWord(_, word) => {
                    args.push(self.arg(word, scope, level));
                }
                CommandPrefixOrSuffixItem::IoRedirect(redirect) => {
                    self.note_redirect(redirect, scope, &mut heredoc);
                }
                CommandPrefixOrSuffixItem::ProcessSubstitution(_, subshell) => {
                    let mut inner = scope.clone();
                    self.walk_list(&subshell.list, &mut inner, level);
                }
            }
        }
        let stdin_script = heredoc.map(|heredoc: &IoHereDocument| {
            (heredoc.doc.value.clone(), level.heredoc_origin(heredoc))
        });
        self.process_command(args, assignments, stdin_script, scope);
    }

    fn note_redirect<'r>(
        &mut self,
        redirect: &'r IoRedirect,
        scope: &Scope,
        heredoc: &mut Option<&'r IoHereDocument>,
    ) {
        match redirect {
            IoRedirect::HereDocument(fd, document) if fd.is_none_or(|fd| fd == 0) => {
                *heredoc = Some(document);
            }
            IoRedirect::File(_, _, ast::IoFileRedirectTarget::Filename(word))
            | IoRedirect::HereString(_, word)
            | IoRedirect::OutputAndError(word, _) => self.walk_substitutions(&word.value, scope),
            _ => {}
        }
    }

    fn arg(&mut self, word: &ast::Word, scope: &Scope, level: &Level) -> Arg {
        self.walk_substitutions(&word.value, scope);
        Arg {
            raw: word.value.clone(),
            value: self.evaluate(scope, &word.value),
            place: level.place(word),
        }
    }
}

fn collect_substitutions(pieces: &[word::WordPieceWithSource], scripts: &mut Vec<String>) {
    for piece in pieces {
        match &piece.piece {
            WordPiece::CommandSubstitution(script)
            | WordPiece::BackquotedCommandSubstitution(script) => scripts.push(script.clone()),
            WordPiece::DoubleQuotedSequence(inner)
            | WordPiece::GettextDoubleQuotedSequence(inner) => {
                collect_substitutions(inner, scripts);
            }
            _ => {}
        }
    }
}
