//! Image configs, in: a base image's config JSON (or none, for scratch); out: the config of the
//! image being built, with one history entry per instruction as the stock frontend writes them.
//! Invariant: only the fields of Docker's OCI image spec survive, as when the stock frontend parses.

use std::collections::BTreeMap;

use cachefront_llb::Platform;
use serde::{Deserialize, Serialize};

/// The default `PATH` BuildKit gives Linux images that have none.
pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// The history comment of every entry the Dockerfile frontend writes.
const HISTORY_COMMENT: &str = "buildkit.dockerfile.v0";

/// Docker's OCI image config (`application/vnd.oci.image.config.v1+json` with Docker's fields).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Image {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub author: String,
    #[serde(default)]
    pub architecture: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub variant: String,
    #[serde(default)]
    pub os: String,
    #[serde(
        rename = "os.version",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub os_version: String,
    #[serde(
        rename = "os.features",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub os_features: Option<Vec<String>>,
    #[serde(default)]
    pub config: RuntimeConfig,
    #[serde(default)]
    pub rootfs: RootFilesystem,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<History>>,
    /// The build's SOURCE_DATE_EPOCH as an RFC 3339 time: the date of every entry this build
    /// adds to the history. Not part of the config.
    #[serde(skip)]
    pub epoch: Option<String>,
}

/// How containers of the image run (`config` in the JSON).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RuntimeConfig {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub user: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exposed_ports: Option<BTreeMap<String, Empty>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entrypoint: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cmd: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<Healthcheck>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub args_escaped: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volumes: Option<BTreeMap<String, Empty>>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub working_dir: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_build: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub stop_signal: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shell: Option<Vec<String>>,
}

/// The `{}` value of Docker's port and volume sets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Empty {}

/// A healthcheck; durations in nanoseconds as Docker stores them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Healthcheck {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub interval: i64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub timeout: i64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub start_period: i64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub start_interval: i64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub retries: i64,
}

fn is_zero(value: &i64) -> bool {
    *value == 0
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RootFilesystem {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub diff_ids: Vec<String>,
}

impl Default for RootFilesystem {
    fn default() -> RootFilesystem {
        RootFilesystem {
            kind: "layers".to_owned(),
            diff_ids: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub created_by: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub author: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub comment: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub empty_layer: bool,
}

impl Image {
    /// The config of `FROM scratch`: nothing but the platform, `/` and a default `PATH`.
    pub fn empty(platform: &Platform) -> Image {
        Image {
            architecture: platform.architecture.clone(),
            os: platform.os.clone(),
            variant: platform.variant.clone(),
            config: RuntimeConfig {
                working_dir: "/".to_owned(),
                env: Some(vec![format!("PATH={DEFAULT_PATH}")]),
                ..RuntimeConfig::default()
            },
            ..Image::default()
        }
    }

    /// Parses a base image's config, dropping its creation time as the stock frontend does.
    pub fn from_base_config(bytes: &[u8]) -> Result<Image, serde_json::Error> {
        let mut image: Image = serde_json::from_slice(bytes)?;
        image.created = None;
        Ok(image)
    }

    /// Whether the image has no layers at all (a scratch-based image).
    pub fn has_no_layers(&self) -> bool {
        self.rootfs.diff_ids.is_empty()
            && self.history.iter().flatten().all(|entry| entry.empty_layer)
    }

    /// Records an instruction in the history, dated `created` or else by the build's epoch.
    /// `with_layer` marks instructions that change the filesystem; those the stock frontend
    /// lowers to an op also get the ` # buildkit` suffix.
    pub fn commit(
        &mut self,
        created_by: impl Into<String>,
        with_layer: bool,
        from_op: bool,
        created: Option<String>,
    ) {
        let mut created_by = created_by.into();
        if from_op {
            created_by.push_str(" # buildkit");
        }
        let created = created.or_else(|| self.epoch.clone());
        self.history.get_or_insert_with(Vec::new).push(History {
            created,
            created_by,
            author: String::new(),
            comment: HISTORY_COMMENT.to_owned(),
            empty_layer: !with_layer,
        });
    }

    /// Sets an environment variable in the config, in place when it exists.
    pub fn set_env(&mut self, key: &str, value: &str) {
        let env = self.config.env.get_or_insert_with(Vec::new);
        let entry = format!("{key}={value}");
        match env.iter_mut().find(|existing| {
            existing
                .split_once('=')
                .map_or(existing.as_str(), |(k, _)| k)
                == key
        }) {
            Some(existing) => *existing = entry,
            None => env.push(entry),
        }
    }
}
