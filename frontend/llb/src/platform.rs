//! Platforms, in: `os/arch[/variant]` strings; out: the OCI platform LLB ops carry.

use std::fmt;

use cachefront_proto::pb;

/// An OCI platform such as `linux/amd64` or `linux/arm/v7`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    pub variant: String,
}

impl Platform {
    /// Parses a platform specifier as BuildKit does (`platform_spec::parse_platform`: `x86_64` is
    /// `amd64`, `aarch64` is `arm64`, `arm64/v8` drops its default variant, a bare OS takes the
    /// host's architecture). Returns `None` for anything BuildKit rejects.
    pub fn parse(text: &str) -> Option<Platform> {
        let platform = crate::platform_spec::parse_platform(text).ok()?;
        Some(Platform {
            os: platform.os,
            architecture: platform.architecture,
            variant: platform.variant,
        })
    }

    /// The platform as the protobuf message ops carry.
    pub fn to_proto(&self) -> pb::Platform {
        pb::Platform {
            os: self.os.clone(),
            architecture: self.architecture.clone(),
            variant: self.variant.clone(),
            os_version: String::new(),
            os_features: Vec::new(),
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}/{}", self.os, self.architecture)?;
        if !self.variant.is_empty() {
            write!(formatter, "/{}", self.variant)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_normalizes() {
        let platform = Platform::parse("linux/x86_64").expect("valid");
        assert_eq!(platform.to_string(), "linux/amd64");
        assert_eq!(
            Platform::parse("linux/arm64/v8")
                .expect("valid")
                .to_string(),
            "linux/arm64"
        );
        assert_eq!(
            Platform::parse("linux/arm/v7").expect("valid").to_string(),
            "linux/arm/v7"
        );
        assert_eq!(Platform::parse("linux//amd64"), None);
        assert_eq!(Platform::parse("linux/amd64/v2/x"), None);
    }
}
