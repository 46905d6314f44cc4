//! Fuzz target, in: arbitrary bytes as RUN flag values (`mount \0 network \0 security`); out:
//! nothing, unless the Dockerfile `FROM x` / `RUN --mount=<mount> [--network=<network>]
//! [--security=<security>] true` makes parsing, typing or expanding panic.
//! Invariant: drives the mount parser only through the dockerfile crate's stable probe
//! (`exercise_every_entry_point`: `parse_and_type`, then expansion of every command), so the
//! target keeps working whatever shape the parser's own API takes.

#![no_main]

use cachefront_dockerfile::exercise_every_entry_point;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // One RUN line: line breaks would start new instructions, which the parse target covers.
    let one_line: Vec<u8> = data
        .iter()
        .map(|&byte| if byte == b'\n' || byte == b'\r' { b' ' } else { byte })
        .collect();
    let mut values = one_line.split(|&byte| byte == 0);
    let mut dockerfile = b"FROM x\nRUN --mount=".to_vec();
    dockerfile.extend_from_slice(values.next().unwrap_or_default());
    if let Some(network) = values.next() {
        dockerfile.extend_from_slice(b" --network=");
        dockerfile.extend_from_slice(network);
    }
    if let Some(security) = values.next() {
        dockerfile.extend_from_slice(b" --security=");
        dockerfile.extend_from_slice(security);
    }
    dockerfile.extend_from_slice(b" true\n");
    exercise_every_entry_point(&dockerfile);
});
