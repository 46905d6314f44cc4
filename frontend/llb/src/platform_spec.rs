//! Platform specifiers, in: text such as `linux/arm64/v8` or a `pb::Platform`; out: a normalized
//! `pb::Platform` and its canonical `os/architecture[/variant]` key.
//! Invariant: normalization follows containerd's rules that BuildKit applies (`x86_64` is
//! `amd64`, `aarch64` is `arm64` without a `v8` variant, bare `arm` is `arm/v7`), so keys match
//! the ones BuildKit's own frontend writes into `refs.platforms` and `containerimage.config/<key>`.

use cachefront_proto::pb;
use serde::Serialize;

/// Why a platform specifier could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlatformError {
    #[error("invalid platform {text:?}: it is empty")]
    Empty { text: String },
    #[error("invalid platform {text:?}: expected os/architecture[/variant]")]
    Shape { text: String },
    #[error("invalid platform {text:?}: unknown operating system {os:?}")]
    UnknownOperatingSystem { text: String, os: String },
}

/// Operating systems a one-component specifier may name; anything else is read as an
/// architecture on Linux.
const KNOWN_OPERATING_SYSTEMS: &[&str] = &[
    "aix",
    "android",
    "darwin",
    "dragonfly",
    "freebsd",
    "illumos",
    "ios",
    "js",
    "linux",
    "netbsd",
    "openbsd",
    "plan9",
    "solaris",
    "wasip1",
    "windows",
];

/// Parses `os/architecture[/variant]`, `architecture` (Linux) or `os` (host architecture), then
/// normalizes it.
pub fn parse_platform(text: &str) -> Result<pb::Platform, PlatformError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(PlatformError::Empty {
            text: text.to_owned(),
        });
    }
    let lowered = trimmed.to_ascii_lowercase();
    let components: Vec<&str> = lowered.split('/').collect();
    if components.iter().any(|component| component.is_empty()) {
        return Err(PlatformError::Shape {
            text: text.to_owned(),
        });
    }
    let platform = match components.as_slice() {
        [single] if KNOWN_OPERATING_SYSTEMS.contains(single) => {
            let host = host_platform();
            pb::Platform {
                os: (*single).to_owned(),
                architecture: host.architecture,
                variant: host.variant,
                ..pb::Platform::default()
            }
        }
        [architecture] => pb::Platform {
            os: "linux".to_owned(),
            architecture: (*architecture).to_owned(),
            ..pb::Platform::default()
        },
        [os, architecture] => pb::Platform {
            os: (*os).to_owned(),
            architecture: (*architecture).to_owned(),
            ..pb::Platform::default()
        },
        [os, architecture, variant] => pb::Platform {
            os: (*os).to_owned(),
            architecture: (*architecture).to_owned(),
            variant: (*variant).to_owned(),
            ..pb::Platform::default()
        },
        _ => {
            return Err(PlatformError::Shape {
                text: text.to_owned(),
            })
        }
    };
    if components.len() > 1 && !KNOWN_OPERATING_SYSTEMS.contains(&platform.os.as_str()) {
        return Err(PlatformError::UnknownOperatingSystem {
            text: text.to_owned(),
            os: platform.os,
        });
    }
    Ok(normalize_platform(platform))
}

/// Applies containerd's normalization: lower-case OS, canonical architecture and variant names.
pub fn normalize_platform(platform: pb::Platform) -> pb::Platform {
    let os = match platform.os.to_ascii_lowercase().as_str() {
        "macos" => "darwin".to_owned(),
        other => other.to_owned(),
    };
    let (architecture, variant) = normalize_architecture(
        &platform.architecture.to_ascii_lowercase(),
        &platform.variant.to_ascii_lowercase(),
    );
    pb::Platform {
        os,
        architecture,
        variant,
        ..platform
    }
}

