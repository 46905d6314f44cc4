//! Fuzz target, in: arbitrary bytes as a Dockerfile; out: nothing, unless parsing, typing,
//! dumping, error rendering or expanding any instruction panics.
//! Invariant: exercises every public entry point of cachefront-dockerfile on the same input.

#![no_main]

use cachefront_dockerfile::expand::Lexer;
use cachefront_dockerfile::instructions::{expand_command, expand_stage};
use cachefront_dockerfile::parse::dump;
use cachefront_dockerfile::{parse_and_type, render_error};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let env: Vec<(String, String)> = vec![
        ("A".to_owned(), "a b*c".to_owned()),
        ("P".to_owned(), "linux/amd64".to_owned()),
        ("EMPTY".to_owned(), String::new()),
    ];
    match parse_and_type(data) {
        Ok((ast, dockerfile)) => {
            let _ = dump(&ast);
            let lexer = Lexer::new(ast.directives.escape);
            for stage in &dockerfile.stages {
                let _ = expand_stage(stage, &lexer, &env);
                for command in &stage.commands {
                    let _ = expand_command(&command.kind, &lexer, &env);
                }
            }
        }
        Err(error) => {
            let _ = render_error("Dockerfile", data, &error);
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Lexer::new('\\').expand_words(text, &env);
        let _ = Lexer::new('`').expand_word(text, &env);
    }
});
