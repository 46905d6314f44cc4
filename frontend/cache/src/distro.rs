//! The base distribution of a stage, as far as lowering knows it.
//!
//! Input: the text of `/etc/os-release` (when lowering can read it from the base image), or
//! nothing. Output: a [`Distro`] with its id, release and family. Invariant: an unknown distro
//! is `None` at the call sites, never a guess presented as a fact.

/// A Linux distribution and release, from `/etc/os-release`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Distro {
    /// `ID`, e.g. `debian`, `ubuntu`, `alpine`, `fedora`.
    pub id: String,
    /// `VERSION_ID`, e.g. `12`, `22.04`, `3.20.1`; empty when absent (e.g. Debian testing).
    pub version_id: String,
    /// `VERSION_CODENAME`, e.g. `bookworm`; empty when absent.
    pub codename: String,
    /// `ID_LIKE`, e.g. `["debian"]` for Ubuntu.
    pub id_like: Vec<String>,
}

impl Distro {
    /// A distro with just an id and release (for tests and for lowering's own guesses).
    pub fn new(id: &str, version_id: &str) -> Self {
        Self {
            id: id.to_owned(),
            version_id: version_id.to_owned(),
            codename: String::new(),
            id_like: Vec::new(),
        }
    }

    fn is_or_like(&self, family: &str) -> bool {
        self.id == family || self.id_like.iter().any(|like| like == family)
    }

    /// Debian, Ubuntu and their derivatives (apt, `docker-clean`).
    pub fn is_debian_family(&self) -> bool {
        self.is_or_like("debian") || self.is_or_like("ubuntu")
    }

    /// Fedora, RHEL, CentOS, Rocky, Alma, Amazon Linux (dnf/yum/microdnf).
    pub fn is_rhel_family(&self) -> bool {
        [
            "fedora",
            "rhel",
            "centos",
            "rocky",
            "almalinux",
            "amzn",
            "ol",
        ]
        .iter()
        .any(|family| self.is_or_like(family))
    }

    /// Alpine (apk).
    pub fn is_alpine(&self) -> bool {
        self.id == "alpine"
    }

    /// A short label for scoped cache ids, e.g. `debian-12` or `debian-trixie`.
    pub fn scope_label(&self) -> String {
        let release = if !self.version_id.is_empty() {
            self.version_id.as_str()
        } else if !self.codename.is_empty() {
            self.codename.as_str()
        } else {
            "unknown"
        };
        format!("{}-{}", self.id, release)
    }
}

/// Parses `/etc/os-release` text; `None` when it has no `ID`.
pub fn parse_os_release(text: &str) -> Option<Distro> {
    let mut distro = Distro::new("", "");
    for line in text.lines() {
        let Some((key, raw_value)) = line.trim().split_once('=') else {
            continue;
        };
        let value = unquote(raw_value.trim());
        match key.trim() {
            "ID" => distro.id = value.to_ascii_lowercase(),
            "VERSION_ID" => distro.version_id = value,
            "VERSION_CODENAME" => distro.codename = value,
            "ID_LIKE" => {
                distro.id_like = value
                    .split_whitespace()
                    .map(str::to_ascii_lowercase)
                    .collect();
            }
            _ => {}
        }
    }
    (!distro.id.is_empty()).then_some(distro)
}

fn unquote(value: &str) -> String {
    let stripped = value
        .strip_prefix('"')
        .and_then(|inner| inner.strip_suffix('"'))
        .or_else(|| {
            value
                .strip_prefix('\'')
                .and_then(|inner| inner.strip_suffix('\''))
        })
        .unwrap_or(value);
    stripped.replace("\\\"", "\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ubuntu_os_release() {
        let distro = parse_os_release(
            "NAME=\"Ubuntu\"\nVERSION_ID=\"22.04\"\nID=ubuntu\nID_LIKE=debian\nVERSION_CODENAME=jammy\n",
        )
        .unwrap();
        assert_eq!(distro.id, "ubuntu");
        assert_eq!(distro.version_id, "22.04");
        assert!(distro.is_debian_family());
        assert!(!distro.is_rhel_family());
        assert_eq!(distro.scope_label(), "ubuntu-22.04");
    }

    #[test]
    fn parses_rocky_and_rejects_garbage() {
        let distro =
            parse_os_release("ID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.3\"")
                .unwrap();
        assert!(distro.is_rhel_family());
        assert!(parse_os_release("no id here\n=\n").is_none());
    }
}
