//! LLB capabilities, in: one encoded op (or the whole definition, for the terminal op); out: the
//! capability ids BuildKit must support to solve it, for the op's `OpMetadata.caps`.
//! Invariants: the one home of the rule "op -> caps", following moby/buildkit's `client/llb`
//! (exec.go, fileop.go, source.go, state.go): the same caps, added under the same conditions.
//! Only caps BuildKit v0.13 (Docker 26, the oldest engine cachefront supports) knows are
//! declared: a daemon fails the whole load on a cap it does not know ("unknown API capability"),
//! while it ignores a field it does not know. So the fields whose caps came later are sent
//! without their cap, and a newer daemon honours them: `FileActionCopy.mode_str`
//! (`file.copy.modestring`), `required_paths` (`file.copy.requiredpaths`),
//! `always_replace_existing_dest_paths` (`file.copy.alwaysreplaceexistingdestpaths`),
//! `Meta.valid_exit_codes` (`exec.validexitcode`) and symlink actions (`file.symlink.create`).
//! (Upstream never declares the file-copy caps either: its `FileOp.Marshal` asks each action for
//! caps before it has collected the actions.) Exception: git source attributes that ask the
//! daemon to verify or restrict what it fetches (`git.checksum`, `git.skipsubmodules`,
//! `git.fetchbycommit`) declare their caps as upstream's `llb.Git` does, so a daemon that does
//! not know them refuses the build ("unknown API capability ...") instead of silently fetching
//! something unchecked; the test's `NEWER_THAN_0_13` lists them.

use std::collections::BTreeMap;

use cachefront_proto::pb;

/// The cap ids this module declares, each known to BuildKit v0.13 (`solver/pb/caps.go`) but
/// those in `NEWER_THAN_0_13`.
pub mod ids {
    pub const SOURCE_IMAGE: &str = "source.image";
    pub const SOURCE_IMAGE_RESOLVE_MODE: &str = "source.image.resolvemode";
    pub const SOURCE_IMAGE_LAYER_LIMIT: &str = "source.image.layerlimit";
    pub const SOURCE_LOCAL: &str = "source.local";
    pub const SOURCE_LOCAL_UNIQUE: &str = "source.local.unique";
    pub const SOURCE_LOCAL_SESSION_ID: &str = "source.local.sessionid";
    pub const SOURCE_LOCAL_INCLUDE_PATTERNS: &str = "source.local.includepatterns";
    pub const SOURCE_LOCAL_FOLLOW_PATHS: &str = "source.local.followpaths";
    pub const SOURCE_LOCAL_EXCLUDE_PATTERNS: &str = "source.local.excludepatterns";
    pub const SOURCE_LOCAL_SHARED_KEY_HINT: &str = "source.local.sharedkeyhint";
    pub const SOURCE_GIT: &str = "source.git";
    pub const SOURCE_GIT_KEEP_DIR: &str = "source.git.keepgitdir";
    pub const SOURCE_GIT_FULL_URL: &str = "source.git.fullurl";
    pub const SOURCE_GIT_KNOWN_SSH_HOSTS: &str = "source.git.knownsshhosts";
    pub const SOURCE_GIT_MOUNT_SSH_SOCK: &str = "source.git.mountsshsock";
    /// Newer than BuildKit v0.13 (v0.25 knows it).
    pub const SOURCE_GIT_CHECKSUM: &str = "source.git.checksum";
    /// Newer than BuildKit v0.13 (v0.25 knows it).
    pub const SOURCE_GIT_SKIP_SUBMODULES: &str = "source.git.skipsubmodules";
    /// Newer than BuildKit v0.25.
    pub const SOURCE_GIT_FETCH_BY_COMMIT: &str = "source.git.fetchbycommit";
    pub const SOURCE_HTTP: &str = "source.http";
    pub const SOURCE_HTTP_CHECKSUM: &str = "source.http.checksum";
    pub const SOURCE_HTTP_PERM: &str = "source.http.perm";
    /// Spelled so upstream (`soruce`), and so the daemon matches it.
    pub const SOURCE_HTTP_UID_GID: &str = "soruce.http.uidgid";
    pub const SOURCE_OCI_LAYOUT: &str = "source.ocilayout";
    pub const EXEC_META_BASE: &str = "exec.meta.base";
    pub const EXEC_META_NETWORK: &str = "exec.meta.network";
    pub const EXEC_META_PROXY: &str = "exec.meta.proxyenv";
    pub const EXEC_META_SECURITY: &str = "exec.meta.security";
    pub const EXEC_META_SETS_DEFAULT_PATH: &str = "exec.meta.setsdefaultpath";
    pub const EXEC_META_ULIMIT: &str = "exec.meta.ulimit";
    pub const EXEC_MOUNT_BIND: &str = "exec.mount.bind";
    pub const EXEC_MOUNT_CACHE: &str = "exec.mount.cache";
    pub const EXEC_MOUNT_CACHE_SHARING: &str = "exec.mount.cache.sharing";
    pub const EXEC_MOUNT_SELECTOR: &str = "exec.mount.selector";
    pub const EXEC_MOUNT_TMPFS: &str = "exec.mount.tmpfs";
    pub const EXEC_MOUNT_TMPFS_SIZE: &str = "exec.mount.tmpfs.size";
    pub const EXEC_MOUNT_SECRET: &str = "exec.mount.secret";
    pub const EXEC_MOUNT_SSH: &str = "exec.mount.ssh";
    pub const EXEC_SECRET_ENV: &str = "exec.secretenv";
    pub const FILE_BASE: &str = "file.base";
    pub const FILE_COPY_INCLUDE_EXCLUDE_PATTERNS: &str = "file.copy.includeexcludepatterns";
    pub const CONSTRAINTS: &str = "constraints";
    pub const PLATFORM: &str = "platform";
    pub const META_IGNORE_CACHE: &str = "meta.ignorecache";
    pub const META_DESCRIPTION: &str = "meta.description";
}

