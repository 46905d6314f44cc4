//! Detection tests, one or more per rule: through chains, `sh -c`, `sudo`, exec form, heredocs,
//! wrappers and aliases.

#![allow(clippy::unwrap_used)]

mod common;

use common::{plan, rules, targets, Case};

#[test]
fn apt_through_chains_wrappers_and_aliases() {
    for script in [
        "apt-get update && apt-get install -y curl",
        "apt-get update; apt install -y curl",
        "DEBIAN_FRONTEND=noninteractive apt-get install -y curl",
        "sudo -E apt-get install -y curl",
        "sh -c 'apt-get install -y curl'",
        "bash -ec \"apt-get install -y curl\"",
        "env DEBIAN_FRONTEND=noninteractive /usr/bin/apt-get install -y curl",
        "(cd /tmp && apt-get install -y curl) | tee /log",
        "if true; then apt-get install -y curl; fi",
        "echo $(apt-get install -y curl)",
        "eval 'apt-get install -y curl'",
        "nice -n 10 timeout 300 eatmydata apt-get install -y curl",
    ] {
        assert_eq!(targets(&plan(script, &[])), ["/var/cache/apt"], "{script}");
    }
    assert!(targets(&plan("apt-get remove -y curl", &[])).is_empty());
    assert!(targets(&plan("echo apt-get install", &[])).is_empty());
}

#[test]
fn apt_in_exec_form_and_heredoc() {
    let exec = Case::default().exec(&["apt-get", "install", "-y", "curl"]);
    assert_eq!(targets(&exec), ["/var/cache/apt"]);
    let exec_shell = Case::default().exec(&["/bin/bash", "-c", "apt-get install -y curl"]);
    assert_eq!(targets(&exec_shell), ["/var/cache/apt"]);
    let heredoc = Case {
        heredocs: vec![("apt-get update\napt-get install -y curl\n", true)],
        ..Case::default()
    }
    .script("");
    assert_eq!(targets(&heredoc), ["/var/cache/apt"]);
    let not_shell = Case {
        heredocs: vec![("apt-get install -y curl\n", false)],
        ..Case::default()
    }
    .script("python3 /dev/stdin");
    assert!(targets(&not_shell).is_empty());
    let inline = plan("sudo bash <<EOF\napt-get install -y curl\nEOF", &[]);
    assert_eq!(targets(&inline), ["/var/cache/apt"]);
}

#[test]
fn apt_lists_only_when_deleted_at_the_end() {
    let cached = plan(
        "apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*",
        &[],
    );
    assert_eq!(targets(&cached), ["/var/cache/apt", "/var/lib/apt/lists"]);
    assert_eq!(
        common::mount_points(&cached),
        ["/var/cache/apt", "/.cachefront/apt/var/lib/apt/lists"]
    );
    assert_eq!(cached.cache_mounts[1].id, "//var/lib/apt/lists");
    assert!(
        cached.script.is_none(),
        "the rm runs unchanged on the real lists"
    );
    for script in [
        "apt-get update && apt-get install -y curl",
        "rm -rf /var/lib/apt/lists/* && apt-get update && apt-get install -y curl",
        "apt-get update && apt-get install -y curl || rm -rf /var/lib/apt/lists/*",
        "apt-get install -y curl && rm -rf /var/lib/apt/lists/*",
    ] {
        assert_eq!(targets(&plan(script, &[])), ["/var/cache/apt"], "{script}");
    }
}

