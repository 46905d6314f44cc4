//! What the cache pass knows of a stage's image, in: lookups the pass makes at the stage's RUNs
//! (the user's ids and home, `/etc/os-release`, the download caches read offline); out: the same
//! facts for later RUNs and for the stages built `FROM` this one. Invariant: each fact is looked up
//! at most once per stage (and user).

use std::collections::BTreeMap;
use std::sync::Arc;

use cachefront_cache::{Distro, RunUser};

/// Facts about a stage's image the pass needs, looked up lazily.
#[derive(Debug, Clone, Default)]
pub struct StageFacts {
    /// The user the facts were looked up for, and its ids and home.
    pub(crate) user: Option<(String, RunUser)>,
    /// The base distribution: `None` until looked up, then what `/etc/os-release` said.
    pub(crate) distro: Option<Option<Distro>>,
    /// The download caches this stage's RUNs, or those of stages built `FROM` it, read offline:
    /// computed once, on the stage's first planned RUN (with its environment).
    pub(crate) offline_reads: Option<Vec<String>>,
    /// The same for the stages this one is built `FROM`: their caches are in this image too.
    pub(crate) inherited_offline_reads: Vec<String>,
    /// The stage environment as the pass reads it, and the revision it was taken at.
    pub(crate) variables: Option<(u64, Arc<BTreeMap<String, String>>)>,
}

impl StageFacts {
    /// The facts a stage built `FROM` this one starts with: the same image (user, distribution,
    /// environment), but other commands after its RUNs, so their analysis starts afresh.
    pub(crate) fn for_derived_stage(&self) -> StageFacts {
        let mut inherited = self.inherited_offline_reads.clone();
        for path in self.offline_reads.iter().flatten() {
            if !inherited.contains(path) {
                inherited.push(path.clone());
            }
        }
        StageFacts {
            offline_reads: None,
            inherited_offline_reads: inherited,
            ..self.clone()
        }
    }
}