fn normalize_architecture(architecture: &str, variant: &str) -> (String, String) {
    let owned = |architecture: &str, variant: &str| (architecture.to_owned(), variant.to_owned());
    match architecture {
        "i386" | "i486" | "i586" | "i686" => owned("386", ""),
        "x86_64" | "x86-64" | "amd64" => match variant {
            "v1" => owned("amd64", ""),
            _ => owned("amd64", variant),
        },
        "aarch64" | "arm64" => match variant {
            "8" | "v8" | "" => owned("arm64", ""),
            _ => owned("arm64", variant),
        },
        "armhf" => owned("arm", "v7"),
        "armel" => owned("arm", "v6"),
        "arm" => match variant {
            "" | "7" => owned("arm", "v7"),
            "5" | "6" | "8" => owned("arm", &format!("v{variant}")),
            _ => owned("arm", variant),
        },
        _ => owned(architecture, variant),
    }
}

/// The canonical key of a platform: `os/architecture` plus `/variant` when there is one.
pub fn format_platform(platform: &pb::Platform) -> String {
    let mut key = format!("{}/{}", platform.os, platform.architecture);
    if !platform.variant.is_empty() {
        key.push('/');
        key.push_str(&platform.variant);
    }
    key
}

/// The platform this process runs on, normalized (BuildKit's default when nothing else is known).
pub fn host_platform() -> pb::Platform {
    let architecture = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "powerpc64" => "ppc64le",
        other => other,
    };
    normalize_platform(pb::Platform {
        os: std::env::consts::OS.to_owned(),
        architecture: architecture.to_owned(),
        ..pb::Platform::default()
    })
}

/// A platform as Go's `encoding/json` writes an OCI `specs.Platform` (field order and
/// `omitempty` included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OciPlatformJson {
    pub architecture: String,
    pub os: String,
    #[serde(rename = "os.version", skip_serializing_if = "String::is_empty")]
    pub os_version: String,
    #[serde(rename = "os.features", skip_serializing_if = "Vec::is_empty")]
    pub os_features: Vec<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub variant: String,
}

impl From<&pb::Platform> for OciPlatformJson {
    fn from(platform: &pb::Platform) -> Self {
        OciPlatformJson {
            architecture: platform.architecture.clone(),
            os: platform.os.clone(),
            os_version: platform.os_version.clone(),
            os_features: platform.os_features.clone(),
            variant: platform.variant.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(text: &str) -> String {
        match parse_platform(text) {
            Ok(platform) => format_platform(&platform),
            Err(error) => format!("error: {error}"),
        }
    }

    #[test]
    fn normalizes_like_containerd() {
        assert_eq!(key("linux/amd64"), "linux/amd64");
        assert_eq!(key("Linux/x86_64"), "linux/amd64");
        assert_eq!(key("linux/aarch64"), "linux/arm64");
        assert_eq!(key("linux/arm64/v8"), "linux/arm64");
        assert_eq!(key("linux/arm"), "linux/arm/v7");
        assert_eq!(key("linux/arm/6"), "linux/arm/v6");
        assert_eq!(key("linux/armhf"), "linux/arm/v7");
        assert_eq!(key("linux/i686"), "linux/386");
        assert_eq!(key("arm64"), "linux/arm64");
        assert_eq!(key(" linux/riscv64 "), "linux/riscv64");
        assert_eq!(key("linux/amd64/v3"), "linux/amd64/v3");
    }

    #[test]
    fn rejects_malformed_specifiers() {
        assert_eq!(key(""), "error: invalid platform \"\": it is empty");
        assert_eq!(
            key("linux//amd64"),
            "error: invalid platform \"linux//amd64\": expected os/architecture[/variant]"
        );
        assert_eq!(
            key("a/b/c/d"),
            "error: invalid platform \"a/b/c/d\": expected os/architecture[/variant]"
        );
        assert_eq!(
            key("plan10/amd64"),
            "error: invalid platform \"plan10/amd64\": unknown operating system \"plan10\""
        );
    }

    #[test]
    fn oci_json_matches_go_field_order() {
        let platform = parse_platform("linux/arm/v7").expect("valid");
        let text = serde_json::to_string(&OciPlatformJson::from(&platform)).expect("json");
        assert_eq!(
            text,
            r#"{"architecture":"arm","os":"linux","variant":"v7"}"#
        );
    }
}
