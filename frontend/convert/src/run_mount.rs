//! A RUN's own mounts, in: the RUN's `--mount` flags as typing read them, and the stage; out: the
//! LLB mounts and the secrets given as environment variables. Invariant: as BuildKit dispatches a RUN: every flag is typed first, its values
//! expanded with the stage's environment (`MountFlag::expand`), then each is lowered; the first
//! error, located at the RUN, is the one the stock frontend reports.

use cachefront_dockerfile::instructions::{Mount as TypedMount, Run};
use cachefront_dockerfile::parse::Span;
use cachefront_llb::Mount;
use cachefront_proto::pb;

use crate::error::{located, ConvertResult};
use crate::lowering::Lowering;
use crate::run_mount_lower::{lower_mount, secret_env};
use crate::stage_state::StageState;

/// The RUN's mounts, in the order written, and its secret environment variables.
pub(crate) fn user_mounts(
    lowering: &Lowering<'_>,
    stage: &StageState,
    run: &Run,
    span: Span,
) -> ConvertResult<(Vec<Mount>, Vec<pb::SecretEnv>)> {
    let typed = run
        .mounts
        .iter()
        .map(|flag| flag.expand(&mut |word| lowering.lexer.expand_word(word, &stage.env)))
        .collect::<Result<Vec<TypedMount>, _>>()
        .map_err(|error| located(span, error))?;
    let mut mounts = Vec::with_capacity(typed.len());
    for mount in &typed {
        let lowered = lower_mount(lowering, stage, mount).map_err(|error| located(span, error))?;
        mounts.extend(lowered);
    }
    let secret_env = typed.iter().filter_map(secret_env).collect();
    Ok((mounts, secret_env))
}
