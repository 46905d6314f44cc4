//! A cache mount the planner is considering, before safety checks and neutralisation.
//!
//! Input: none (data type). Output: [`Candidate`]. Invariant: `natural_target` is where the tool
//! looks for its cache (and what the id derives from); `mount_target` is where the mount goes,
//! which differs only when the cache is relocated through `env`.

use crate::plan::Sharing;
use crate::rules::CacheKind;

/// A cache mount under consideration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Candidate {
    /// The rule asking for it.
    pub rule: String,
    /// Where the tool keeps this cache.
    pub natural_target: String,
    /// Where the mount goes.
    pub mount_target: String,
    /// How concurrent builds share it.
    pub sharing: Sharing,
    /// What it holds.
    pub kind: CacheKind,
    /// Owner uid/gid for a non-root user; `None` for root (as a hand-written mount).
    pub owner: Option<(u32, u32)>,
    /// RUN-scoped env the mount needs (relocation or pinning).
    pub env: Vec<(String, String)>,
}
