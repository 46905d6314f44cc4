//! BuildKit's worker list, in: the `BUILDKIT_WORKERS` environment value (Go JSON of
//! `[]client.WorkerInfo`); out: each worker's id, labels and normalized platforms.
//! Invariant: like upstream's client, malformed JSON yields no workers instead of an error.

use std::collections::BTreeMap;

use cachefront_proto::pb;
use serde::Deserialize;

use crate::platform::normalize_platform;

/// One BuildKit worker as the frontend sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkerInfo {
    pub id: String,
    pub labels: BTreeMap<String, String>,
    /// Platforms the worker can run, the first being its native one.
    pub platforms: Vec<pb::Platform>,
}

#[derive(Deserialize)]
struct WorkerJson {
    #[serde(rename = "ID", alias = "id", default)]
    id: String,
    #[serde(rename = "Labels", alias = "labels", default)]
    labels: Option<BTreeMap<String, String>>,
    #[serde(rename = "Platforms", alias = "platforms", default)]
    platforms: Option<Vec<PlatformJson>>,
}

#[derive(Deserialize)]
struct PlatformJson {
    #[serde(default)]
    architecture: String,
    #[serde(default)]
    os: String,
    #[serde(default)]
    variant: String,
    #[serde(rename = "os.version", default)]
    os_version: String,
    #[serde(rename = "os.features", default)]
    os_features: Option<Vec<String>>,
}

/// Parses `BUILDKIT_WORKERS`; empty or malformed text gives an empty list (logged).
pub fn parse_workers(text: &str) -> Vec<WorkerInfo> {
    if text.trim().is_empty() {
        return Vec::new();
    }
    let parsed: Result<Option<Vec<WorkerJson>>, _> = serde_json::from_str(text);
    match parsed {
        Ok(workers) => workers
            .unwrap_or_default()
            .into_iter()
            .map(WorkerInfo::from)
            .collect(),
        Err(error) => {
            tracing::warn!(%error, "ignoring malformed BUILDKIT_WORKERS");
            Vec::new()
        }
    }
}

impl From<WorkerJson> for WorkerInfo {
    fn from(worker: WorkerJson) -> Self {
        WorkerInfo {
            id: worker.id,
            labels: worker.labels.unwrap_or_default(),
            platforms: worker
                .platforms
                .unwrap_or_default()
                .into_iter()
                .map(|platform| {
                    normalize_platform(pb::Platform {
                        architecture: platform.architecture,
                        os: platform.os,
                        variant: platform.variant,
                        os_version: platform.os_version,
                        os_features: platform.os_features.unwrap_or_default(),
                    })
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_go_worker_info_json() {
        let workers = parse_workers(
            r#"[{"ID":"abc","Labels":{"org.mobyproject.buildkit.worker.executor":"oci"},"Platforms":[{"architecture":"amd64","os":"linux"},{"architecture":"arm","os":"linux","variant":"v7"}],"BuildkitVersion":{"package":"x"}}]"#,
        );
        assert_eq!(workers.len(), 1);
        assert_eq!(workers[0].id, "abc");
        assert_eq!(workers[0].platforms[0].architecture, "amd64");
        assert_eq!(workers[0].platforms[1].variant, "v7");
    }

    #[test]
    fn malformed_or_null_json_gives_no_workers() {
        assert!(parse_workers("null").is_empty());
        assert!(parse_workers("{not json").is_empty());
        assert!(parse_workers("").is_empty());
    }
}
