//! Directory names of caches carried between builders (`docs/ci-caches.md`), in: a cache id as
//! BuildKit keys it; out: one file name per id, and back. Invariants: a name is never empty, `.`
//! or `..`, has no `/` or NUL, uses only `A-Z a-z 0-9 . _ - + % ~`, and is at most
//! [`MAX_NAME_BYTES`] long; distinct ids give distinct names; the same id always gives the same
//! name, so what one runner exports the next one's seed finds.
//!
//! Encoding: `/` becomes `+`; the bytes `A-Z a-z 0-9 . _ -` stay (a leading `.` excepted);
//! every other byte, `+` and `%` included, becomes `%XX` (upper-case hex). `//var/cache/apt`
//! is `++var+cache+apt`; `ns//root/.npm@linux/amd64/debian-12` is
//! `ns++root+.npm%40linux+amd64+debian-12`. A name longer than the limit keeps its first
//! 160 bytes and ends with `~` and 16 hex digits of a 64-bit FNV-1a hash of the id; such names
//! do not decode.

/// The longest name made (file systems allow 255 bytes).
pub const MAX_NAME_BYTES: usize = 180;

const KEPT_PREFIX_BYTES: usize = 160;

/// The directory name of the cache `id`.
pub fn cache_directory_name(id: &str) -> String {
    let mut name = String::with_capacity(id.len());
    for (index, byte) in id.bytes().enumerate() {
        match byte {
            b'/' => name.push('+'),
            b'.' if index == 0 => name.push_str("%2E"),
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'_' | b'-' => {
                name.push(char::from(byte));
            }
            other => name.push_str(&format!("%{other:02X}")),
        }
    }
    if name.is_empty() {
        return "%00".to_owned();
    }
    if name.len() <= MAX_NAME_BYTES {
        return name;
    }
    let mut cut = KEPT_PREFIX_BYTES;
    // Never split a `%XX` escape.
    if let Some(percent) = name
        .get(cut.saturating_sub(2)..cut)
        .and_then(|tail| tail.find('%'))
    {
        cut = cut - 2 + percent;
    }
    format!(
        "{}~{:016x}",
        name.get(..cut).unwrap_or_default(),
        fnv1a(id.as_bytes())
    )
}

/// The cache id a directory name stands for; `None` for names no id encodes to (hashed long
/// names included).
pub fn cache_id_of_directory(name: &str) -> Option<String> {
    if name == "%00" {
        return Some(String::new());
    }
    let mut bytes = Vec::with_capacity(name.len());
    let mut rest = name.as_bytes();
    while let Some((&byte, tail)) = rest.split_first() {
        rest = tail;
        match byte {
            b'+' => bytes.push(b'/'),
            b'%' => {
                let hex = std::str::from_utf8(rest.get(..2)?).ok()?;
                bytes.push(u8::from_str_radix(hex, 16).ok()?);
                rest = rest.get(2..)?;
            }
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'_' | b'-' => bytes.push(byte),
            _ => return None,
        }
    }
    let id = String::from_utf8(bytes).ok()?;
    (cache_directory_name(&id) == name).then_some(id)
}

/// 64-bit FNV-1a.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_readable_and_decode() {
        for (id, name) in [
            ("//var/cache/apt", "++var+cache+apt"),
            ("//root/.cache/pip", "++root+.cache+pip"),
            ("ns//go/pkg/mod", "ns++go+pkg+mod"),
            (
                "//var/cache/apt@linux/arm64/debian-12",
                "++var+cache+apt%40linux+arm64+debian-12",
            ),
            (".hidden", "%2Ehidden"),
            ("..", "%2E."),
            ("a+b%c d", "a%2Bb%25c%20d"),
            ("", "%00"),
            ("é", "%C3%A9"),
        ] {
            assert_eq!(cache_directory_name(id), name, "{id}");
            assert_eq!(cache_id_of_directory(name).as_deref(), Some(id), "{name}");
        }
        assert_eq!(cache_id_of_directory("a/b"), None);
        assert_eq!(cache_id_of_directory("%2"), None);
        assert_eq!(cache_id_of_directory("%2e"), None);
    }

    #[test]
    fn long_ids_are_cut_and_hashed() {
        let long = format!("//{}", "x%".repeat(200));
        let other = format!("//{}y", "x%".repeat(200));
        let name = cache_directory_name(&long);
        assert!(name.len() <= MAX_NAME_BYTES, "{}", name.len());
        assert!(name.contains('~'));
        assert_ne!(name, cache_directory_name(&other));
        assert_eq!(name, cache_directory_name(&long));
        assert_eq!(cache_id_of_directory(&name), None);
        let prefix = name.split('~').next().unwrap_or_default();
        assert!(!prefix.ends_with('%') && !prefix[..prefix.len() - 1].ends_with('%'));
    }
}
