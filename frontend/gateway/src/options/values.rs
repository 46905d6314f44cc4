//! Typed option values, in: one option's raw text; out: the typed value BuildKit's Dockerfile
//! frontend derives from it (resolve mode, network mode, hosts, ulimits, cache imports, ...).
//! Invariant: accepts and rejects the same spellings as upstream's `dockerui` parser, and never
//! panics: malformed text becomes an `OptionsError` naming the option.

use std::collections::BTreeMap;
use std::net::IpAddr;

use cachefront_proto::pb;
use serde::Deserialize;

/// An option whose value could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid value {value:?} for frontend option {key:?}: {reason}")]
pub struct OptionsError {
    pub key: String,
    pub value: String,
    pub reason: String,
}

impl OptionsError {
    pub(crate) fn new(key: &str, value: &str, reason: impl Into<String>) -> Self {
        OptionsError {
            key: key.to_owned(),
            value: value.to_owned(),
            reason: reason.into(),
        }
    }
}

/// How `FROM` images are resolved (`image-resolve-mode`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ImageResolveMode {
    #[default]
    Default,
    /// `--pull`: always ask the registry.
    Pull,
    /// Prefer an image already present locally.
    Local,
}

impl ImageResolveMode {
    pub fn parse(key: &str, value: &str) -> Result<ImageResolveMode, OptionsError> {
        match value {
            "" | "default" => Ok(ImageResolveMode::Default),
            "pull" => Ok(ImageResolveMode::Pull),
            "local" => Ok(ImageResolveMode::Local),
            _ => Err(OptionsError::new(
                key,
                value,
                "expected default, pull or local",
            )),
        }
    }

    /// The spelling BuildKit expects in `ResolveImageConfig` and in `image.resolvemode` attrs.
    pub fn as_str(self) -> &'static str {
        match self {
            ImageResolveMode::Default => "default",
            ImageResolveMode::Pull => "pull",
            ImageResolveMode::Local => "local",
        }
    }
}

/// The network mode forced on every `RUN` (`force-network-mode`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum NetworkMode {
    #[default]
    Sandbox,
    Host,
    None,
}

impl NetworkMode {
    pub fn parse(key: &str, value: &str) -> Result<NetworkMode, OptionsError> {
        match value {
            "" | "sandbox" => Ok(NetworkMode::Sandbox),
            "host" => Ok(NetworkMode::Host),
            "none" => Ok(NetworkMode::None),
            _ => Err(OptionsError::new(
                key,
                value,
                "expected sandbox, host or none",
            )),
        }
    }

    /// The LLB `NetMode` this mode maps to.
    pub fn to_proto(self) -> pb::NetMode {
        match self {
            NetworkMode::Sandbox => pb::NetMode::Unset,
            NetworkMode::Host => pb::NetMode::Host,
            NetworkMode::None => pb::NetMode::None,
        }
    }
}

/// A cache source to import from (`cache-imports` JSON or the older `cache-from` list).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct CacheImport {
    #[serde(rename = "Type", alias = "type", default)]
    pub kind: String,
    #[serde(rename = "Attrs", alias = "attrs", default)]
    pub attributes: BTreeMap<String, String>,
}

/// Parses `cache-imports`, a JSON list of `{"Type": ..., "Attrs": {...}}`.
pub fn parse_cache_imports(key: &str, value: &str) -> Result<Vec<CacheImport>, OptionsError> {
    if value.is_empty() {
        return Ok(Vec::new());
    }
    let entries: Option<Vec<CacheImport>> = serde_json::from_str(value)
        .map_err(|error| OptionsError::new(key, value, error.to_string()))?;
    Ok(entries.unwrap_or_default())
}

/// Parses `cache-from`, a comma list of registry references.
pub fn parse_cache_from(value: &str) -> Vec<CacheImport> {
    if value.is_empty() {
        return Vec::new();
    }
    value
        .split(',')
        .map(|reference| CacheImport {
            kind: "registry".to_owned(),
            attributes: BTreeMap::from([("ref".to_owned(), reference.to_owned())]),
        })
        .collect()
}

/// Splits one CSV record as BuildKit's option parsing does (Go `encoding/csv`, through the one
/// home of that rule, `cachefront_dockerfile::csv`).
pub fn split_csv_fields(key: &str, value: &str) -> Result<Vec<String>, OptionsError> {
    cachefront_dockerfile::csv::split_fields(value)
        .map_err(|error| OptionsError::new(key, value, error.to_string()))
}

