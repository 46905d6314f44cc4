//! Build checks, in: a parsed `Ast`, the typed `Dockerfile` built from it and `CheckOptions`;
//! out: a `Report` with the findings the newest stable upstream Dockerfile frontend (1.26) reports
//! for it, in the same order, filtered by the check configuration and each instruction's own
//! `# check=` comment.
//! Invariant: pure (no I/O) and never panics; facts only lowering has (base image environment and
//! shell, resolved platforms, `.dockerignore`) come in through `CheckOptions` or are evaluated by
//! lowering with the helpers here. See docs/build-checks.md for the rule table.

mod bases;
mod config;
mod dispatch;
mod dockerignore;
mod engine;
mod onbuild;
mod platform;
mod reference;
mod rules;
mod suggestion;
mod view;

use std::collections::BTreeMap;

pub use bases::{image_bases, ImageBase};
pub use config::{check_directive, CheckConfig, CheckConfigError, CHECK_BUILD_ARG};
pub use engine::{Finding, Report, Rule};
pub use platform::Platform;
pub use rules::ALL as RULES;

use crate::expand::{Expansion, Lexer, Lookup};
use crate::instructions::{CommandKind, Dockerfile};
use crate::parse::{Ast, Span};
use dispatch::{Dispatcher, Pairs, StageState};
use engine::Emitter;
use rules::{
    consistent_instruction_casing, duplicate_stage_name, from_as_casing,
    from_platform_flag_const_disallowed, invalid_base_image_platform, invalid_default_arg_in_from,
    invalid_definition_description, maintainer_deprecated, no_empty_continuation,
    redundant_target_platform, reserved_stage_name, stage_name_casing, undefined_arg_in_from,
};
use view::View;

/// What a base image provides, known once lowering resolved its config.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BaseImage {
    /// The image config's `Env`, split at the first `=`.
    pub env: Vec<(String, String)>,
    /// Whether the image config sets `Shell`.
    pub shell: bool,
}

