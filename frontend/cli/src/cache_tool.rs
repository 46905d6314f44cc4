//! `cachefront cache seed|export`, the cache tool that runs inside BuildKit (from cachefront's
//! own image, see `docs/ci-caches.md`), in: `<directory>=<cache mount>` pairs; out: seeded
//! caches, or their contents copied out, and one line per cache on stdout (BuildKit shows it in
//! the progress output). Invariants: seeding never touches a cache that has content; a cache with
//! no seed directory is left empty; an export stays within `--max-bytes`, leaving out whole caches.

use std::path::Path;

use anyhow::{bail, Context as _};
use cachefront_cache::cache_dir::cache_id_of_directory;

use crate::tree_copy::{copy_tree, is_empty_directory, tree_size, Owner, TreeSize};

const USAGE: &str = "usage: cachefront cache seed --from <dir> <name>=<cache>... | \
                     cachefront cache export --to <dir> [--max-bytes <n>] <name>=<cache>...";

/// Runs `cachefront cache <words>`.
pub fn run(words: &[&str]) -> anyhow::Result<()> {
    match words {
        ["seed", "--from", from, pairs @ ..] => seed(Path::new(from), &parse_pairs(pairs)?),
        ["export", "--to", to, "--max-bytes", max, pairs @ ..] => {
            let max = max.parse().context("--max-bytes takes a number of bytes")?;
            export(Path::new(to), Some(max), &parse_pairs(pairs)?)
        }
        ["export", "--to", to, pairs @ ..] => export(Path::new(to), None, &parse_pairs(pairs)?),
        _ => bail!("{USAGE}"),
    }
}

fn parse_pairs<'a>(pairs: &[&'a str]) -> anyhow::Result<Vec<(&'a str, &'a str)>> {
    pairs
        .iter()
        .map(|pair| {
            pair.split_once('=')
                .filter(|(name, _)| !name.is_empty() && !name.contains('/'))
                .ok_or_else(|| anyhow::anyhow!("{pair}: expected <name>=<cache>\n{USAGE}"))
        })
        .collect()
}

/// The cache id a directory stands for, for people to read.
fn label(name: &str) -> String {
    cache_id_of_directory(name).unwrap_or_else(|| name.to_owned())
}

/// Fills each empty cache from its directory under `from`, owned by the cache's owner when that
/// is not root (a non-root USER's cache), else as the seed has it.
fn seed(from: &Path, pairs: &[(&str, &str)]) -> anyhow::Result<()> {
    let mut seeded = TreeSize::default();
    for (name, cache) in pairs {
        let (source, cache) = (from.join(name), Path::new(cache));
        let label = label(name);
        if !source.is_dir() {
            println!("{label}: nothing in the seed");
            continue;
        }
        if !is_empty_directory(cache)? {
            println!("{label}: has content already, left as it is");
            continue;
        }
        let owner = Owner::of_cache_root(cache)?;
        let copied = copy_tree(&source, cache, owner)
            .with_context(|| format!("seeding {label} from {}", source.display()))?;
        println!("{label}: seeded {copied}");
        seeded.add(copied);
    }
    println!("seeded {seeded} in all");
    Ok(())
}

/// Copies each cache into its directory under `to`, in order, leaving out a cache that would
/// bring the total over `max_bytes`.
fn export(to: &Path, max_bytes: Option<u64>, pairs: &[(&str, &str)]) -> anyhow::Result<()> {
    let mut exported = TreeSize::default();
    for (name, cache) in pairs {
        let label = label(name);
        let size = tree_size(Path::new(cache))?;
        if let Some(max) = max_bytes {
            if exported.bytes.saturating_add(size.bytes) > max {
                println!(
                    "{label}: {size}, left out: over the cap of {}",
                    TreeSize::format_bytes(max)
                );
                continue;
            }
        }
        let copied = copy_tree(Path::new(cache), &to.join(name), Owner::AsIs)
            .with_context(|| format!("exporting {label}"))?;
        println!("{label}: {copied} -> {name}");
        exported.add(copied);
    }
    println!("exported {exported} in all");
    Ok(())
}
