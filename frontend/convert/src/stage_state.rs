//! The stage being lowered, in: its base's filesystem and image config; out: the filesystem,
//! config and exec context (env, directory, user, ARGs) that each instruction reads and changes.
//! Invariant: the env always has a PATH, and the directory is absolute and clean.

use cachefront_llb::{Platform, State};

use crate::env::Environment;
use crate::image::{Image, DEFAULT_PATH};
use crate::naming::StepCounter;
use crate::stage_facts::StageFacts;
use crate::workdir::normalize_workdir;

/// A stage being lowered: its filesystem, config and the exec context instructions change.
#[derive(Debug, Clone)]
pub(crate) struct StageState {
    pub state: State,
    pub image: Image,
    pub platform: Platform,
    pub env: Environment,
    pub dir: String,
    pub user: String,
    /// ARGs declared in the stage (and the stages it builds on), with their values.
    pub build_args: Vec<(String, Option<String>)>,
    pub steps: StepCounter,
    pub ignore_cache: bool,
    pub name: Option<String>,
    /// The graph node this stage is.
    pub node: usize,
    /// Whether CMD was set in this stage (ENTRYPOINT then keeps it).
    pub cmd_set: bool,
    /// What the cache pass knows of the stage's user and base distribution, once looked up.
    pub facts: StageFacts,
}

impl StageState {
    pub(crate) fn new(
        state: State,
        image: Image,
        platform: Platform,
        steps: StepCounter,
    ) -> StageState {
        StageState {
            state,
            image,
            platform,
            env: Environment::default(),
            dir: "/".to_owned(),
            user: String::new(),
            build_args: Vec::new(),
            steps,
            ignore_cache: false,
            name: None,
            node: 0,
            cmd_set: false,
            facts: StageFacts::default(),
        }
    }

    /// Takes env, working directory and user from the image config, making sure PATH is set.
    pub(crate) fn inherit_image_context(&mut self) {
        let env = self.image.config.env.get_or_insert_with(Vec::new);
        if !env
            .iter()
            .any(|entry| entry.split_once('=').map_or(entry.as_str(), |(key, _)| key) == "PATH")
        {
            env.push(format!("PATH={DEFAULT_PATH}"));
        }
        self.env = Environment::from_entries(env.iter());
        if !self.image.config.working_dir.is_empty() {
            self.dir = normalize_workdir("/", &self.image.config.working_dir);
        }
        self.user = self.image.config.user.clone();
    }
}
