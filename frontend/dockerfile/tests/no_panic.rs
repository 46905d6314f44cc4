//! Robustness, in: generated Dockerfiles (random fragments and mutated fixtures, from a fixed seed);
//! out: nothing, as long as parsing, typing, dumping, rendering and expanding never panic.
//! Invariant: deterministic (seeded) and bounded in time, so it can run in every `cargo test`.

// Test helpers outside `#[test]` functions index freely: a panic here is a failing test.
#![allow(clippy::indexing_slicing)]

use std::time::{Duration, Instant};

use cachefront_dockerfile::exercise_every_entry_point as exercise;

/// xorshift64*: small, deterministic, good enough to pick fragments.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, limit: usize) -> usize {
        (self.next() % limit.max(1) as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const FRAGMENTS: &[&str] = &[
    "FROM ",
    "RUN ",
    "COPY ",
    "ADD ",
    "ENV ",
    "ARG ",
    "LABEL ",
    "ONBUILD ",
    "HEALTHCHECK ",
    "CMD ",
    "ENTRYPOINT ",
    "SHELL ",
    "WORKDIR ",
    "USER ",
    "EXPOSE ",
    "VOLUME ",
    "STOPSIGNAL ",
    "MAINTAINER ",
    "FROBNICATE ",
    "AS ",
    "NONE ",
    "alpine",
    "scratch",
    "x",
    "=",
    "a=b",
    " ",
    "  ",
    "\t",
    "\n",
    "\r\n",
    "\\\n",
    "\\",
    "`",
    "`\n",
    "\"",
    "'",
    "$",
    "${",
    "}",
    "${A:-",
    "${A#",
    "${A//",
    "/",
    "*",
    "?",
    ":",
    "$A",
    "${A}",
    "<<",
    "<<EOF",
    "<<-EOF",
    "<<'EOF'",
    "EOF",
    "\tEOF",
    "2<<EOF",
    "[",
    "]",
    "[\"a\", \"b\"]",
    "[\"a\", 1]",
    ",",
    "--",
    "--mount=",
    "type=cache,target=/x",
    "from=$X",
    "--network=none",
    "--platform=$P",
    "--chmod=",
    "--link",
    "--from=",
    "--interval=1s",
    "--retries=-1",
    "# ",
    "#",
    "# escape=`\n",
    "# escape=\\\n",
    "# syntax=x\n",
    "# check=skip=all\n",
    "\u{FEFF}",
    "é",
    "한",
    "\u{0}",
    "\u{b}",
    "\u{a0}",
    "\"\"",
    "''",
    "a\\ b",
    "\\$",
    "$$",
    "${?}",
    "${1}",
    "${A/?/x}",
    "${A%%*}",
];

fn random_dockerfile(random: &mut Random) -> Vec<u8> {
    let mut text = String::new();
    for _ in 0..random.below(60) {
        text.push_str(random.pick(FRAGMENTS));
    }
    text.into_bytes()
}

fn mutate(random: &mut Random, source: &[u8]) -> Vec<u8> {
    let mut bytes = source.to_vec();
    for _ in 0..1 + random.below(8) {
        let position = random.below(bytes.len() + 1);
        match random.below(4) {
            0 if position < bytes.len() => {
                bytes.remove(position);
            }
            1 => {
                let fragment = random.pick(FRAGMENTS).as_bytes();
                bytes.splice(position..position, fragment.iter().copied());
            }
            2 if position < bytes.len() => bytes[position] = random.next() as u8,
            _ => {
                let end = (position + random.below(40)).min(bytes.len());
                let copy = bytes[position..end].to_vec();
                bytes.splice(position..position, copy);
            }
        }
    }
    bytes
}

fn fixtures() -> Vec<Vec<u8>> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures");
    let mut sources = Vec::new();
    for area in ["parse", "parse-errors"] {
        let Ok(cases) = std::fs::read_dir(format!("{root}/{area}")) else {
            continue;
        };
        for case in cases.flatten() {
            if let Ok(source) = std::fs::read(case.path().join("Dockerfile")) {
                sources.push(source);
            }
        }
    }
    sources
}

#[test]
fn generated_and_mutated_inputs_never_panic() {
    let deadline = Instant::now() + Duration::from_secs(4);
    let fixtures = fixtures();
    assert!(!fixtures.is_empty(), "fixtures are found");
    let mut random = Random(0x5EED_CAFE_F00D_D00D);
    let mut runs = 0;
    while runs < 20_000 && Instant::now() < deadline {
        let source = if random.below(2) == 0 {
            random_dockerfile(&mut random)
        } else {
            let base = &fixtures[random.below(fixtures.len())];
            mutate(&mut random, base)
        };
        exercise(&source);
        runs += 1;
    }
    eprintln!("{runs} generated inputs ran");
    assert!(runs > 100, "only {runs} inputs ran");
}

#[test]
fn hostile_inputs_stay_bounded() {
    let deep = format!(
        "FROM a\nENV A={}x{}\n",
        "${B:-".repeat(5_000),
        "}".repeat(5_000)
    );
    exercise(deep.as_bytes());
    let stars = format!("FROM a\nENV A=${{X#{}}}\n", "*a".repeat(2_000));
    exercise(stars.as_bytes());
    let chain = format!("FROM a\n{}RUN x\n", "ONBUILD ".repeat(5_000));
    exercise(chain.as_bytes());
    let lines = "FROM a\n".repeat(2_000) + &"RUN a \\\n".repeat(2_000);
    exercise(lines.as_bytes());
    let long = format!("FROM a\nRUN {}\n", "y".repeat(70_000));
    exercise(long.as_bytes());
}
