//! apt specifics: package lists, `docker-clean`, and kept downloads.
//!
//! Input: the apt detections, the analysis, the RUN's deletions and input. Output: a lists
//! candidate (when safe) and the read-only files to mount for the RUN. Invariants:
//! - `/var/lib/apt/lists` is cached only when this RUN runs `apt-get update` (unconditionally,
//!   before any other apt command) and unconditionally deletes the lists after its last apt
//!   command: otherwise the stock image
//!   keeps the lists (or the RUN reads the image's lists) and a mount would change that. Even
//!   then the lists are not mounted over `/var/lib/apt/lists`: apt is pointed at a mount
//!   elsewhere with `Dir::State::Lists`, so the RUN's own `rm -rf /var/lib/apt/lists/*` runs
//!   unchanged on the real directory and the image matches the stock one exactly. The cache id
//!   is still the one a hand-written `target=/var/lib/apt/lists` mount gets.
//! - `docker-clean` (Debian/Ubuntu images: deletes downloaded `.deb`s after every apt run) is
//!   hidden under an empty read-only file for the RUN; the image keeps the real file. A RUN that
//!   itself touches `docker-clean` is left alone.
//! - `Binary::apt::APT::Keep-Downloaded-Packages "true"` makes `apt` (not only `apt-get`) keep
//!   downloads. This and `Dir::State::Lists` live in a file under `/.cachefront` named by a
//!   RUN-scoped `APT_CONFIG`: a new file under `/etc/apt/apt.conf.d/` would leave a trace (BuildKit
//!   removes the stub, but the directory's mtime changes and it lands in the layer; measured on
//!   Docker 26.1.5), while a stub under `/` does not show in the layer. Mounting over the existing
//!   `docker-clean` creates no stub. When `APT_CONFIG` cannot reach every apt command (the user
//!   sets it, or `sudo` resets the env), there is no config file and no lists cache.

use crate::candidate::Candidate;
use crate::detect::Detection;
use crate::error::NotMounted;
use crate::input::RunInput;
use crate::placement::RELOCATION_ROOT;
use crate::plan::{FileMount, Sharing};
use crate::rules::CacheKind;
use crate::safety::Removal;
use crate::shell::{root_text, Analysis, Root};
use crate::template::VariableValue;

/// apt's package lists.
pub(crate) const LISTS_PATH: &str = "/var/lib/apt/lists";
/// Debian's cache-cleaning apt configuration.
pub(crate) const DOCKER_CLEAN_PATH: &str = "/etc/apt/apt.conf.d/docker-clean";
/// The RUN-only apt configuration file, named by `APT_CONFIG`.
pub(crate) const CONFIG_PATH: &str = "/.cachefront/apt/apt.conf";
/// apt's variable naming an extra configuration file (read before `apt.conf.d`).
const CONFIG_VARIABLE: &str = "APT_CONFIG";

/// Where the lists cache is mounted.
pub(crate) fn lists_mount_target() -> String {
    format!("{RELOCATION_ROOT}/apt{LISTS_PATH}")
}

/// The lists candidate, or why there is none (`Ok(None)`: nothing to say).
pub(crate) fn lists_candidate(
    detections: &[&Detection],
    analysis: &Analysis,
    removals: &[Removal],
    input: &RunInput,
) -> Result<Option<Candidate>, NotMounted> {
    let apt_invocations: Vec<_> = detections
        .iter()
        .filter_map(|detection| {
            analysis
                .invocations
                .get(detection.invocation)
                .map(|invocation| (invocation, &detection.call))
        })
        .collect();
    let first_update = apt_invocations
        .iter()
        .filter(|(invocation, call)| {
            !invocation.conditional && call.operands(invocation).contains(&"update")
        })
        .map(|(invocation, _)| invocation.sequence)
        .min();
    let Some(first_update) = first_update else {
        return Ok(None);
    };
    if let Some(reason) = config_unreachable(detections, analysis, input) {
        return Err(NotMounted::AptConfigUnreachable(reason));
    }
    let first_apt = apt_invocations
        .iter()
        .map(|(invocation, _)| invocation.sequence)
        .min()
        .unwrap_or(first_update);
    if first_apt < first_update {
        // An apt command before the refresh reads the image's lists; with the lists redirected
        // it would read the (possibly cold) cache instead.
        return Err(NotMounted::AptReadsListsBeforeUpdate);
    }
    let last_apt = apt_invocations
        .iter()
        .map(|(invocation, _)| invocation.sequence)
        .max()
        .unwrap_or(0);
    let deletes_at_end = removals.iter().any(|removal| {
        let is_lists = removal.path == LISTS_PATH
            || (removal.glob && removal.path.starts_with(&format!("{LISTS_PATH}/")));
        let after = analysis
            .invocations
            .get(removal.operand.0)
            .is_some_and(|invocation| !invocation.conditional && invocation.sequence > last_apt);
        !removal.find && is_lists && after
    });
    if !deletes_at_end {
        return Err(NotMounted::AptListsKept);
    }
    Ok(Some(Candidate {
        rule: "apt".to_owned(),
        natural_target: LISTS_PATH.to_owned(),
        mount_target: lists_mount_target(),
        sharing: Sharing::Locked,
        kind: CacheKind::Download,
        owner: None,
        env: Vec::new(),
    }))
}

