//! The compared part of an image config: input = the image config JSON blob (OCI / Docker image
//! config), output = `ConfigSnapshot` (named fields as JSON values) and the history list.
//! Invariants: an absent field and a `null` field are the same (Docker treats them alike); every
//! key of the runtime `config` object is compared, not only the well-known ones; timestamps,
//! `rootfs` diff ids and `container`-style build metadata are never compared.

use std::collections::BTreeMap;
use std::fmt;

use anyhow::{bail, Context, Result};
use serde_json::Value;

/// Runtime config fields always listed (as `null` when absent), so a field missing on one side
/// shows up as a difference.
pub const RUNTIME_FIELDS: &[&str] = &[
    "Env",
    "Cmd",
    "Entrypoint",
    "WorkingDir",
    "User",
    "ExposedPorts",
    "Volumes",
    "Labels",
    "Shell",
    "StopSignal",
    "Healthcheck",
    "OnBuild",
    "ArgsEscaped",
];

/// Top-level platform fields compared alongside the runtime config.
pub const PLATFORM_FIELDS: &[&str] = &["architecture", "os", "variant"];

/// The compared fields of an image config, keyed by their name (`Env`, `os`, ...).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigSnapshot {
    pub fields: BTreeMap<String, Value>,
}

/// One entry of the image history, without its timestamp.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryEntry {
    pub created_by: String,
    pub empty_layer: bool,
    pub comment: String,
}

impl fmt::Display for HistoryEntry {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{:?}", self.created_by)?;
        if self.empty_layer {
            write!(formatter, " (empty layer)")?;
        }
        if !self.comment.is_empty() {
            write!(formatter, " comment {:?}", self.comment)?;
        }
        Ok(())
    }
}

/// Parses the config blob into the compared config fields and the history list.
pub fn parse_image_config(blob: &[u8]) -> Result<(ConfigSnapshot, Vec<HistoryEntry>)> {
    let document: Value = serde_json::from_slice(blob).context("image config is not JSON")?;
    let Value::Object(top) = &document else {
        bail!("image config is not a JSON object");
    };
    let mut fields = BTreeMap::new();
    for name in RUNTIME_FIELDS {
        fields.insert((*name).to_string(), Value::Null);
    }
    match top.get("config") {
        Some(Value::Object(runtime)) => {
            for (name, value) in runtime {
                fields.insert(name.clone(), value.clone());
            }
        }
        Some(Value::Null) | None => {}
        Some(other) => bail!("image config field \"config\" is not an object: {other}"),
    }
    for name in PLATFORM_FIELDS {
        let value = top.get(*name).cloned().unwrap_or(Value::Null);
        fields.insert((*name).to_string(), value);
    }
    let history = match top.get("history") {
        Some(Value::Array(entries)) => entries
            .iter()
            .enumerate()
            .map(|(index, entry)| parse_history_entry(index, entry))
            .collect::<Result<Vec<_>>>()?,
        Some(Value::Null) | None => Vec::new(),
        Some(other) => bail!("image config field \"history\" is not an array: {other}"),
    };
    Ok((ConfigSnapshot { fields }, history))
}

fn parse_history_entry(index: usize, entry: &Value) -> Result<HistoryEntry> {
    let Value::Object(object) = entry else {
        bail!("history entry {index} is not an object: {entry}");
    };
    let text = |name: &str| -> Result<String> {
        match object.get(name) {
            Some(Value::String(text)) => Ok(text.clone()),
            Some(Value::Null) | None => Ok(String::new()),
            Some(other) => bail!("history entry {index} field {name} is not a string: {other}"),
        }
    };
    let empty_layer = match object.get("empty_layer") {
        Some(Value::Bool(flag)) => *flag,
        Some(Value::Null) | None => false,
        Some(other) => bail!("history entry {index} field empty_layer is not a bool: {other}"),
    };
    Ok(HistoryEntry {
        created_by: text("created_by")?,
        empty_layer,
        comment: text("comment")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn absent_and_null_fields_are_the_same() {
        let with_null = json!({"config": {"Env": null, "Cmd": ["sh"]}, "os": "linux"});
        let without = json!({"config": {"Cmd": ["sh"]}, "os": "linux"});
        let parsed_null = parse_image_config(with_null.to_string().as_bytes());
        let parsed_without = parse_image_config(without.to_string().as_bytes());
        assert!(parsed_null.is_ok() && parsed_without.is_ok());
        assert_eq!(parsed_null.ok(), parsed_without.ok());
    }

    #[test]
    fn unknown_runtime_fields_are_kept_and_history_is_parsed() {
        let config = json!({
            "architecture": "amd64",
            "config": {"Hostname": "x", "Labels": {"a": "b"}},
            "history": [
                {"created": "2024-01-01T00:00:00Z", "created_by": "RUN true", "comment": "buildkit.dockerfile.v0"},
                {"created_by": "ENV A=1", "empty_layer": true}
            ],
            "rootfs": {"type": "layers", "diff_ids": []}
        });
        let parsed = parse_image_config(config.to_string().as_bytes());
        let Ok((snapshot, history)) = parsed else {
            panic!("parse failed: {parsed:?}");
        };
        assert_eq!(snapshot.fields.get("Hostname"), Some(&json!("x")));
        assert_eq!(snapshot.fields.get("architecture"), Some(&json!("amd64")));
        assert_eq!(snapshot.fields.get("Env"), Some(&Value::Null));
        assert!(!snapshot.fields.contains_key("rootfs"));
        assert_eq!(
            history,
            [
                HistoryEntry {
                    created_by: "RUN true".into(),
                    empty_layer: false,
                    comment: "buildkit.dockerfile.v0".into()
                },
                HistoryEntry {
                    created_by: "ENV A=1".into(),
                    empty_layer: true,
                    comment: String::new()
                },
            ]
        );
    }

    #[test]
    fn malformed_configs_are_errors() {
        for blob in [
            &b"not json"[..],
            b"[]",
            br#"{"config": 3}"#,
            br#"{"history": [1]}"#,
        ] {
            assert!(
                parse_image_config(blob).is_err(),
                "{}",
                String::from_utf8_lossy(blob)
            );
        }
    }
}
