//! Detection: which rules apply to which commands of a RUN.
//!
//! Input: the shell analysis, the settings (enabled rules, extra rules) and the image env.
//! Output: one [`Detection`] per (rule, command) pair, in execution order. Invariants: a
//! command matches a built-in rule when its normalised tool is one of the rule's tools and it
//! runs a cache-using subcommand; compiler-launcher rules (ccache, sccache) match build tools
//! only when the build already uses the launcher, or (sccache) for the compile steps cachefront
//! can serve with the sccache it ships (see [`crate::shipped`]).

use std::collections::BTreeMap;

use crate::extra_rules::ExtraRule;
use crate::rules::{all_rules, CacheRule};
use crate::settings::{Settings, ShippedTools};
use crate::shell::{Analysis, Invocation};
use crate::shipped::CompileStep;
use crate::template::VariableValue;
use crate::tools::{identify, ToolCall};

/// A rule, built in or from `CACHEFRONT_RULES`.
#[derive(Debug, Clone, Copy)]
pub(crate) enum RuleRef<'a> {
    /// A built-in rule.
    Builtin(&'static CacheRule),
    /// A user rule.
    Extra(&'a ExtraRule),
}

impl RuleRef<'_> {
    /// The rule's name.
    pub(crate) fn name(&self) -> &str {
        match self {
            Self::Builtin(rule) => rule.name,
            Self::Extra(rule) => &rule.tool,
        }
    }
}

/// A rule applying to one command.
#[derive(Debug, Clone)]
pub(crate) struct Detection<'a> {
    /// The rule.
    pub rule: RuleRef<'a>,
    /// Index into `Analysis::invocations`.
    pub invocation: usize,
    /// The identified tool.
    pub call: ToolCall,
}

/// Programs that compile code, for the launcher rules.
const BUILD_TOOLS: &[&str] = &[
    "make",
    "gmake",
    "cmake",
    "ninja",
    "meson",
    "gcc",
    "g++",
    "cc",
    "c++",
    "clang",
    "clang++",
    "cargo",
    "configure",
    "scons",
    "pip",
    "python",
    "rustc",
    "go",
];

/// Variables that name a compiler launcher.
const LAUNCHER_VARIABLES: &[&str] = &[
    "CC",
    "CXX",
    "RUSTC_WRAPPER",
    "CMAKE_C_COMPILER_LAUNCHER",
    "CMAKE_CXX_COMPILER_LAUNCHER",
];

/// Every rule/command match of the RUN.
pub(crate) fn detect<'a>(
    analysis: &Analysis,
    settings: &'a Settings,
    env: &BTreeMap<String, String>,
) -> Vec<Detection<'a>> {
    let rules: Vec<&'static CacheRule> = all_rules()
        .into_iter()
        .filter(|rule| settings.rule_enabled(rule.name))
        .collect();
    let mut detections = Vec::new();
    for (index, invocation) in analysis.invocations.iter().enumerate() {
        let Some(call) = identify(invocation) else {
            continue;
        };
        for rule in &rules {
            let direct =
                rule.tools.contains(&call.tool.as_str()) && uses_cache(rule, &call, invocation);
            let launched = rule.launcher.is_some_and(|launcher| {
                BUILD_TOOLS.contains(&call.tool.as_str())
                    && launcher_in_use(launcher, invocation, env)
            });
            let shipped = rule.ships.is_some_and(|ships| {
                settings.shipped_tools != ShippedTools::Unknown
                    && matches!(
                        crate::shipped::compile_step(&ships, &call, invocation, env),
                        Some(CompileStep::Cargo { .. } | CompileStep::CMakeConfigure { .. })
                    )
            });
            if direct || launched || shipped {
                detections.push(Detection {
                    rule: RuleRef::Builtin(rule),
                    invocation: index,
                    call: call.clone(),
                });
            }
        }
        for extra in &settings.extra_rules {
            if (extra.tool == call.tool || extra.tool == call.program)
                && settings.rule_enabled(&extra.tool)
            {
                detections.push(Detection {
                    rule: RuleRef::Extra(extra),
                    invocation: index,
                    call: call.clone(),
                });
            }
        }
    }
    detections
}

/// Whether the command runs a subcommand of the tool that uses the cache.
fn uses_cache(rule: &CacheRule, call: &ToolCall, invocation: &Invocation) -> bool {
    if rule.subcommands.is_empty() {
        return true;
    }
    let operands = call.operands(invocation);
    if operands.is_empty() && rule.bare_invocation {
        return true;
    }
    operands
        .iter()
        .any(|operand| rule.subcommands.contains(operand))
}

/// Whether a build command uses `launcher` (ccache/sccache).
pub(crate) fn launcher_in_use(
    launcher: &str,
    invocation: &Invocation,
    env: &BTreeMap<String, String>,
) -> bool {
    let names_launcher = |text: &str| {
        text.split(|character: char| {
            !(character.is_ascii_alphanumeric() || character == '_' || character == '-')
        })
        .any(|token| token == launcher)
    };
    let directory_variable = format!("{}_DIR", launcher.to_ascii_uppercase());
    if matches!(invocation.variable(&directory_variable, env), VariableValue::Set(value) if !value.is_empty())
    {
        return true;
    }
    let variable_names_launcher = LAUNCHER_VARIABLES.iter().any(|name| {
        matches!(invocation.variable(name, env), VariableValue::Set(value) if names_launcher(&value))
    });
    let path_has_masquerade = matches!(
        invocation.variable("PATH", env),
        VariableValue::Set(path) if path.split(':').any(|entry| entry == format!("/usr/lib/{launcher}"))
    );
    let argument_names_launcher = invocation
        .args
        .iter()
        .filter_map(|arg| arg.text())
        .any(names_launcher);
    variable_names_launcher || path_has_masquerade || argument_names_launcher
}