/// Why `APT_CONFIG` would not reach every apt command, if it would not.
fn config_unreachable(
    detections: &[&Detection],
    analysis: &Analysis,
    input: &RunInput,
) -> Option<String> {
    for detection in detections {
        let Some(invocation) = analysis.invocations.get(detection.invocation) else {
            continue;
        };
        if invocation.env_cleared {
            return Some(format!(
                "`sudo`/`env -i` would drop {CONFIG_VARIABLE} for some apt commands"
            ));
        }
        if !matches!(
            invocation.variable(CONFIG_VARIABLE, input.env),
            VariableValue::Unset
        ) {
            return Some(format!("the build sets {CONFIG_VARIABLE} itself"));
        }
    }
    None
}

/// Whether any text of the RUN mentions `docker-clean` (the RUN manages it itself).
fn mentions_docker_clean(input: &RunInput) -> bool {
    let mut roots = vec![Root::Script];
    roots.extend((0..input.heredocs.len()).map(Root::Heredoc));
    if let crate::input::RunCommand::Exec(argv) = input.command {
        roots.extend((0..argv.len()).map(Root::ExecArgument));
    }
    roots
        .into_iter()
        .filter_map(|root| root_text(input, root))
        .any(|text| text.contains("docker-clean"))
}

/// What apt needs besides its cache mounts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct AptExtras {
    /// Read-only files for the RUN.
    pub files: Vec<FileMount>,
    /// RUN-scoped env.
    pub env: Vec<(String, String)>,
    /// One line each.
    pub explanation: Vec<String>,
    /// Skip notes.
    pub skipped: Vec<String>,
}

/// Files and env for the RUN when the archives cache (`/var/cache/apt`) and/or the lists cache
/// are mounted.
pub(crate) fn extras(
    detections: &[&Detection],
    analysis: &Analysis,
    input: &RunInput,
    archives_mounted: bool,
    lists_mounted: bool,
) -> AptExtras {
    let mut extras = AptExtras::default();
    if archives_mounted {
        if mentions_docker_clean(input) {
            extras
                .skipped
                .push("apt: the RUN handles docker-clean itself, so it is not hidden".to_owned());
        } else {
            extras.files.push(FileMount {
                path: DOCKER_CLEAN_PATH.to_owned(),
                contents: String::new(),
                rule: "apt".to_owned(),
            });
            extras.explanation.push(format!(
                "file mount {DOCKER_CLEAN_PATH} (apt, empty for this RUN: downloaded packages stay in the cache)"
            ));
        }
    }
    let mut config = String::new();
    let mut purposes = Vec::new();
    if archives_mounted {
        config.push_str("Binary::apt::APT::Keep-Downloaded-Packages \"true\";\n");
        purposes.push("`apt` keeps downloads too");
    }
    if lists_mounted {
        config.push_str(&format!(
            "Dir::State::Lists \"{}/\";\n",
            lists_mount_target()
        ));
        purposes.push("lists go to the cache mount");
    }
    if config.is_empty() {
        return extras;
    }
    if let Some(reason) = config_unreachable(detections, analysis, input) {
        extras
            .skipped
            .push(format!("apt: no RUN-only apt configuration: {reason}"));
        return extras;
    }
    extras.files.push(FileMount {
        path: CONFIG_PATH.to_owned(),
        contents: format!("// cachefront: this RUN only\n{config}"),
        rule: "apt".to_owned(),
    });
    extras
        .env
        .push((CONFIG_VARIABLE.to_owned(), CONFIG_PATH.to_owned()));
    extras.explanation.push(format!(
        "file mount {CONFIG_PATH} with {CONFIG_VARIABLE}={CONFIG_PATH} for this RUN (apt: {})",
        purposes.join(", ")
    ));
    extras
}
