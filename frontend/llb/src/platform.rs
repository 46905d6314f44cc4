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
    /// Parses `os/arch[/variant]`, normalizing as BuildKit does (`x86_64` is `amd64`, `aarch64` is
    /// `arm64`, `arm64/v8` drops its default variant). Returns `None` for anything else.
    pub fn parse(text: &str) -> Option<Platform> {
        let mut parts = text.trim().split('/');
        let os = parts
            .next()
            .filter(|part| !part.is_empty())?
            .to_ascii_lowercase();
        let architecture = parts
            .next()
            .filter(|part| !part.is_empty())?
            .to_ascii_lowercase();
        let variant = parts.next().unwrap_or_default().to_ascii_lowercase();
        if parts.next().is_some() {
            return None;
        }
        let (architecture, variant) = match (architecture.as_str(), variant.as_str()) {
            ("x86_64" | "x86-64", _) => ("amd64".to_owned(), variant),
            ("aarch64", _) | ("arm64", "v8") => ("arm64".to_owned(), String::new()),
            ("i386" | "i686", _) => ("386".to_owned(), variant),
            _ => (architecture, variant),
        };
        Some(Platform {
            os,
            architecture,
            variant,
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
        assert_eq!(Platform::parse("linux"), None);
        assert_eq!(Platform::parse("linux/amd64/v2/x"), None);
    }
}
