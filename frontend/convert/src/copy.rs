//! COPY and ADD, in: an expanded command; out: one file op copying every source onto the stage,
//! and its history entry. Invariant: paths, flags, checks (in their order) and the history text
//! follow the newest stable frontend (dockerfile 1.26's `dispatchCopy`): `--exclude` applies to
//! every source, `--unpack` to local and HTTP sources, `--checksum` to one HTTP or git source;
//! a git URL's query and ADD's flags must agree.

use cachefront_cache::paths::clean_path;
use cachefront_dockerfile::go_quote;
use cachefront_dockerfile::instructions::{Command, Copy};
use cachefront_dockerfile::parse::{Heredoc, Span};
use cachefront_llb::{
    CopyOptions, FileAction, FileOperation, OpMetadata, OpOptions, Source, State,
};

use crate::copy_source::{
    digest_error, git_source, is_git, is_http, source_kind, url_filename, GitOptions, SourceKind,
};
use crate::error::{located, ConvertError, ConvertResult};
use crate::git_ref::GitRef;
use crate::lowering::Lowering;
use crate::ownership::{parse_chmod, parse_chown};
use crate::stage_state::StageState;

/// What every source of one COPY or ADD shares: where it lands, its owner and mode, and the
/// step the sources' ops are named for.
struct CopyTarget {
    destination: String,
    options: CopyOptions,
    step_name: String,
    span: Span,
}

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
    let from = from_state(lowering, copy, span)?;
    let destination = destination_path(&stage.dir, &copy.destination);
    let owner = copy
        .chown
        .as_deref()
        .filter(|chown| !chown.is_empty())
        .map(parse_chown);
    let (mode, mode_string) = match copy.chmod.as_deref().filter(|chmod| !chmod.is_empty()) {
        None => (None, None),
        Some(chmod) => parse_chmod(chmod).map_err(|error| error.at(span))?,
    };
    check_checksum(copy, span)?;
    let mut message = history_prefix(copy, is_add);
    let target = CopyTarget {
        destination,
        options: CopyOptions {
            owner,
            mode,
            mode_string,
            create_destination_path: true,
            exclude_patterns: copy.excludes.clone(),
            ..CopyOptions::default()
        },
        step_name: stage.steps.next_name(&name),
        span,
    };
    let mut operation = FileOperation::on(stage.state.clone());
    let heredoc_names: Vec<&str> = copy
        .heredocs
        .iter()
        .map(|heredoc| heredoc.name.as_str())
        .collect();
    let mut git_flags = GitFlags {
        keep_git_dir: copy.add.as_ref().and_then(|flags| flags.keep_git_dir),
        checksum: checksum_flag(copy),
    };
    for source in copy
        .sources
        .iter()
        .filter(|source| !heredoc_names.contains(&source.as_str()))
    {
        message.push_str(&format!(" {source}"));
        let action = match source_kind(source) {
            SourceKind::InvalidGit(reason) => return Err(located(span, reason)),
            SourceKind::Git(_) if !is_add => {
                return Err(located(span, "source can't be a git ref for COPY"))
            }
            SourceKind::Git(git_ref) => {
                git_action(lowering, &git_ref, &mut git_flags, source, &target)?
            }
            SourceKind::Http => url_action(lowering, copy, source, is_add, &target)?,
            SourceKind::Local => local_action(copy, source, is_add, &from, &target),
        };
        operation = operation.then(action);
    }
    for heredoc in &copy.heredocs {
        message.push_str(&format!(" <<{}", heredoc.name));
        operation = operation.then(heredoc_action(stage, heredoc, &target));
    }
    message.push_str(&format!(" {}", copy.destination));
    let options = lowering.op_options(stage, command, target.step_name);
    stage.state = operation.build(options);
    stage.image.commit(message, true, true, None);
    Ok(())
}

/// The state local sources are copied from: the build context, or the stage (or image) that
/// `--from` names, which must be lowered already.
fn from_state(lowering: &Lowering<'_>, copy: &Copy, span: Span) -> ConvertResult<State> {
    let Some(reference) = &copy.from else {
        return Ok(lowering.context.clone());
    };
    let node = lowering
        .graph
        .lookup(reference)
        .ok_or_else(|| located(span, format!("stage {reference} not found")))?;
    lowering
        .stage_state(node)
        .map(|stage| stage.state.clone())
        .ok_or_else(|| {
            located(
                span,
                format!(
                    "cannot copy from stage \"{reference}\", it needs to be defined before current stage"
                ),
            )
        })
}

/// The history entry's start: the keyword and the flags the stock frontend records.
fn history_prefix(copy: &Copy, is_add: bool) -> String {
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
    message
}

/// ADD's `--keep-git-dir` and `--checksum` as they stand for the next git source: a URL's query
/// settles them for the sources after it, as upstream's `cfg` does.
struct GitFlags {
    keep_git_dir: Option<bool>,
    checksum: String,
}

