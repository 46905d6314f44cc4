//! Dispatch-time checks, in: one dispatched stage (typed commands with their nodes), what its base
//! provides and the global ARGs; out: the findings BuildKit reports while dispatching the stage, in
//! command order, and the state later stages built on it inherit. Invariant: a command's
//! UndefinedVar findings come before its own rules' findings, as upstream expands first; where
//! the environment is not fully known (an image base with no facts given), UndefinedVar is not
//! evaluated and value-dependent rules skip words whose variables could not be resolved.

use super::engine::Emitter;
use super::rules::{
    copy_ignored_file, expose_invalid_format, expose_proto_casing, json_args_recommended,
    legacy_key_value_format, multiple_instructions_disallowed, secrets_used_in_arg_or_env,
    undefined_var, workdir_relative_path,
};
use super::view::{keyword_as_written, CommandView, StageView};
use super::CheckOptions;
use super::DockerIgnore;
use crate::csv::split_fields;
use crate::expand::{Expansion, Lexer, Lookup};
use crate::instructions::{ArgDefinition, CommandKind, Copy, KeyValue, ShellOrExec};
use crate::parse::Span;

/// BuildKit's default PATH for images that set none.
const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// What a stage inherits and accumulates.
#[derive(Debug, Clone, Default)]
pub(super) struct StageState {
    /// The environment, in insertion order; a repeated name replaces the earlier one.
    pub(super) env: Vec<(String, String)>,
    /// False when the base image's environment is not known.
    pub(super) env_known: bool,
    /// ARG names declared so far (BuildKit's `buildArgs`).
    pub(super) declared: Vec<String>,
    pub(super) shell_set: bool,
    pub(super) workdir_set: bool,
    pub(super) windows: bool,
}

impl StageState {
    /// The state of a stage whose base is an image (or scratch): its environment with PATH added
    /// when missing, or unknown.
    pub(super) fn from_image(
        env: Option<Vec<(String, String)>>,
        shell_set: bool,
        windows: bool,
    ) -> StageState {
        let env_known = env.is_some();
        let mut env = env.unwrap_or_default();
        if !windows && !env.iter().any(|(name, _)| name == "PATH") {
            env.push(("PATH".to_owned(), DEFAULT_PATH.to_owned()));
        }
        StageState {
            env,
            env_known,
            shell_set,
            windows,
            ..StageState::default()
        }
    }

    fn set(&mut self, name: &str, value: &str) {
        self.env.retain(|(known, _)| known != name);
        self.env.push((name.to_owned(), value.to_owned()));
    }

    fn names(&self) -> Vec<String> {
        self.env.iter().map(|(name, _)| name.clone()).collect()
    }
}

/// A borrowed list of variables, as an expansion environment.
pub(super) struct Pairs<'a>(pub(super) &'a [(String, String)]);

impl Lookup for Pairs<'_> {
    fn lookup(&self, name: &str) -> Option<String> {
        self.0.lookup(name)
    }
}

/// Per-stage trackers that are not inherited.
#[derive(Default)]
struct Trackers {
    cmd: Option<Span>,
    entrypoint: Option<Span>,
    healthcheck: Option<Span>,
}

pub(super) struct Dispatcher<'a> {
    /// Set when BuildKit would fail the build while dispatching (nothing after it is checked).
    pub(super) failed: std::cell::Cell<bool>,
    pub(super) lexer: Lexer,
    pub(super) options: &'a CheckOptions,
    pub(super) global: &'a [(String, String)],
    /// The context's `.dockerignore`, when it has patterns.
    pub(super) ignore: Option<&'a DockerIgnore>,
}

/// An ADD source BuildKit fetches instead of reading it from the context.
fn is_remote(source: &str) -> bool {
    source.starts_with("http://")
        || source.starts_with("https://")
        || source.starts_with("git@")
        || source.starts_with("git://")
        || source.starts_with("ssh://")
}

