//! Environments, in: `KEY=value` entries from an image and from ENV and ARG; out: an ordered list
//! that word expansion reads and exec ops receive. Invariant: one entry per key, first-set order.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use cachefront_dockerfile::expand::Lookup;

/// An ordered environment with one entry per key, as an image's `Env`. Lookups are by hash, so
/// Dockerfiles with thousands of ARGs and ENVs stay linear to lower.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    entries: Vec<(String, String)>,
    positions: HashMap<String, usize>,
    /// Stamp of the last change, unique in the process (0: never changed, so empty): equal stamps
    /// mean equal entries, which lets callers keep views of the environment until it changes.
    revision: u64,
}

/// The next change stamp; shared by all environments so a stamp never names two contents.
static NEXT_REVISION: AtomicU64 = AtomicU64::new(1);

impl PartialEq for Environment {
    fn eq(&self, other: &Environment) -> bool {
        self.entries == other.entries
    }
}

impl Eq for Environment {}

impl Environment {
    /// Reads `KEY=value` entries; an entry without `=` has an empty value.
    pub fn from_entries<'a>(entries: impl IntoIterator<Item = &'a String>) -> Environment {
        let mut environment = Environment::default();
        for entry in entries {
            let (key, value) = entry.split_once('=').unwrap_or((entry.as_str(), ""));
            environment.set(key, value);
        }
        environment
    }

    /// Sets `key`, replacing its value in place when it exists.
    pub fn set(&mut self, key: &str, value: &str) {
        self.revision = NEXT_REVISION.fetch_add(1, Ordering::Relaxed);
        let existing = self
            .positions
            .get(key)
            .and_then(|&position| self.entries.get_mut(position));
        match existing {
            Some(entry) => entry.1 = value.to_owned(),
            None => {
                self.positions.insert(key.to_owned(), self.entries.len());
                self.entries.push((key.to_owned(), value.to_owned()));
            }
        }
    }

    /// Unsets `key`; the other entries keep their order.
    pub fn remove(&mut self, key: &str) {
        let Some(position) = self.positions.remove(key) else {
            return;
        };
        self.revision = NEXT_REVISION.fetch_add(1, Ordering::Relaxed);
        if position < self.entries.len() {
            self.entries.remove(position);
        }
        for later in self.positions.values_mut() {
            if *later > position {
                *later -= 1;
            }
        }
    }

    /// How many variables are set.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The stamp of the last change: unchanged stamp, unchanged entries.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.positions
            .get(key)
            .and_then(|&position| self.entries.get(position))
            .map(|(_, value)| value.as_str())
    }

    /// The entries as `KEY=value` strings.
    pub fn to_entries(&self) -> Vec<String> {
        self.entries
            .iter()
            .map(|(key, value)| format!("{key}={value}"))
            .collect()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries
            .iter()
            .map(|(key, value)| (key.as_str(), value.as_str()))
    }
}

impl Lookup for Environment {
    fn lookup(&self, name: &str) -> Option<String> {
        self.get(name).map(str::to_owned)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_replaces_in_place() {
        let mut environment =
            Environment::from_entries(&["PATH=/bin".to_owned(), "A=1".to_owned()]);
        environment.set("PATH", "/usr/bin");
        environment.set("B", "2");
        assert_eq!(
            environment.to_entries(),
            vec!["PATH=/usr/bin", "A=1", "B=2"]
        );
    }

    #[test]
    fn remove_keeps_the_order_of_the_rest() {
        let mut environment =
            Environment::from_entries(&["A=1".to_owned(), "B=2".to_owned(), "C=3".to_owned()]);
        let before = environment.revision();
        environment.remove("B");
        environment.remove("missing");
        assert_ne!(environment.revision(), before);
        assert_eq!(environment.get("B"), None);
        assert_eq!(environment.get("C"), Some("3"));
        environment.set("B", "4");
        assert_eq!(environment.to_entries(), vec!["A=1", "C=3", "B=4"]);
    }

    #[test]
    fn revision_changes_with_every_set_and_survives_clones() {
        let mut first = Environment::default();
        assert_eq!(first.revision(), 0);
        first.set("A", "1");
        let copy = first.clone();
        assert_eq!(copy.revision(), first.revision());
        let mut second = Environment::default();
        second.set("A", "1");
        assert_ne!(
            second.revision(),
            first.revision(),
            "stamps are unique per change"
        );
        let before = first.revision();
        first.set("A", "1");
        assert_ne!(first.revision(), before);
        assert_eq!(first, second, "equality is by entries");
    }
}
