//! Field splitting, in: the characters and substituted values of a word, in order; out: the
//! fields `ProcessWords` returns. Invariant: as BuildKit's `wordsStruct`: unquoted whitespace in
//! literal text or substituted values splits fields, quoted text never does, and an empty field
//! is dropped even when it was quoted.

/// Field splitting state (BuildKit `wordsStruct`).
#[derive(Default)]
pub(super) struct Fields {
    current: String,
    words: Vec<String>,
    in_word: bool,
}

impl Fields {
    #[inline]
    pub(super) fn add_character(&mut self, character: char) {
        if character.is_whitespace() {
            if self.in_word && !self.current.is_empty() {
                self.words.push(std::mem::take(&mut self.current));
                self.in_word = false;
            }
        } else {
            self.add_raw_character(character);
        }
    }

    #[inline]
    pub(super) fn add_raw_character(&mut self, character: char) {
        self.current.push(character);
        self.in_word = true;
    }

    #[inline]
    pub(super) fn add_string(&mut self, text: &str) {
        for character in text.chars() {
            self.add_character(character);
        }
    }

    #[inline]
    pub(super) fn add_raw_string(&mut self, text: &str) {
        self.current.push_str(text);
        self.in_word = true;
    }

    #[inline]
    pub(super) fn finish(mut self) -> Vec<String> {
        if !self.current.is_empty() {
            self.words.push(std::mem::take(&mut self.current));
        }
        self.words
    }
}
