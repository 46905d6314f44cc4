//! Build results, in: solved references, image configs and platforms (or a `gateway::Result`
//! BuildKit returned for a frontend solve); out: the `gateway::Result` for `Return`, with the
//! metadata keys BuildKit's Dockerfile frontend writes.
//! Invariant: a single-platform result carries `containerimage.config`; a multi-platform one
//! carries one ref and one `containerimage.config/<platform>` per platform; both carry
//! `refs.platforms` as Go's `encoding/json` of `exptypes.Platforms`, and a dated image its
//! SOURCE_DATE_EPOCH under `source.date.epoch` (per platform likewise), for the exporter.

use std::collections::{BTreeMap, HashMap};

use cachefront_proto::{gateway, pb};
use serde::Serialize;

use crate::platform::{format_platform, normalize_platform, OciPlatformJson};

/// Metadata key of the image config (suffixed with `/<platform>` for multi-platform results).
pub const IMAGE_CONFIG_KEY: &str = "containerimage.config";
/// Metadata key of the JSON list of platforms.
pub const PLATFORMS_KEY: &str = "refs.platforms";
/// Metadata key of the build's SOURCE_DATE_EPOCH in decimal seconds, which the exporters read
/// when the client gave them none (suffixed with `/<platform>` for multi-platform results).
pub const EPOCH_KEY: &str = "source.date.epoch";

/// A solved result living in BuildKit; the empty id stands for an empty filesystem (`scratch`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Reference {
    id: String,
}

impl Reference {
    pub fn new(id: impl Into<String>) -> Self {
        Reference { id: id.into() }
    }

    /// The reference of an empty filesystem.
    pub fn empty() -> Self {
        Reference::default()
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn is_empty(&self) -> bool {
        self.id.is_empty()
    }
}

/// The refs of a result: one, or one per platform key (`linux/amd64`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResultRefs {
    Single(Reference),
    PerPlatform(BTreeMap<String, Reference>),
}

/// What a frontend returns: refs plus exporter metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildResult {
    pub refs: ResultRefs,
    pub metadata: BTreeMap<String, Vec<u8>>,
}

/// One platform's image: what was built and its OCI image config JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct PlatformImage {
    pub platform: pb::Platform,
    pub reference: Reference,
    pub config: Vec<u8>,
    /// The SOURCE_DATE_EPOCH the image is dated with, in seconds.
    pub epoch: Option<i64>,
}

#[derive(Serialize)]
struct PlatformsJson {
    #[serde(rename = "Platforms")]
    platforms: Vec<PlatformEntryJson>,
}

#[derive(Serialize)]
struct PlatformEntryJson {
    #[serde(rename = "ID")]
    id: String,
    #[serde(rename = "Platform")]
    platform: OciPlatformJson,
}

impl BuildResult {
    /// A result with one ref and no metadata.
    pub fn single(reference: Reference) -> Self {
        BuildResult {
            refs: ResultRefs::Single(reference),
            metadata: BTreeMap::new(),
        }
    }

    /// A result with no filesystem, only metadata (answers to subrequests such as outline).
    pub fn metadata_only(metadata: BTreeMap<String, Vec<u8>>) -> Self {
        BuildResult {
            refs: ResultRefs::Single(Reference::empty()),
            metadata,
        }
    }

    /// Adds or replaces one metadata entry.
    pub fn with_metadata(mut self, key: impl Into<String>, value: impl Into<Vec<u8>>) -> Self {
        self.metadata.insert(key.into(), value.into());
        self
    }

    /// The result BuildKit's Dockerfile frontend returns for these images: per-platform refs
    /// and configs when `multi_platform`, else the (last) image as the single ref; always
    /// `refs.platforms`. Platforms are normalized; their keys are `os/arch[/variant]`.
    pub fn from_platform_images(images: Vec<PlatformImage>, multi_platform: bool) -> Self {
        let mut metadata = BTreeMap::new();
        let mut per_platform = BTreeMap::new();
        let mut single = Reference::empty();
        let mut platforms = Vec::with_capacity(images.len());
        for image in images {
            let platform = normalize_platform(image.platform);
            let key = format_platform(&platform);
            let epoch = image.epoch.map(|seconds| seconds.to_string().into_bytes());
            if multi_platform {
                metadata.insert(format!("{IMAGE_CONFIG_KEY}/{key}"), image.config);
                if let Some(epoch) = epoch {
                    metadata.insert(format!("{EPOCH_KEY}/{key}"), epoch);
                }
                per_platform.insert(key.clone(), image.reference);
            } else {
                metadata.insert(IMAGE_CONFIG_KEY.to_owned(), image.config);
                if let Some(epoch) = epoch {
                    metadata.insert(EPOCH_KEY.to_owned(), epoch);
                }
                single = image.reference;
            }
            platforms.push(PlatformEntryJson {
                id: key,
                platform: OciPlatformJson::from(&platform),
            });
        }
        // Serializing strings and lists of strings cannot fail.
        let platforms_json = serde_json::to_vec(&PlatformsJson { platforms }).unwrap_or_default();
        metadata.insert(PLATFORMS_KEY.to_owned(), platforms_json);
        let refs = if multi_platform {
            ResultRefs::PerPlatform(per_platform)
        } else {
            ResultRefs::Single(single)
        };
        BuildResult { refs, metadata }
    }

    /// The single ref, if this result has exactly one.
    pub fn single_reference(&self) -> Option<&Reference> {
        match &self.refs {
            ResultRefs::Single(reference) => Some(reference),
            ResultRefs::PerPlatform(_) => None,
        }
    }

