//! COPY and ADD, in: an expanded command; out: one file op copying every source onto the stage,
//! and its history entry. Invariant: paths, flags and the history text follow the stock frontend.

use cachefront_cache::paths::clean_path;
use cachefront_dockerfile::instructions::{Command, Copy};
use cachefront_llb::{
    ChownSpec, CopyOptions, FileAction, FileOperation, OpMetadata, OpOptions, Source, State,
    UserSpec,
};

use crate::copy_source::{git_source, is_git, is_http, url_filename};
use crate::error::{located, ConvertError, ConvertResult};
use crate::lowering::Lowering;
use crate::stage_state::StageState;

/// Lowers COPY (`is_add` false) or ADD.
pub(crate) fn lower_copy(
    lowering: &mut Lowering<'_>,
    stage: &mut StageState,
    command: &Command,
    copy: &Copy,
    is_add: bool,
    name: String,
) -> ConvertResult<()> {
    let span = command.span;
    reject_labs_flags(copy, span)?;
    let source_state = match &copy.from {
        None => lowering.context.clone(),
        Some(reference) => {
            let node = lowering
                .graph
                .lookup(reference)
                .ok_or_else(|| located(span, format!("stage {reference} not found")))?;
            lowering.stage_state(node).map(|stage| stage.state.clone()).ok_or_else(|| {
                located(span, format!("cannot copy from stage \"{reference}\", it needs to be defined before current stage"))
            })?
        }
    };
    let destination = destination_path(&stage.dir, &copy.destination);
    let owner = copy
        .chown
        .as_deref()
        .filter(|chown| !chown.is_empty())
        .map(parse_chown);
    let (mode, mode_string) = match copy.chmod.as_deref().filter(|chmod| !chmod.is_empty()) {
        None => (None, None),
        Some(chmod) => parse_chmod(chmod).map_err(|error| located(span, error))?,
    };
    let unpack = copy.add.as_ref().and_then(|flags| flags.unpack);
    let mut message = String::from(if is_add { "ADD" } else { "COPY" });
    if copy.parents {
        message.push_str(" --parents");
    }
    if let Some(chown) = &copy.chown {
        message.push_str(&format!(" --chown={chown}"));
    }
    if let Some(chmod) = &copy.chmod {
        message.push_str(&format!(" --chmod={chmod}"));
    }
    let step_name = stage.steps.next_name(&name);
    let base_options = CopyOptions {
        owner: owner.clone(),
        mode,
        mode_string: mode_string.clone(),
        create_destination_path: true,
        ..CopyOptions::default()
    };
    let mut operation = FileOperation::on(stage.state.clone());
    let heredoc_names: Vec<&str> = copy
        .heredocs
        .iter()
        .map(|heredoc| heredoc.name.as_str())
        .collect();
    for source in copy
        .sources
        .iter()
        .filter(|source| !heredoc_names.contains(&source.as_str()))
    {
        message.push_str(&format!(" {source}"));
        if is_add && is_git(source) {
            let keep_git_dir = copy
                .add
                .as_ref()
                .and_then(|flags| flags.keep_git_dir)
                .unwrap_or(false);
            let git_state = git_source(source, keep_git_dir)
                .ok_or_else(|| {
                    ConvertError::unsupported(format!("ADD of the git repository {source}"))
                        .at(span)
                })?
                .build(OpOptions {
                    platform: None,
                    metadata: OpMetadata::named(step_name.clone()),
                    location: Some(lowering.location(span)),
                });
            operation = operation.then(FileAction::Copy {
                source: git_state,
                source_path: "/".to_owned(),
                destination: destination.clone(),
                options: base_options.clone(),
            });
            continue;
        }
        if is_http(source) {
            if !is_add {
                return Err(located(span, "source can't be a URL for COPY"));
            }
            let filename = url_filename(source);
            let mut http =
                Source::new(source.clone()).with_attribute("http.filename", filename.clone());
            if let Some(checksum) = copy.add.as_ref().and_then(|flags| flags.checksum.clone()) {
                http = http.with_attribute("http.checksum", checksum);
            }
            let http_state = http.build(OpOptions {
                platform: None,
                metadata: OpMetadata::named(step_name.clone()),
                location: Some(lowering.location(span)),
            });
            let options = CopyOptions {
                attempt_unpack: unpack.unwrap_or(false),
                ..base_options.clone()
            };
            operation = operation.then(FileAction::Copy {
                source: http_state,
                source_path: filename,
                destination: destination.clone(),
                options,
            });
            continue;
        }
        let (source_path, include_patterns, required_paths) = if copy.parents {
            parents_source(source)
        } else {
            (clean_path(&format!("/{source}")), Vec::new(), Vec::new())
        };
        let options = CopyOptions {
            follow_symlinks: true,
            copy_directory_contents: true,
            attempt_unpack: unpack.unwrap_or(is_add),
            allow_wildcard: true,
            allow_empty_wildcard: true,
            include_patterns,
            required_paths,
            exclude_patterns: copy.excludes.clone(),
            ..base_options.clone()
        };
        operation = operation.then(FileAction::Copy {
            source: source_state.clone(),
            source_path,
            destination: destination.clone(),
            options,
        });
    }
    for heredoc in &copy.heredocs {
        message.push_str(&format!(" <<{}", heredoc.name));
        let path = clean_path(&format!("/{}", heredoc.name));
        let document = FileOperation::on(State::scratch())
            .then(FileAction::Mkfile {
                path: path.clone(),
                mode: 0o644,
                data: heredoc.content.clone().into_bytes(),
                owner: None,
            })
            .build(OpOptions {
                platform: Some(stage.platform.clone()),
                metadata: OpMetadata::named("[internal] preparing inline document"),
                location: None,
            });
        operation = operation.then(FileAction::Copy {
            source: document,
            source_path: path,
            destination: destination.clone(),
            options: base_options.clone(),
        });
    }
    message.push_str(&format!(" {}", copy.destination));
    let options = lowering.op_options(stage, command, step_name);
    stage.state = operation.build(options);
    stage.image.commit(message, true, true, None);
    Ok(())
}

