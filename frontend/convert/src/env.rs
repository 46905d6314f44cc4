//! Environments, in: `KEY=value` entries from an image and from ENV and ARG; out: an ordered list
//! that word expansion reads and exec ops receive. Invariant: one entry per key, first-set order.

use std::collections::HashMap;

use cachefront_dockerfile::expand::Lookup;

/// An ordered environment with one entry per key, as an image's `Env`. Lookups are by hash, so
/// Dockerfiles with thousands of ARGs and ENVs stay linear to lower.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Environment {
    entries: Vec<(String, String)>,
    positions: HashMap<String, usize>,
}

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
        match self.positions.get(key) {
            Some(&position) => self.entries[position].1 = value.to_owned(),
            None => {
                self.positions.insert(key.to_owned(), self.entries.len());
                self.entries.push((key.to_owned(), value.to_owned()));
            }
        }
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.positions
            .get(key)
            .map(|&position| self.entries[position].1.as_str())
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
}