    /// The wire form for `Return`; `ref_arrays` selects the `proto.refarray` shape (every
    /// BuildKit since v0.8) over the deprecated string refs.
    pub fn into_proto(self, ref_arrays: bool) -> gateway::Result {
        let to_ref = |reference: Reference| gateway::Ref {
            id: reference.id,
            def: None,
        };
        let result = match (self.refs, ref_arrays) {
            (ResultRefs::Single(reference), true) => {
                gateway::result::Result::Ref(to_ref(reference))
            }
            (ResultRefs::Single(reference), false) => {
                gateway::result::Result::RefDeprecated(reference.id)
            }
            (ResultRefs::PerPlatform(refs), true) => {
                gateway::result::Result::Refs(gateway::RefMap {
                    refs: refs
                        .into_iter()
                        .map(|(key, reference)| (key, to_ref(reference)))
                        .collect(),
                })
            }
            (ResultRefs::PerPlatform(refs), false) => {
                gateway::result::Result::RefsDeprecated(gateway::RefMapDeprecated {
                    refs: refs
                        .into_iter()
                        .map(|(key, reference)| (key, reference.id))
                        .collect(),
                })
            }
        };
        gateway::Result {
            metadata: self.metadata.into_iter().collect::<HashMap<_, _>>(),
            attestations: HashMap::new(),
            result: Some(result),
        }
    }

    /// Reads the result of a `Solve`; `None` when BuildKit sent no result at all.
    pub fn from_proto(result: gateway::Result) -> Option<Self> {
        let metadata = result.metadata.into_iter().collect();
        let refs = match result.result? {
            gateway::result::Result::RefDeprecated(id) => ResultRefs::Single(Reference::new(id)),
            gateway::result::Result::Ref(reference) => {
                ResultRefs::Single(Reference::new(reference.id))
            }
            gateway::result::Result::RefsDeprecated(map) => ResultRefs::PerPlatform(
                map.refs
                    .into_iter()
                    .map(|(key, id)| (key, Reference::new(id)))
                    .collect(),
            ),
            gateway::result::Result::Refs(map) => ResultRefs::PerPlatform(
                map.refs
                    .into_iter()
                    .map(|(key, reference)| (key, Reference::new(reference.id)))
                    .collect(),
            ),
        };
        Some(BuildResult { refs, metadata })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(platform: &str, id: &str) -> PlatformImage {
        PlatformImage {
            platform: crate::platform::parse_platform(platform).expect("valid"),
            reference: Reference::new(id),
            config: format!("{{\"id\":\"{id}\"}}").into_bytes(),
            epoch: None,
        }
    }

    fn text(result: &BuildResult, key: &str) -> String {
        String::from_utf8(result.metadata.get(key).cloned().unwrap_or_default()).expect("utf-8")
    }

    #[test]
    fn single_platform_matches_upstream_shape() {
        let result = BuildResult::from_platform_images(vec![image("linux/amd64", "r1")], false);
        assert_eq!(result.refs, ResultRefs::Single(Reference::new("r1")));
        assert_eq!(text(&result, "containerimage.config"), r#"{"id":"r1"}"#);
        assert_eq!(
            text(&result, "refs.platforms"),
            r#"{"Platforms":[{"ID":"linux/amd64","Platform":{"architecture":"amd64","os":"linux"}}]}"#
        );
        let wire = result.into_proto(true);
        assert_eq!(
            wire.result,
            Some(gateway::result::Result::Ref(gateway::Ref {
                id: "r1".to_owned(),
                def: None
            }))
        );
    }

    #[test]
    fn a_dated_image_tells_the_exporter_its_epoch() {
        let dated = PlatformImage {
            epoch: Some(1_700_000_000),
            ..image("linux/amd64", "r1")
        };
        let single = BuildResult::from_platform_images(vec![dated.clone()], false);
        assert_eq!(text(&single, "source.date.epoch"), "1700000000");
        let multi = BuildResult::from_platform_images(vec![dated], true);
        assert_eq!(text(&multi, "source.date.epoch/linux/amd64"), "1700000000");
        assert!(!multi.metadata.contains_key("source.date.epoch"));
        let undated = BuildResult::from_platform_images(vec![image("linux/amd64", "r1")], false);
        assert!(!undated.metadata.contains_key("source.date.epoch"));
    }

    #[test]
    fn multi_platform_has_per_platform_refs_and_configs() {
        let result = BuildResult::from_platform_images(
            vec![image("linux/amd64", "a"), image("linux/arm64/v8", "b")],
            true,
        );
        let ResultRefs::PerPlatform(refs) = &result.refs else {
            panic!("expected per-platform refs")
        };
        assert_eq!(refs.get("linux/arm64"), Some(&Reference::new("b")));
        assert_eq!(
            text(&result, "containerimage.config/linux/amd64"),
            r#"{"id":"a"}"#
        );
        assert!(!result.metadata.contains_key("containerimage.config"));
        assert!(text(&result, "refs.platforms")
            .contains(r#"{"ID":"linux/arm64","Platform":{"architecture":"arm64","os":"linux"}}"#));
        let wire = result.clone().into_proto(false);
        let Some(gateway::result::Result::RefsDeprecated(map)) = wire.result else {
            panic!("expected deprecated map")
        };
        assert_eq!(map.refs.get("linux/amd64").map(String::as_str), Some("a"));
        assert_eq!(
            BuildResult::from_proto(result.clone().into_proto(true)),
            Some(result)
        );
    }

    #[test]
    fn metadata_only_result_has_an_empty_ref() {
        let result =
            BuildResult::metadata_only(BTreeMap::new()).with_metadata("result.txt", "hello");
        assert_eq!(result.single_reference(), Some(&Reference::empty()));
        let wire = result.into_proto(true);
        assert_eq!(
            wire.metadata.get("result.txt").map(Vec::as_slice),
            Some(&b"hello"[..])
        );
    }
}
