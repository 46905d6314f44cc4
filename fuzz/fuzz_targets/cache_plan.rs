//! Fuzz target, in: arbitrary bytes read as one RUN with its env, options and settings
//! (`script \0 env \0 options \0 heredoc`, see `cachefront_cache::exercise_plan`); out: nothing,
//! unless planning panics or a plan breaks its documented invariants.
//! Invariant: the same probe as the seeded no-panic test (`frontend/cache/tests/no_panic.rs`).

#![no_main]

use cachefront_cache::exercise_plan;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let broken = exercise_plan(data);
    assert!(
        broken.is_empty(),
        "plan invariants broken: {broken:?} for {:?}",
        String::from_utf8_lossy(data)
    );
});