#[test]
fn system_package_managers() {
    let alpine = Case::default().with_distro("alpine", "3.20.0");
    assert_eq!(
        targets(&alpine.script("apk add --no-cache curl")),
        ["/etc/apk/cache"]
    );
    assert_eq!(
        targets(&alpine.script("apk update && apk add curl")),
        ["/etc/apk/cache"]
    );
    assert!(targets(&alpine.script("apk add curl")).is_empty());
    let debian = Case::default().with_distro("debian", "12");
    assert!(targets(&debian.script("apk add --no-cache curl")).is_empty());
    assert!(targets(&alpine.script("apt-get install -y curl")).is_empty());
    let rocky = Case::default().with_distro("rocky", "9.3");
    assert_eq!(
        targets(&rocky.script("dnf install -y gcc")),
        ["/var/cache/dnf", "/var/cache/libdnf5"]
    );
    assert_eq!(
        targets(&rocky.script("yum install -y gcc")),
        ["/var/cache/yum", "/var/cache/dnf"]
    );
    assert!(targets(&Case::default().script("yum install -y gcc")).is_empty());
    assert_eq!(
        targets(&plan("microdnf install -y gcc", &[])),
        ["/var/cache/yum", "/var/cache/libdnf5"]
    );
    assert_eq!(
        targets(&plan("zypper -n install gcc", &[])),
        ["/var/cache/zypp"]
    );
}

#[test]
fn python_tools() {
    for script in [
        "pip install flask",
        "pip3 install flask",
        "pip3.12 install -r requirements.txt",
        "python -m pip install flask",
        "python3 -m pip install --upgrade pip",
        "/usr/local/bin/python3.11 -m pip wheel .",
        "pip --disable-pip-version-check install flask",
    ] {
        assert_eq!(
            targets(&plan(script, &[])),
            ["/root/.cache/pip"],
            "{script}"
        );
    }
    assert!(targets(&plan("pip freeze > requirements.txt", &[])).is_empty());
    let with_dir = plan("pip install flask", &[("PIP_CACHE_DIR", "/cache/pip/")]);
    assert_eq!(targets(&with_dir), ["/cache/pip"]);
    let xdg = plan("pip install flask", &[("XDG_CACHE_HOME", "/xdg")]);
    assert_eq!(targets(&xdg), ["/xdg/pip"]);
    assert_eq!(
        targets(&plan("uv pip install --system flask", &[])),
        ["/root/.cache/uv"]
    );
    assert_eq!(
        targets(&plan("uv sync --frozen", &[("UV_CACHE_DIR", "/uv")])),
        ["/uv"]
    );
    assert_eq!(
        targets(&plan("poetry install --no-root", &[])),
        [
            "/root/.cache/pypoetry/cache",
            "/root/.cache/pypoetry/artifacts"
        ]
    );
    assert_eq!(
        targets(&plan("pdm install --prod", &[])),
        ["/root/.cache/pdm/http", "/root/.cache/pdm/wheels"]
    );
    assert_eq!(
        targets(&plan("pipenv install --deploy --system", &[])),
        ["/root/.cache/pipenv", "/root/.cache/pip"]
    );
}

#[test]
fn conda_needs_a_known_root_prefix() {
    assert_eq!(
        targets(&plan("/opt/conda/bin/conda install -y numpy", &[])),
        ["/opt/conda/pkgs"]
    );
    assert_eq!(
        targets(&plan(
            "micromamba install -y -n base numpy",
            &[("MAMBA_ROOT_PREFIX", "/opt/conda")]
        )),
        ["/opt/conda/pkgs"]
    );
    assert_eq!(
        targets(&plan(
            "mamba install -y numpy",
            &[("CONDA_PKGS_DIRS", "/pkgs,/other")]
        )),
        ["/pkgs"]
    );
    let unknown = plan("conda install -y numpy", &[]);
    assert!(targets(&unknown).is_empty());
    assert_eq!(unknown.skipped.len(), 1);
}

