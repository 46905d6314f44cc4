//! Compile steps the shipped sccache can serve: cargo runs and CMake configures.
//!
//! Input: one analysed command, the rule's [`ShippedLauncher`] data and the image env. Output: a
//! [`CompileStep`] naming where the step leaves the files that record the launcher (cargo's
//! target directory, CMake's build tree), or `None` when the command is not such a step or the
//! build names a launcher of its own (which then wins). Invariant: purely lexical; a directory
//! only known at run time makes the step unsafe, never guessed.

use std::collections::BTreeMap;

use crate::paths::resolve_against;
use crate::rules::ShippedLauncher;
use crate::shell::Invocation;
use crate::template::VariableValue;
use crate::tools::ToolCall;

/// Variables through which the build already names a Rust compiler wrapper.
const RUST_WRAPPER_VARIABLES: &[&str] = &[
    "RUSTC_WRAPPER",
    "CARGO_BUILD_RUSTC_WRAPPER",
    "RUSTC_WORKSPACE_WRAPPER",
    "CARGO_BUILD_RUSTC_WORKSPACE_WRAPPER",
];

/// Variables and definitions through which a CMake build already names a compiler launcher.
const CMAKE_LAUNCHER_VARIABLES: &[&str] = &[
    "CMAKE_C_COMPILER_LAUNCHER",
    "CMAKE_CXX_COMPILER_LAUNCHER",
    "CMAKE_CUDA_COMPILER_LAUNCHER",
    "CMAKE_OBJC_COMPILER_LAUNCHER",
    "CMAKE_OBJCXX_COMPILER_LAUNCHER",
];

/// What a compile step is and where it leaves the files that record the launcher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CompileStep {
    /// A cargo command: its target directory (`None` when only known at run time), or a
    /// temporary one cargo deletes itself (`cargo install` of a registry or git crate).
    Cargo {
        target_dir: Option<String>,
        temporary: bool,
    },
    /// Any other cargo command: it writes the target directory's rustc info too.
    OtherCargo { target_dir: Option<String> },
    /// A CMake configure: its build tree (`None` when only known at run time).
    CMakeConfigure { build_dir: Option<String> },
    /// A command that builds a CMake tree (`cmake --build`, `make`, `ninja`).
    CMakeBuild,
}

/// The compile step `invocation` is, if any.
pub(crate) fn compile_step(
    launcher: &ShippedLauncher,
    call: &ToolCall,
    invocation: &Invocation,
    env: &BTreeMap<String, String>,
) -> Option<CompileStep> {
    let arguments: Vec<Option<&str>> = call.arguments(invocation);
    let cwd = invocation.cwd.as_deref();
    match call.tool.as_str() {
        "cargo" => {
            let names_wrapper = RUST_WRAPPER_VARIABLES
                .iter()
                .any(|name| !matches!(invocation.variable(name, env), VariableValue::Unset))
                || arguments
                    .iter()
                    .any(|argument| argument.is_none_or(|text| text.contains("rustc-wrapper")));
            if names_wrapper {
                return None;
            }
            let target_dir = cargo_target_dir(&arguments, invocation, env, cwd);
            let operands = call.operands(invocation);
            let leading: Vec<&str> = operands
                .iter()
                .copied()
                .filter(|operand| !operand.starts_with('+'))
                .take(2)
                .collect();
            let compiles = leading
                .iter()
                .any(|operand| launcher.cargo_subcommands.contains(operand))
                || leading == ["chef", "cook"];
            if !compiles {
                return Some(CompileStep::OtherCargo { target_dir });
            }
            let installs_fetched_crate = leading.first() == Some(&"install")
                && !arguments.iter().any(|argument| {
                    matches!(argument, Some(text) if *text == "--path" || text.starts_with("--path="))
                })
                && target_dir_is_default(&arguments, invocation, env);
            Some(CompileStep::Cargo {
                target_dir,
                temporary: installs_fetched_crate,
            })
        }
        "cmake" if launcher.cmake => cmake_step(&arguments, invocation, env, cwd),
        "make" | "gmake" | "ninja" if launcher.cmake => Some(CompileStep::CMakeBuild),
        _ => None,
    }
}

