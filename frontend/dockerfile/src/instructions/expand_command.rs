//! Expansion of typed instructions, in: a command (or stage header), the lexer and the environment
//! in effect; out: the same command with exactly the fields BuildKit expands substituted.
//! Invariant: RUN/CMD/ENTRYPOINT/SHELL/HEALTHCHECK commands, ONBUILD, MAINTAINER, ARG names, COPY
//! `--from`, COPY/ADD `--exclude`, RUN `--network`/`--security` and RUN heredocs are never
//! expanded (a RUN's mounts are, by `MountFlag::expand`, which types them); every field of one
//! instruction sees the same environment, except ARG, whose later names see earlier defaults.

use super::types::{ArgDefinition, CommandKind, Copy, KeyValue, Stage};
use crate::expand::{ExpandError, Lexer, Lookup};
use crate::parse::chomp_heredoc_content;

/// Returns `command` with BuildKit's expansions applied using `env` (the stage's ENV and ARGs).
///
/// - ENV, LABEL: keys and values. WORKDIR, USER, STOPSIGNAL, each VOLUME: the word.
/// - EXPOSE: each port, split into fields (`EXPOSE $PORTS` may give several).
/// - COPY/ADD: sources (not heredoc sources), destination, `--chown`, `--chmod`, ADD's
///   `--checksum` (`--exclude` patterns stay as written), and the body of heredocs whose delimiter was not quoted (with BuildKit's
///   heredoc lexer, where quotes are literal). `<<-` bodies come back already chomped, with
///   `chomp` cleared, as BuildKit chomps them before expanding.
/// - RUN: nothing here: `MountFlag::expand` types each `--mount` with the same environment.
/// - ARG: default values, each seeing the defaults before it in the same instruction. BuildKit
///   skips a default that a build argument overrides; callers should not rely on it being used then.
pub fn expand_command(
    command: &CommandKind,
    lexer: &Lexer,
    env: &dyn Lookup,
) -> Result<CommandKind, ExpandError> {
    let word = |text: &String| lexer.expand_word(text, env);
    Ok(match command {
        CommandKind::Env(pairs) => CommandKind::Env(expand_pairs(pairs, lexer, env)?),
        CommandKind::Label(pairs) => CommandKind::Label(expand_pairs(pairs, lexer, env)?),
        CommandKind::Workdir(path) => CommandKind::Workdir(word(path)?),
        CommandKind::User(user) => CommandKind::User(word(user)?),
        CommandKind::StopSignal(signal) => CommandKind::StopSignal(word(signal)?),
        CommandKind::Volume(volumes) => {
            CommandKind::Volume(volumes.iter().map(word).collect::<Result<_, _>>()?)
        }
        CommandKind::Expose(ports) => {
            let mut expanded = Vec::with_capacity(ports.len());
            for port in ports {
                expanded.extend(lexer.expand_words(port, env)?);
            }
            CommandKind::Expose(expanded)
        }
        CommandKind::Copy(copy) => CommandKind::Copy(expand_copy(copy, lexer, env)?),
        CommandKind::Add(copy) => CommandKind::Add(expand_copy(copy, lexer, env)?),
        CommandKind::Arg(definitions) => {
            CommandKind::Arg(expand_arguments(definitions, lexer, env)?)
        }
        unchanged @ (CommandKind::Run(_)
        | CommandKind::Cmd(_)
        | CommandKind::Entrypoint(_)
        | CommandKind::Shell(_)
        | CommandKind::Healthcheck(_)
        | CommandKind::Onbuild(_)
        | CommandKind::Maintainer(_)) => unchanged.clone(),
    })
}

/// Expands a stage's base image name and `--platform`; BuildKit uses only the meta ARGs (and the
/// automatic platform ARGs) here, so pass those as `meta_env`.
pub fn expand_stage(
    stage: &Stage,
    lexer: &Lexer,
    meta_env: &dyn Lookup,
) -> Result<Stage, ExpandError> {
    Ok(Stage {
        base_name: lexer.expand_word(&stage.base_name, meta_env)?,
        platform: stage
            .platform
            .as_ref()
            .map(|platform| lexer.expand_word(platform, meta_env))
            .transpose()?,
        ..stage.clone()
    })
}

fn expand_pairs(
    pairs: &[KeyValue],
    lexer: &Lexer,
    env: &dyn Lookup,
) -> Result<Vec<KeyValue>, ExpandError> {
    pairs
        .iter()
        .map(|pair| {
            Ok(KeyValue {
                key: lexer.expand_word(&pair.key, env)?,
                value: lexer.expand_word(&pair.value, env)?,
            })
        })
        .collect()
}

fn expand_copy(copy: &Copy, lexer: &Lexer, env: &dyn Lookup) -> Result<Copy, ExpandError> {
    let optional = |value: &Option<String>| {
        value
            .as_ref()
            .map(|text| lexer.expand_word(text, env))
            .transpose()
    };
    let is_heredoc = |source: &String| copy.heredocs.iter().any(|heredoc| &heredoc.name == source);
    let mut sources = Vec::with_capacity(copy.sources.len());
    for source in &copy.sources {
        sources.push(if is_heredoc(source) {
            source.clone()
        } else {
            lexer.expand_word(source, env)?
        });
    }
    let heredoc_lexer = Lexer::for_heredoc_content();
    let mut heredocs = copy.heredocs.clone();
    for heredoc in heredocs.iter_mut() {
        // BuildKit removes `<<-` tabs when typing COPY/ADD, before expansion.
        if heredoc.chomp {
            heredoc.content = chomp_heredoc_content(&heredoc.content);
            heredoc.chomp = false;
        }
        if heredoc.expand {
            heredoc.content = heredoc_lexer.expand_word(&heredoc.content, env)?;
        }
    }
    let mut add = copy.add.clone();
    if let Some(flags) = add.as_mut() {
        flags.checksum = optional(&flags.checksum)?;
    }
    Ok(Copy {
        sources,
        destination: lexer.expand_word(&copy.destination, env)?,
        heredocs,
        from: copy.from.clone(),
        chown: optional(&copy.chown)?,
        chmod: optional(&copy.chmod)?,
        link: copy.link,
        parents: copy.parents,
        excludes: copy.excludes.clone(),
        add,
    })
}

/// ARG defaults, in order; a later default sees the earlier names of the same instruction.
fn expand_arguments(
    definitions: &[ArgDefinition],
    lexer: &Lexer,
    env: &dyn Lookup,
) -> Result<Vec<ArgDefinition>, ExpandError> {
    let mut layered = Layered {
        base: env,
        entries: Vec::new(),
    };
    let mut expanded = Vec::with_capacity(definitions.len());
    for definition in definitions {
        let default = match &definition.default {
            Some(default) => Some(lexer.expand_word(default, &layered)?),
            None => env.lookup(&definition.name),
        };
        if let Some(value) = &default {
            layered
                .entries
                .push((definition.name.clone(), value.clone()));
        }
        expanded.push(ArgDefinition {
            name: definition.name.clone(),
            default: definition.default.as_ref().and(default),
        });
    }
    Ok(expanded)
}

/// Variables set by earlier names of one instruction on top of the environment.
struct Layered<'a> {
    base: &'a dyn Lookup,
    entries: Vec<(String, String)>,
}

impl Lookup for Layered<'_> {
    fn lookup(&self, name: &str) -> Option<String> {
        self.entries.lookup(name).or_else(|| self.base.lookup(name))
    }
}