#[test]
fn javascript_tools() {
    for script in [
        "npm ci",
        "npm install",
        "npm i -g typescript",
        "npx --yes cowsay hi",
    ] {
        assert_eq!(targets(&plan(script, &[])), ["/root/.npm"], "{script}");
    }
    assert!(targets(&plan("npm run build", &[])).is_empty());
    for script in [
        "yarn",
        "yarn install --frozen-lockfile",
        "yarnpkg add left-pad",
        "/usr/local/bin/yarn install --production",
    ] {
        assert_eq!(
            targets(&plan(script, &[])),
            ["/usr/local/share/.cache/yarn"],
            "{script}"
        );
    }
    assert!(targets(&plan("yarn build", &[])).is_empty());
    // Berry signals: berry would use YARN_CACHE_FOLDER for Plug'n'Play packages.
    for script in [
        "corepack enable && yarn install",
        "corepack yarn install",
        "yarn install --immutable",
    ] {
        assert!(targets(&plan(script, &[])).is_empty(), "{script}");
    }
    assert!(targets(&plan(
        "yarn install",
        &[("YARN_ENABLE_GLOBAL_CACHE", "true")]
    ))
    .is_empty());
    let berry = plan(
        "yarn install --immutable",
        &[("YARN_NODE_LINKER", "node-modules")],
    );
    assert_eq!(targets(&berry), ["/root/.yarn/berry/cache"]);
    let non_root = Case {
        user: cachefront_cache::RunUser {
            uid: 1000,
            gid: 1000,
            home: "/home/node".to_owned(),
        },
        ..Case::default()
    }
    .script("yarn install");
    assert!(targets(&non_root).is_empty(), "~/.cache may not exist");
    let pnpm = plan("pnpm install --frozen-lockfile", &[("PNPM_HOME", "/pnpm")]);
    assert_eq!(targets(&pnpm), ["/pnpm/store", "/root/.cache/pnpm"]);
    assert_eq!(
        pnpm.env,
        [("npm_config_store_dir".to_owned(), "/pnpm/store".to_owned())]
    );
    assert_eq!(
        targets(&plan("bun install", &[])),
        ["/root/.bun/install/cache"]
    );
}

#[test]
fn compiled_languages() {
    let go = plan(
        "go mod download && go build -o /app ./...",
        &[("GOPATH", "/go")],
    );
    assert_eq!(targets(&go), ["/go/pkg/mod", "/root/.cache/go-build"]);
    let go_default = plan("go test ./...", &[]);
    assert_eq!(
        targets(&go_default),
        ["/root/go/pkg/mod", "/root/.cache/go-build"]
    );
    let go_env = plan(
        "go build ./...",
        &[("GOMODCACHE", "/modcache"), ("GOCACHE", "/gocache")],
    );
    assert_eq!(targets(&go_env), ["/modcache", "/gocache"]);
    assert!(targets(&plan("go version", &[])).is_empty());
    let cargo = plan(
        "cargo build --release",
        &[("CARGO_HOME", "/usr/local/cargo")],
    );
    assert_eq!(
        targets(&cargo),
        ["/usr/local/cargo/registry", "/usr/local/cargo/git"]
    );
    assert_eq!(
        targets(&plan("cargo install ripgrep", &[])),
        ["/root/.cargo/registry", "/root/.cargo/git"]
    );
    let offline = plan("cargo build --offline", &[]);
    assert!(targets(&offline).is_empty());
    let fetched = plan("cargo fetch && cargo build --offline", &[]);
    assert_eq!(rules(&fetched), ["cargo"], "fetched in the same RUN");
}

#[test]
fn compiler_caches_only_when_used() {
    assert!(targets(&plan("make -j4", &[])).is_empty());
    assert_eq!(
        targets(&plan("make -j4", &[("CCACHE_DIR", "/ccache")])),
        ["/ccache"]
    );
    assert_eq!(
        targets(&plan("make CC='ccache gcc'", &[])),
        ["/root/.cache/ccache"]
    );
    assert_eq!(
        targets(&plan("ccache gcc -c main.c", &[])),
        ["/root/.cache/ccache"]
    );
    assert_eq!(
        targets(&plan("CC=\"ccache gcc\" ./configure && make", &[])),
        ["/root/.cache/ccache"]
    );
    let sccache = plan(
        "cargo build",
        &[("RUSTC_WRAPPER", "/usr/local/bin/sccache")],
    );
    assert_eq!(rules(&sccache), ["cargo", "sccache"]);
}

