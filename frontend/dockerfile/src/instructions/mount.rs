//! `RUN --mount` values, in: the flag's value as written and, when the RUN is dispatched, the
//! stage's word expander; out: a typed `Mount`, or BuildKit's error. Invariant: BuildKit's
//! `parseMount` and its two passes: typing (`MountFlag::read`) only checks the CSV and that
//! `from` holds no variable; dispatch (`parse_mount`) expands every value with the stage's
//! expander, then checks the fields in order and their combination as upstream (dockerfile
//! 1.26's keys, `env` among them). Fields are split by `csv::split_fields`, keys compared lowercased.

use std::fmt;

use super::mount_values::{go_bool, go_uint32, has_variable, ram_in_bytes};
use crate::csv::{split_fields, CsvError};
use crate::expand::ExpandError;
use crate::go_quote;
use crate::suggest::Hint;

/// The kinds of mount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MountType {
    Bind,
    Cache,
    Tmpfs,
    Secret,
    Ssh,
}

impl MountType {
    const ALL: [MountType; 5] = [
        MountType::Bind,
        MountType::Cache,
        MountType::Tmpfs,
        MountType::Secret,
        MountType::Ssh,
    ];

    /// The name as written in `type=`.
    pub fn name(self) -> &'static str {
        match self {
            MountType::Bind => "bind",
            MountType::Cache => "cache",
            MountType::Tmpfs => "tmpfs",
            MountType::Secret => "secret",
            MountType::Ssh => "ssh",
        }
    }
}

impl fmt::Display for MountType {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

/// How concurrent builds share a cache mount (`sharing=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MountSharing {
    Shared,
    Private,
    Locked,
}

impl MountSharing {
    const ALL: [MountSharing; 3] = [
        MountSharing::Shared,
        MountSharing::Private,
        MountSharing::Locked,
    ];

    /// The name as written in `sharing=`.
    pub fn name(self) -> &'static str {
        match self {
            MountSharing::Shared => "shared",
            MountSharing::Private => "private",
            MountSharing::Locked => "locked",
        }
    }
}

/// The keys BuildKit (dockerfile 1.26) suggests from when a key is unknown.
const SUGGESTED_KEYS: &[&str] = &[
    "type",
    "from",
    "source",
    "target",
    "readonly",
    "id",
    "sharing",
    "required",
    "size",
    "mode",
    "uid",
    "gid",
    "src",
    "dst",
    "destination",
    "ro",
    "rw",
    "readwrite",
    "env",
];

/// One `--mount` after expansion, as BuildKit's `instructions.Mount`: defaults that depend on
/// the kind (secret and ssh ids and targets, cache ids) are left to lowering, as upstream leaves
/// them to `dockerfile2llb`. An empty value counts as not given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    pub kind: MountType,
    /// `from`: a stage name or index, or an image.
    pub from: Option<String>,
    pub source: Option<String>,
    /// `target` (or `dst`, `destination`) as written: relative targets are not joined here.
    pub target: Option<String>,
    /// As given, else true for bind, secret and ssh mounts.
    pub readonly: bool,
    /// A tmpfs mount's `size` in bytes; 0 when not given.
    pub size_limit: i64,
    /// `id`: a cache's, secret's or ssh agent's.
    pub id: Option<String>,
    pub sharing: Option<MountSharing>,
    pub required: bool,
    pub mode: Option<u32>,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    /// `env`: a secret's environment variable, kept even when empty (upstream's pointer).
    pub env: Option<String>,
}

