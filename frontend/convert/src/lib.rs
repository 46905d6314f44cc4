//! Lowering, in: a typed Dockerfile, its source and the client's options; out: the LLB state of
//! the target stage and its image config. Invariants: words are expanded here, per stage
//! environment; every op carries the Dockerfile lines it came from; only stages the target needs
//! are lowered; the image and history match what the stock frontend produces.

mod args;
mod cache_export;
mod cache_seed;
mod ci_cache;
mod config_instructions;
mod copy;
mod copy_source;
mod dispatch;
mod env;
mod epoch;
mod error;
mod expose;
mod git_ref;
mod healthcheck;
mod image;
mod inject;
mod lowering;
mod naming;
mod offline_reads;
mod onbuild;
mod options;
mod ownership;
mod resolve;
mod run;
mod run_heredoc;
mod run_mount;
mod run_mount_lower;
mod run_ssh;
mod shell_form;
mod stage_facts;
mod stage_start;
mod stage_state;
mod stages;
mod tool_mounts;
mod workdir;

pub use cache_export::{export_state, ExportSettings};
pub use cache_seed::{seed_source, seed_state};
pub use ci_cache::{CacheTool, SEED_CONTEXT};
pub use dispatch::{convert, Converted, FORCE_FALLBACK_ARGUMENT};
pub use env::Environment;
pub use epoch::{rfc3339, SOURCE_DATE_EPOCH};
pub use error::{ConvertError, ConvertResult};
pub use image::{History, Image, RuntimeConfig};
pub use lowering::InjectionReport;
pub use options::{ConvertOptions, NoCache};
pub use resolve::{ResolvedImage, Resolver, StaticResolver};
