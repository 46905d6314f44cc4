//! Test helpers: build a `RunInput` from a script and plan it.
//!
//! Input: a script or argv, env pairs and optional tweaks. Output: the `Plan`. Invariant:
//! defaults are root, workdir `/app`, `/bin/sh -c`, default settings.

#![allow(dead_code, clippy::unwrap_used)]

use std::collections::BTreeMap;

use cachefront_cache::{
    parse_settings, plan_run, Distro, HeredocScript, Plan, RunCommand, RunInput, RunUser, Settings,
};

/// Knobs for one test RUN.
pub struct Case<'a> {
    pub env: &'a [(&'a str, &'a str)],
    pub user: RunUser,
    pub workdir: &'a str,
    pub protected: Vec<String>,
    pub mounts: Vec<String>,
    pub offline: bool,
    pub settings: Settings,
    pub shell: Vec<String>,
    pub heredocs: Vec<(&'a str, bool)>,
}

impl Default for Case<'_> {
    fn default() -> Self {
        Self {
            env: &[],
            user: RunUser::root(),
            workdir: "/app",
            protected: Vec::new(),
            mounts: Vec::new(),
            offline: false,
            settings: Settings::default(),
            shell: vec!["/bin/sh".to_owned(), "-c".to_owned()],
            heredocs: Vec::new(),
        }
    }
}

impl Case<'_> {
    pub fn with_distro(mut self, id: &str, version: &str) -> Self {
        self.settings = self
            .settings
            .for_stage(None, Some(Distro::new(id, version)));
        self
    }

    pub fn with_build_args(mut self, pairs: &[(&str, &str)]) -> Self {
        let args: BTreeMap<String, String> = pairs
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect();
        self.settings = parse_settings(&args).unwrap();
        self
    }

    fn run(&self, command: RunCommand) -> Plan {
        let env: BTreeMap<String, String> = self
            .env
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect();
        let heredocs: Vec<HeredocScript> = self
            .heredocs
            .iter()
            .map(|(content, fed_to_shell)| HeredocScript {
                name: "EOF",
                content,
                fed_to_shell: *fed_to_shell,
            })
            .collect();
        plan_run(&RunInput {
            command,
            heredocs: &heredocs,
            env: &env,
            user: &self.user,
            workdir: self.workdir,
            user_mount_targets: &self.mounts,
            protected_paths: &self.protected,
            offline: self.offline,
            opted_out: false,
            settings: &self.settings,
        })
    }

    pub fn script(&self, script: &str) -> Plan {
        self.run(RunCommand::Shell {
            script,
            shell: &self.shell,
        })
    }

    pub fn exec(&self, argv: &[&str]) -> Plan {
        let argv: Vec<String> = argv.iter().map(|word| (*word).to_owned()).collect();
        self.run(RunCommand::Exec(&argv))
    }
}

/// Plans a script as root in `/app` with this env.
pub fn plan(script: &str, env: &[(&str, &str)]) -> Plan {
    Case {
        env,
        ..Case::default()
    }
    .script(script)
}

/// The cache paths (where the tools see their caches) of a plan's mounts.
pub fn targets(plan: &Plan) -> Vec<&str> {
    plan.cache_mounts
        .iter()
        .map(|mount| mount.cache_path.as_str())
        .collect()
}

/// The mount points of a plan.
pub fn mount_points(plan: &Plan) -> Vec<&str> {
    plan.cache_mounts
        .iter()
        .map(|mount| mount.target.as_str())
        .collect()
}

/// The rules of a plan's mounts, deduplicated in order.
pub fn rules(plan: &Plan) -> Vec<&str> {
    let mut rules: Vec<&str> = Vec::new();
    for mount in &plan.cache_mounts {
        if !rules.contains(&mount.rule.as_str()) {
            rules.push(&mount.rule);
        }
    }
    rules
}
