//! Robustness, in: generated RUNs (random shell fragments, options and env, and mutated cache
//! fixtures, from a fixed seed); out: nothing, as long as planning never panics and every plan
//! keeps its documented invariants (`exercise_plan`). Invariant: deterministic and bounded in
//! time, so it runs in every `cargo test`.

// Generators and fixture readers outside `#[test]` functions: a broken one should fail loudly.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::{Duration, Instant};

use cachefront_cache::exercise_plan as exercise;

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

const SCRIPT: &[&str] = &[
    "apt-get update",
    "apt-get install -y curl",
    "apt install x",
    "rm -rf /var/lib/apt/lists/*",
    "rm -rf /root/.cache",
    "rm -rf \"$HOME\"/.cache/*",
    "rm -rf /tmp/*",
    "find /root -delete",
    "pip install --no-cache-dir -r r.txt",
    "python3 -m pip install x",
    "pip cache dir",
    "pip3.12 install",
    "uv pip install x",
    "npm ci",
    "npm cache clean --force",
    "yarn install --immutable",
    "corepack yarn",
    "go build ./...",
    "go env GOMODCACHE",
    "cargo build --release",
    "mvn -B package",
    "./gradlew build",
    "apk add --no-cache x",
    "apk update",
    "dnf install -y x",
    "ccache -s",
    "sudo",
    "sudo -u nobody",
    "env -i",
    "env -u HOME",
    "nice -n 5",
    "HOME=/x",
    "PIP_NO_CACHE_DIR=1",
    "export GOCACHE=/g",
    "unset HOME",
    "cd /app",
    "cd ..",
    "sh -c '",
    "bash -c \"",
    "'",
    "\"",
    "$(",
    ")",
    "`",
    "(",
    "{ ",
    " }",
    " && ",
    " || ",
    "; ",
    " | ",
    "\n",
    "\\\n",
    "if true; then ",
    "; fi",
    "for x in a b; do ",
    "; done",
    "eval ",
    "$HOME",
    "${HOME:-/h}",
    "${X:?}",
    "$1",
    "~",
    "*",
    "?",
    "[",
    " ",
    "--",
    "-",
    "=",
    "#",
    "<<EOF\n",
    "\nEOF",
    "é",
    "\u{0}",
];

const OPTIONS: &[&str] = &[
    "user: 1000:1000:/home/u\n",
    "user: 0:0:/root\n",
    "user: x\n",
    "workdir: /app\n",
    "workdir: relative\n",
    "offline: true\n",
    "opted-out: true\n",
    "form: exec\n",
    "protected: /root/.cache\n",
    "protected: x\n",
    "mount: /var/cache/apt\n",
    "mount: /\n",
    "distro: debian 12\n",
    "distro: fedora 40\n",
    "distro: alpine 3.19\n",
    "os-release: ID=ubuntu\\nVERSION_ID=\"22.04\"\n",
    "platform: linux/amd64\n",
    "build-arg: CACHEFRONT_CACHE_ID=scoped\n",
    "build-arg: BUILDKIT_CACHE_MOUNT_NS=ns\n",
    "build-arg: CACHEFRONT_RULES=tool=/c,locked\n",
    "build-arg: CACHEFRONT_RULES=x=$HOME/.x\n",
    "build-arg: CACHEFRONT_DISABLE=apt\n",
    "build-arg: CACHEFRONT=off\n",
    "shell: /bin/bash\n",
    "shell: -c\n",
];

const ENV: &[&str] = &[
    "HOME=/home/u\n",
    "HOME=\n",
    "PIP_CACHE_DIR=/pip\n",
    "PIP_NO_CACHE_DIR=1\n",
    "XDG_CACHE_HOME=relative\n",
    "GOPATH=/go:/other\n",
    "GOFLAGS=-mod=vendor\n",
    "APT_CONFIG=/x\n",
    "YARN_NODE_LINKER=pnp\n",
    "CARGO_HOME=/usr/local/cargo\n",
];