#[test]
fn jvm_tools() {
    assert_eq!(
        targets(&plan("mvn -B package", &[])),
        ["/root/.m2/repository"]
    );
    assert_eq!(
        targets(&plan("./mvnw -B package", &[])),
        ["/root/.m2/repository", "/root/.m2/wrapper/dists"]
    );
    assert_eq!(
        targets(&plan("mvn -Dmaven.repo.local=/m2 package", &[])),
        ["/m2"]
    );
    assert!(targets(&plan("mvn -o package", &[])).is_empty());
    assert_eq!(
        targets(&plan("gradle build", &[])),
        ["/root/.gradle/caches"]
    );
    assert_eq!(
        targets(&plan("./gradlew build", &[("GRADLE_USER_HOME", "/gradle")])),
        ["/gradle/caches", "/gradle/wrapper/dists"]
    );
    assert_eq!(
        targets(&plan("sbt stage", &[])),
        ["/root/.cache/coursier", "/root/.ivy2/cache"]
    );
}

#[test]
fn other_tools() {
    assert_eq!(
        targets(&plan("composer install --no-dev", &[])),
        ["/root/.composer/cache"]
    );
    assert_eq!(
        targets(&plan(
            "php composer.phar install",
            &[("COMPOSER_HOME", "/composer")]
        )),
        Vec::<&str>::new(),
        "php runs a file, not the composer command"
    );
    assert_eq!(
        targets(&plan(
            "composer.phar install",
            &[("COMPOSER_HOME", "/composer")]
        )),
        ["/composer/cache"]
    );
    assert_eq!(
        targets(&plan(
            "bundle install",
            &[("GEM_HOME", "/usr/local/bundle")]
        )),
        ["/root/.bundle/cache", "/usr/local/bundle/cache"]
    );
    assert_eq!(targets(&plan("bundle", &[])), ["/root/.bundle/cache"]);
    assert!(targets(&plan("bundle install --local", &[])).is_empty());
    assert_eq!(
        targets(&plan("gem install rails", &[("GEM_HOME", "/gems")])),
        ["/gems/cache"]
    );
    assert!(targets(&plan("gem install rails", &[])).is_empty());
    assert_eq!(
        targets(&plan("dotnet restore", &[])),
        [
            "/root/.nuget/packages",
            "/root/.local/share/NuGet/http-cache"
        ]
    );
}

#[test]
fn extra_rules_and_disabled_rules() {
    let extra = Case::default().with_build_args(&[(
        "CACHEFRONT_RULES",
        "bazel=$BAZEL_CACHE | $HOME/.cache/bazel,locked",
    )]);
    let planned = extra.script("bazel build //...");
    assert_eq!(targets(&planned), ["/root/.cache/bazel"]);
    assert_eq!(
        planned.cache_mounts[0].sharing,
        cachefront_cache::Sharing::Locked
    );
    let disabled = Case::default().with_build_args(&[("CACHEFRONT_DISABLE", "pip")]);
    assert_eq!(
        targets(&disabled.script("pip install x && npm ci")),
        ["/root/.npm"]
    );
}

#[test]
fn non_posix_shell_is_not_analysed() {
    let case = Case {
        shell: vec!["pwsh".to_owned(), "-Command".to_owned()],
        ..Case::default()
    };
    let planned = case.script("pip install flask");
    assert!(planned.cache_mounts.is_empty());
    assert_eq!(planned.skipped.len(), 1);
}

#[test]
fn apt_lists_need_the_refresh_first() {
    for script in [
        "apt-get install -y a && apt-get update && apt-get install -y b && rm -rf /var/lib/apt/lists/*",
        "if [ -n \"$X\" ]; then apt-get update; fi; apt-get install -y b; rm -rf /var/lib/apt/lists/*",
    ] {
        assert_eq!(targets(&plan(script, &[])), ["/var/cache/apt"], "{script}");
    }
}
