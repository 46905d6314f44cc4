//! Why the planner leaves a cache unmounted, in: the facts a check found; out: the sentence the
//! plan's `skipped` list and `cachefront explain` show. Invariant: one variant per reason, so a
//! message is written once; callers add the rule name and the path in front.

use crate::apt::LISTS_PATH;
use crate::template::TemplateError;

/// Why one cache (or one neutralisation a cache depends on) is not planned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum NotMounted {
    /// The command runs as a user named in the RUN, whose home and uid are unknown.
    #[error("runs as user {0}, whose home and uid are unknown here")]
    UnknownUser(String),
    /// The tool's options or env make installed files point into the cache.
    #[error("its options make installed files point into the cache")]
    UnsafeOptions,
    /// A package index the rule needs fresh is not refreshed by the RUN.
    #[error("the RUN does not refresh the package index (no `{tool} {subcommand}` or {flags})")]
    NoRefresh {
        /// The tool, e.g. `apk`.
        tool: String,
        /// The refreshing subcommand, e.g. `update`.
        subcommand: &'static str,
        /// The refreshing flags, joined with `/`.
        flags: String,
    },
    /// A relative location override with no known working directory.
    #[error("{prefix}{path} is relative to an unknown directory")]
    RelativeToUnknownDirectory {
        /// The option prefix, e.g. `--cache-dir=`.
        prefix: &'static str,
        /// The relative path.
        path: String,
    },
    /// A rule's built-in template does not parse (a bug in the rules table).
    #[error("internal template error: {0}")]
    Template(#[from] TemplateError),
    /// The location depends on a variable set only when the RUN runs.
    #[error("${0} is only known at run time")]
    KnownOnlyAtRunTime(String),
    /// The location resolved to a relative path.
    #[error("cache path {0} is relative")]
    RelativeCachePath(String),
    /// None of the template's alternatives could be resolved.
    #[error("none of {0} is set")]
    Unresolved(String),
    /// A non-root user's cache deeper than a direct child of HOME, not relocatable.
    #[error(
        "{natural} is below {home}, where BuildKit would create missing parent directories \
         owned by root for the non-root user"
    )]
    BelowHome {
        /// The cache's natural path.
        natural: String,
        /// The user's home.
        home: String,
    },
    /// A flag must be inserted after a word that is not literal.
    #[error("cannot add {flag} to `{shown}` (not a literal word)")]
    CannotAddFlag {
        /// The flag to add.
        flag: &'static str,
        /// The command, as shown in messages.
        shown: String,
    },
    /// A cache-wiping command deletes the mount point and cannot be edited.
    #[error("`{0}` would delete the mount point and cannot be rewritten here")]
    WipeDeletesMountPoint(String),
    /// A defeating flag that is not a literal word.
    #[error("cannot drop `{text}` from `{shown}` (not a literal word)")]
    CannotDropFlag {
        /// The flag as written.
        text: String,
        /// The command, as shown in messages.
        shown: String,
    },
    /// A defeating variable assignment that is not a literal word.
    #[error("cannot drop the {variable} assignment of `{shown}` (not a literal word)")]
    CannotDropAssignment {
        /// The variable.
        variable: String,
        /// The command, as shown in messages.
        shown: String,
    },
    /// A defeating variable the script exports itself.
    #[error("{0} is exported by the script itself, which is left alone")]
    ExportedByScript(String),
    /// apt's lists cannot be redirected for every apt command.
    #[error("{LISTS_PATH} not cached: {0}")]
    AptConfigUnreachable(String),
    /// An apt command reads the image's lists before the RUN refreshes them.
    #[error(
        "{LISTS_PATH} not cached: an apt command runs before `apt-get update` and reads the image's lists"
    )]
    AptReadsListsBeforeUpdate,
    /// The RUN keeps the lists in the image.
    #[error(
        "{LISTS_PATH} not cached: the RUN does not delete the lists after its last apt \
         command, so the image keeps them"
    )]
    AptListsKept,
}