fn generated(random: &mut Random) -> Vec<u8> {
    let mut text = String::new();
    for _ in 0..random.below(30) {
        text.push_str(random.pick(SCRIPT));
        text.push(' ');
    }
    text.push('\0');
    for _ in 0..random.below(4) {
        text.push_str(random.pick(ENV));
    }
    text.push('\0');
    for _ in 0..random.below(5) {
        text.push_str(random.pick(OPTIONS));
    }
    if random.below(4) == 0 {
        text.push('\0');
        for _ in 0..random.below(10) {
            text.push_str(random.pick(SCRIPT));
        }
    }
    text.into_bytes()
}

fn mutate(random: &mut Random, source: &[u8]) -> Vec<u8> {
    let mut bytes = source.to_vec();
    for _ in 0..1 + random.below(6) {
        let position = random.below(bytes.len() + 1);
        match random.below(3) {
            0 if position < bytes.len() => {
                bytes.remove(position);
            }
            1 => {
                let fragment = random.pick(SCRIPT).as_bytes();
                bytes.splice(position..position, fragment.iter().copied());
            }
            _ => {
                let end = (position + random.below(40)).min(bytes.len());
                let copy = bytes[position..end].to_vec();
                bytes.splice(position..position, copy);
            }
        }
    }
    bytes
}

/// Each cache fixture in the probe's layout: `run.sh \0 env \0 input`.
fn fixtures() -> Vec<Vec<u8>> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/cache");
    let mut cases = Vec::new();
    for case in std::fs::read_dir(root).expect("cache fixtures").flatten() {
        let read = |name: &str| std::fs::read(case.path().join(name)).unwrap_or_default();
        let mut bytes = read("run.sh");
        bytes.push(0);
        bytes.extend(read("env"));
        bytes.push(0);
        bytes.extend(read("input"));
        cases.push(bytes);
    }
    cases
}

#[test]
fn fixtures_keep_the_plan_invariants() {
    let fixtures = fixtures();
    assert!(fixtures.len() > 20, "cache fixtures are found");
    for fixture in &fixtures {
        let broken = exercise(fixture);
        assert!(
            broken.is_empty(),
            "{}: {broken:?}",
            String::from_utf8_lossy(fixture)
        );
    }
}

#[test]
fn generated_and_mutated_runs_never_panic() {
    let deadline = Instant::now() + Duration::from_secs(4);
    let fixtures = fixtures();
    let mut random = Random(0xCAC4_E5EE_D000_0001);
    let mut runs = 0;
    while runs < 20_000 && Instant::now() < deadline {
        let input = if random.below(2) == 0 {
            generated(&mut random)
        } else {
            let base = &fixtures[random.below(fixtures.len())];
            mutate(&mut random, base)
        };
        let broken = exercise(&input);
        assert!(
            broken.is_empty(),
            "{:?}: {broken:?}",
            String::from_utf8_lossy(&input)
        );
        runs += 1;
    }
    eprintln!("{runs} generated RUNs planned");
    assert!(runs > 100, "only {runs} inputs ran");
}

#[test]
fn hostile_runs_stay_bounded() {
    let inputs = [
        "apt-get update && ".repeat(2_000) + "true",
        "(".repeat(200) + "pip install x" + &")".repeat(200),
        "$(".repeat(100) + "npm ci" + &")".repeat(100),
        "sh -c \"".to_owned() + &"sh -c \\\"".repeat(30) + "pip install x",
        format!("rm -rf /root/{}\0\0\0", "*a".repeat(3_000)) + "pip install x",
        "sudo ".repeat(2_000) + "pip install x",
        "x".repeat(70_000),
    ];
    for input in inputs {
        let started = Instant::now();
        let _ = exercise(input.as_bytes());
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{} took {:?}",
            &input[..40.min(input.len())],
            started.elapsed()
        );
    }
}
