//! Placement: where a cache's mount point goes, and the RUN-scoped env that needs.
//!
//! Input: a cache directory of a rule, its natural path, the command and the user. Output: the
//! mount point plus env, or why the cache cannot be mounted. Invariants: a relocated cache keeps
//! the id of its natural path; relocation never fights a value the script or a competing
//! variable gives; a non-root user's home never gets root-owned stub directories.

use crate::error::NotMounted;
use crate::input::RunInput;
use crate::paths::{clean_path, is_strictly_inside};
use crate::rules::CacheDir;
use crate::shell::Invocation;
use crate::template::VariableValue;

/// Where relocated caches are mounted; BuildKit removes the empty stubs after the RUN.
pub(crate) const RELOCATION_ROOT: &str = "/.cachefront";

/// Where to mount a cache that belongs at `natural`, and the env that needs.
///
/// A cache with a pure location variable (`PIP_CACHE_DIR`, `GOCACHE`, ...) whose path never
/// ends up in build outputs is relocated under [`RELOCATION_ROOT`] and the variable is set for
/// the RUN: BuildKit creates a missing mount point (and missing parents) as stubs, and although
/// it removes them afterwards, the parent directory keeps a new mtime and lands in the layer
/// (measured on Docker 26.1.5: `/root` for a `/root/.cache/pip` mount); a stub under `/` does
/// not show. It also keeps a non-root user's home free of root-owned stub directories. The id
/// stays the one the natural path gets, so hand-written mounts share the cache.
pub(crate) fn placement(
    rule: &str,
    cache: &CacheDir,
    natural: &str,
    invocation: &Invocation,
    input: &RunInput,
    owner: (u32, u32),
) -> Result<(String, Vec<(String, String)>), NotMounted> {
    if let Some(variable) = cache.location_env {
        // A value the script gives the variable itself would override the RUN-scoped one.
        let assigned_by_command = invocation.variables.contains_key(variable);
        let competing = cache
            .competing_env
            .iter()
            .any(|name| !matches!(invocation.variable(name, input.env), VariableValue::Unset));
        let relocatable = !competing
            && !cache.embedded_in_outputs
            && !cache.pin_location
            && !assigned_by_command
            && !invocation.env_cleared;
        if relocatable {
            let mount_target = format!("{RELOCATION_ROOT}/{rule}{natural}");
            return Ok((
                mount_target.clone(),
                vec![(variable.to_owned(), mount_target)],
            ));
        }
    }
    let home = clean_path(&invocation.home);
    let parent_is_home = natural.rsplit_once('/').map(|(parent, _)| parent) == Some(home.as_str());
    let safe_in_place = owner.0 == 0 || !is_strictly_inside(natural, &home) || parent_is_home;
    if !safe_in_place {
        return Err(NotMounted::BelowHome {
            natural: natural.to_owned(),
            home,
        });
    }
    let env = match (cache.pin_location, cache.location_env) {
        (true, Some(variable)) => vec![(variable.to_owned(), natural.to_owned())],
        _ => Vec::new(),
    };
    Ok((natural.to_owned(), env))
}
