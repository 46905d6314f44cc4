//! Tool identification: which package manager or compiler a command runs.
//!
//! Input: one analysed command (after wrappers). Output: a [`ToolCall`] with the normalised
//! tool name (`python3 -m pip` → `pip`, `pip3.12` → `pip`, `./gradlew` → `gradle`, `corepack
//! yarn` → `yarn`, `/usr/bin/apt-get` → `apt-get`) and where its own arguments start.
//! Invariant: a command name that is not static text is never identified.

use crate::shell::{basename, Invocation};

/// An identified tool invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ToolCall {
    /// Normalised tool name.
    pub tool: String,
    /// The program name as invoked (basename), e.g. `gradlew`, `pip3`, `python3`.
    pub program: String,
    /// Index in `Invocation::args` of the first argument after the tool (and `-m module`).
    pub arguments_from: usize,
    /// For a tool invoked by absolute path `<prefix>/bin/<tool>`, that prefix.
    pub prefix: Option<String>,
}

impl ToolCall {
    /// The static arguments after the tool (dynamic ones as `None`).
    pub(crate) fn arguments<'i>(&self, invocation: &'i Invocation) -> Vec<Option<&'i str>> {
        invocation
            .args
            .iter()
            .skip(self.arguments_from)
            .map(|arg| arg.text())
            .collect()
    }

    /// The static operands (arguments not starting with `-`), up to a `--`.
    pub(crate) fn operands<'i>(&self, invocation: &'i Invocation) -> Vec<&'i str> {
        self.arguments(invocation)
            .into_iter()
            .flatten()
            .take_while(|text| *text != "--")
            .filter(|text| !text.starts_with('-'))
            .collect()
    }
}

/// Identifies the tool an invocation runs.
pub(crate) fn identify(invocation: &Invocation) -> Option<ToolCall> {
    let path = invocation.args.first()?.text()?;
    let program = basename(path);
    let prefix = path
        .strip_suffix(&format!("/bin/{program}"))
        .filter(|prefix| prefix.starts_with('/') && !prefix.is_empty())
        .map(str::to_owned);
    if is_python(program) {
        let (module, arguments_from) = python_module(invocation)?;
        return Some(ToolCall {
            tool: normalise(&module).to_owned(),
            program: program.to_owned(),
            arguments_from,
            prefix,
        });
    }
    if program == "corepack" {
        let inner = invocation.args.get(1)?.text()?;
        return Some(ToolCall {
            tool: normalise(inner).to_owned(),
            program: inner.to_owned(),
            arguments_from: 2,
            prefix,
        });
    }
    Some(ToolCall {
        tool: normalise(program).to_owned(),
        program: program.to_owned(),
        arguments_from: 1,
        prefix,
    })
}

/// Maps aliases to the tool names the rules use.
fn normalise(name: &str) -> &str {
    if is_versioned(name, "pip") {
        return "pip";
    }
    match name {
        "yarnpkg" => "yarn",
        "gradlew" => "gradle",
        "mvnw" => "mvn",
        "bundler" => "bundle",
        "composer.phar" => "composer",
        other => other,
    }
}

/// `name` followed by an optional version (`pip`, `pip3`, `pip3.12`).
fn is_versioned(name: &str, stem: &str) -> bool {
    name.strip_prefix(stem).is_some_and(|version| {
        version
            .chars()
            .all(|character| character.is_ascii_digit() || character == '.')
    })
}

fn is_python(name: &str) -> bool {
    is_versioned(name, "python") || is_versioned(name, "pypy")
}

/// The module of `python [options] -m module`, and the index after it.
fn python_module(invocation: &Invocation) -> Option<(String, usize)> {
    let mut index = 1;
    while let Some(text) = invocation.args.get(index).and_then(|arg| arg.text()) {
        if text == "-m" {
            let module = invocation.args.get(index + 1)?.text()?;
            return Some((module.to_owned(), index + 2));
        }
        if let Some(module) = text.strip_prefix("-m") {
            return Some((module.to_owned(), index + 1));
        }
        if text == "-W" || text == "-X" {
            index += 2;
        } else if text.starts_with('-') && text != "-c" && text != "-" {
            index += 1;
        } else {
            return None;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::words::WordValue;
    use crate::shell::{Arg, EffectiveUser};

    fn invocation(line: &str) -> Invocation {
        Invocation {
            args: line
                .split(' ')
                .map(|word| Arg {
                    raw: word.to_owned(),
                    value: WordValue::Static {
                        text: word.to_owned(),
                        glob: false,
                    },
                    place: None,
                })
                .collect(),
            assignments: Vec::new(),
            variables: Default::default(),
            env_cleared: false,
            home: "/root".to_owned(),
            user: EffectiveUser::RunUser,
            conditional: false,
            sequence: 0,
            cwd: None,
        }
    }

    fn tool(line: &str) -> Option<(String, usize)> {
        identify(&invocation(line)).map(|call| (call.tool, call.arguments_from))
    }

    #[test]
    fn identifies_aliases() {
        assert_eq!(tool("python3 -m pip install x"), Some(("pip".into(), 3)));
        assert_eq!(tool("python3.12 -u -mpip install"), Some(("pip".into(), 3)));
        assert_eq!(tool("pip3.11 install x"), Some(("pip".into(), 1)));
        assert_eq!(tool("/usr/bin/apt-get update"), Some(("apt-get".into(), 1)));
        assert_eq!(tool("./gradlew build"), Some(("gradle".into(), 1)));
        assert_eq!(tool("./mvnw package"), Some(("mvn".into(), 1)));
        assert_eq!(tool("corepack yarn install"), Some(("yarn".into(), 2)));
        assert_eq!(tool("python3 script.py"), None);
        assert_eq!(tool("python -c print(1)"), None);
    }

    #[test]
    fn prefix_of_absolute_tools() {
        let call = identify(&invocation("/opt/conda/bin/conda install x")).unwrap();
        assert_eq!(call.prefix.as_deref(), Some("/opt/conda"));
        assert_eq!(
            call.operands(&invocation("/opt/conda/bin/conda install -y x")),
            vec!["install", "x"]
        );
    }
}
