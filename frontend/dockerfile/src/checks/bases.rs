//! The base images the checks need facts about, in: the parsed and typed Dockerfile and the
//! check options; out: each stage built on an image, with the image name and `--platform` after
//! meta-ARG expansion, for the caller to resolve (their `Env` and `Shell` go back in as
//! `CheckOptions::base_images`). Invariant: pure; stages built on scratch or on another stage are
//! left out, and so is everything when the meta ARGs do not expand (the build fails there).

use super::view::View;
use super::{base_of, meta_args, predefined_args, target_stage_name, Base, CheckOptions};
use crate::expand::Lexer;
use crate::instructions::Dockerfile;
use crate::parse::Ast;

/// A stage built on an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageBase {
    /// The stage's index.
    pub stage: usize,
    /// The image name as the build resolves it (meta ARGs expanded).
    pub name: String,
    /// The stage's `--platform`, expanded; `None` for the build's target platform.
    pub platform: Option<String>,
}

/// Every stage built on an image, in Dockerfile order.
pub fn image_bases(ast: &Ast, dockerfile: &Dockerfile, options: &CheckOptions) -> Vec<ImageBase> {
    let view = View::new(ast, dockerfile);
    let lexer = Lexer::new(ast.directives.escape);
    let predefined = predefined_args(options, &target_stage_name(&view, options));
    let Some(scope) = meta_args(&view, &lexer, predefined, &options.build_args) else {
        return Vec::new();
    };
    let global = scope.values;
    (0..view.stages.len())
        .filter_map(|index| {
            let Base::Image(name) = base_of(&view, &lexer, &global, index) else {
                return None;
            };
            let stage = view.stages.get(index)?;
            let platform = match &stage.stage.platform {
                Some(platform) => Some(lexer.expand_word(platform, &global).ok()?),
                None => None,
            };
            Some(ImageBase {
                stage: index,
                name,
                platform,
            })
        })
        .collect()
}
