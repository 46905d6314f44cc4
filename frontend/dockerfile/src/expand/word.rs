//! The word processor, in: one word, a lexer configuration and an environment; out: the expanded
//! string, its fields and the variables used, or the reason it failed.
//! Invariant: a character-for-character port of BuildKit's `shellWord` state machine, run with an
//! explicit stack instead of recursion: `${a:-${b:-...}}` nests as deep as the input allows (as in
//! Go, whose stacks grow) while the call stack stays flat. Every step consumes input or finishes a
//! frame, so it terminates on any input.

use super::dollar::{self, Dollar, Nested, Pending};
use super::fields::Fields;
use super::reason::ExpandReason;
use super::scanner::Scanner;
use super::{Expansion, Lexer, Lookup};

pub(super) fn process(
    lexer: &Lexer,
    word: &str,
    env: &dyn Lookup,
) -> Result<Expansion, ExpandReason> {
    if let Some(expansion) = plain_word(lexer, word) {
        return Ok(expansion);
    }
    let mut scanner = Scanner::new(lexer, word, env);
    // Each entry is a word interrupted by a `${...}` whose nested word is being read.
    let mut suspended: Vec<(Level, Pending)> = Vec::new();
    let mut active = Level::new(WordFrame::top(lexer.raw_escapes));
    loop {
        let event = match active.run(&mut scanner) {
            Ok(event) => event,
            Err(reason) => return Err(unwind(&suspended, reason, &scanner)),
        };
        let (text, fields) = match event {
            Event::Substitution(nested) => {
                let child = Level::nested(&nested);
                suspended.push((std::mem::replace(&mut active, child), nested.pending));
                continue;
            }
            Event::Finished => active.word.finish(),
        };
        let Some((mut level, pending)) = suspended.pop() else {
            return Ok(Expansion {
                result: text,
                words: fields.map(Fields::finish).unwrap_or_default(),
                matched: scanner.matched,
                unmatched: scanner.unmatched,
            });
        };
        match pending.resume(text, &mut scanner) {
            Ok(Dollar::Value(value)) => {
                level.add_substituted(&value);
                active = level;
            }
            Ok(Dollar::Nested(nested)) => {
                active = Level::nested(&nested);
                suspended.push((level, nested.pending));
            }
            Err(reason) => return Err(unwind(&suspended, reason, &scanner)),
        }
    }
}

/// The expansion of a word with nothing to substitute, unquote or unescape (most words): the word
/// itself, split on whitespace; `None` when the word needs the state machine.
fn plain_word(lexer: &Lexer, word: &str) -> Option<Expansion> {
    let word = word.strip_prefix('\u{FEFF}').unwrap_or(word);
    let processes_quotes = !lexer.skip_process_quotes;
    let is_special = |character: char| {
        character == '$'
            || character == lexer.escape
            || (processes_quotes && (character == '\'' || character == '"'))
    };
    if word.contains(is_special) {
        return None;
    }
    Some(Expansion {
        result: word.to_owned(),
        words: word.split_whitespace().map(str::to_owned).collect(),
        ..Expansion::default()
    })
}

/// The error to report when `reason` stops expansion: when the input has ended, the outermost
/// unfinished `${` reports its missing delimiter instead (each level of BuildKit's recursion
/// replaces the error so at the end of input).
fn unwind(suspended: &[(Level, Pending)], reason: ExpandReason, scanner: &Scanner) -> ExpandReason {
    match suspended.first() {
        Some((_, pending)) if scanner.at_end() => pending.missing_at_end(),
        _ => reason,
    }
}

/// What running a level stopped at.
enum Event {
    /// A `${...}` needs its nested word read before this level can go on.
    Substitution(Nested),
    /// The level's word ended (at its stop character or the end of input).
    Finished,
}

/// One word being read (BuildKit `processStopOn`), possibly inside an open double quote.
struct Level {
    word: WordFrame,
    /// A `"..."` of this word being read.
    quote: Option<DoubleQuoted>,
}

impl Level {
    fn new(word: WordFrame) -> Level {
        Level { word, quote: None }
    }

    fn nested(nested: &Nested) -> Level {
        Level::new(WordFrame {
            stop: Some(nested.stop),
            raw_escapes: nested.raw_escapes,
            result: String::new(),
            fields: None,
        })
    }

    fn run(&mut self, scanner: &mut Scanner) -> Result<Event, ExpandReason> {
        loop {
            if let Some(quote) = &mut self.quote {
                if let Some(nested) = quote.run(scanner, self.word.raw_escapes)? {
                    return Ok(Event::Substitution(nested));
                }
                if let Some(quote) = self.quote.take() {
                    self.word.add_quoted(&quote.text);
                }
            }
            match self.word.run(scanner)? {
                WordStep::Quote(quote) => self.quote = Some(quote),
                WordStep::Substitution(nested) => return Ok(Event::Substitution(nested)),
                WordStep::Finished => return Ok(Event::Finished),
            }
        }
    }

