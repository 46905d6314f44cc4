//! Values of `RUN --mount` fields, in: one value after expansion; out: what Go makes of it
//! (`strconv.ParseBool`, `strconv.ParseUint`, docker/go-units' `RAMInBytes`), or nothing when Go
//! rejects it, plus the parse-time test for a variable in `from`. Invariant: accepts exactly what
//! the Go functions BuildKit calls accept.

/// Go regexp `\$.`: a `$` followed by any character but a newline.
pub(super) fn has_variable(text: &str) -> bool {
    text.chars()
        .zip(text.chars().skip(1))
        .any(|(dollar, next)| dollar == '$' && next != '\n')
}

/// Go's `strconv.ParseBool`.
pub fn go_bool(text: &str) -> Option<bool> {
    match text {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Go's `strconv.ParseUint(text, radix, 32)`: digits only, no sign.
pub(super) fn go_uint32(text: &str, radix: u32) -> Option<u32> {
    let digits_only = !text.is_empty() && text.chars().all(|digit| digit.is_digit(radix));
    digits_only
        .then(|| u32::from_str_radix(text, radix).ok())
        .flatten()
}

/// `units.RAMInBytes` of docker/go-units: a number, an optional space, then nothing, `b`, or a
/// binary unit (`k`, `m`, `g`, `t`, `p`, any case) optionally followed by `b` or `ib`.
pub(super) fn ram_in_bytes(text: &str) -> Option<i64> {
    let separator =
        text.rfind(|character: char| character.is_ascii_digit() || matches!(character, '.' | ' '))?;
    // The separator is one ASCII byte: the number ends with it, or just before it if a space.
    let (head, suffix) = text.split_at(separator + 1);
    let number = head.strip_suffix(' ').unwrap_or(head);
    let size = number.parse::<f64>().ok().filter(|size| *size >= 0.0)?;
    if suffix.len() > 3 {
        return None;
    }
    let suffix = suffix.to_lowercase();
    let mut characters = suffix.chars();
    let multiplier: f64 = match characters.next() {
        None => 1.0,
        Some('b') => return (suffix.len() == 1).then_some(size as i64),
        Some('k') => 1024.0,
        Some('m') => 1024.0_f64.powi(2),
        Some('g') => 1024.0_f64.powi(3),
        Some('t') => 1024.0_f64.powi(4),
        Some('p') => 1024.0_f64.powi(5),
        Some(_) => return None,
    };
    matches!(characters.as_str(), "" | "b" | "ib").then_some((size * multiplier) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_as_go_units() {
        assert_eq!(ram_in_bytes("1m"), Some(1 << 20));
        assert_eq!(ram_in_bytes("64 MiB"), Some(64 << 20));
        assert_eq!(ram_in_bytes("1.5k"), Some(1536));
        assert_eq!(ram_in_bytes("10"), Some(10));
        assert_eq!(ram_in_bytes("10b"), Some(10));
        assert_eq!(ram_in_bytes("2GB"), Some(2 << 30));
        assert_eq!(ram_in_bytes("1kk"), None);
        assert_eq!(ram_in_bytes("1bb"), None);
        assert_eq!(ram_in_bytes("-1m"), None);
        assert_eq!(ram_in_bytes("m"), None);
    }

    #[test]
    fn booleans_and_numbers_as_go() {
        assert_eq!(go_bool("True"), Some(true));
        assert_eq!(go_bool("tRuE"), None);
        assert_eq!(go_bool("0"), Some(false));
        assert_eq!(go_uint32("0700", 8), Some(0o700));
        assert_eq!(go_uint32("8", 8), None);
        assert_eq!(go_uint32("+1", 10), None);
        assert_eq!(go_uint32("", 10), None);
        assert_eq!(go_uint32("4294967295", 10), Some(u32::MAX));
        assert!(has_variable("$X") && !has_variable("x$") && !has_variable("$\n"));
    }
}