impl BaseImage {
    /// The facts of an image config (`config.Env`, `config.Shell`); none when it does not parse.
    pub fn from_config_json(config: &[u8]) -> BaseImage {
        let value: serde_json::Value = serde_json::from_slice(config).unwrap_or_default();
        let runtime = value.get("config");
        let env = runtime
            .and_then(|runtime| runtime.get("Env"))
            .and_then(serde_json::Value::as_array)
            .map(|entries| {
                entries
                    .iter()
                    .filter_map(serde_json::Value::as_str)
                    .map(|entry| match entry.split_once('=') {
                        Some((name, value)) => (name.to_owned(), value.to_owned()),
                        None => (entry.to_owned(), String::new()),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let shell = runtime
            .and_then(|runtime| runtime.get("Shell"))
            .and_then(serde_json::Value::as_array)
            .is_some_and(|shell| !shell.is_empty());
        BaseImage { env, shell }
    }
}

/// How to run the checks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckOptions {
    /// Which rules run and whether findings fail the build (`CheckConfig::for_build`).
    pub config: CheckConfig,
    /// Check every stage (`--call=check` without a target); otherwise only the stages the target
    /// needs get the dispatch-time rules, as in a build.
    pub all_stages: bool,
    /// The build's target stage; `None` is the last stage.
    pub target: Option<String>,
    /// `--build-arg` values.
    pub build_args: BTreeMap<String, String>,
    /// The platforms behind BUILDPLATFORM/TARGETPLATFORM (default `linux/amd64`).
    pub build_platform: Platform,
    pub target_platform: Platform,
    /// Base image facts by stage index; a stage FROM an image with no entry gets no UndefinedVar
    /// findings (its environment is unknown).
    pub base_images: BTreeMap<usize, BaseImage>,
    /// The build context's `.dockerignore` (for CopyIgnoredFile); `None` when it has no
    /// patterns.
    pub dockerignore: Option<DockerIgnore>,
}

/// The build context's `.dockerignore`, as CopyIgnoredFile matches COPY and ADD sources against it.
#[derive(Debug, Clone)]
pub struct DockerIgnore {
    matcher: dockerignore::IgnoreMatcher,
    clean_path: fn(&str) -> String,
}

impl PartialEq for DockerIgnore {
    fn eq(&self, other: &DockerIgnore) -> bool {
        self.matcher == other.matcher && std::ptr::fn_addr_eq(self.clean_path, other.clean_path)
    }
}

impl Eq for DockerIgnore {}

impl DockerIgnore {
    /// `patterns` as the CLI reads them (cleaned, `!` exceptions kept); `clean_path` is Go's
    /// `path.Clean`, applied to each source before matching. The caller passes the one home of
    /// that rule (`cachefront_cache::paths::clean_path`): this crate depends on no other crate of
    /// ours. `None` when there are no patterns (BuildKit then has no matcher).
    pub fn new(patterns: &[String], clean_path: fn(&str) -> String) -> Option<DockerIgnore> {
        let matcher = dockerignore::IgnoreMatcher::new(patterns)?;
        Some(DockerIgnore {
            matcher,
            clean_path,
        })
    }
}

/// Runs every check on a Dockerfile that parsed and typed without error.
pub fn run(ast: &Ast, dockerfile: &Dockerfile, options: &CheckOptions) -> Report {
    let mut emitter = Emitter::new(&options.config);
    let view = View::new(ast, dockerfile);
    no_empty_continuation::check(ast, &mut emitter);
    parse_time_checks(ast, &mut emitter);
    let mut earlier: Vec<&str> = Vec::new();
    for stage in &view.stages {
        if let Some(name) = stage.stage.name.as_deref() {
            reserved_stage_name::check(name, stage.stage.span, &mut emitter);
            duplicate_stage_name::check(name, &earlier, stage.stage.span, &mut emitter);
            earlier.push(name);
        }
    }
    consistent_instruction_casing::check(&view, &mut emitter);
    let lexer = Lexer::new(ast.directives.escape);
    let target_stage = target_stage_name(&view, options);
    let predefined = predefined_args(options, &target_stage);
    if let Some(defaults) = meta_args(&view, &lexer, predefined.clone(), &BTreeMap::new()) {
        invalid_default_arg_in_from::check(&view, &lexer, &defaults.values, &mut emitter);
    }
    let Some(GlobalScope {
        values: global,
        declared,
    }) = meta_args(&view, &lexer, predefined, &options.build_args)
    else {
        return emitter.finish();
    };
    if !from_checks(&view, &lexer, &global, &declared, &mut emitter) {
        return emitter.finish();
    }
    dispatch_checks(&view, &lexer, &global, options, &mut emitter);
    emitter.finish()
}

/// InvalidBaseImagePlatform for lowering, which knows the platform a base image resolved to:
/// the finding for stage `span` (the FROM lines) unless it matches or the rule is turned off.
pub fn base_image_platform(
    config: &CheckConfig,
    image: &str,
    expected: &Platform,
    actual: &Platform,
    span: Span,
) -> Option<Finding> {
    let mut emitter = Emitter::new(config);
    invalid_base_image_platform::check(image, expected, actual, span, &mut emitter);
    emitter.finish().findings.into_iter().next()
}

/// The rules reported while typing instructions, node by node.
fn parse_time_checks(ast: &Ast, emitter: &mut Emitter) {
    for node in &ast.nodes {
        emitter.scope(&node.comments);
        maintainer_deprecated::check(node, emitter);
        match node.keyword.as_str() {
            "from" => {
                stage_name_casing::check(node, emitter);
                from_as_casing::check(node, emitter);
                if let [_, _, name] = node.args.as_slice() {
                    let name = name.to_lowercase();
                    invalid_definition_description::check("FROM", &[&name], node, emitter);
                }
            }
            "arg" => {
                let names: Vec<&str> = node
                    .args
                    .iter()
                    .map(|word| word.split_once('=').map_or(word.as_str(), |(name, _)| name))
                    .collect();
                invalid_definition_description::check("ARG", &names, node, emitter);
            }
            _ => {}
        }
    }
    emitter.scope(&[]);
}

fn target_stage_name(view: &View, options: &CheckOptions) -> String {
    let name = match &options.target {
        Some(target) => target.clone(),
        None => view
            .stages
            .last()
            .and_then(|stage| stage.stage.name.clone())
            .unwrap_or_default(),
    };
    if name.is_empty() {
        "default".to_owned()
    } else {
        name
    }
}

/// The automatic platform ARGs and TARGETSTAGE, with build-argument overrides.
fn predefined_args(options: &CheckOptions, target_stage: &str) -> Vec<(String, String)> {
    let (build, target) = (&options.build_platform, &options.target_platform);
    let values = [
        ("BUILDPLATFORM", build.format()),
        ("BUILDOS", build.os.clone()),
        ("BUILDOSVERSION", String::new()),
        ("BUILDARCH", build.architecture.clone()),
        ("BUILDVARIANT", build.variant.clone()),
        ("TARGETPLATFORM", target.format()),
        ("TARGETOS", target.os.clone()),
        ("TARGETOSVERSION", String::new()),
        ("TARGETARCH", target.architecture.clone()),
        ("TARGETVARIANT", target.variant.clone()),
        ("TARGETSTAGE", target_stage.to_owned()),
    ];
    values
        .into_iter()
        .map(|(name, value)| {
            let value = options.build_args.get(name).cloned().unwrap_or(value);
            (name.to_owned(), value)
        })
        .collect()
}

/// The variables in the global scope after the meta ARGs, and every name the meta ARGs declare.
struct GlobalScope {
    values: Vec<(String, String)>,
    declared: Vec<String>,
}

/// The global scope after the meta ARGs (BuildKit's `buildMetaArgs`); `None` when a default fails
/// to expand (the build fails there).
fn meta_args(
    view: &View,
    lexer: &Lexer,
    mut scope: Vec<(String, String)>,
    build_args: &BTreeMap<String, String>,
) -> Option<GlobalScope> {
    let mut declared = Vec::new();
    for command in &view.meta_args {
        let CommandKind::Arg(definitions) = &command.command.kind else {
            continue;
        };
        for definition in definitions {
            let value = match (build_args.get(&definition.name), &definition.default) {
                (Some(value), _) => Some(value.clone()),
                (None, Some(default)) => Some(lexer.expand_word(default, &scope).ok()?),
                (None, None) => None,
            };
            if let Some(value) = value {
                scope.retain(|(name, _)| name != &definition.name);
                scope.push((definition.name.clone(), value));
            }
            declared.push(definition.name.clone());
        }
    }
    Some(GlobalScope {
        values: scope,
        declared,
    })
}

/// UndefinedArgInFrom, RedundantTargetPlatform and FromPlatformFlagConstDisallowed per stage;
/// false where BuildKit would fail the build (then nothing is dispatched).
fn from_checks(
    view: &View,
    lexer: &Lexer,
    global: &[(String, String)],
    declared: &[String],
    emitter: &mut Emitter,
) -> bool {
    let mut known: Vec<String> = declared.to_vec();
    known.extend(global.iter().map(|(name, _)| name.clone()));
    let checked = view.stages.iter().all(|stage| {
        emitter.scope(&stage.node.comments);
        from_stage_checks(stage, lexer, global, &known, emitter)
    });
    emitter.scope(&[]);
    checked
}

/// `from_checks` for one stage.
fn from_stage_checks(
    stage: &view::StageView,
    lexer: &Lexer,
    global: &[(String, String)],
    known: &[String],
    emitter: &mut Emitter,
) -> bool {
    let span = stage.stage.span;
    let Ok(name) = lexer.expand(&stage.stage.base_name, &Pairs(global)) else {
        return false;
    };
    undefined_arg_in_from::check(&name.unmatched, known, span, emitter);
    if name.result.is_empty() {
        return false;
    }
    let Some(platform) = &stage.stage.platform else {
        return true;
    };
    let Ok(expansion) = lexer.expand(platform, &Pairs(global)) else {
        return false;
    };
    undefined_arg_in_from::check(&expansion.unmatched, known, span, emitter);
    // Compared with TARGETPLATFORM as the global scope holds it (a build argument or a meta
    // ARG may have replaced the automatic value).
    let target = Pairs(global).lookup("TARGETPLATFORM").unwrap_or_default();
    redundant_target_platform::check(platform, &expansion, &target, span, emitter);
    let stage_name = stage.stage.name.as_deref().unwrap_or_default();
    from_platform_flag_const_disallowed::check(stage_name, &expansion, span, emitter);
    if expansion.result.is_empty() || platform::parse_platform(&expansion.result).is_none() {
        return false;
    }
    true
}

/// The rules reported while dispatching, stage by stage in Dockerfile order. Nothing is
/// dispatched when a dispatched stage's base image name is not a valid reference: BuildKit fails
/// while resolving base images, before dispatching.
fn dispatch_checks(
    view: &View,
    lexer: &Lexer,
    global: &[(String, String)],
    options: &CheckOptions,
    emitter: &mut Emitter,
) {
    let dispatched = view.dispatched_stages(options.all_stages, options.target.as_deref());
    let is_dispatched = |index: usize| dispatched.get(index).copied().unwrap_or(false);
    let bases: Vec<Base> = (0..view.stages.len())
        .map(|index| base_of(view, lexer, global, index))
        .collect();
    let unresolvable = bases.iter().enumerate().any(|(index, base)| {
        is_dispatched(index)
            && matches!(base, Base::Image(name) if !reference::is_valid_reference(name))
    });
    if unresolvable {
        return;
    }
    let dispatcher = Dispatcher {
        failed: std::cell::Cell::new(false),
        lexer: *lexer,
        options,
        global,
        ignore: options.dockerignore.as_ref(),
    };
    let windows = options.target_platform.os == "windows";
    // ONBUILD triggers are only set up for the stages the target needs, even with `all_stages`.
    let needed = view.dispatched_stages(false, options.target.as_deref());
    let mut finished: Vec<Option<StageState>> = Vec::new();
    for (index, (stage, base)) in view.stages.iter().zip(&bases).enumerate() {
        if !is_dispatched(index) || dispatcher.failed.get() {
            finished.push(None);
            continue;
        }
        let triggers = match base {
            Base::Stage(earlier) if needed.get(index).copied().unwrap_or(false) => view
                .stages
                .get(*earlier)
                .map(|base| onbuild::triggers(base, stage.stage.span))
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        let trigger_views: Vec<view::CommandView> = triggers
            .iter()
            .map(|(command, node)| view::CommandView { command, node })
            .collect();
        let start = match base {
            Base::Stage(earlier) => match finished.get(*earlier) {
                Some(Some(state)) => state.clone(),
                _ => StageState::from_image(None, false, windows),
            },
            Base::Scratch => StageState::from_image(Some(Vec::new()), false, windows),
            Base::Image(_) => match options.base_images.get(&index) {
                Some(image) => {
                    StageState::from_image(Some(image.env.clone()), image.shell, windows)
                }
                None => StageState::from_image(None, false, windows),
            },
        };
        finished.push(Some(dispatcher.stage(
            stage,
            &trigger_views,
            start,
            emitter,
        )));
    }
}

/// What a stage is built on.
enum Base {
    /// An earlier stage of this Dockerfile, by index.
    Stage(usize),
    Scratch,
    /// An image, by its name after expansion.
    Image(String),
}

fn base_of(view: &View, lexer: &Lexer, global: &[(String, String)], index: usize) -> Base {
    let Some(stage) = view.stages.get(index) else {
        return Base::Scratch;
    };
    let base_name = lexer
        .expand(&stage.stage.base_name, &Pairs(global))
        .map(|expansion: Expansion| expansion.result)
        .unwrap_or_default();
    // BuildKit looks the base name up as written among the (lowercased) stage names.
    let earlier = view
        .stages
        .iter()
        .take(index)
        .rposition(|candidate| candidate.stage.name.as_deref() == Some(base_name.as_str()));
    match earlier {
        Some(earlier) => Base::Stage(earlier),
        None if base_name == "scratch" => Base::Scratch,
        None => Base::Image(base_name),
    }
}
