//! Solve requests, in: an LLB `Definition` and/or a frontend to forward to, plus cache imports
//! and flags; out: the `gateway::SolveRequest` BuildKit's own gateway client would send.
//! Invariant: results are always asked back inline (`allow_result_return`, ref arrays), and a
//! Definition naming an LLB cap the daemon lacks is caught here, before BuildKit fails the load.

use std::collections::{BTreeMap, HashMap};

use cachefront_proto::{gateway, pb};

use crate::capabilities::Capabilities;
use crate::options::CacheImport;

/// Everything about a `Solve` besides the Definition.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SolveOptions {
    /// Cache sources to import (pass `FrontendOptions::cache_imports`, as upstream does).
    pub cache_imports: Vec<CacheImport>,
    /// Build the result now instead of lazily, so errors surface from this call.
    pub evaluate: bool,
    /// A frontend to run instead of (or on top of) the Definition, e.g. `dockerfile.v0`.
    pub frontend: Option<String>,
    /// Options for that frontend (the same keys this frontend received).
    pub frontend_options: BTreeMap<String, String>,
    /// Named inputs for that frontend (e.g. `context`, `dockerfile`).
    pub frontend_inputs: BTreeMap<String, pb::Definition>,
}

impl SolveOptions {
    /// Options that forward the whole build to `frontend` with `frontend_options`.
    pub fn forward_to(
        frontend: impl Into<String>,
        frontend_options: BTreeMap<String, String>,
    ) -> Self {
        SolveOptions {
            frontend: Some(frontend.into()),
            frontend_options,
            ..SolveOptions::default()
        }
    }

    /// Same options, with the result evaluated eagerly.
    pub fn evaluated(mut self) -> Self {
        self.evaluate = true;
        self
    }
}

/// The first cap in `definition`'s op metadata that `capabilities` lacks.
pub fn missing_llb_cap(definition: &pb::Definition, capabilities: &Capabilities) -> Option<String> {
    definition
        .metadata
        .values()
        .flat_map(|metadata| metadata.caps.keys())
        .find(|cap| !capabilities.has_llb_cap(cap))
        .cloned()
}

/// Builds the wire request; `evaluate` is what the daemon supports (see `Gateway::solve_request`).
pub fn build_solve_request(
    definition: Option<pb::Definition>,
    options: SolveOptions,
    evaluate: bool,
) -> gateway::SolveRequest {
    gateway::SolveRequest {
        definition,
        frontend: options.frontend.unwrap_or_default(),
        frontend_opt: options
            .frontend_options
            .into_iter()
            .collect::<HashMap<_, _>>(),
        allow_result_return: true,
        allow_result_array_ref: true,
        cache_imports: options
            .cache_imports
            .into_iter()
            .map(|import| gateway::CacheOptionsEntry {
                r#type: import.kind,
                attrs: import.attributes.into_iter().collect(),
            })
            .collect(),
        frontend_inputs: options.frontend_inputs.into_iter().collect(),
        evaluate,
        ..gateway::SolveRequest::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cachefront_proto::apicaps::ApiCap;

    #[test]
    fn unknown_llb_caps_are_reported() {
        let mut definition = pb::Definition::default();
        let mut metadata = pb::OpMetadata::default();
        metadata.caps.insert("exec.mount.cache".to_owned(), true);
        metadata.caps.insert("mergeop".to_owned(), true);
        definition.metadata.insert("sha256:x".to_owned(), metadata);
        let enabled = ApiCap {
            id: "exec.mount.cache".to_owned(),
            enabled: true,
            ..ApiCap::default()
        };
        let capabilities = Capabilities::from_ping(&[], &[enabled]);
        assert_eq!(
            missing_llb_cap(&definition, &capabilities),
            Some("mergeop".to_owned())
        );
    }

    #[test]
    fn forwarding_request_has_frontend_and_inline_results() {
        let options = SolveOptions::forward_to(
            "dockerfile.v0",
            BTreeMap::from([("target".to_owned(), "x".to_owned())]),
        );
        let request = build_solve_request(None, options, false);
        assert_eq!(request.frontend, "dockerfile.v0");
        assert_eq!(
            request.frontend_opt.get("target").map(String::as_str),
            Some("x")
        );
        assert!(request.allow_result_return && request.allow_result_array_ref);
        assert!(request.definition.is_none());
    }
}
