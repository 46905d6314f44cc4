//! Source ops, in: an identifier (`docker-image://`, `local://`, `git://`, `https://`) and attributes;
//! out: a state holding that source's filesystem.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::state::{OpKind, OpOptions, State, Vertex};

/// A source op: where content comes from, and how to fetch it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub identifier: String,
    pub attributes: BTreeMap<String, String>,
}

impl Source {
    /// An image reference, normalized to BuildKit's fully qualified form
    /// (`debian` is `docker.io/library/debian:latest`).
    pub fn image(reference: &str) -> Source {
        Source::new(format!(
            "docker-image://{}",
            normalize_image_reference(reference)
        ))
    }

    /// A local directory the client sends, such as `context` or `dockerfile`.
    pub fn local(name: &str) -> Source {
        Source::new(format!("local://{name}"))
    }

    /// A source with any identifier.
    pub fn new(identifier: impl Into<String>) -> Source {
        Source {
            identifier: identifier.into(),
            attributes: BTreeMap::new(),
        }
    }

    /// Sets an attribute (`local.session`, `image.resolvemode`, `http.checksum`, ...).
    pub fn with_attribute(mut self, key: &str, value: impl Into<String>) -> Source {
        self.attributes.insert(key.to_owned(), value.into());
        self
    }

    /// The op as a state.
    pub fn build(self, options: OpOptions) -> State {
        State::from_vertex(
            Arc::new(Vertex {
                op: OpKind::Source(self),
                options,
            }),
            0,
        )
    }
}

/// Normalizes an image reference as Docker's reference library does: default registry
/// `docker.io`, default namespace `library`, default tag `latest` when there is no digest.
pub fn normalize_image_reference(reference: &str) -> String {
    let (name, digest) = match reference.split_once('@') {
        Some((name, digest)) => (name, Some(digest)),
        None => (reference, None),
    };
    let last_slash = name.rfind('/').map_or(0, |index| index + 1);
    let (name, tag) = match name[last_slash..].rfind(':') {
        Some(colon) => (
            &name[..last_slash + colon],
            Some(&name[last_slash + colon + 1..]),
        ),
        None => (name, None),
    };
    let first = name.split('/').next().unwrap_or_default();
    let has_registry = name.contains('/')
        && (first.contains('.')
            || first.contains(':')
            || first == "localhost"
            || first.chars().any(|c| c.is_ascii_uppercase()));
    let qualified = if has_registry {
        name.to_owned()
    } else if name.contains('/') {
        format!("docker.io/{name}")
    } else {
        format!("docker.io/library/{name}")
    };
    match (tag, digest) {
        (Some(tag), Some(digest)) => format!("{qualified}:{tag}@{digest}"),
        (Some(tag), None) => format!("{qualified}:{tag}"),
        (None, Some(digest)) => format!("{qualified}@{digest}"),
        (None, None) => format!("{qualified}:latest"),
    }
}

#[cfg(test)]
mod tests {
    use super::normalize_image_reference as normalize;

    #[test]
    fn normalizes_like_docker() {
        assert_eq!(normalize("debian"), "docker.io/library/debian:latest");
        assert_eq!(
            normalize("debian:bookworm"),
            "docker.io/library/debian:bookworm"
        );
        assert_eq!(
            normalize("org/cachefront"),
            "docker.io/org/cachefront:latest"
        );
        assert_eq!(normalize("localhost:5000/x"), "localhost:5000/x:latest");
        assert_eq!(normalize("ghcr.io/a/b:1"), "ghcr.io/a/b:1");
        assert_eq!(normalize("a@sha256:00"), "docker.io/library/a@sha256:00");
        assert_eq!(
            normalize("a:1@sha256:00"),
            "docker.io/library/a:1@sha256:00"
        );
    }
}
