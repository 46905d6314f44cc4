//! Fuzz target, in: arbitrary bytes as a Dockerfile; out: nothing, unless parsing, typing,
//! dumping, error rendering or expanding any instruction panics.
//! Invariant: the same probe as the seeded no-panic test (`exercise_every_entry_point`).

#![no_main]

use cachefront_dockerfile::exercise_every_entry_point;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    exercise_every_entry_point(data);
});
