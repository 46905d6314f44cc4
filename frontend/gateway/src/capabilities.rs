//! BuildKit's capabilities, in: the `Ping` answer's frontend-API and LLB cap lists; out: the sets
//! of enabled cap ids, queried before using a feature.
//! Invariant: only caps marked `enabled` count; a cap BuildKit did not list is unsupported.

use std::collections::BTreeSet;

use cachefront_proto::apicaps::ApiCap;

/// Frontend-API cap ids this crate consults (`frontend/gateway/pb/caps.go`).
pub mod frontend_caps {
    pub const RETURN_RESULT: &str = "return";
    pub const PROTO_REF_ARRAY: &str = "proto.refarray";
    pub const READ_DIR: &str = "readdir";
    pub const STAT_FILE: &str = "statfile";
    pub const IMPORT_CACHES: &str = "importcaches";
    pub const FRONTEND_INPUTS: &str = "frontend.inputs";
    pub const EVALUATE_SOLVE: &str = "gateway.solve.evaluate";
    pub const WARNINGS: &str = "gateway.warnings";
    pub const RESOLVE_IMAGE_MODE: &str = "resolveimage.resolvemode";
}

/// The enabled caps of one BuildKit daemon.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Capabilities {
    frontend: BTreeSet<String>,
    llb: BTreeSet<String>,
}

impl Capabilities {
    /// Keeps the enabled ids of the two lists `Ping` returned.
    pub fn from_ping(frontend_caps: &[ApiCap], llb_caps: &[ApiCap]) -> Self {
        let enabled = |caps: &[ApiCap]| {
            caps.iter()
                .filter(|cap| cap.enabled)
                .map(|cap| cap.id.clone())
                .collect()
        };
        Capabilities {
            frontend: enabled(frontend_caps),
            llb: enabled(llb_caps),
        }
    }

    pub fn has_frontend_cap(&self, id: &str) -> bool {
        self.frontend.contains(id)
    }

    pub fn has_llb_cap(&self, id: &str) -> bool {
        self.llb.contains(id)
    }

    /// Enabled frontend-API cap ids.
    pub fn frontend_caps(&self) -> &BTreeSet<String> {
        &self.frontend
    }

    /// Enabled LLB cap ids: the only ones an op's `OpMetadata.caps` may name, or BuildKit fails
    /// the load with "unknown API capability".
    pub fn llb_caps(&self) -> &BTreeSet<String> {
        &self.llb
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cap(id: &str, enabled: bool) -> ApiCap {
        ApiCap {
            id: id.to_owned(),
            enabled,
            ..ApiCap::default()
        }
    }

    #[test]
    fn only_enabled_caps_count() {
        let caps = Capabilities::from_ping(
            &[cap("return", true), cap("gateway.exec", false)],
            &[cap("exec.mount.cache", true), cap("mergeop", false)],
        );
        assert!(caps.has_frontend_cap("return"));
        assert!(!caps.has_frontend_cap("gateway.exec"));
        assert!(caps.has_llb_cap("exec.mount.cache"));
        assert!(!caps.has_llb_cap("mergeop"));
        assert!(!caps.has_llb_cap("unknown"));
    }
}