use ids::*;

/// The caps one op needs, as its metadata's `caps` map.
pub(crate) fn op_caps(op: &pb::op::Op) -> BTreeMap<String, bool> {
    let caps = match op {
        pb::op::Op::Source(source) => source_caps(source),
        pb::op::Op::Exec(exec) => exec_caps(exec),
        pb::op::Op::File(file) => file_caps(file),
        _ => Vec::new(),
    };
    as_map(caps)
}

/// The caps of the terminal op: constraints and platform, plus the metadata features any op of
/// the definition uses (upstream's `Definition` marshalling).
pub(crate) fn terminal_caps<'a>(
    metadata: impl IntoIterator<Item = &'a pb::OpMetadata>,
) -> BTreeMap<String, bool> {
    let mut caps = vec![CONSTRAINTS, PLATFORM];
    for metadata in metadata {
        if metadata.ignore_cache {
            caps.push(META_IGNORE_CACHE);
        }
        if !metadata.description.is_empty() {
            caps.push(META_DESCRIPTION);
        }
    }
    as_map(caps)
}

fn as_map(caps: Vec<&str>) -> BTreeMap<String, bool> {
    caps.into_iter().map(|cap| (cap.to_owned(), true)).collect()
}

/// `llb.Image`, `llb.Local`, `llb.Git`, `llb.HTTP` and `llb.OCILayout`: the scheme's cap plus
/// one per attribute that needs it. Git auth secrets and the local differ need a cap only when
/// set explicitly as required, which cachefront never does.
fn source_caps(source: &pb::SourceOp) -> Vec<&'static str> {
    let has = |key: &str| source.attrs.contains_key(key);
    let identifier = source.identifier.as_str();
    let mut caps = Vec::new();
    if identifier.starts_with("docker-image://") {
        caps.push(SOURCE_IMAGE);
        if source.attrs.get("image.resolvemode").map(String::as_str) == Some("pull") {
            caps.push(SOURCE_IMAGE_RESOLVE_MODE);
        }
        if has("image.layerlimit") {
            caps.push(SOURCE_IMAGE_LAYER_LIMIT);
        }
    } else if identifier.starts_with("local://") {
        caps.push(SOURCE_LOCAL);
        let optional = [
            ("local.unique", SOURCE_LOCAL_UNIQUE),
            ("local.session", SOURCE_LOCAL_SESSION_ID),
            ("local.includepattern", SOURCE_LOCAL_INCLUDE_PATTERNS),
            ("local.followpaths", SOURCE_LOCAL_FOLLOW_PATHS),
            ("local.excludepatterns", SOURCE_LOCAL_EXCLUDE_PATTERNS),
            ("local.sharedkeyhint", SOURCE_LOCAL_SHARED_KEY_HINT),
        ];
        caps.extend(
            optional
                .iter()
                .filter(|(key, _)| has(key))
                .map(|(_, cap)| *cap),
        );
    } else if identifier.starts_with("git://") {
        caps.push(SOURCE_GIT);
        let optional = [
            ("git.keepgitdir", SOURCE_GIT_KEEP_DIR),
            ("git.fullurl", SOURCE_GIT_FULL_URL),
            ("git.knownsshhosts", SOURCE_GIT_KNOWN_SSH_HOSTS),
            ("git.mountsshsock", SOURCE_GIT_MOUNT_SSH_SOCK),
            ("git.checksum", SOURCE_GIT_CHECKSUM),
            ("git.skipsubmodules", SOURCE_GIT_SKIP_SUBMODULES),
            ("git.fetchbycommit", SOURCE_GIT_FETCH_BY_COMMIT),
        ];
        caps.extend(
            optional
                .iter()
                .filter(|(key, _)| has(key))
                .map(|(_, cap)| *cap),
        );
    } else if identifier.starts_with("https://") || identifier.starts_with("http://") {
        caps.push(SOURCE_HTTP);
        if has("http.checksum") {
            caps.push(SOURCE_HTTP_CHECKSUM);
        }
        if has("http.perm") {
            caps.push(SOURCE_HTTP_PERM);
        }
        if has("http.uid") || has("http.gid") {
            caps.push(SOURCE_HTTP_UID_GID);
        }
    } else if identifier.starts_with("oci-layout://") {
        caps.push(SOURCE_OCI_LAYOUT);
    }
    caps
}

