//! Offline readers: the download caches a RUN reads from disk instead of the network.
//!
//! Input: a RUN. Output: the natural paths of the download caches its offline commands read.
//! Invariant: only caches of detected tools that run offline (`RunInput::offline`, `--offline`,
//! `GOPROXY=off`, `--no-restore`, ...) are returned; lowering protects them in earlier RUNs.

use crate::detect::{detect, RuleRef};
use crate::input::RunInput;
use crate::rules::CacheKind;
use crate::shell::analyse;
use crate::targets::{is_offline, natural_target};

/// The download caches this RUN reads from disk instead of the network, because it is offline
/// (`RunInput::offline`) or runs a tool in offline mode (`--offline`, `GOPROXY=off`,
/// `--no-restore`, ...). Lowering passes these as `protected_paths` to the earlier RUNs of the
/// stage, so those leave the caches in the image for this RUN to read.
pub fn offline_read_paths(input: &RunInput) -> Vec<String> {
    let analysis = analyse(input);
    let detections = detect(&analysis, input.settings, input.env);
    let mut paths = Vec::new();
    for detection in &detections {
        let (RuleRef::Builtin(rule), Some(invocation)) = (
            detection.rule,
            analysis.invocations.get(detection.invocation),
        ) else {
            continue;
        };
        let call = &detection.call;
        if !is_offline(rule, call, invocation, input) {
            continue;
        }
        for cache in rule
            .caches
            .iter()
            .filter(|cache| cache.kind == CacheKind::Download)
        {
            if let Ok(Some(path)) = natural_target(cache, call, invocation, input) {
                if !paths.contains(&path) {
                    paths.push(path);
                }
            }
        }
    }
    paths
}
