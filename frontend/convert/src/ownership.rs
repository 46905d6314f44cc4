//! Owners and modes of created files, in: a `user[:group]` (from `--chown` or the stage's USER)
//! or a `--chmod` value; out: LLB's chown spec, or a numeric or symbolic mode. Invariant: values
//! and error text as the stock frontend has them.

use cachefront_llb::{ChownSpec, UserSpec};

use crate::error::{ConvertError, ConvertResult};

/// `--chown=user[:group]`: ids where numeric, names otherwise (resolved in the image by BuildKit).
pub(crate) fn parse_chown(text: &str) -> ChownSpec {
    let to_spec = |part: &str| match part.parse::<u32>() {
        Ok(id) => UserSpec::Id(id),
        Err(_) => UserSpec::Name(part.to_owned()),
    };
    let (user, group) = match text.split_once(':') {
        Some((user, group)) => (user, Some(group)),
        None => (text, None),
    };
    ChownSpec {
        user: Some(to_spec(user)),
        group: group.map(to_spec),
    }
}

/// `--chmod`: octal up to 07777, or a symbolic mode such as `u+x,g-w`.
pub(crate) fn parse_chmod(text: &str) -> ConvertResult<(Option<i32>, Option<String>)> {
    let invalid = || {
        ConvertError::new(format!(
            "invalid chmod parameter: '{text}'. it should be octal string and between 0 and 07777"
        ))
    };
    if text.chars().all(|character| character.is_ascii_digit()) {
        let mode = i32::from_str_radix(text, 8).map_err(|_| invalid())?;
        if mode > 0o7777 {
            return Err(invalid());
        }
        return Ok((Some(mode), None));
    }
    let symbolic = text.split(',').all(|clause| {
        let operator = clause.find(['+', '-', '=']);
        operator.is_some_and(|at| {
            clause[..at].chars().all(|who| "ugoa".contains(who))
                && clause[at + 1..]
                    .chars()
                    .all(|perm| "rwxXst+-=".contains(perm))
        })
    });
    if symbolic {
        Ok((None, Some(text.to_owned())))
    } else {
        Err(invalid())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chown_and_chmod() {
        assert_eq!(
            parse_chown("1000:1000"),
            ChownSpec {
                user: Some(UserSpec::Id(1000)),
                group: Some(UserSpec::Id(1000))
            }
        );
        assert_eq!(
            parse_chown("app"),
            ChownSpec {
                user: Some(UserSpec::Name("app".into())),
                group: None
            }
        );
        assert_eq!(parse_chmod("755"), Ok((Some(0o755), None)));
        assert_eq!(parse_chmod("u+x,g-w"), Ok((None, Some("u+x,g-w".into()))));
        assert!(parse_chmod("99999").is_err());
        assert!(parse_chmod("bogus").is_err());
    }
}
