//! ONBUILD triggers, in: the trigger lines of a stage's base config and the stage's FROM span;
//! out: typed commands to run before the stage's own, located at the FROM line. Invariant: a
//! trigger that does not parse is the user's error, reported at the FROM line as upstream does.

use cachefront_dockerfile::instructions::Command;
use cachefront_dockerfile::parse::Span;

use crate::error::{located, ConvertResult};

/// Parses each trigger (e.g. `RUN echo hi`) as one instruction.
pub(crate) fn trigger_commands(triggers: &[String], span: Span) -> ConvertResult<Vec<Command>> {
    let mut commands = Vec::new();
    for trigger in triggers {
        let text = format!("FROM scratch\n{trigger}\n");
        let (_, dockerfile) = cachefront_dockerfile::parse_and_type(text.as_bytes())
            .map_err(|error| located(span, format!("failed to parse onbuild trigger: {error}")))?;
        for stage in dockerfile.stages {
            commands.extend(stage.commands.into_iter().map(|mut command| {
                command.span = span;
                command
            }));
        }
    }
    Ok(commands)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triggers_become_commands_at_the_from_line() {
        let span = Span { start: 4, end: 4 };
        let commands = trigger_commands(
            &["RUN echo triggered".to_owned(), "ENV A=1".to_owned()],
            span,
        );
        let Ok(commands) = commands else {
            panic!("{commands:?}");
        };
        assert_eq!(commands.len(), 2);
        assert!(commands.iter().all(|command| command.span == span));
        assert_eq!(commands[0].original, "RUN echo triggered");
    }
}
