//! Git references in ADD sources, in: one expanded source; out: whether it names a git
//! repository and, if so, its remote, ref, subdirectory, checksum and the options its URL query
//! sets, or the error upstream gives for a bad query. Invariant: upstream's `dfgitutil.ParseGitRef`
//! and `gitutil.ParseURL` (dockerfile 1.26): `http(s)://`, `git://` and `ssh://` URLs and
//! scp-like `user@host:path` remotes; an HTTP(S) URL only when its path ends in `.git`;
//! `#ref:subdir` fragments; query keys `ref`, `tag`, `branch`, `subdir`, `checksum`/`commit`,
//! `keep-git-dir`, `submodules`, `mtime` and `fetch-by-commit`; `./`, `../` and `github.com/`
//! sources are local paths.

use std::collections::BTreeMap;

use cachefront_cache::paths::clean_path;
use cachefront_dockerfile::go_quote;
use cachefront_dockerfile::instructions::go_bool;

/// A parsed git source.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct GitRef {
    /// The URL git is given: without fragment and query.
    pub remote: String,
    /// The host (no user) and the path, for the source's identifier.
    pub host: String,
    pub path: String,
    /// Whether the remote is reached over SSH (`ssh://` or scp-like).
    pub ssh: bool,
    pub reference: String,
    pub subdir: String,
    pub checksum: String,
    pub keep_git_dir: Option<bool>,
    pub submodules: Option<bool>,
    pub fetch_by_commit: bool,
}

/// What a source is, as upstream's `ParseGitRef` sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum GitSource {
    /// Not a git reference (a local path, a plain URL).
    NotGit,
    Git(Box<GitRef>),
    /// A git reference whose query upstream rejects, with its message.
    Invalid(String),
}

/// Classifies `source`.
pub(crate) fn parse_git_ref(source: &str) -> GitSource {
    if source.starts_with("./") || source.starts_with("../") || source.starts_with("github.com/") {
        return GitSource::NotGit;
    }
    let Some((mut git_ref, query, fragment)) = parse_url(source) else {
        return GitSource::NotGit;
    };
    if !git_ref.ssh && git_ref.remote.starts_with("http") && !git_ref.path.ends_with(".git") {
        return GitSource::NotGit;
    }
    if !fragment.is_empty() {
        let (reference, subdir) = fragment.split_once(':').unwrap_or((fragment, ""));
        git_ref.reference = reference.to_owned();
        git_ref.subdir = clean_path(&format!("/{subdir}"))
            .trim_start_matches('/')
            .to_owned();
    }
    match load_query(&mut git_ref, query) {
        Ok(()) => GitSource::Git(Box::new(git_ref)),
        Err(message) => GitSource::Invalid(message),
    }
}

/// `gitutil.ParseURL`: a URL with a supported scheme, or an scp-like remote. Returns the
/// reference without options, the raw query and the fragment.
fn parse_url(source: &str) -> Option<(GitRef, &str, &str)> {
    let scheme_end = source.find("://").filter(|end| {
        *end > 0
            && source
                .get(..*end)
                .is_some_and(|scheme| scheme.chars().all(|c| c.is_ascii_alphanumeric()))
    });
    if let Some(end) = scheme_end {
        let scheme = source.get(..end)?.to_lowercase();
        if !matches!(scheme.as_str(), "http" | "https" | "ssh" | "git") {
            return None;
        }
        let (without_fragment, fragment) = source.split_once('#').unwrap_or((source, ""));
        let (remote, query) = without_fragment
            .split_once('?')
            .unwrap_or((without_fragment, ""));
        let rest = remote.get(end + 3..)?;
        let (authority, path) = match rest.find('/') {
            Some(slash) => (rest.get(..slash)?, rest.get(slash..)?),
            None => (rest, ""),
        };
        let host = authority
            .rsplit_once('@')
            .map_or(authority, |(_, host)| host);
        let git_ref = GitRef {
            remote: remote.to_owned(),
            host: host.to_owned(),
            path: unescape(path, false)?,
            ssh: scheme == "ssh",
            ..GitRef::default()
        };
        return Some((git_ref, query, fragment));
    }
    parse_scp(source)
}

