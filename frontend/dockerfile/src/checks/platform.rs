//! Platform strings, in: a `--platform` value such as `linux/arm64/v8`; out: its normalized OS,
//! architecture and variant as containerd's `platforms.Parse` gives them, or `None` where it fails.
//! Invariant: only the normalizations the checks depend on (OS and architecture aliases).

/// An OS/architecture/variant triple.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    pub variant: String,
}

impl Default for Platform {
    /// `linux/amd64`, the platform the checks assume unless told otherwise.
    fn default() -> Self {
        Platform {
            os: "linux".to_owned(),
            architecture: "amd64".to_owned(),
            variant: String::new(),
        }
    }
}

impl Platform {
    /// `os/arch[/variant]` (containerd's `FormatAll` without OS version).
    pub fn format(&self) -> String {
        let mut text = format!("{}/{}", self.os, self.architecture);
        if !self.variant.is_empty() {
            text.push('/');
            text.push_str(&self.variant);
        }
        text
    }
}

const KNOWN_OS: &[&str] = &[
    "aix",
    "android",
    "darwin",
    "dragonfly",
    "freebsd",
    "hurd",
    "illumos",
    "ios",
    "js",
    "linux",
    "nacl",
    "netbsd",
    "openbsd",
    "plan9",
    "solaris",
    "wasip1",
    "windows",
    "zos",
];

const KNOWN_ARCHITECTURES: &[&str] = &[
    "386",
    "amd64",
    "amd64p32",
    "arm",
    "armbe",
    "arm64",
    "arm64be",
    "loong64",
    "mips",
    "mipsle",
    "mips64",
    "mips64le",
    "mips64p32",
    "mips64p32le",
    "ppc",
    "ppc64",
    "ppc64le",
    "riscv",
    "riscv64",
    "s390",
    "s390x",
    "sparc",
    "sparc64",
    "wasm",
];

/// containerd's `platforms.Parse`, reduced to what decides validity and the OS/architecture.
pub(super) fn parse_platform(specifier: &str) -> Option<Platform> {
    let parts: Vec<&str> = specifier.split('/').collect();
    let valid_part = |part: &&str| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    };
    if specifier.contains('*') || !parts.iter().all(valid_part) {
        return None;
    }
    let default = Platform::default();
    match parts.as_slice() {
        [single] => {
            let os = normalize_os(single);
            if KNOWN_OS.contains(&os.as_str()) {
                return Some(Platform { os, ..default });
            }
            let (architecture, variant) = normalize_architecture(single, "");
            KNOWN_ARCHITECTURES
                .contains(&architecture.as_str())
                .then_some(Platform {
                    architecture,
                    variant,
                    ..default
                })
        }
        [os, architecture] => {
            let (architecture, variant) = normalize_architecture(architecture, "");
            Some(Platform {
                os: normalize_os(os),
                architecture,
                variant,
            })
        }
        [os, architecture, variant] => {
            let (architecture, variant) = normalize_architecture(architecture, variant);
            Some(Platform {
                os: normalize_os(os),
                architecture,
                variant,
            })
        }
        _ => None,
    }
}

fn normalize_os(os: &str) -> String {
    match os.to_lowercase().as_str() {
        "macos" => "darwin".to_owned(),
        other => other.to_owned(),
    }
}

fn normalize_architecture(architecture: &str, variant: &str) -> (String, String) {
    let architecture = architecture.to_lowercase();
    let variant = variant.to_lowercase();
    let (architecture, variant) = match (architecture.as_str(), variant.as_str()) {
        ("i386", _) => ("386", ""),
        ("x86_64" | "x86-64" | "amd64", "v1") => ("amd64", ""),
        ("x86_64" | "x86-64", v) => ("amd64", v),
        ("aarch64" | "arm64", "8" | "v8" | "v8.0") => ("arm64", ""),
        ("aarch64", v) => ("arm64", v),
        ("armhf", _) => ("arm", "v7"),
        ("armel", _) => ("arm", "v6"),
        ("arm", "" | "7") => ("arm", "v7"),
        ("arm", "5" | "6" | "8") => ("arm", variant.as_str()),
        (a, v) => (a, v),
    };
    let variant = match (architecture, variant) {
        ("arm", "5") => "v5".to_owned(),
        ("arm", "6") => "v6".to_owned(),
        ("arm", "8") => "v8".to_owned(),
        (_, v) => v.to_owned(),
    };
    (architecture.to_owned(), variant)
}