/// CMake's configure or build step; `None` for `-E`, `-P`, `--install` and other modes, and for
/// a build that names a launcher of its own.
fn cmake_step(
    arguments: &[Option<&str>],
    invocation: &Invocation,
    env: &BTreeMap<String, String>,
    cwd: Option<&str>,
) -> Option<CompileStep> {
    let names_launcher = CMAKE_LAUNCHER_VARIABLES
        .iter()
        .any(|name| !matches!(invocation.variable(name, env), VariableValue::Unset))
        || arguments.iter().any(|argument| {
            argument.is_none_or(|text| {
                text.contains("_COMPILER_LAUNCHER") || text.contains("RULE_LAUNCH")
            })
        });
    if names_launcher {
        return None;
    }
    let first = arguments.first().copied().flatten();
    if first == Some("--build") {
        return Some(CompileStep::CMakeBuild);
    }
    if matches!(
        first,
        Some(
            "-E" | "-P"
                | "--install"
                | "--version"
                | "--help"
                | "--system-information"
                | "--workflow"
        )
    ) || arguments.is_empty()
    {
        return None;
    }
    let mut build_dir = cwd.map(str::to_owned);
    let mut index = 0;
    while let Some(argument) = arguments.get(index) {
        match argument {
            Some("-B") => {
                build_dir = arguments
                    .get(index + 1)
                    .copied()
                    .flatten()
                    .and_then(|dir| absolute(cwd, dir));
                index += 1;
            }
            Some(text) if text.starts_with("-B") => {
                build_dir = text.get(2..).and_then(|dir| absolute(cwd, dir));
            }
            None => build_dir = None,
            _ => {}
        }
        index += 1;
    }
    Some(CompileStep::CMakeConfigure { build_dir })
}

/// Cargo's target directory for this command: `--target-dir`, `CARGO_TARGET_DIR`,
/// `CARGO_BUILD_TARGET_DIR`, the manifest's directory, else `target` in the working directory.
fn cargo_target_dir(
    arguments: &[Option<&str>],
    invocation: &Invocation,
    env: &BTreeMap<String, String>,
    cwd: Option<&str>,
) -> Option<String> {
    if let Some(value) = argument_value(arguments, "--target-dir") {
        return value
            .filter(|dir| !dir.is_empty())
            .and_then(|dir| absolute(cwd, dir));
    }
    for name in ["CARGO_TARGET_DIR", "CARGO_BUILD_TARGET_DIR"] {
        match invocation.variable(name, env) {
            VariableValue::Set(dir) if !dir.is_empty() => return absolute(cwd, &dir),
            VariableValue::Unknown => return None,
            _ => {}
        }
    }
    let project = match argument_value(arguments, "--manifest-path") {
        Some(manifest) => {
            let manifest = manifest?;
            let directory = manifest.rsplit_once('/').map_or(".", |(dir, _)| dir);
            absolute(cwd, directory)?
        }
        None => cwd?.to_owned(),
    };
    Some(resolve_against(&project, "target"))
}

/// Whether no option or variable chooses the target directory.
fn target_dir_is_default(
    arguments: &[Option<&str>],
    invocation: &Invocation,
    env: &BTreeMap<String, String>,
) -> bool {
    argument_value(arguments, "--target-dir").is_none()
        && ["CARGO_TARGET_DIR", "CARGO_BUILD_TARGET_DIR"]
            .iter()
            .all(|name| matches!(invocation.variable(name, env), VariableValue::Unset))
}

/// The value of `--flag value` or `--flag=value`: `Some(None)` when it is dynamic.
fn argument_value<'a>(arguments: &[Option<&'a str>], flag: &str) -> Option<Option<&'a str>> {
    let mut found = None;
    for (index, argument) in arguments.iter().enumerate() {
        match argument {
            Some(text) if *text == flag => {
                found = Some(arguments.get(index + 1).copied().flatten())
            }
            Some(text) => {
                if let Some(value) = text
                    .strip_prefix(flag)
                    .and_then(|rest| rest.strip_prefix('='))
                {
                    found = Some(Some(value));
                }
            }
            None => {}
        }
    }
    found
}

/// `path` resolved against the command's working directory, when that is known.
fn absolute(cwd: Option<&str>, path: &str) -> Option<String> {
    if path.starts_with('/') {
        return Some(resolve_against("/", path));
    }
    cwd.map(|cwd| resolve_against(cwd, path))
}
