//! Test-only builders of synthetic tar archives: input = a list of members, output = tar bytes
//! shaped like image layers or like `docker save` output. Invariant: never used outside tests.

use std::io::Write;

use tar::{EntryType, Header};

/// Builds a tar archive member by member; each call appends one member.
pub struct LayerBuilder {
    builder: tar::Builder<Vec<u8>>,
}

impl LayerBuilder {
    pub fn new() -> LayerBuilder {
        LayerBuilder {
            builder: tar::Builder::new(Vec::new()),
        }
    }

    fn append(
        mut self,
        path: &str,
        entry_type: EntryType,
        mode: u32,
        owner: (u64, u64),
        content: &[u8],
        link: Option<&str>,
    ) -> LayerBuilder {
        let mut header = Header::new_gnu();
        header.set_entry_type(entry_type);
        header.set_mode(mode);
        header.set_uid(owner.0);
        header.set_gid(owner.1);
        header.set_size(content.len() as u64);
        header.set_mtime(1_700_000_000);
        let result = match link {
            Some(target) => self.builder.append_link(&mut header, path, target),
            None => self.builder.append_data(&mut header, path, content),
        };
        assert!(result.is_ok(), "appending {path}: {result:?}");
        self
    }

    pub fn file(self, path: &str, mode: u32, uid: u64, gid: u64, content: &[u8]) -> LayerBuilder {
        self.append(path, EntryType::Regular, mode, (uid, gid), content, None)
    }

    pub fn directory(self, path: &str, mode: u32, uid: u64, gid: u64) -> LayerBuilder {
        self.append(path, EntryType::Directory, mode, (uid, gid), b"", None)
    }

    pub fn symlink(self, path: &str, target: &str) -> LayerBuilder {
        self.append(path, EntryType::Symlink, 0o777, (0, 0), b"", Some(target))
    }

    pub fn hard_link(self, path: &str, target: &str) -> LayerBuilder {
        self.append(path, EntryType::Link, 0o644, (0, 0), b"", Some(target))
    }

    pub fn finish(self) -> Vec<u8> {
        let bytes = self.builder.into_inner();
        assert!(bytes.is_ok(), "finishing tar: {:?}", bytes.as_ref().err());
        bytes.unwrap_or_default()
    }
}

/// Gzip-compresses `bytes`.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    assert!(encoder.write_all(bytes).is_ok());
    let compressed = encoder.finish();
    assert!(compressed.is_ok());
    compressed.unwrap_or_default()
}

/// Builds a `docker save`-shaped archive (manifest.json, config blob, layer blobs) for one image.
pub fn saved_image(config: &serde_json::Value, layers: &[Vec<u8>]) -> Vec<u8> {
    let config_bytes = config.to_string().into_bytes();
    let config_path = "blobs/sha256/config0000";
    let layer_paths: Vec<String> = (0..layers.len())
        .map(|index| format!("blobs/sha256/layer{index:04}"))
        .collect();
    let manifest = serde_json::json!([{
        "Config": config_path,
        "RepoTags": ["test:latest"],
        "Layers": layer_paths,
    }]);
    let mut archive = LayerBuilder::new()
        .file(
            "manifest.json",
            0o644,
            0,
            0,
            manifest.to_string().as_bytes(),
        )
        .file(config_path, 0o644, 0, 0, &config_bytes);
    for (path, layer) in layer_paths.iter().zip(layers) {
        archive = archive.file(path, 0o644, 0, 0, layer);
    }
    archive.finish()
}