/// ADD of a git repository: its checkout's root copied to the destination. The URL's
/// `keep-git-dir` and `checksum` must agree with the flags.
fn git_action(
    lowering: &Lowering<'_>,
    git_ref: &GitRef,
    flags: &mut GitFlags,
    source: &str,
    target: &CopyTarget,
) -> ConvertResult<FileAction> {
    if let (Some(flag), Some(query)) = (flags.keep_git_dir, git_ref.keep_git_dir) {
        if flag != query {
            return Err(located(
                target.span,
                "inconsistent keep-git-dir configuration",
            ));
        }
    }
    if git_ref.keep_git_dir.is_some() {
        flags.keep_git_dir = git_ref.keep_git_dir;
    }
    if !flags.checksum.is_empty()
        && !git_ref.checksum.is_empty()
        && flags.checksum != git_ref.checksum
    {
        return Err(located(
            target.span,
            format!(
                "checksum mismatch {} != {}",
                go_quote(&flags.checksum),
                go_quote(&git_ref.checksum)
            ),
        ));
    }
    if !git_ref.checksum.is_empty() {
        flags.checksum = git_ref.checksum.clone();
    }
    let options = GitOptions {
        keep_git_dir: flags.keep_git_dir.unwrap_or(false),
        checksum: flags.checksum.clone(),
    };
    let git_state = git_source(git_ref, &options)
        .ok_or_else(|| {
            ConvertError::unsupported(format!("ADD of the git repository {source}")).at(target.span)
        })?
        .build(OpOptions {
            platform: None,
            metadata: OpMetadata::named(target.step_name.clone()),
            location: Some(lowering.location(target.span)),
        });
    Ok(FileAction::Copy {
        source: git_state,
        source_path: "/".to_owned(),
        destination: target.destination.clone(),
        options: target.options.clone(),
    })
}

/// ADD's `--checksum`, empty when not given.
fn checksum_flag(copy: &Copy) -> String {
    copy.add
        .as_ref()
        .and_then(|flags| flags.checksum.clone())
        .unwrap_or_default()
}

/// `--checksum` needs exactly one source, and an HTTP or git one.
fn check_checksum(copy: &Copy, span: Span) -> ConvertResult<()> {
    if checksum_flag(copy).is_empty() {
        return Ok(());
    }
    let heredoc_names: Vec<&str> = copy
        .heredocs
        .iter()
        .map(|heredoc| heredoc.name.as_str())
        .collect();
    let sources: Vec<&String> = copy
        .sources
        .iter()
        .filter(|source| !heredoc_names.contains(&source.as_str()))
        .collect();
    match sources.as_slice() {
        [source] if is_http(source) || is_git(source) => Ok(()),
        [_] => Err(located(span, "checksum requires HTTP(S) or Git sources")),
        _ => Err(located(
            span,
            "checksum can't be specified for multiple sources",
        )),
    }
}

/// ADD of an HTTP URL: the downloaded file (with `--checksum` checked), unpacked only with
/// `--unpack`. COPY refuses URLs.
fn url_action(
    lowering: &Lowering<'_>,
    copy: &Copy,
    source: &str,
    is_add: bool,
    target: &CopyTarget,
) -> ConvertResult<FileAction> {
    if !is_add {
        return Err(located(target.span, "source can't be a URL for COPY"));
    }
    let filename = url_filename(source);
    let mut http = Source::new(source).with_attribute("http.filename", filename.clone());
    let checksum = checksum_flag(copy);
    if !checksum.is_empty() {
        if let Some(reason) = digest_error(&checksum) {
            return Err(located(target.span, reason));
        }
        http = http.with_attribute("http.checksum", checksum);
    }
    let http_state = http.build(OpOptions {
        platform: None,
        metadata: OpMetadata::named(target.step_name.clone()),
        location: Some(lowering.location(target.span)),
    });
    Ok(FileAction::Copy {
        source: http_state,
        source_path: filename,
        destination: target.destination.clone(),
        options: CopyOptions {
            attempt_unpack: unpack_flag(copy).unwrap_or(false),
            ..target.options.clone()
        },
    })
}

/// A path (or pattern) in the build context or the `--from` stage: wildcards allowed, directory
/// contents copied, archives unpacked by ADD unless `--unpack=false`.
fn local_action(
    copy: &Copy,
    source: &str,
    is_add: bool,
    from: &State,
    target: &CopyTarget,
) -> FileAction {
    let (source_path, include_patterns, required_paths) = if copy.parents {
        parents_source(source)
    } else {
        (clean_path(&format!("/{source}")), Vec::new(), Vec::new())
    };
    FileAction::Copy {
        source: from.clone(),
        source_path,
        destination: target.destination.clone(),
        options: CopyOptions {
            follow_symlinks: true,
            copy_directory_contents: true,
            attempt_unpack: unpack_flag(copy).unwrap_or(is_add),
            allow_wildcard: true,
            allow_empty_wildcard: true,
            include_patterns,
            required_paths,
            ..target.options.clone()
        },
    }
}

/// A heredoc source: the document written to a scratch file, then copied like a file.
fn heredoc_action(stage: &StageState, heredoc: &Heredoc, target: &CopyTarget) -> FileAction {
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
    FileAction::Copy {
        source: document,
        source_path: path,
        destination: target.destination.clone(),
        options: target.options.clone(),
    }
}

/// ADD's `--unpack`, when given.
fn unpack_flag(copy: &Copy) -> Option<bool> {
    copy.add.as_ref().and_then(|flags| flags.unpack)
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

/// Upstream's `containsWildcards`: `*`, `?` or `[`, not escaped by a backslash.
fn has_wildcards(text: &str) -> bool {
    let mut characters = text.chars();
    while let Some(character) = characters.next() {
        match character {
            '*' | '?' | '[' => return true,
            '\\' => {
                characters.next();
            }
            _ => {}
        }
    }
    false
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
}
