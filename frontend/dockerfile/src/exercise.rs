//! Robustness probe, in: arbitrary bytes as a Dockerfile; out: nothing. Drives every public entry
//! point of this crate (parse, type, dump, render errors, expand stages, commands, RUN mounts and
//! words, split CSV) on
//! the same input, for the fuzz target and the seeded no-panic test alike. Invariant: returns
//! normally for every input; a panic anywhere in the crate surfaces here.

use crate::expand::{Lexer, Lookup};
use crate::instructions::{expand_command, expand_stage, CommandKind};
use crate::parse::dump;
use crate::{parse_and_type, render_error};

/// Runs everything a caller can do with `source`, discarding the results.
pub fn exercise_every_entry_point(source: &[u8]) {
    let env: Vec<(String, String)> = [
        ("A", "a b*c"),
        ("P", "linux/amd64"),
        ("X", "${A}"),
        ("EMPTY", ""),
    ]
    .iter()
    .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
    .collect();
    match parse_and_type(source) {
        Ok((ast, dockerfile)) => {
            let _ = dump(&ast);
            let lexer = Lexer::new(ast.directives.escape);
            for stage in &dockerfile.stages {
                let _ = expand_stage(stage, &lexer, &env);
                for command in &stage.commands {
                    let _ = expand_command(&command.kind, &lexer, &env);
                    if let CommandKind::Run(run) = &command.kind {
                        for mount in &run.mounts {
                            let _ = mount.expand(&mut |word| lexer.expand_word(word, &env));
                        }
                    }
                }
            }
        }
        Err(error) => {
            let _ = render_error("Dockerfile", source, &error);
            let _ = error.to_string();
        }
    }
    let text = String::from_utf8_lossy(source);
    for escape in ['\\', '`'] {
        let lexer = Lexer::new(escape);
        let _ = lexer.expand_words(&text, &env);
        let _ = lexer.expand_word(&text, &env);
    }
    let _ = Lexer::for_heredoc_content().expand_word(&text, &env as &dyn Lookup);
    let _ = crate::csv::split_fields(&text);
}
