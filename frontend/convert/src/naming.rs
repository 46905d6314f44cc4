//! Progress names, in: a stage's position and an instruction's text; out: names such as
//! `[builder 2/5] RUN make`, as the stock frontend shows them.

use cachefront_llb::Platform;

/// Counts a stage's numbered steps and formats their names.
#[derive(Debug, Clone, Default)]
pub struct StepCounter {
    /// The stage's name in progress output; empty when the Dockerfile has one stage.
    pub stage_name: String,
    pub total: usize,
    pub index: usize,
    /// Set when several platforms are built at once.
    pub platform: Option<Platform>,
}

impl StepCounter {
    /// The next step's name; `text` is the instruction with its keyword uppercased.
    pub fn next_name(&mut self, text: &str) -> String {
        if self.total == 0 {
            return text.to_owned();
        }
        self.index += 1;
        let mut name = String::from("[");
        if let Some(platform) = &self.platform {
            name.push_str(&format!("{platform} "));
        }
        if !self.stage_name.is_empty() {
            name.push_str(&self.stage_name);
            name.push(' ');
        }
        let width = self.total.to_string().len();
        name.push_str(&format!("{:>width$}/{}] {}", self.index, self.total, text));
        name
    }
}

/// The instruction's text with its keyword uppercased (`run make` reads `RUN make`).
pub fn uppercase_keyword(text: &str) -> String {
    match text.split_once(' ') {
        Some((keyword, rest)) => format!("{} {}", keyword.to_uppercase(), rest),
        None => text.to_uppercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_like_upstream() {
        let mut counter = StepCounter {
            stage_name: "stage-0".into(),
            total: 12,
            ..StepCounter::default()
        };
        assert_eq!(counter.next_name("FROM x"), "[stage-0  1/12] FROM x");
        let mut single = StepCounter {
            total: 3,
            ..StepCounter::default()
        };
        assert_eq!(single.next_name("RUN a"), "[1/3] RUN a");
        assert_eq!(uppercase_keyword("run echo hi"), "RUN echo hi");
    }
}
