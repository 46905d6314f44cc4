//! The per-RUN opt-out comment `# cachefront: off`.
//!
//! Input: one Dockerfile comment line (with or without the leading `#`). Output: whether it
//! opts the next RUN out of the cache pass. Invariant: case and spacing around `#`, `:` and the
//! words do not matter; anything else on the line does (so prose mentioning cachefront is not
//! an opt-out).

/// Whether `line` is `# cachefront: off` (also `disable`/`disabled`, any case and spacing).
pub fn is_opt_out_comment(line: &str) -> bool {
    let text = line.trim();
    let text = text.strip_prefix('#').unwrap_or(text).trim();
    let Some((key, value)) = text.split_once(':') else {
        return false;
    };
    key.trim().eq_ignore_ascii_case("cachefront")
        && matches!(
            value.trim().to_ascii_lowercase().as_str(),
            "off" | "disable" | "disabled"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_the_comment() {
        assert!(is_opt_out_comment("# cachefront: off"));
        assert!(is_opt_out_comment("#CacheFront:OFF"));
        assert!(is_opt_out_comment("  #   cachefront :  disabled  "));
        assert!(is_opt_out_comment("cachefront: off"));
        assert!(!is_opt_out_comment("# cachefront: on"));
        assert!(!is_opt_out_comment("# cachefront is off here"));
        assert!(!is_opt_out_comment("# syntax=cachefront:dev"));
    }
}
