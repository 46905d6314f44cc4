//! Lowering, in: a typed Dockerfile, its source and the client's options; out: the LLB state of
//! the target stage and its image config. Invariants: words are expanded here, per stage
//! environment; every op carries the Dockerfile lines it came from; only stages the target needs
//! are lowered; the image and history match what the stock frontend produces.

mod args;
mod config;
mod copy;
mod dispatch;
mod env;
mod error;
mod healthcheck;
mod image;
mod inject;
mod naming;
mod options;
mod resolve;
mod run;
mod run_mount;
mod stages;

pub use dispatch::{convert, Converted, InjectionReport};
pub use env::Environment;
pub use error::{ConvertError, ConvertResult};
pub use image::{History, Image, RuntimeConfig};
pub use options::{ConvertOptions, NoCache};
pub use resolve::{ResolvedImage, Resolver};
