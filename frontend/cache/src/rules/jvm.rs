//! Rules for JVM build tools: maven, gradle, sbt.
//!
//! Input: none. Output: [`RULES`]. Invariant: only dependency caches and downloaded tool
//! distributions are mounted, never `~/.m2/settings.xml`, `~/.gradle/gradle.properties`, build
//! outputs or the gradle daemon's state.

use super::{CacheCondition, CacheDir, CacheKind, CacheRule};
use crate::plan::Sharing;

pub(super) static RULES: &[&CacheRule] = &[&MAVEN, &GRADLE, &SBT];

/// maven: the local repository (`-Dmaven.repo.local` overrides it), plus the distributions the
/// maven wrapper downloads. Locked: maven's local repository is not safe for concurrent writers.
/// `-o`/`--offline` reads only the local repository, which must then come from the image.
pub(super) static MAVEN: CacheRule = CacheRule {
    name: "maven",
    tools: &["mvn"],
    caches: &[
        CacheDir::new("$HOME/.m2/repository", Sharing::Locked, CacheKind::Download)
            .overridden_by("-Dmaven.repo.local="),
        CacheDir::new(
            "$HOME/.m2/wrapper/dists",
            Sharing::Locked,
            CacheKind::Download,
        )
        .when(&[CacheCondition::ProgramIs("mvnw")]),
    ],
    offline_arguments: &["-o", "--offline"],
    ..CacheRule::EMPTY
};

/// gradle: `caches/` under the Gradle user home (dependencies, transforms, build cache) and the
/// wrapper's downloaded distributions. Not the rest of the user home (daemon state, native
/// libraries, `gradle.properties`). Gradle coordinates processes with lock files inside
/// `caches/`, but locked sharing keeps two builds from racing on a cold cache.
pub(super) static GRADLE: CacheRule = CacheRule {
    name: "gradle",
    tools: &["gradle"],
    caches: &[
        CacheDir::new(
            "$GRADLE_USER_HOME/caches | $HOME/.gradle/caches",
            Sharing::Locked,
            CacheKind::Download,
        ),
        CacheDir::new(
            "$GRADLE_USER_HOME/wrapper/dists | $HOME/.gradle/wrapper/dists",
            Sharing::Locked,
            CacheKind::Download,
        )
        .when(&[CacheCondition::ProgramIs("gradlew")]),
    ],
    offline_arguments: &["--offline"],
    // A user home given on the command line is not resolved here.
    unsafe_arguments: &["-g", "--gradle-user-home"],
    ..CacheRule::EMPTY
};

/// sbt: coursier's download cache and ivy's cache.
pub(super) static SBT: CacheRule = CacheRule {
    name: "sbt",
    tools: &["sbt"],
    caches: &[
        CacheDir::new(
            "$COURSIER_CACHE | $XDG_CACHE_HOME/coursier | $HOME/.cache/coursier",
            Sharing::Locked,
            CacheKind::Download,
        )
        // sbt writes classpaths with these paths into target/.
        .located_by("COURSIER_CACHE")
        .embedded(),
        CacheDir::new("$HOME/.ivy2/cache", Sharing::Locked, CacheKind::Download),
    ],
    offline_arguments: &["-offline", "set offline := true"],
    ..CacheRule::EMPTY
};
