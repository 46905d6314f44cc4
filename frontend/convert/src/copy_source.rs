//! Remote COPY/ADD sources, in: a source string of ADD; out: whether it is a git repository or
//! an HTTP URL, the BuildKit source for a git repository and the file name a URL is saved as.
//! Invariant: identifiers and attributes as BuildKit's own git source builder makes them.

use cachefront_cache::paths::clean_path;
use cachefront_llb::Source;

/// The git source for an `http(s)://` or `git://` repository URL with an optional `#ref[:subdir]`
/// fragment, as BuildKit identifies it; `None` for SSH remotes (not lowered here).
pub(crate) fn git_source(url: &str, keep_git_dir: bool) -> Option<Source> {
    let (remote, fragment) = url.split_once('#').unwrap_or((url, ""));
    let (_, rest) = remote.split_once("://")?;
    if !(remote.starts_with("http://")
        || remote.starts_with("https://")
        || remote.starts_with("git://"))
    {
        return None;
    }
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let mut identifier = format!("git://{host}{}", clean_path(&format!("/{path}")));
    let (reference, subdirectory) = fragment.split_once(':').unwrap_or((fragment, ""));
    let subdirectory = clean_path(&format!("/{subdirectory}"));
    let subdirectory = subdirectory.trim_start_matches('/');
    if !reference.is_empty() || !subdirectory.is_empty() {
        identifier.push_str(&format!("#{reference}"));
        if !subdirectory.is_empty() {
            identifier.push_str(&format!(":{subdirectory}"));
        }
    }
    let mut source = Source::new(identifier)
        .with_attribute("git.fullurl", remote)
        .with_attribute("git.authtokensecret", "GIT_AUTH_TOKEN")
        .with_attribute("git.authheadersecret", "GIT_AUTH_HEADER");
    if keep_git_dir {
        source = source.with_attribute("git.keepgitdir", "true");
    }
    Some(source)
}

/// Git sources as upstream recognizes them: `git@`, `git://`, `ssh://`, or HTTP ending in `.git`.
pub(crate) fn is_git(source: &str) -> bool {
    let without_fragment = source.split('#').next().unwrap_or(source);
    source.starts_with("git@")
        || source.starts_with("git://")
        || source.starts_with("ssh://")
        || ((source.starts_with("http://") || source.starts_with("https://"))
            && without_fragment.ends_with(".git"))
}

pub(crate) fn is_http(source: &str) -> bool {
    (source.starts_with("http://") || source.starts_with("https://")) && !is_git(source)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_identifiers() {
        let source = git_source("http://127.0.0.1:8000/repo.git#main:sub/", true);
        let Some(source) = source else {
            panic!("http git URL not lowered");
        };
        assert!(format!("{source:?}").contains("git://127.0.0.1:8000/repo.git#main:sub"));
        assert!(git_source("git@example.com:org/repo.git", false).is_none());
        assert!(is_git("https://example.com/a/repo.git#v1"));
        assert!(!is_git("https://example.com/a/file.txt"));
    }

    #[test]
    fn url_filenames() {
        assert_eq!(
            url_filename("https://example.com/a/b.tar.gz?x=1"),
            "b.tar.gz"
        );
        assert_eq!(url_filename("https://example.com/"), "__unnamed__");
    }
}