impl Dispatcher<'_> {
    /// Dispatches one stage from `state`; returns the state at its end.
    /// Dispatches the base stage's ONBUILD `triggers`, then the stage's commands, stopping where
    /// BuildKit would fail.
    pub(super) fn stage(
        &self,
        stage: &StageView,
        triggers: &[CommandView],
        mut state: StageState,
        emitter: &mut Emitter,
    ) -> StageState {
        let mut trackers = Trackers::default();
        for command in triggers.iter().chain(&stage.commands) {
            emitter.scope(&command.node.comments);
            self.command(command, &mut state, &mut trackers, emitter);
            if self.failed.get() {
                break;
            }
        }
        emitter.scope(&[]);
        state
    }

    /// Expands `word`; reports its undefined variables; `None` when the result is uncertain.
    fn expand(
        &self,
        word: &str,
        lexer: &Lexer,
        state: &StageState,
        span: Span,
        emitter: &mut Emitter,
    ) -> Option<Expansion> {
        let Ok(expansion) = lexer.expand(word, &state.env) else {
            self.failed.set(true);
            return None;
        };
        if state.env_known {
            undefined_var::check(
                &expansion.unmatched,
                &state.declared,
                &state.names(),
                span,
                emitter,
            );
            return Some(expansion);
        }
        expansion.unmatched.is_empty().then_some(expansion)
    }

    fn command(
        &self,
        view: &CommandView,
        state: &mut StageState,
        trackers: &mut Trackers,
        emitter: &mut Emitter,
    ) {
        let span = view.command.span;
        let keyword = keyword_as_written(view.node);
        match &view.command.kind {
            CommandKind::Env(pairs) => {
                let expanded = self.pairs(pairs, state, span, emitter);
                for (index, pair) in expanded.iter().enumerate() {
                    legacy_key_value_format::check(view.node, index, emitter);
                    if let Some((name, _)) = pair {
                        secrets_used_in_arg_or_env::check("ENV", name, span, emitter);
                    }
                }
                for (name, value) in expanded.into_iter().flatten() {
                    state.set(&name, &value);
                }
            }
            CommandKind::Label(pairs) => {
                self.pairs(pairs, state, span, emitter);
                for index in 0..pairs.len() {
                    legacy_key_value_format::check(view.node, index, emitter);
                }
            }
            CommandKind::Cmd(form) | CommandKind::Entrypoint(form) => {
                let tracker = match &view.command.kind {
                    CommandKind::Cmd(_) => &mut trackers.cmd,
                    _ => &mut trackers.entrypoint,
                };
                multiple_instructions_disallowed::check(keyword, tracker, span, emitter);
                let shell_form = matches!(form, ShellOrExec::Shell(_));
                json_args_recommended::check(keyword, shell_form, state.shell_set, span, emitter);
            }
            CommandKind::Healthcheck(_) => {
                multiple_instructions_disallowed::check(
                    keyword,
                    &mut trackers.healthcheck,
                    span,
                    emitter,
                );
            }
            CommandKind::Workdir(path) => {
                if let Some(expansion) = self.expand(path, &self.lexer, state, span, emitter) {
                    workdir_relative_path::check(
                        &expansion.result,
                        state.workdir_set,
                        state.windows,
                        span,
                        emitter,
                    );
                }
                state.workdir_set = true;
            }
            CommandKind::Arg(definitions) => self.arg(definitions, state, span, emitter),
            CommandKind::Expose(ports) => self.expose(ports, state, span, emitter),
            CommandKind::Shell(_) => state.shell_set = true,
            CommandKind::User(word) => {
                self.expand(word, &self.lexer, state, span, emitter);
            }
            CommandKind::StopSignal(word) => {
                self.must_not_be_empty(std::slice::from_ref(word), state, span, emitter)
            }
            CommandKind::Volume(words) => self.must_not_be_empty(words, state, span, emitter),
            CommandKind::Copy(copy) => self.copy(copy, false, state, span, emitter),
            CommandKind::Add(copy) => self.copy(copy, true, state, span, emitter),
            CommandKind::Run(run) => {
                for mount in &run.mounts {
                    for field in split_fields(mount.as_written()).unwrap_or_default() {
                        if let Some((_, value)) = field.split_once('=') {
                            self.expand(value, &self.lexer, state, span, emitter);
                        }
                    }
                }
            }
            CommandKind::Onbuild(_) | CommandKind::Maintainer(_) => {}
        }
    }

    /// VOLUME paths and STOPSIGNAL: an empty result fails the build.
    fn must_not_be_empty(
        &self,
        words: &[String],
        state: &StageState,
        span: Span,
        emitter: &mut Emitter,
    ) {
        for word in words {
            let expansion = self.expand(word, &self.lexer, state, span, emitter);
            if expansion.is_some_and(|expansion| expansion.result.is_empty()) {
                self.failed.set(true);
            }
        }
    }

    /// ENV and LABEL pairs, key then value; `None` for a pair whose expansion is uncertain.
    fn pairs(
        &self,
        pairs: &[KeyValue],
        state: &StageState,
        span: Span,
        emitter: &mut Emitter,
    ) -> Vec<Option<(String, String)>> {
        pairs
            .iter()
            .map(|pair| {
                let key = self.expand(&pair.key, &self.lexer, state, span, emitter);
                let value = self.expand(&pair.value, &self.lexer, state, span, emitter);
                Some((key?.result, value?.result))
            })
            .collect()
    }

    fn copy(
        &self,
        copy: &Copy,
        is_add: bool,
        state: &StageState,
        span: Span,
        emitter: &mut Emitter,
    ) {
        let is_heredoc =
            |source: &String| copy.heredocs.iter().any(|heredoc| &heredoc.name == source);
        let checksum = copy.add.as_ref().and_then(|add| add.checksum.as_ref());
        let flags = copy.chown.iter().chain(copy.chmod.iter()).chain(checksum);
        for word in flags {
            self.expand(word, &self.lexer, state, span, emitter);
        }
        let sources: Vec<Option<String>> = copy
            .sources
            .iter()
            .filter(|source| !is_heredoc(source))
            .map(|word| {
                self.expand(word, &self.lexer, state, span, emitter)
                    .map(|expansion| expansion.result)
            })
            .collect();
        self.expand(&copy.destination, &self.lexer, state, span, emitter);
        let heredoc_lexer = Lexer::for_heredoc_content();
        for heredoc in copy.heredocs.iter().filter(|heredoc| heredoc.expand) {
            self.expand(&heredoc.content, &heredoc_lexer, state, span, emitter);
        }
        // Sources from the build context only: not `COPY --from`, URLs or Git repositories.
        let Some(ignore) = self.ignore else {
            return;
        };
        if copy.from.is_some() || self.failed.get() {
            return;
        }
        for source in sources.into_iter().flatten() {
            if !is_remote(&source) {
                copy_ignored_file::check(ignore, is_add, &source, span, emitter);
            }
        }
    }

    fn arg(
        &self,
        definitions: &[ArgDefinition],
        state: &mut StageState,
        span: Span,
        emitter: &mut Emitter,
    ) {
        for definition in definitions {
            let name = definition.name.as_str();
            secrets_used_in_arg_or_env::check("ARG", name, span, emitter);
            let value = if let Some(value) = self.options.build_args.get(name) {
                Some(value.clone())
            } else if let Some(default) = &definition.default {
                self.expand(default, &self.lexer, state, span, emitter)
                    .map(|expansion| expansion.result)
            } else {
                self.global.lookup(name)
            };
            if let Some(value) = value {
                if !undefined_var::NON_ENV_ARGS.contains(&name) {
                    state.set(name, &value);
                }
            }
            state.declared.push(name.to_owned());
        }
    }

    fn expose(&self, ports: &[String], state: &StageState, span: Span, emitter: &mut Emitter) {
        let mut expanded = Vec::new();
        for port in ports {
            let Ok(expansion) = self.lexer.expand(port, &state.env) else {
                return;
            };
            if !state.env_known && !expansion.unmatched.is_empty() {
                return;
            }
            expanded.extend(expansion.words);
        }
        for raw in &expanded {
            let Some(parts) = expose_invalid_format::split_port(raw) else {
                return;
            };
            expose_proto_casing::check(raw, parts.protocol, span, emitter);
            expose_invalid_format::check(raw, &parts, span, emitter);
        }
    }
}
