//! Instruction splitting, in: one logical line (continuations joined); out: the keyword, the
//! leading `--flags` and the rest of the line. Invariant: as BuildKit's `splitCommand` and
//! `extractBuilderFlags`: flags are only read before the first word not starting with `--`, a lone
//! `--` ends them, quotes and `\` inside a flag are processed, and nothing here fails.

/// BuildKit's `[\t\v\f\r ]` whitespace class used to split instruction words.
pub(super) fn is_token_whitespace(character: char) -> bool {
    matches!(character, '\t' | '\u{b}' | '\u{c}' | '\r' | ' ')
}

/// The parts of an instruction line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SplitCommand {
    /// The keyword as written.
    pub(super) keyword: String,
    pub(super) flags: Vec<String>,
    /// Everything after the flags, trimmed.
    pub(super) arguments: String,
}

pub(super) fn split_command(line: &str) -> SplitCommand {
    let trimmed = line.trim();
    let (keyword, rest) = match trimmed.split_once(is_token_whitespace) {
        Some((keyword, rest)) => (keyword, Some(rest.trim_start_matches(is_token_whitespace))),
        None => (trimmed, None),
    };
    let (arguments, flags) = match rest {
        Some(rest) => extract_flags(rest),
        None => (String::new(), Vec::new()),
    };
    SplitCommand {
        keyword: keyword.to_owned(),
        flags,
        arguments: arguments.trim().to_owned(),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Spaces,
    Word,
    Quote(char),
}

/// Reads leading `--flag` words; returns the remaining text and the flags.
fn extract_flags(line: &str) -> (String, Vec<String>) {
    let characters: Vec<(usize, char)> = line.char_indices().collect();
    let mut flags = Vec::new();
    let mut phase = Phase::Spaces;
    let mut word = String::new();
    let mut blank_ok = false;
    let mut position = 0;
    while let Some(&(offset, character)) = characters.get(position) {
        if phase == Phase::Spaces {
            if character.is_whitespace() {
                position += 1;
                continue;
            }
            let starts_flag =
                character == '-' && matches!(characters.get(position + 1), Some((_, '-')));
            if !starts_flag {
                return (rest_from(line, offset), flags);
            }
            phase = Phase::Word;
        }
        match phase {
            Phase::Word => {
                if character.is_whitespace() {
                    phase = Phase::Spaces;
                    if word == "--" {
                        return (rest_from(line, offset), flags);
                    }
                    if blank_ok || !word.is_empty() {
                        flags.push(std::mem::take(&mut word));
                    }
                    word.clear();
                    blank_ok = false;
                } else if character == '\'' || character == '"' {
                    phase = Phase::Quote(character);
                    blank_ok = true;
                } else if character == '\\' {
                    if let Some((_, escaped)) = characters.get(position + 1) {
                        word.push(*escaped);
                        position += 1;
                    }
                } else {
                    word.push(character);
                }
            }
            Phase::Quote(quote) => {
                if character == quote {
                    phase = Phase::Word;
                } else if character == '\\' {
                    match characters.get(position + 1) {
                        Some((_, escaped)) => {
                            word.push(*escaped);
                            position += 1;
                        }
                        None => phase = Phase::Word,
                    }
                } else {
                    word.push(character);
                }
            }
            Phase::Spaces => {}
        }
        position += 1;
    }
    if phase != Phase::Spaces && word != "--" && (blank_ok || !word.is_empty()) {
        flags.push(word);
    }
    (String::new(), flags)
}

/// The text from byte `offset` (a character boundary) on.
fn rest_from(line: &str, offset: usize) -> String {
    line.get(offset..).unwrap_or_default().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(line: &str) -> (String, Vec<String>, String) {
        let split = split_command(line);
        (split.keyword, split.flags, split.arguments)
    }

    #[test]
    fn splits_keyword_flags_and_arguments() {
        assert_eq!(
            split("  RUN --mount=type=cache,target=/x --network=none  apt-get update "),
            (
                "RUN".to_owned(),
                vec![
                    "--mount=type=cache,target=/x".to_owned(),
                    "--network=none".to_owned()
                ],
                "apt-get update".to_owned()
            )
        );
        assert_eq!(
            split("COPY --link"),
            ("COPY".to_owned(), vec!["--link".to_owned()], String::new())
        );
        assert_eq!(
            split("RUN -- --x"),
            ("RUN".to_owned(), vec![], "--x".to_owned())
        );
        assert_eq!(split("FROM"), ("FROM".to_owned(), vec![], String::new()));
        assert_eq!(
            split("COPY --chown=\"a b\" x y"),
            (
                "COPY".to_owned(),
                vec!["--chown=a b".to_owned()],
                "x y".to_owned()
            )
        );
        assert_eq!(split("RUN -x"), ("RUN".to_owned(), vec![], "-x".to_owned()));
    }
}
