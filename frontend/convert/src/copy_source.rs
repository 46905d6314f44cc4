//! Remote COPY/ADD sources, in: an expanded source (or its parsed git reference) and ADD's
//! options; out: what kind of source it is, the BuildKit git source of a repository, the file
//! name a URL is saved as, and whether a `--checksum` is a digest BuildKit parses.
//! Invariants: identifiers and attributes as upstream's `llb.Git` (dockerfile 1.26) makes them;
//! HTTP sources are `http(s)://` URLs that are not git references; digests as go-digest's
//! `Parse` with sha256, sha384 and sha512 available.

use cachefront_cache::paths::clean_path;
use cachefront_llb::Source;

use crate::git_ref::{parse_git_ref, GitRef, GitSource};

/// What a COPY/ADD source names.
pub(crate) enum SourceKind {
    Git(Box<GitRef>),
    /// A git reference upstream rejects, with its message.
    InvalidGit(String),
    Http,
    Local,
}

/// Classifies one source as upstream's `dispatchCopy` does: git first, then HTTP.
pub(crate) fn source_kind(source: &str) -> SourceKind {
    match parse_git_ref(source) {
        GitSource::Git(git_ref) => SourceKind::Git(git_ref),
        GitSource::Invalid(message) => SourceKind::InvalidGit(message),
        GitSource::NotGit if is_http(source) => SourceKind::Http,
        GitSource::NotGit => SourceKind::Local,
    }
}

/// Upstream's `isHTTPSource`: an `http(s)://` URL that is not a (valid) git reference.
pub(crate) fn is_http(source: &str) -> bool {
    (source.starts_with("http://") || source.starts_with("https://"))
        && !matches!(parse_git_ref(source), GitSource::Git(_))
}

/// Upstream's `isGitSource`: a valid git reference.
pub(crate) fn is_git(source: &str) -> bool {
    matches!(parse_git_ref(source), GitSource::Git(_))
}

/// The options of one git source, once ADD's flags and the URL's query agree.
pub(crate) struct GitOptions {
    pub keep_git_dir: bool,
    pub checksum: String,
}

/// The git source for a repository, as `llb.Git(remote, "", ...)` builds it; `None` for SSH
/// remotes (their known hosts come from a key scan, which is not done here).
pub(crate) fn git_source(git_ref: &GitRef, options: &GitOptions) -> Option<Source> {
    if git_ref.ssh {
        return None;
    }
    let mut identifier = format!(
        "git://{}{}",
        git_ref.host,
        clean_path(&format!("/{}", git_ref.path))
    );
    if !git_ref.reference.is_empty() || !git_ref.subdir.is_empty() {
        identifier.push_str(&format!("#{}", git_ref.reference));
        if !git_ref.subdir.is_empty() {
            identifier.push_str(&format!(":{}", git_ref.subdir));
        }
    }
    let mut source = Source::new(identifier)
        .with_attribute("git.fullurl", git_ref.remote.clone())
        .with_attribute("git.authtokensecret", "GIT_AUTH_TOKEN")
        .with_attribute("git.authheadersecret", "GIT_AUTH_HEADER");
    if options.keep_git_dir {
        source = source.with_attribute("git.keepgitdir", "true");
    }
    if !options.checksum.is_empty() {
        source = source.with_attribute("git.checksum", options.checksum.clone());
    }
    if git_ref.submodules == Some(false) {
        source = source.with_attribute("git.skipsubmodules", "true");
    }
    if git_ref.fetch_by_commit {
        source = source.with_attribute("git.fetchbycommit", "true");
    }
    Some(source)
}

/// The file name an HTTP source is saved under: the URL path's last segment.
pub(crate) fn url_filename(url: &str) -> String {
    let without_query = url.split(['?', '#']).next().unwrap_or(url);
    let path = without_query.splitn(4, '/').nth(3).unwrap_or_default();
    match path.trim_end_matches('/').rsplit('/').next() {
        Some(name) if !name.is_empty() => name.to_owned(),
        _ => "__unnamed__".to_owned(),
    }
}

/// go-digest's `Parse`: why `checksum` is not a digest, in its words.
pub(crate) fn digest_error(checksum: &str) -> Option<&'static str> {
    const FORMAT: &str = "invalid checksum digest format";
    let Some((algorithm, encoded)) = checksum.split_once(':') else {
        return Some(FORMAT);
    };
    if algorithm.is_empty() || encoded.is_empty() {
        return Some(FORMAT);
    }
    let size = match algorithm {
        "sha256" => 32,
        "sha384" => 48,
        "sha512" => 64,
        _ if is_digest_shaped(algorithm, encoded) => return Some("unsupported digest algorithm"),
        _ => return Some(FORMAT),
    };
    if encoded.len() != size * 2 {
        return Some("invalid checksum digest length");
    }
    if !encoded
        .chars()
        .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    {
        return Some(FORMAT);
    }
    None
}

/// `^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$`, the algorithm and encoded parts apart.
fn is_digest_shaped(algorithm: &str, encoded: &str) -> bool {
    let component = |part: &str| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    };
    algorithm.split(['.', '+', '_', '-']).all(component)
        && encoded
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '=' | '_' | '-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_identifiers() {
        let GitSource::Git(git_ref) = parse_git_ref("http://127.0.0.1:8000/repo.git#main:sub/")
        else {
            panic!("http git URL not parsed");
        };
        let options = GitOptions {
            keep_git_dir: true,
            checksum: String::new(),
        };
        let Some(source) = git_source(&git_ref, &options) else {
            panic!("http git URL not lowered");
        };
        assert!(format!("{source:?}").contains("git://127.0.0.1:8000/repo.git#main:sub"));
        let GitSource::Git(scp) = parse_git_ref("git@example.com:org/repo.git") else {
            panic!("scp-like remote not parsed");
        };
        assert!(git_source(&scp, &options).is_none());
        assert!(is_git("https://example.com/a/repo.git#v1"));
        assert!(!is_git("https://example.com/a/file.txt"));
        assert!(is_http("https://example.com/a/file.txt"));
    }

    #[test]
    fn url_filenames() {
        assert_eq!(
            url_filename("https://example.com/a/b.tar.gz?x=1"),
            "b.tar.gz"
        );
        assert_eq!(url_filename("https://example.com/"), "__unnamed__");
    }

    #[test]
    fn digests_as_go_digest() {
        let sha256 = format!("sha256:{}", "a".repeat(64));
        assert_eq!(digest_error(&sha256), None);
        assert_eq!(digest_error("abc"), Some("invalid checksum digest format"));
        assert_eq!(
            digest_error("sha256:"),
            Some("invalid checksum digest format")
        );
        assert_eq!(
            digest_error("md5:abc"),
            Some("unsupported digest algorithm")
        );
        assert_eq!(
            digest_error("MD5:abc"),
            Some("invalid checksum digest format")
        );
        assert_eq!(
            digest_error("sha256:abc"),
            Some("invalid checksum digest length")
        );
        let upper = format!("sha256:{}", "A".repeat(64));
        assert_eq!(digest_error(&upper), Some("invalid checksum digest format"));
    }
}