/// `ExecState.marshal`: the meta base and default PATH (every daemon cachefront talks to sets a
/// default PATH), then one cap per non-default meta field and per mount kind.
fn exec_caps(exec: &pb::ExecOp) -> Vec<&'static str> {
    let mut caps = vec![EXEC_META_BASE, EXEC_META_SETS_DEFAULT_PATH];
    let meta = exec.meta.clone().unwrap_or_default();
    if !meta.ulimit.is_empty() {
        caps.push(EXEC_META_ULIMIT);
    }
    if exec.network != pb::NetMode::Unset as i32 {
        caps.push(EXEC_META_NETWORK);
    }
    if exec.security != pb::SecurityMode::Sandbox as i32 {
        caps.push(EXEC_META_SECURITY);
    }
    if meta.proxy_env.is_some() {
        caps.push(EXEC_META_PROXY);
    }
    for mount in &exec.mounts {
        caps.extend(mount_caps(mount));
    }
    if !exec.secretenv.is_empty() {
        // Upstream keeps secret env vars in its list of secrets, so they need both caps.
        caps.extend([EXEC_MOUNT_SECRET, EXEC_SECRET_ENV]);
    }
    caps
}

fn mount_caps(mount: &pb::Mount) -> Vec<&'static str> {
    let mut caps = Vec::new();
    if !mount.selector.is_empty() {
        caps.push(EXEC_MOUNT_SELECTOR);
    }
    match pb::MountType::try_from(mount.mount_type) {
        Ok(pb::MountType::Cache) => caps.extend([EXEC_MOUNT_CACHE, EXEC_MOUNT_CACHE_SHARING]),
        Ok(pb::MountType::Tmpfs) => {
            caps.push(EXEC_MOUNT_TMPFS);
            if mount.tmpfs_opt.as_ref().is_some_and(|tmpfs| tmpfs.size > 0) {
                caps.push(EXEC_MOUNT_TMPFS_SIZE);
            }
        }
        Ok(pb::MountType::Secret) => caps.push(EXEC_MOUNT_SECRET),
        Ok(pb::MountType::Ssh) => caps.push(EXEC_MOUNT_SSH),
        // A bind mount of scratch mounts nothing upstream calls a source.
        Ok(pb::MountType::Bind) if mount.input >= 0 => caps.push(EXEC_MOUNT_BIND),
        _ => {}
    }
    caps
}