/// Resolves a destination against the working directory, keeping a trailing `/` (or `/.`).
fn destination_path(directory: &str, destination: &str) -> String {
    let destination = if destination.is_empty() || destination == "." {
        "./"
    } else {
        destination
    };
    let absolute = if destination.starts_with('/') {
        destination.to_owned()
    } else {
        format!("{directory}/{destination}")
    };
    let mut cleaned = clean_path(&absolute);
    if (destination.ends_with('/') || destination.ends_with("/.")) && cleaned != "/" {
        cleaned.push('/');
    }
    cleaned
}

/// `--parents`: the part before `/./` is where copying starts; the rest is a pattern kept in
/// the destination.
fn parents_source(source: &str) -> (String, Vec<String>, Vec<String>) {
    let (parent, pattern) = match source.split_once("/./") {
        Some((parent, pattern)) => (parent.to_owned(), pattern.to_owned()),
        None => ("/".to_owned(), source.to_owned()),
    };
    let pattern = clean_path(&format!("/{pattern}"));
    let required = if has_wildcards(&parent) || has_wildcards(&pattern) {
        Vec::new()
    } else {
        vec![clean_path(&format!("/{parent}/{pattern}"))]
    };
    (
        clean_path(&format!("/{parent}")),
        vec![pattern.trim_start_matches('/').to_owned()],
        required,
    )
}

/// Flags the stable channel of BuildKit 0.13's frontend does not know: the same parse error.
fn reject_labs_flags(copy: &Copy, span: cachefront_dockerfile::parse::Span) -> ConvertResult<()> {
    let unknown = if copy.parents {
        Some("parents")
    } else if !copy.excludes.is_empty() {
        Some("exclude")
    } else if copy
        .add
        .as_ref()
        .is_some_and(|flags| flags.unpack.is_some())
    {
        Some("unpack")
    } else {
        None
    };
    match unknown {
        Some(flag) => Err(located(
            span,
            format!(
                "dockerfile parse error on line {}: unknown flag: {flag}",
                span.start
            ),
        )),
        None => Ok(()),
    }
}

fn has_wildcards(text: &str) -> bool {
    text.contains(['*', '?', '['])
}

/// `--chown=user[:group]`: ids where numeric, names otherwise (resolved in the image by BuildKit).
pub(crate) fn parse_chown(text: &str) -> ChownSpec {
    let to_spec = |part: &str| match part.parse::<u32>() {
        Ok(id) => UserSpec::Id(id),
        Err(_) => UserSpec::Name(part.to_owned()),
    };
    let (user, group) = match text.split_once(':') {
        Some((user, group)) => (user, Some(group)),
        None => (text, None),
    };
    ChownSpec {
        user: Some(to_spec(user)),
        group: group.map(to_spec),
    }
}

/// `--chmod`: octal up to 07777, or a symbolic mode such as `u+x,g-w`.
fn parse_chmod(text: &str) -> Result<(Option<i32>, Option<String>), String> {
    let invalid = || {
        format!(
            "invalid chmod parameter: '{text}'. it should be octal string and between 0 and 07777"
        )
    };
    if text.chars().all(|character| character.is_ascii_digit()) {
        let mode = i32::from_str_radix(text, 8).map_err(|_| invalid())?;
        if mode > 0o7777 {
            return Err(invalid());
        }
        return Ok((Some(mode), None));
    }
    let symbolic = text.split(',').all(|clause| {
        let operator = clause.find(['+', '-', '=']);
        operator.is_some_and(|at| {
            clause[..at].chars().all(|who| "ugoa".contains(who))
                && clause[at + 1..]
                    .chars()
                    .all(|perm| "rwxXst+-=".contains(perm))
        })
    });
    if symbolic {
        Ok((None, Some(text.to_owned())))
    } else {
        Err(invalid())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations() {
        assert_eq!(destination_path("/app", "."), "/app/");
        assert_eq!(destination_path("/app", "x"), "/app/x");
        assert_eq!(destination_path("/app", "x/"), "/app/x/");
        assert_eq!(destination_path("/", "/"), "/");
    }

    #[test]
    fn chown_and_chmod() {
        assert_eq!(
            parse_chown("1000:1000"),
            ChownSpec {
                user: Some(UserSpec::Id(1000)),
                group: Some(UserSpec::Id(1000))
            }
        );
        assert_eq!(
            parse_chown("app"),
            ChownSpec {
                user: Some(UserSpec::Name("app".into())),
                group: None
            }
        );
        assert_eq!(parse_chmod("755"), Ok((Some(0o755), None)));
        assert_eq!(parse_chmod("u+x,g-w"), Ok((None, Some("u+x,g-w".into()))));
        assert!(parse_chmod("99999").is_err());
        assert!(parse_chmod("bogus").is_err());
    }
}
