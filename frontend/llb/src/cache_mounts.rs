//! Cache mounts of a graph, in: a state; out: every cache mount of every exec op the state depends
//! on, each cache once (by id and initial content, the key BuildKit finds a cache under), in the
//! order the ops are marshalled. Invariant: the mounts are returned as the execs have them, so an
//! op that mounts a returned `Mount` gets the very cache the exec got.

use std::collections::HashSet;
use std::sync::Arc;

use crate::digest::digest_of;
use crate::exec::{Mount, MountKind};
use crate::file::FileAction;
use crate::marshal::marshal;
use crate::state::{OpKind, State, Vertex};

/// One cache the graph mounts.
#[derive(Debug, Clone)]
pub struct FoundCache {
    /// The mount as the first exec that uses the cache has it.
    pub mount: Mount,
    /// The cache's id.
    pub id: String,
    /// Whether the cache starts from nothing but directories made on scratch (no mount `from=`
    /// content): such a cache can be filled from elsewhere without changing what a build sees.
    pub starts_empty: bool,
    /// Every destination an exec mounts the cache at.
    pub destinations: Vec<String>,
}

/// The caches the execs `state` depends on mount.
pub fn cache_mounts(state: &State) -> Vec<FoundCache> {
    let mut found: Vec<FoundCache> = Vec::new();
    let mut keys: Vec<(String, String)> = Vec::new();
    for vertex in vertices(state) {
        let OpKind::Exec(exec) = &vertex.op else {
            continue;
        };
        for mount in &exec.exec.mounts {
            let MountKind::Cache { id, .. } = &mount.kind else {
                continue;
            };
            let key = (id.clone(), initial_content_key(mount));
            match keys.iter().position(|known| *known == key) {
                Some(index) => {
                    if let Some(cache) = found.get_mut(index) {
                        if !cache.destinations.contains(&mount.destination) {
                            cache.destinations.push(mount.destination.clone());
                        }
                    }
                }
                None => {
                    keys.push(key);
                    found.push(FoundCache {
                        mount: mount.clone(),
                        id: id.clone(),
                        starts_empty: starts_empty(&mount.source),
                        destinations: vec![mount.destination.clone()],
                    });
                }
            }
        }
    }
    found
}

/// What a cache starts from, as BuildKit tells caches of one id apart: the input's digest and
/// the path mounted from it.
fn initial_content_key(mount: &Mount) -> String {
    let digest = marshal(&mount.source)
        .def
        .last()
        .map(|bytes| digest_of(bytes))
        .unwrap_or_default();
    format!("{digest} {}", mount.selector)
}

/// Scratch, or file ops that only make directories, down to scratch.
fn starts_empty(state: &State) -> bool {
    let mut current = state.clone();
    loop {
        let Some(output) = &current.output else {
            return true;
        };
        let OpKind::File(file) = &output.vertex.op else {
            return false;
        };
        if !file
            .actions
            .iter()
            .all(|action| matches!(action, FileAction::Mkdir { .. }))
        {
            return false;
        }
        let base = file.base.clone();
        current = base;
    }
}

/// Every vertex `state` depends on, inputs first, each once.
fn vertices(state: &State) -> Vec<Arc<Vertex>> {
    let mut ordered = Vec::new();
    let mut seen: HashSet<*const Vertex> = HashSet::new();
    let Some(output) = &state.output else {
        return ordered;
    };
    let mut stack: Vec<(Arc<Vertex>, bool)> = vec![(Arc::clone(&output.vertex), false)];
    while let Some((vertex, inputs_done)) = stack.pop() {
        if seen.contains(&Arc::as_ptr(&vertex)) {
            continue;
        }
        if inputs_done {
            seen.insert(Arc::as_ptr(&vertex));
            ordered.push(vertex);
            continue;
        }
        let inputs = crate::marshal::dependencies(&vertex);
        stack.push((vertex, true));
        for input in inputs.into_iter().rev() {
            if !seen.contains(&Arc::as_ptr(&input)) {
                stack.push((input, false));
            }
        }
    }
    ordered
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CacheSharing, ChownSpec, Exec, FileOperation, OpOptions, Source, UserSpec};

    fn owned(uid: u32) -> State {
        FileOperation::on(State::scratch())
            .then(FileAction::Mkdir {
                path: "/cache".to_owned(),
                mode: 0o755,
                make_parents: false,
                timestamp: None,
                owner: Some(ChownSpec {
                    user: Some(UserSpec::Id(uid)),
                    group: Some(UserSpec::Id(uid)),
                }),
            })
            .build(OpOptions::default())
    }

    fn run(root: State, mounts: Vec<Mount>) -> State {
        Exec {
            args: vec!["true".to_owned()],
            mounts,
            ..Exec::default()
        }
        .build(root, OpOptions::default())
        .root()
    }

    #[test]
    fn finds_each_cache_once_with_its_owner_and_origin() {
        let base = Source::image("debian").build(OpOptions::default());
        let apt = Mount::cache("/var/cache/apt", "//var/cache/apt", CacheSharing::Locked);
        let mut pip = Mount::cache("/home/app/.cache/pip", "//pip", CacheSharing::Shared);
        pip.source = owned(1001);
        pip.selector = "/cache".to_owned();
        let mut other_owner = pip.clone();
        other_owner.source = owned(1002);
        let mut from_stage = Mount::cache("/x", "//x", CacheSharing::Shared);
        from_stage.source = base.clone();
        let first = run(base, vec![apt.clone(), pip.clone()]);
        let mut apt_again = apt;
        apt_again.destination = "/other".to_owned();
        let second = run(first, vec![apt_again, pip, other_owner, from_stage]);
        let found = cache_mounts(&second);
        let summary: Vec<(&str, bool, usize)> = found
            .iter()
            .map(|cache| {
                (
                    cache.id.as_str(),
                    cache.starts_empty,
                    cache.destinations.len(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("//var/cache/apt", true, 2),
                ("//pip", true, 1),
                ("//pip", true, 1),
                ("//x", false, 1)
            ]
        );
        assert!(cache_mounts(&State::scratch()).is_empty());
    }
}
