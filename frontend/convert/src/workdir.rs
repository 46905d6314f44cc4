//! Working directories, in: the current directory and a WORKDIR path; out: the absolute, clean
//! directory the stage then works in. Invariant: the result always starts with `/`.

use cachefront_cache::paths::clean_path;

/// Joins a WORKDIR path onto the current directory and cleans it.
pub(crate) fn normalize_workdir(current: &str, path: &str) -> String {
    // Rooted as upstream joins it, so a relative directory in a base image's config is under `/`.
    let joined = if path.starts_with('/') {
        path.to_owned()
    } else {
        format!("/{current}/{path}")
    };
    clean_path(&joined)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workdir_paths() {
        assert_eq!(normalize_workdir("/", "app"), "/app");
        assert_eq!(normalize_workdir("/app", "src/../lib/"), "/app/lib");
        assert_eq!(normalize_workdir("/app", "/x"), "/x");
        assert_eq!(normalize_workdir("", "."), "/");
        assert_eq!(normalize_workdir("app", "../../x"), "/x");
    }
}
