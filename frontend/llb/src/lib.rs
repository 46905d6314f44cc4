//! An LLB builder, in: sources, execs and file actions composed as immutable states; out: a
//! `pb::Definition` for BuildKit's Solve. Invariants: a `State` is a cheap, shareable handle that never
//! changes; marshalling is deterministic (same graph, same bytes) and each op appears once, by digest.

mod cache_mounts;
mod caps;
mod digest;
mod dump;
mod encode;
mod exec;
mod file;
mod marshal;
mod platform;
pub mod platform_spec;
mod source;
mod state;

pub use cache_mounts::{cache_mounts, FoundCache};
pub use digest::digest_of;
pub use dump::dump;
pub use exec::{CacheSharing, Exec, ExecResult, Mount, MountKind, Network, Security};
pub use file::{ChownSpec, CopyOptions, FileAction, FileOperation, UserSpec};
pub use marshal::marshal;
pub use platform::Platform;
pub use source::{normalize_image_reference, Source};
pub use state::{OpMetadata, OpOptions, ProgressGroup, SourceFile, SourceLocation, State};
