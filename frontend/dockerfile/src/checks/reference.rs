//! Image references, in: a base image name after ARG expansion; out: whether the distribution
//! reference parser (`reference.ParseNormalizedNamed`) accepts it. Invariant: the grammar of
//! `distribution/reference`: optional domain, lowercase path components, tag, digest.

/// Whether `name` is a valid, normalizable image reference.
pub(super) fn is_valid_reference(name: &str) -> bool {
    if name.is_empty()
        || (name.len() == 64 && name.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')))
    {
        return false;
    }
    let (rest, digest) = match name.split_once('@') {
        Some((rest, digest)) => (rest, Some(digest)),
        None => (name, None),
    };
    if digest.is_some_and(|digest| !is_valid_digest(digest)) {
        return false;
    }
    // A tag follows the last colon that comes after the last slash.
    let last_slash = rest.rfind('/').map_or(0, |index| index + 1);
    let (path, tag) = match rest.get(last_slash..).and_then(|tail| tail.rfind(':')) {
        Some(colon) => match (
            rest.get(..last_slash + colon),
            rest.get(last_slash + colon + 1..),
        ) {
            (Some(path), Some(tag)) => (path, Some(tag)),
            _ => return false,
        },
        None => (rest, None),
    };
    if tag.is_some_and(|tag| !is_valid_tag(tag)) || path.len() > 255 {
        return false;
    }
    let mut components: Vec<&str> = path.split('/').collect();
    let has_domain = components.len() > 1
        && components.first().is_some_and(|first| {
            first.contains('.')
                || first.contains(':')
                || *first == "localhost"
                || first.chars().any(|c| c.is_ascii_uppercase())
        });
    if has_domain {
        let domain = components.remove(0);
        if !is_valid_domain(domain) {
            return false;
        }
    }
    !components.is_empty()
        && components
            .iter()
            .all(|component| is_valid_component(component))
}

/// `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`
fn is_valid_component(component: &str) -> bool {
    let bytes = component.as_bytes();
    let alnum = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if !bytes.first().is_some_and(alnum) || !bytes.last().is_some_and(alnum) {
        return false;
    }
    let mut separator = String::new();
    for b in bytes {
        if alnum(b) {
            if !(separator.is_empty()
                || matches!(separator.as_str(), "." | "_" | "__")
                || separator.bytes().all(|s| s == b'-'))
            {
                return false;
            }
            separator.clear();
        } else if matches!(b, b'.' | b'_' | b'-') {
            separator.push(char::from(*b));
        } else {
            return false;
        }
    }
    true
}

/// Host names joined by dots, or a bracketed IPv6 address, with an optional port.
fn is_valid_domain(domain: &str) -> bool {
    let (host, port) = match domain.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(':') => (host, Some(port)),
        _ => (domain, None),
    };
    if port.is_some_and(|port| port.is_empty() || !port.chars().all(|c| c.is_ascii_digit())) {
        return false;
    }
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return !inner.is_empty() && inner.chars().all(|c| c.is_ascii_hexdigit() || c == ':');
    }
    !host.is_empty()
        && host.split('.').all(|label| {
            let bytes = label.as_bytes();
            bytes.first().is_some_and(u8::is_ascii_alphanumeric)
                && bytes.last().is_some_and(u8::is_ascii_alphanumeric)
                && bytes
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        })
}

/// `[\w][\w.-]{0,127}`
fn is_valid_tag(tag: &str) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    tag.len() <= 128
        && tag.chars().next().is_some_and(word)
        && tag.chars().all(|c| word(c) || c == '.' || c == '-')
}

/// `algorithm:hex`, with the length the known algorithms require.
fn is_valid_digest(digest: &str) -> bool {
    let Some((algorithm, hex)) = digest.split_once(':') else {
        return false;
    };
    let hex_ok = hex.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f'));
    match algorithm {
        "sha256" => hex.len() == 64 && hex_ok,
        "sha384" => hex.len() == 96 && hex_ok,
        "sha512" => hex.len() == 128 && hex_ok,
        _ => false,
    }
}