/// `FileOp.marshal`: the base cap, plus what each copy action's options need.
fn file_caps(file: &pb::FileOp) -> Vec<&'static str> {
    let mut caps = vec![FILE_BASE];
    let patterns = file.actions.iter().any(|action| {
        matches!(&action.action, Some(pb::file_action::Action::Copy(copy))
            if !copy.include_patterns.is_empty() || !copy.exclude_patterns.is_empty())
    });
    if patterns {
        caps.push(FILE_COPY_INCLUDE_EXCLUDE_PATTERNS);
    }
    caps
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The declared caps an older daemon may not know: each one guards an attribute the daemon
    /// must not ignore (see the module's documentation).
    const NEWER_THAN_0_13: &[&str] = &[
        SOURCE_GIT_CHECKSUM,
        SOURCE_GIT_SKIP_SUBMODULES,
        SOURCE_GIT_FETCH_BY_COMMIT,
    ];

    /// The LLB cap ids of BuildKit v0.13.2 (`solver/pb/caps.go`), the set Docker 26 knows.
    const BUILDKIT_0_13: &[&str] = &[
        "source.image",
        "source.image.resolvemode",
        "source.image.layerlimit",
        "source.local",
        "source.local.unique",
        "source.local.sessionid",
        "source.local.includepatterns",
        "source.local.followpaths",
        "source.local.excludepatterns",
        "source.local.sharedkeyhint",
        "source.local.differ",
        "source.git",
        "source.git.keepgitdir",
        "source.git.fullurl",
        "source.git.httpauth",
        "source.git.knownsshhosts",
        "source.git.mountsshsock",
        "source.git.subdir",
        "source.http",
        "source.http.checksum",
        "source.http.perm",
        "soruce.http.uidgid",
        "source.ocilayout",
        "source.buildop.llbfilename",
        "exec.meta.base",
        "exec.meta.cgroup.parent",
        "exec.meta.network",
        "exec.meta.proxyenv",
        "exec.meta.security",
        "exec.meta.security.devices.v1",
        "exec.meta.setsdefaultpath",
        "exec.meta.ulimit",
        "exec.meta.removemountstubs.recursive",
        "exec.mount.bind",
        "exec.mount.bind.readwrite-nooutput",
        "exec.mount.cache",
        "exec.mount.cache.sharing",
        "exec.mount.selector",
        "exec.mount.tmpfs",
        "exec.mount.tmpfs.size",
        "exec.mount.secret",
        "exec.mount.ssh",
        "exec.mount.cache.content",
        "exec.cgroup",
        "exec.secretenv",
        "file.base",
        "file.rm.wildcard",
        "file.copy.includeexcludepatterns",
        "file.rm.nofollowsymlink",
        "constraints",
        "platform",
        "meta.ignorecache",
        "meta.description",
        "meta.exportcache",
        "cache.gha",
        "cache.s3",
        "cache.azblob",
        "mergeop",
        "diffop",
        "exporter.image.annotations",
        "exporter.image.attestations",
        "exporter.sourcedateepoch",
        "exporter.multiple",
        "source.policy",
    ];

    #[test]
    fn every_declared_cap_is_known_to_buildkit_0_13() {
        assert_eq!(BUILDKIT_0_13.len(), 64);
        let source = include_str!("caps.rs");
        let rule = source.split("#[cfg(test)]").next().unwrap();
        let declared: Vec<&str> = rule
            .lines()
            .filter(|line| line.trim_start().starts_with("pub const "))
            .filter_map(|line| line.split('"').nth(1))
            .collect();
        assert!(declared.len() > 40, "cap ids are found: {declared:?}");
        for cap in declared
            .into_iter()
            .filter(|cap| !NEWER_THAN_0_13.contains(cap))
        {
            assert!(
                BUILDKIT_0_13.contains(&cap),
                "{cap} is newer than BuildKit v0.13"
            );
        }
    }

    #[test]
    fn later_fields_add_no_cap() {
        let copy = pb::FileActionCopy {
            mode_str: "u+x".to_owned(),
            required_paths: vec!["/a".to_owned()],
            always_replace_existing_dest_paths: true,
            ..pb::FileActionCopy::default()
        };
        let file = pb::FileOp {
            actions: vec![pb::FileAction {
                action: Some(pb::file_action::Action::Copy(copy)),
                ..pb::FileAction::default()
            }],
        };
        let caps = op_caps(&pb::op::Op::File(file));
        assert_eq!(caps.keys().collect::<Vec<_>>(), vec!["file.base"]);
    }
}
