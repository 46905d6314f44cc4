//! `RUN --mount` values, in: the flag's text (`type=cache,target=/x,...`); out: a typed mount
//! with BuildKit's defaults filled in. Invariant: rejects what BuildKit rejects, with its words.

use cachefront_llb::CacheSharing;

/// The kinds of `--mount`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MountType {
    Bind,
    Cache,
    Tmpfs,
    Secret,
    Ssh,
}

/// One parsed `--mount`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountSpec {
    pub kind: MountType,
    pub target: String,
    pub source: Option<String>,
    pub from: Option<String>,
    pub readonly: bool,
    pub id: Option<String>,
    pub sharing: CacheSharing,
    pub mode: Option<u32>,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    pub required: bool,
    pub size: Option<i64>,
    pub env: Option<String>,
}

/// Parses a `--mount` value; `expand` is applied to every value first.
pub fn parse_mount_with(
    text: &str,
    expand: &mut dyn FnMut(&str) -> Result<String, String>,
) -> Result<MountSpec, String> {
    let mut fields = Vec::new();
    for field in split_csv(text) {
        let (key, value) = match field.split_once('=') {
            Some((key, value)) => (key.trim().to_ascii_lowercase(), Some(expand(value)?)),
            None => (field.trim().to_ascii_lowercase(), None),
        };
        fields.push((key, value, field.clone()));
    }
    let kind = match fields
        .iter()
        .find(|(key, _, _)| key == "type")
        .and_then(|(_, value, _)| value.as_deref())
    {
        None | Some("bind") => MountType::Bind,
        Some("cache") => MountType::Cache,
        Some("tmpfs") => MountType::Tmpfs,
        Some("secret") => MountType::Secret,
        Some("ssh") => MountType::Ssh,
        Some(other) => return Err(format!("unsupported mount type \"{other}\"")),
    };
    let mut mount = MountSpec {
        kind,
        target: String::new(),
        source: None,
        from: None,
        readonly: kind == MountType::Bind,
        id: None,
        sharing: CacheSharing::Shared,
        mode: None,
        uid: None,
        gid: None,
        required: false,
        size: None,
        env: None,
    };
    for (key, value, field) in fields {
        let text = value.clone().unwrap_or_default();
        match key.as_str() {
            "type" => {}
            "target" | "dst" | "destination" => mount.target = text,
            "source" | "src" => mount.source = Some(text),
            "from" => mount.from = Some(text),
            "readonly" | "ro" => mount.readonly = parse_bool(&key, value.as_deref())?,
            "readwrite" | "rw" => mount.readonly = !parse_bool(&key, value.as_deref())?,
            "required" => mount.required = parse_bool(&key, value.as_deref())?,
            "id" => mount.id = Some(text),
            "sharing" => {
                mount.sharing = match text.as_str() {
                    "shared" => CacheSharing::Shared,
                    "private" => CacheSharing::Private,
                    "locked" => CacheSharing::Locked,
                    other => return Err(format!("unsupported sharing value \"{other}\"")),
                }
            }
            "mode" => {
                mount.mode = Some(
                    u32::from_str_radix(&text, 8)
                        .map_err(|_| format!("invalid value {text} for mode"))?,
                )
            }
            "uid" => {
                mount.uid = Some(
                    text.parse()
                        .map_err(|_| format!("invalid value {text} for uid"))?,
                )
            }
            "gid" => {
                mount.gid = Some(
                    text.parse()
                        .map_err(|_| format!("invalid value {text} for gid"))?,
                )
            }
            "size" => mount.size = Some(parse_size(&text)?),
            // `env` for secrets came after BuildKit 0.13, whose stock frontend rejects it.
            other => return Err(format!("unexpected key '{other}' in '{field}'")),
        }
    }
    match mount.kind {
        MountType::Secret if mount.target.is_empty() && mount.env.is_none() => {
            let id = mount.id.clone().unwrap_or_default();
            if id.is_empty() {
                return Err("one of target or id is required for secret mounts".to_owned());
            }
            mount.target = format!("/run/secrets/{id}");
        }
        MountType::Secret => {}
        MountType::Ssh if mount.id.is_none() => mount.id = Some("default".to_owned()),
        MountType::Ssh => {}
        _ if mount.target.is_empty() => {
            return Err("mount destination (target) is required".to_owned())
        }
        _ => {}
    }
    if mount.kind == MountType::Secret && mount.id.is_none() && !mount.target.is_empty() {
        mount.id = mount.target.rsplit('/').next().map(str::to_owned);
    }
    Ok(mount)
}

/// Parses a `--mount` value without expansion (for finding stage dependencies).
pub fn parse_mount(text: &str) -> Result<MountSpec, String> {
    parse_mount_with(text, &mut |value| Ok(value.to_owned()))
}

fn parse_bool(key: &str, value: Option<&str>) -> Result<bool, String> {
    match value.map(str::to_ascii_lowercase).as_deref() {
        None | Some("true" | "1" | "t") => Ok(true),
        Some("false" | "0" | "f") => Ok(false),
        Some(other) => Err(format!("invalid value for {key}: {other}")),
    }
}

/// Sizes such as `64m`, `1g` or plain bytes.
fn parse_size(text: &str) -> Result<i64, String> {
    let lower = text.trim().to_ascii_lowercase();
    let digits_end = lower
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(lower.len());
    let (number, unit) = lower.split_at(digits_end);
    let number: i64 = number.parse().map_err(|_| format!("invalid size {text}"))?;
    let factor: i64 = match unit.trim_end_matches('b') {
        "" => 1,
        "k" => 1 << 10,
        "m" => 1 << 20,
        "g" => 1 << 30,
        _ => return Err(format!("invalid size {text}")),
    };
    Ok(number * factor)
}

/// Splits on commas outside double quotes, dropping the quotes (Go's csv reader, as upstream).
fn split_csv(text: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for character in text.chars() {
        match character {
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut current)),
            _ => current.push(character),
        }
    }
    fields.push(current);
    fields
        .into_iter()
        .filter(|field| !field.trim().is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_mount_with_options() {
        let mount =
            parse_mount("type=cache,target=/root/.cache,sharing=locked,id=pip,uid=1000,mode=0700")
                .expect("valid");
        assert_eq!(mount.kind, MountType::Cache);
        assert_eq!(mount.target, "/root/.cache");
        assert_eq!(mount.sharing, CacheSharing::Locked);
        assert_eq!((mount.uid, mount.mode), (Some(1000), Some(0o700)));
        assert!(!mount.readonly);
    }

    #[test]
    fn bind_is_default_and_readonly() {
        let mount = parse_mount("target=/src,from=builder,source=/out").expect("valid");
        assert_eq!(mount.kind, MountType::Bind);
        assert!(mount.readonly);
        assert_eq!(mount.from.as_deref(), Some("builder"));
        assert!(!parse_mount("target=/x,rw").expect("valid").readonly);
    }

    #[test]
    fn secret_defaults_target_from_id() {
        let mount = parse_mount("type=secret,id=token").expect("valid");
        assert_eq!(mount.target, "/run/secrets/token");
        assert!(parse_mount("type=cache").is_err());
        assert!(parse_mount("type=weird,target=/x").is_err());
    }
}
