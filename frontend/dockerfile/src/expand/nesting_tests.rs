//! Deep nesting tests: `${a:-${a:-...}}` thousands of levels deep expands as BuildKit expands it
//! (Go's stacks grow, so BuildKit sets no limit), fails with BuildKit's message when a brace is
//! missing, and never grows the call stack.

use super::*;

/// `${name:-` `depth` times, then `innermost`, then `depth` closing braces (or one fewer).
fn nested_defaults(name: &str, depth: usize, innermost: &str, closed: bool) -> String {
    let closing = if closed { depth } else { depth - 1 };
    format!(
        "{}{innermost}{}",
        format!("${{{name}:-").repeat(depth),
        "}".repeat(closing)
    )
}

fn expand(word: &str, env: &dyn Lookup) -> Result<String, ExpandError> {
    Lexer::new('\\').expand_word(word, env)
}

#[test]
fn five_thousand_levels_expand() {
    let word = nested_defaults("a", 5_000, "deep value", true);
    assert_eq!(
        expand(&word, &NoVariables).ok().as_deref(),
        Some("deep value")
    );
    let env = vec![("a".to_owned(), "set".to_owned())];
    assert_eq!(expand(&word, &env).ok().as_deref(), Some("set"));
    let expansion = Lexer::new('\\').expand(&word, &NoVariables).ok();
    assert_eq!(
        expansion.map(|expansion| (expansion.words, expansion.unmatched)),
        Some((
            vec!["deep".to_owned(), "value".to_owned()],
            ["a".to_owned()].into_iter().collect()
        ))
    );
}

#[test]
fn deep_quotes_and_replacements_expand() {
    let depth = 5_000;
    let quoted = format!("{}x y{}", "${a:-\"".repeat(depth), "\"}".repeat(depth));
    assert_eq!(expand(&quoted, &NoVariables).ok().as_deref(), Some("x y"));
    // What a substitution gives is split into fields even where it was quoted inside, as BuildKit
    // splits it; quoting the whole reference keeps it one field.
    let lexer = Lexer::new('\\');
    let words = lexer.expand_words(&quoted, &NoVariables);
    assert_eq!(words.ok(), Some(vec!["x".to_owned(), "y".to_owned()]));
    let words = lexer.expand_words(&format!("\"{quoted}\""), &NoVariables);
    assert_eq!(words.ok(), Some(vec!["x y".to_owned()]));
    // `${v/${v/...${v/a/x}.../x}/x}` with v=a: the innermost level gives `x`, which does not
    // match `a`, so the next gives `a`, which matches again: odd depths give `x`, even ones `a`.
    let replaced = |depth: usize| format!("{}a{}", "${v/".repeat(depth), "/x}".repeat(depth));
    let env = vec![("v".to_owned(), "a".to_owned())];
    assert_eq!(expand(&replaced(depth), &env).ok().as_deref(), Some("a"));
    assert_eq!(
        expand(&replaced(depth + 1), &env).ok().as_deref(),
        Some("x")
    );
}

#[test]
fn a_missing_brace_deep_inside_is_reported_as_buildkit_does() {
    let word = nested_defaults("a", 5_000, "x", false);
    let error = expand(&word, &NoVariables).err();
    assert_eq!(
        error.map(|error| error.reason).as_deref(),
        Some("syntax error: missing '}'")
    );
    // At the end of input, the outermost unfinished substitution names what it misses.
    let reason = |word: &str| expand(word, &NoVariables).err().map(|error| error.reason);
    assert_eq!(
        reason("${A/${B:-${C:-x").as_deref(),
        Some("syntax error: missing '/' in ${}")
    );
    assert_eq!(
        reason("${A:-${B/${C:-x").as_deref(),
        Some("syntax error: missing '}'")
    );
    // Before the end of input, the innermost error stands.
    assert_eq!(
        reason("${A:-${B/${C:x}/y}}").as_deref(),
        Some("unsupported modifier (:x) in substitution")
    );
}

#[test]
fn nesting_does_not_grow_the_call_stack() {
    // A 64 KiB line holds about 13,000 levels of `${a-`; expand more than that on a thread whose
    // stack could not hold one frame per level.
    let word = format!("{}x{}", "${a-".repeat(20_000), "}".repeat(20_000));
    let expanded = std::thread::Builder::new()
        .stack_size(128 * 1024)
        .spawn(move || Lexer::new('\\').expand_word(&word, &NoVariables).ok())
        .ok()
        .and_then(|thread| thread.join().ok())
        .flatten();
    assert_eq!(expanded.as_deref(), Some("x"));
}