/// `sshutil.ParseSCPStyleURL`: `^([a-zA-Z0-9-_]+)@([a-zA-Z0-9-.]+):(.*?)(?:\?(.*?))?(?:#(.*))?$`.
fn parse_scp(source: &str) -> Option<(GitRef, &str, &str)> {
    let (user, rest) = source.split_once('@')?;
    let (host, rest) = rest.split_once(':')?;
    let user_ok = !user.is_empty()
        && user
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
    if !user_ok || !host_ok {
        return None;
    }
    let (before_fragment, fragment) = match rest.split_once('#') {
        Some((before, fragment)) => (before, fragment),
        None => (rest, ""),
    };
    let (path, query) = before_fragment
        .split_once('?')
        .unwrap_or((before_fragment, ""));
    let git_ref = GitRef {
        remote: format!("{user}@{host}:{path}"),
        host: host.to_owned(),
        path: path.to_owned(),
        ssh: true,
        ..GitRef::default()
    };
    Some((git_ref, query, fragment))
}

/// `GitRef.loadQuery`: each key once, with a value unless it is a boolean option; `tag` and
/// `branch` become full refs and may not contradict `ref` (or the fragment).
fn load_query(git_ref: &mut GitRef, raw_query: &str) -> Result<(), String> {
    let query = parse_query(raw_query);
    let (mut tag, mut branch) = (String::new(), String::new());
    for (key, values) in &query {
        let value = match values.as_slice() {
            [] => None,
            [value] if value.is_empty() => None,
            [value] => Some(value.as_str()),
            _ => return Err(format!("query {} has multiple values", go_quote(key))),
        };
        let boolean = |name: &str| match value {
            None => Ok(true),
            Some(value) => {
                go_bool(value).ok_or_else(|| format!("invalid {name} value: {}", go_quote(value)))
            }
        };
        let Some(value_text) = value else {
            match key.as_str() {
                "submodules" => git_ref.submodules = Some(true),
                "keep-git-dir" => git_ref.keep_git_dir = Some(true),
                "fetch-by-commit" => git_ref.fetch_by_commit = true,
                _ => return Err(format!("query {} has no value", go_quote(key))),
            }
            continue;
        };
        match key.as_str() {
            "ref" => {
                check_same("ref", &git_ref.reference, value_text)?;
                git_ref.reference = value_text.to_owned();
            }
            "tag" => tag = value_text.to_owned(),
            "branch" => branch = value_text.to_owned(),
            "subdir" => {
                check_same("subdir", &git_ref.subdir, value_text)?;
                git_ref.subdir = value_text.to_owned();
            }
            "checksum" | "commit" => git_ref.checksum = value_text.to_owned(),
            "keep-git-dir" => git_ref.keep_git_dir = Some(boolean("keep-git-dir")?),
            "submodules" => git_ref.submodules = Some(boolean("submodules")?),
            "fetch-by-commit" => git_ref.fetch_by_commit = boolean("fetch-by-commit")?,
            "mtime" if matches!(value_text, "checkout" | "commit") => {}
            "mtime" => {
                return Err(format!(
                    "invalid mtime value: {} (must be \"checkout\" or \"commit\")",
                    go_quote(value_text)
                ))
            }
            _ => return Err(format!("unexpected query {}", go_quote(key))),
        }
    }
    if !tag.is_empty() {
        let tag = prefixed("refs/tags/", &tag);
        check_same("ref", &git_ref.reference, &tag)?;
        git_ref.reference = tag;
    }
    if !branch.is_empty() {
        if !tag.is_empty() {
            return Err("branch conflicts with tag".to_owned());
        }
        let branch = prefixed("refs/heads/", &branch);
        check_same("ref", &git_ref.reference, &branch)?;
        git_ref.reference = branch;
    }
    Ok(())
}

/// `<what> conflicts: "<old>" vs "<new>"` when both are set and differ.
fn check_same(what: &str, old: &str, new: &str) -> Result<(), String> {
    if !old.is_empty() && old != new {
        return Err(format!(
            "{what} conflicts: {} vs {}",
            go_quote(old),
            go_quote(new)
        ));
    }
    Ok(())
}

fn prefixed(prefix: &str, name: &str) -> String {
    if name.starts_with(prefix) {
        name.to_owned()
    } else {
        format!("{prefix}{name}")
    }
}