/// Why BuildKit rejects a `--mount`; `Display` is its text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MountError {
    #[error("failed to parse csv mounts: {0}")]
    Csv(#[from] CsvError),
    #[error("'from' doesn't support variable expansion, define alias stage instead")]
    FromVariable,
    #[error(transparent)]
    Expand(#[from] ExpandError),
    #[error("invalid field '{field}' must be a key=value pair")]
    NotKeyValue { field: String },
    #[error("unexpected key '{key}' for mount type '{kind}'")]
    KeyNotForType { key: String, kind: MountType },
    #[error("unsupported mount type {}{hint}", go_quote(.value))]
    UnsupportedType { value: String, hint: Hint },
    #[error("unsupported sharing value {}{hint}", go_quote(.value))]
    UnsupportedSharing { value: String, hint: Hint },
    #[error("unexpected key '{key}' in '{field}'{hint}")]
    UnexpectedKey {
        key: String,
        field: String,
        hint: Hint,
    },
    /// A boolean or a size that does not parse.
    #[error("invalid value for {key}: {value}")]
    InvalidValue { key: String, value: String },
    /// A mode, uid or gid that does not parse.
    #[error("invalid value {value} for {key}")]
    InvalidNumber { key: &'static str, value: String },
    #[error("{option} not allowed for {} type mounts", go_quote(.kind.name()))]
    FileInfoNotAllowed {
        option: &'static str,
        kind: MountType,
    },
    #[error("secret mount should not have a from")]
    SecretFrom,
    #[error("secret mount should not define sharing")]
    SecretSharing,
    #[error("invalid secret mount. one of source, target required")]
    SecretWithoutSource,
    #[error("both source and id can't be set")]
    SecretSourceAndId,
    #[error("invalid cache sharing set for {kind} mount")]
    SharingNotCache { kind: MountType },
}

/// The stage's word expander: a value as written to its expansion.
pub type Expander<'a> = dyn FnMut(&str) -> Result<String, ExpandError> + 'a;

/// One `--mount` as typing reads it, before the stage's environment is known: its value as
/// written, `from` (which cannot hold a variable) and `source` as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountFlag {
    value: String,
    from: Option<String>,
    source: Option<String>,
}

impl MountFlag {
    /// BuildKit's parse-time pass: valid CSV, and no variable in `from`.
    pub(super) fn read(value: &str) -> Result<MountFlag, MountError> {
        let mut flag = MountFlag {
            value: value.to_owned(),
            from: None,
            source: None,
        };
        for field in split_fields(value)? {
            let Some((key, field_value)) = field.split_once('=') else {
                continue;
            };
            match key.to_lowercase().as_str() {
                "from" if has_variable(field_value) => return Err(MountError::FromVariable),
                "from" => flag.from = given(field_value.to_owned()),
                "source" | "src" => flag.source = given(field_value.to_owned()),
                _ => {}
            }
        }
        Ok(flag)
    }

    /// The stage or image the mount reads from (never expanded).
    pub fn from(&self) -> Option<&str> {
        self.from.as_deref()
    }

    /// The flag's value as written (`type=cache,target=...`), for checks that expand each field.
    pub fn as_written(&self) -> &str {
        &self.value
    }

    /// `source` before expansion, for what must be known before the stage is lowered.
    pub fn source_as_written(&self) -> Option<&str> {
        self.source.as_deref()
    }

    /// The mount, with every value expanded by the stage's `expander` (BuildKit's
    /// `RunCommand.Expand`).
    pub fn expand(&self, expander: &mut Expander<'_>) -> Result<Mount, MountError> {
        parse_mount(&self.value, expander)
    }
}

/// Parses a `--mount` value, expanding each value with `expander` first.
pub fn parse_mount(value: &str, expander: &mut Expander<'_>) -> Result<Mount, MountError> {
    let mut mount = Mount {
        kind: MountType::Bind,
        from: None,
        source: None,
        target: None,
        readonly: false,
        size_limit: 0,
        id: None,
        sharing: None,
        required: false,
        mode: None,
        uid: None,
        gid: None,
        env: None,
    };
    let mut readonly_given = false;
    for field in split_fields(value)? {
        readonly_given |= match field.split_once('=') {
            Some((key, value)) => {
                let value = expander(value)?;
                set_field(&mut mount, &key.to_lowercase(), value, &field)?
            }
            None => set_bare_key(&mut mount, &field)?,
        };
    }
    check_combination(&mount)?;
    if !readonly_given {
        mount.readonly = !matches!(mount.kind, MountType::Cache | MountType::Tmpfs);
    }
    Ok(mount)
}

/// A field without `=`; returns whether it set `readonly`.
fn set_bare_key(mount: &mut Mount, field: &str) -> Result<bool, MountError> {
    let key = field.to_lowercase();
    match key.as_str() {
        "readonly" | "ro" => mount.readonly = true,
        "readwrite" | "rw" => mount.readonly = false,
        "required" if matches!(mount.kind, MountType::Secret | MountType::Ssh) => {
            mount.required = true;
            return Ok(false);
        }
        "required" => {
            return Err(MountError::KeyNotForType {
                key,
                kind: mount.kind,
            })
        }
        _ => {
            return Err(MountError::NotKeyValue {
                field: field.to_owned(),
            })
        }
    }
    Ok(true)
}

/// A `key=value` field, the value expanded; returns whether it set `readonly`.
fn set_field(mount: &mut Mount, key: &str, value: String, field: &str) -> Result<bool, MountError> {
    let invalid = |value: &str| MountError::InvalidValue {
        key: key.to_owned(),
        value: value.to_owned(),
    };
    let not_for_type = |kind: MountType| MountError::KeyNotForType {
        key: key.to_owned(),
        kind,
    };
    match key {
        "type" => mount.kind = mount_type(&value)?,
        "from" => mount.from = given(value),
        "source" | "src" => mount.source = given(value),
        "target" | "dst" | "destination" => mount.target = given(value),
        "readonly" | "ro" => {
            mount.readonly = go_bool(&value).ok_or_else(|| invalid(&value))?;
            return Ok(true);
        }
        "readwrite" | "rw" => {
            mount.readonly = !go_bool(&value).ok_or_else(|| invalid(&value))?;
            return Ok(true);
        }
        "required" if matches!(mount.kind, MountType::Secret | MountType::Ssh) => {
            mount.required = go_bool(&value).ok_or_else(|| invalid(&value))?;
        }
        "size" if mount.kind == MountType::Tmpfs => {
            mount.size_limit = ram_in_bytes(&value).ok_or_else(|| invalid(&value))?;
        }
        "required" | "size" => return Err(not_for_type(mount.kind)),
        "id" => mount.id = given(value),
        "sharing" => mount.sharing = Some(sharing(&value)?),
        "mode" => mount.mode = Some(number(&value, 8, "mode")?),
        "uid" => mount.uid = Some(number(&value, 10, "uid")?),
        "gid" => mount.gid = Some(number(&value, 10, "gid")?),
        "env" => mount.env = Some(value),
        _ => {
            return Err(MountError::UnexpectedKey {
                key: key.to_owned(),
                field: field.to_owned(),
                hint: Hint::new(key, SUGGESTED_KEYS, true),
            })
        }
    }
    Ok(false)
}

/// The checks upstream makes once every field is read, in its order.
fn check_combination(mount: &Mount) -> Result<(), MountError> {
    if !matches!(
        mount.kind,
        MountType::Secret | MountType::Ssh | MountType::Cache
    ) {
        let given = [
            ("mode", mount.mode.is_some()),
            ("uid", mount.uid.is_some()),
            ("gid", mount.gid.is_some()),
        ];
        if let Some((option, _)) = given.into_iter().find(|(_, given)| *given) {
            return Err(MountError::FileInfoNotAllowed {
                option,
                kind: mount.kind,
            });
        }
    }
    if mount.kind == MountType::Secret {
        if mount.from.is_some() {
            return Err(MountError::SecretFrom);
        }
        if mount.sharing.is_some() {
            return Err(MountError::SecretSharing);
        }
        if mount.source.is_none() && mount.target.is_none() && mount.id.is_none() {
            return Err(MountError::SecretWithoutSource);
        }
        if mount.source.is_some() && mount.id.is_some() {
            return Err(MountError::SecretSourceAndId);
        }
    }
    if mount.sharing.is_some() && mount.kind != MountType::Cache {
        return Err(MountError::SharingNotCache { kind: mount.kind });
    }
    Ok(())
}

fn mount_type(value: &str) -> Result<MountType, MountError> {
    let lowered = value.to_lowercase();
    MountType::ALL
        .into_iter()
        .find(|kind| kind.name() == lowered)
        .ok_or_else(|| MountError::UnsupportedType {
            value: value.to_owned(),
            hint: Hint::new(value, &MountType::ALL.map(MountType::name), true),
        })
}

fn sharing(value: &str) -> Result<MountSharing, MountError> {
    let lowered = value.to_lowercase();
    MountSharing::ALL
        .into_iter()
        .find(|sharing| sharing.name() == lowered)
        .ok_or_else(|| MountError::UnsupportedSharing {
            value: value.to_owned(),
            hint: Hint::new(value, &MountSharing::ALL.map(MountSharing::name), true),
        })
}

/// A mode (octal), uid or gid (decimal), as Go's `strconv.ParseUint(value, radix, 32)`.
fn number(value: &str, radix: u32, key: &'static str) -> Result<u32, MountError> {
    go_uint32(value, radix).ok_or_else(|| MountError::InvalidNumber {
        key,
        value: value.to_owned(),
    })
}

/// An empty value counts as not given, as upstream compares with `""`.
fn given(value: String) -> Option<String> {
    (!value.is_empty()).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(value: &str) -> Result<Mount, MountError> {
        let env = [("DIR", "/cache"), ("ID", "a,b"), ("T", "cache")];
        parse_mount(value, &mut |word: &str| {
            let mut expanded = word.to_owned();
            for (name, value) in env {
                expanded = expanded.replace(&format!("${name}"), value);
            }
            Ok(expanded)
        })
    }

    fn error(value: &str) -> String {
        parse(value)
            .err()
            .map(|error| error.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn cache_mount_with_options_and_expansion() {
        let mount = parse("type=$T,target=$DIR,id=$ID,sharing=LOCKED,uid=1000,mode=0700")
            .unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(mount.kind, MountType::Cache);
        assert_eq!(mount.target.as_deref(), Some("/cache"));
        assert_eq!(mount.id.as_deref(), Some("a,b"));
        assert_eq!(mount.sharing, Some(MountSharing::Locked));
        assert_eq!(
            (mount.uid, mount.gid, mount.mode),
            (Some(1000), None, Some(0o700))
        );
        assert!(!mount.readonly);
    }

    #[test]
    fn readonly_defaults_by_kind_unless_given() {
        let readonly = |value: &str| parse(value).map(|mount| mount.readonly);
        assert_eq!(readonly("target=/src,from=builder"), Ok(true));
        assert_eq!(readonly("target=/src,rw"), Ok(false));
        assert_eq!(readonly("target=/src,readwrite=True"), Ok(false));
        assert_eq!(readonly("type=tmpfs,target=/t"), Ok(false));
        assert_eq!(readonly("type=cache,target=/c,ro"), Ok(true));
        assert_eq!(readonly("type=secret,id=x"), Ok(true));
    }

    #[test]
    fn empty_values_count_as_absent() {
        let mount =
            parse("type=cache,target=/c,id=,from=").unwrap_or_else(|error| panic!("{error}"));
        assert_eq!((mount.id, mount.from), (None, None));
    }

    #[test]
    fn rejects_as_buildkit() {
        assert_eq!(error(""), "failed to parse csv mounts: EOF");
        assert_eq!(
            error("type=cache,,target=/c"),
            "invalid field '' must be a key=value pair"
        );
        assert_eq!(
            error("target=/c,Nope"),
            "invalid field 'Nope' must be a key=value pair"
        );
        assert_eq!(error("type=weird"), "unsupported mount type \"weird\"");
        assert_eq!(
            error("type=cachee"),
            "unsupported mount type \"cachee\" (did you mean cache?)"
        );
        assert_eq!(
            error("type=cache,sharing=x"),
            "unsupported sharing value \"x\""
        );
        assert_eq!(
            error("type=secret,id=token,envv=TOKEN"),
            "unexpected key 'envv' in 'envv=TOKEN' (did you mean env?)"
        );
        assert_eq!(
            error("targt=/x"),
            "unexpected key 'targt' in 'targt=/x' (did you mean target?)"
        );
        assert_eq!(error("target=/x,ro=yes"), "invalid value for ro: yes");
        assert_eq!(
            error("target=/x,required"),
            "unexpected key 'required' for mount type 'bind'"
        );
        assert_eq!(
            error("size=1m,type=tmpfs,target=/t"),
            "unexpected key 'size' for mount type 'bind'"
        );
        assert_eq!(
            error("type=tmpfs,target=/t,size=1q"),
            "invalid value for size: 1q"
        );
        assert_eq!(
            error("type=cache,target=/c,mode=0800"),
            "invalid value 0800 for mode"
        );
        assert_eq!(
            error("type=cache,target=/c,uid=+1"),
            "invalid value +1 for uid"
        );
        assert_eq!(
            error("type=cache,target=/c,gid=4294967296"),
            "invalid value 4294967296 for gid"
        );
        assert_eq!(
            error("target=/c,uid=1"),
            "uid not allowed for \"bind\" type mounts"
        );
        assert_eq!(
            error("type=tmpfs,target=/c,mode=1,gid=1"),
            "mode not allowed for \"tmpfs\" type mounts"
        );
        assert_eq!(
            error("type=secret,id=a,from=x"),
            "secret mount should not have a from"
        );
        assert_eq!(
            error("type=secret,id=a,sharing=locked"),
            "secret mount should not define sharing"
        );
        assert_eq!(
            error("type=secret,required"),
            "invalid secret mount. one of source, target required"
        );
        assert_eq!(
            error("type=secret,id=a,source=b"),
            "both source and id can't be set"
        );
        assert_eq!(
            error("type=tmpfs,target=/t,sharing=shared"),
            "invalid cache sharing set for tmpfs mount"
        );
    }

    #[test]
    fn secret_and_ssh_take_required() {
        let mount = parse("type=ssh,required=true").unwrap_or_else(|error| panic!("{error}"));
        assert!(mount.required);
        let mount = parse("type=secret,id=a,required").unwrap_or_else(|error| panic!("{error}"));
        assert!(mount.required);
    }

    #[test]
    fn typing_reads_from_and_source_only() {
        let flag = MountFlag::read("type=bind,FROM=build,source=$SRC,target=$X")
            .unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(flag.from(), Some("build"));
        assert_eq!(flag.source_as_written(), Some("$SRC"));
        assert_eq!(
            MountFlag::read("type=bind,from=$STAGE"),
            Err(MountError::FromVariable)
        );
        assert!(MountFlag::read("from=stage$").is_ok());
        assert!(MountFlag::read("a\"b").is_err());
        assert!(MountFlag::read("anything,goes=here").is_ok());
    }
}