/// Parses `add-hosts`: CSV of `host=ip`; the whole entry is lower-cased as upstream does.
pub fn parse_extra_hosts(key: &str, value: &str) -> Result<Vec<pb::HostIp>, OptionsError> {
    if value.is_empty() {
        return Ok(Vec::new());
    }
    let mut hosts = Vec::new();
    for field in split_csv_fields(key, value)? {
        let lowered = field.to_lowercase();
        let Some((host, address)) = lowered.split_once('=') else {
            return Err(OptionsError::new(
                key,
                value,
                format!("invalid key-value pair {field}"),
            ));
        };
        let ip: IpAddr = address
            .parse()
            .map_err(|_| OptionsError::new(key, value, format!("failed to parse IP {address}")))?;
        hosts.push(pb::HostIp {
            host: host.to_owned(),
            ip: format_ip(ip),
        });
    }
    Ok(hosts)
}

/// Formats an address as Go's `net.IP.String` does (IPv4-mapped IPv6 prints as IPv4).
fn format_ip(ip: IpAddr) -> String {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => v6.to_string(),
        },
        IpAddr::V4(v4) => v4.to_string(),
    }
}

/// Resource names `--ulimit` accepts (go-units' table).
const ULIMIT_NAMES: &[&str] = &[
    "core",
    "cpu",
    "data",
    "fsize",
    "locks",
    "memlock",
    "msgqueue",
    "nice",
    "nofile",
    "nproc",
    "rss",
    "rtprio",
    "rttime",
    "sigpending",
    "stack",
];

/// Parses `ulimit`: CSV of `name=soft[:hard]`.
pub fn parse_ulimits(key: &str, value: &str) -> Result<Vec<pb::Ulimit>, OptionsError> {
    if value.is_empty() {
        return Ok(Vec::new());
    }
    let mut limits = Vec::new();
    for field in split_csv_fields(key, value)? {
        let Some((name, limits_text)) = field.split_once('=') else {
            return Err(OptionsError::new(
                key,
                value,
                format!("invalid ulimit argument: {field}"),
            ));
        };
        if !ULIMIT_NAMES.contains(&name) {
            return Err(OptionsError::new(
                key,
                value,
                format!("invalid ulimit type: {name}"),
            ));
        }
        let parse = |text: &str| {
            text.parse::<i64>()
                .map_err(|_| OptionsError::new(key, value, format!("invalid ulimit value: {text}")))
        };
        let (soft, hard) = match limits_text.split_once(':') {
            Some((soft, hard)) => (parse(soft)?, parse(hard)?),
            None => {
                let both = parse(limits_text)?;
                (both, both)
            }
        };
        if soft > hard {
            return Err(OptionsError::new(
                key,
                value,
                format!(
                    "ulimit soft limit must be less than or equal to hard limit: {soft} > {hard}"
                ),
            ));
        }
        limits.push(pb::Ulimit {
            name: name.to_owned(),
            soft,
            hard,
        });
    }
    Ok(limits)
}

/// Parses `shm-size` (bytes; empty is 0).
pub fn parse_shm_size(key: &str, value: &str) -> Result<i64, OptionsError> {
    if value.is_empty() {
        return Ok(0);
    }
    value
        .parse()
        .map_err(|_| OptionsError::new(key, value, "expected an integer"))
}

/// Parses a boolean the way Go's `strconv.ParseBool` does.
pub fn parse_go_bool(key: &str, value: &str) -> Result<bool, OptionsError> {
    match value {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok(false),
        _ => Err(OptionsError::new(key, value, "expected a boolean")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_honour_quotes() {
        let fields = split_csv_fields("k", r#"a=1,"b=2,3","c=""x""""#).expect("valid");
        assert_eq!(fields, vec!["a=1", "b=2,3", "c=\"x\""]);
        assert!(split_csv_fields("k", "\"open").is_err());
        assert!(split_csv_fields("k", "a\"b").is_err());
    }

    #[test]
    fn ulimits_follow_go_units() {
        let limits = parse_ulimits("ulimit", "nofile=1024:2048,nproc=5").expect("valid");
        assert_eq!(
            limits,
            vec![
                pb::Ulimit {
                    name: "nofile".to_owned(),
                    soft: 1024,
                    hard: 2048
                },
                pb::Ulimit {
                    name: "nproc".to_owned(),
                    soft: 5,
                    hard: 5
                },
            ]
        );
        assert!(parse_ulimits("ulimit", "bogus=1").is_err());
        assert!(parse_ulimits("ulimit", "nofile=9:1").is_err());
        assert!(parse_ulimits("ulimit", "nofile").is_err());
    }

    #[test]
    fn extra_hosts_are_lowercased_and_validated() {
        let hosts = parse_extra_hosts("add-hosts", "Example.COM=10.0.0.1,v6=::FFFF:1.2.3.4")
            .expect("valid");
        assert_eq!(
            hosts[0],
            pb::HostIp {
                host: "example.com".to_owned(),
                ip: "10.0.0.1".to_owned()
            }
        );
        assert_eq!(hosts[1].ip, "1.2.3.4");
        assert!(parse_extra_hosts("add-hosts", "nohost").is_err());
        assert!(parse_extra_hosts("add-hosts", "a=not-an-ip").is_err());
    }
}