    fn add_substituted(&mut self, value: &str) {
        match &mut self.quote {
            Some(quote) => quote.text.push_str(value),
            None => self.word.add_substituted(value),
        }
    }
}

/// Where reading a word's own characters stopped.
enum WordStep {
    /// A `"` opened (and was consumed).
    Quote(DoubleQuoted),
    Substitution(Nested),
    Finished,
}

/// The text of one word so far.
struct WordFrame {
    /// The character that ends the word (consumed); `None` for the whole input.
    stop: Option<char>,
    /// Keep escape characters (BuildKit `rawEscapes` for this word).
    raw_escapes: bool,
    result: String,
    /// Field splitting, kept for the outermost word only (nested words are used as strings).
    fields: Option<Fields>,
}

impl WordFrame {
    fn top(raw_escapes: bool) -> WordFrame {
        WordFrame {
            stop: None,
            raw_escapes,
            result: String::new(),
            fields: Some(Fields::default()),
        }
    }

    fn finish(self) -> (String, Option<Fields>) {
        (self.result, self.fields)
    }

    fn add_substituted(&mut self, value: &str) {
        self.result.push_str(value);
        if let Some(fields) = &mut self.fields {
            fields.add_string(value);
        }
    }

    fn add_quoted(&mut self, value: &str) {
        self.result.push_str(value);
        if let Some(fields) = &mut self.fields {
            fields.add_raw_string(value);
        }
    }

    fn add_literal(&mut self, character: char, raw: bool) {
        self.result.push(character);
        if let Some(fields) = &mut self.fields {
            if raw {
                fields.add_raw_character(character);
            } else {
                fields.add_character(character);
            }
        }
    }

    /// Reads literal characters, escapes and single quotes until something needs a frame of its
    /// own, or the word ends.
    fn run(&mut self, scanner: &mut Scanner) -> Result<WordStep, ExpandReason> {
        let escape = scanner.lexer.escape;
        let processes_quotes = !scanner.lexer.skip_process_quotes;
        while let Some(character) = scanner.peek() {
            if self.stop == Some(character) {
                scanner.next();
                return Ok(WordStep::Finished);
            }
            if character == '$' {
                match dollar::start(scanner)? {
                    Dollar::Value(value) => self.add_substituted(&value),
                    Dollar::Nested(nested) => return Ok(WordStep::Substitution(nested)),
                }
            } else if processes_quotes && character == '\'' {
                let value = scanner.read_single_quoted()?;
                self.add_quoted(&value);
            } else if processes_quotes && character == '"' {
                return Ok(WordStep::Quote(DoubleQuoted::open(scanner)));
            } else {
                scanner.next();
                if character != escape {
                    self.add_literal(character, false);
                    continue;
                }
                if self.raw_escapes {
                    self.add_literal(character, true);
                }
                match scanner.next() {
                    None => break,
                    Some(escaped) => self.add_literal(escaped, true),
                }
            }
        }
        match self.stop {
            Some(stop) => Err(ExpandReason::Unterminated(stop)),
            None => Ok(WordStep::Finished),
        }
    }
}

/// The text of one `"..."` so far (BuildKit `processDoubleQuote`).
struct DoubleQuoted {
    text: String,
}

impl DoubleQuoted {
    /// Consumes the opening quote.
    fn open(scanner: &mut Scanner) -> DoubleQuoted {
        let mut text = String::new();
        if let Some(quote) = scanner.next() {
            if scanner.lexer.raw_quotes {
                text.push(quote);
            }
        }
        DoubleQuoted { text }
    }

    /// Reads up to and including the closing quote (`Ok(None)`), or up to a `${...}` that needs
    /// its nested word read first.
    fn run(
        &mut self,
        scanner: &mut Scanner,
        raw_escapes: bool,
    ) -> Result<Option<Nested>, ExpandReason> {
        let escape = scanner.lexer.escape;
        loop {
            match scanner.peek() {
                None => return Err(ExpandReason::UnterminatedDoubleQuote),
                Some('"') => {
                    scanner.next();
                    if scanner.lexer.raw_quotes {
                        self.text.push('"');
                    }
                    return Ok(None);
                }
                Some('$') => match dollar::start(scanner)? {
                    Dollar::Value(value) => self.text.push_str(&value),
                    Dollar::Nested(nested) => return Ok(Some(nested)),
                },
                Some(character) => {
                    scanner.next();
                    let mut literal = character;
                    if character == escape {
                        if raw_escapes {
                            self.text.push(character);
                        }
                        match scanner.peek() {
                            None => continue,
                            Some(next) if next == '"' || next == '$' || next == escape => {
                                scanner.next();
                                literal = next;
                            }
                            Some(_) => {}
                        }
                    }
                    self.text.push(literal);
                }
            }
        }
    }
}