/// Go's `url.ParseQuery` as `URL.Query` uses it: pairs split on `&`, key and value unescaped;
/// a pair with a `;` or a bad escape is dropped.
fn parse_query(raw: &str) -> BTreeMap<String, Vec<String>> {
    let mut query: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for pair in raw.split('&').filter(|pair| !pair.is_empty()) {
        if pair.contains(';') {
            continue;
        }
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if let (Some(key), Some(value)) = (unescape(key, true), unescape(value, true)) {
            query.entry(key).or_default().push(value);
        }
    }
    query
}

/// Percent-decoding (and `+` as a space in a query); `None` on a bad escape or invalid UTF-8.
fn unescape(text: &str, plus_is_space: bool) -> Option<String> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while let Some(&byte) = bytes.get(index) {
        match byte {
            b'%' => {
                let hex = text.get(index + 1..index + 3)?;
                decoded.push(u8::from_str_radix(hex, 16).ok()?);
                index += 3;
                continue;
            }
            b'+' if plus_is_space => decoded.push(b' '),
            _ => decoded.push(byte),
        }
        index += 1;
    }
    String::from_utf8(decoded).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git(source: &str) -> GitRef {
        match parse_git_ref(source) {
            GitSource::Git(git_ref) => *git_ref,
            other => panic!("{source}: {other:?}"),
        }
    }

    fn invalid(source: &str) -> String {
        match parse_git_ref(source) {
            GitSource::Invalid(message) => message,
            other => panic!("{source}: {other:?}"),
        }
    }

    #[test]
    fn classifies_sources() {
        assert_eq!(parse_git_ref("./a.git"), GitSource::NotGit);
        assert_eq!(parse_git_ref("github.com/a/b"), GitSource::NotGit);
        assert_eq!(parse_git_ref("https://x/file.txt"), GitSource::NotGit);
        assert_eq!(parse_git_ref("https://x/file.txt?a.git"), GitSource::NotGit);
        assert_eq!(parse_git_ref("ftp://x/repo.git"), GitSource::NotGit);
        assert_eq!(parse_git_ref("dir/file"), GitSource::NotGit);
        let scp = git("git@github.com:moby/buildkit.git#v1:docs");
        assert!(scp.ssh);
        assert_eq!(scp.remote, "git@github.com:moby/buildkit.git");
        assert_eq!(
            (scp.reference.as_str(), scp.subdir.as_str()),
            ("v1", "docs")
        );
        let https = git("https://user@host:8080/a/repo.git?branch=dev&subdir=x/");
        assert_eq!(https.remote, "https://user@host:8080/a/repo.git");
        assert_eq!(https.host, "host:8080");
        assert_eq!(https.reference, "refs/heads/dev");
        assert_eq!(https.subdir, "x/");
        let git_scheme = git("git://host/repo#main:/sub/../d");
        assert_eq!(git_scheme.subdir, "d");
        assert!(git("https://h/r.git?keep-git-dir&submodules=false")
            .keep_git_dir
            .is_some_and(|keep| keep));
    }

    #[test]
    fn query_errors_as_upstream() {
        assert_eq!(invalid("https://h/r.git?foo=1"), "unexpected query \"foo\"");
        assert_eq!(
            invalid("https://h/r.git?ref="),
            "query \"ref\" has no value"
        );
        assert_eq!(
            invalid("https://h/r.git?ref=a&ref=b"),
            "query \"ref\" has multiple values"
        );
        assert_eq!(
            git("https://h/r.git#main?ref=dev").reference,
            "main?ref=dev"
        );
        assert_eq!(
            invalid("https://h/r.git?ref=dev#main"),
            "ref conflicts: \"main\" vs \"dev\""
        );
        assert_eq!(
            invalid("https://h/r.git?tag=v1&branch=main"),
            "branch conflicts with tag"
        );
        assert_eq!(
            invalid("https://h/r.git?ref=main&tag=v1"),
            "ref conflicts: \"main\" vs \"refs/tags/v1\""
        );
        assert_eq!(
            invalid("https://h/r.git?keep-git-dir=maybe"),
            "invalid keep-git-dir value: \"maybe\""
        );
        assert_eq!(
            invalid("https://h/r.git?mtime=now"),
            "invalid mtime value: \"now\" (must be \"checkout\" or \"commit\")"
        );
        assert_eq!(
            invalid("https://h/r.git?subdir=b#:a"),
            "subdir conflicts: \"a\" vs \"b\""
        );
    }
}
