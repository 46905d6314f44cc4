//! A readable dump of a definition, in: a `pb::Definition`; out: one block per op, numbered in
//! definition order, inputs shown by number. Invariant: deterministic, so it can be a golden file.

use std::collections::HashMap;
use std::fmt::Write as _;

use cachefront_proto::pb;
use prost::Message as _;

use crate::digest::digest_of;

/// Renders `definition` for people and snapshot tests.
pub fn dump(definition: &pb::Definition) -> String {
    let mut numbers: HashMap<String, usize> = HashMap::new();
    let mut out = String::new();
    for (number, bytes) in definition.def.iter().enumerate() {
        let digest = digest_of(bytes);
        numbers.insert(digest.clone(), number);
        let Ok(op) = pb::Op::decode(bytes.as_slice()) else {
            let _ = writeln!(out, "#{number} <undecodable op>");
            continue;
        };
        let input = |index: i64| -> String {
            usize::try_from(index)
                .ok()
                .and_then(|index| op.inputs.get(index))
                .map_or_else(
                    || "scratch".to_owned(),
                    |input| {
                        format!(
                            "#{}.{}",
                            numbers.get(&input.digest).copied().unwrap_or(usize::MAX),
                            input.index
                        )
                    },
                )
        };
        let name = definition
            .metadata
            .get(&digest)
            .and_then(|metadata| metadata.description.get("llb.customname"))
            .cloned();
        let _ = match &op.op {
            None => writeln!(out, "#{number} result <- {}", input(0)),
            Some(pb::op::Op::Source(source)) => {
                let attributes: Vec<String> = source
                    .attrs
                    .iter()
                    .map(|(key, value)| format!("{key}={value}"))
                    .collect();
                writeln!(
                    out,
                    "#{number} source {} {}",
                    source.identifier,
                    attributes.join(" ")
                )
            }
            Some(pb::op::Op::Exec(exec)) => {
                dump_exec(&mut out, number, exec, &input);
                Ok(())
            }
            Some(pb::op::Op::File(file)) => {
                dump_file(&mut out, number, file, op.inputs.len(), &input);
                Ok(())
            }
            Some(other) => writeln!(out, "#{number} {other:?}"),
        };
        if let Some(name) = name {
            let _ = writeln!(out, "    name {name:?}");
        }
    }
    out
}

/// An exec op: the process, then one line per mount.
fn dump_exec(out: &mut String, number: usize, exec: &pb::ExecOp, input: &dyn Fn(i64) -> String) {
    let meta = exec.meta.clone().unwrap_or_default();
    let _ = writeln!(
        out,
        "#{number} exec {:?} cwd={} user={:?} network={} security={}",
        meta.args, meta.cwd, meta.user, exec.network, exec.security
    );
    let _ = writeln!(out, "    env {:?}", meta.env);
    for secret in &exec.secretenv {
        let _ = writeln!(
            out,
            "    secretenv {} <- secret {} optional={}",
            secret.name, secret.id, secret.optional
        );
    }
    for mount in &exec.mounts {
        let kind = pb::MountType::try_from(mount.mount_type).map_or("?", |kind| kind.as_str_name());
        let cache = mount
            .cache_opt
            .as_ref()
            .map(|cache| {
                let sharing = pb::CacheSharingOpt::try_from(cache.sharing)
                    .map_or("?", |sharing| sharing.as_str_name());
                format!(" id={} sharing={sharing}", cache.id)
            })
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "    mount {} {kind}{cache} <- {}{} output={} readonly={}",
            mount.dest,
            input(mount.input),
            if mount.selector.is_empty() {
                String::new()
            } else {
                format!(":{}", mount.selector)
            },
            mount.output,
            mount.readonly
        );
    }
}

/// A copy's include, exclude and required paths, when it has any.
fn copy_patterns(copy: &pb::FileActionCopy) -> String {
    let mut text = String::new();
    for (label, patterns) in [
        ("include", &copy.include_patterns),
        ("exclude", &copy.exclude_patterns),
        ("required", &copy.required_paths),
    ] {
        if !patterns.is_empty() {
            text.push_str(&format!(" {label}={patterns:?}"));
        }
    }
    text
}

/// A file op: one line per action, on an input or on an earlier action's result.
fn dump_file(
    out: &mut String,
    number: usize,
    file: &pb::FileOp,
    input_count: usize,
    input: &dyn Fn(i64) -> String,
) {
    let _ = writeln!(out, "#{number} file");
    let input_count = i64::try_from(input_count).unwrap_or(i64::MAX);
    for action in &file.actions {
        let base = if action.input >= input_count {
            format!("action{}", action.input - input_count)
        } else {
            input(action.input)
        };
        let detail = match &action.action {
            Some(pb::file_action::Action::Copy(copy)) => format!(
                "copy {}{} -> {} mode={} owner={:?}{}",
                input(action.secondary_input),
                copy.src,
                copy.dest,
                copy.mode,
                copy.owner,
                copy_patterns(copy)
            ),
            Some(pb::file_action::Action::Mkdir(mkdir)) => format!(
                "mkdir {} mode={:o} parents={} owner={:?}{}",
                mkdir.path,
                mkdir.mode,
                mkdir.make_parents,
                mkdir.owner,
                if mkdir.timestamp >= 0 {
                    format!(" timestamp={}", mkdir.timestamp)
                } else {
                    String::new()
                }
            ),
            Some(pb::file_action::Action::Mkfile(mkfile)) => format!(
                "mkfile {} mode={:o} bytes={}",
                mkfile.path,
                mkfile.mode,
                mkfile.data.len()
            ),
            Some(pb::file_action::Action::Rm(rm)) => format!("rm {}", rm.path),
            Some(pb::file_action::Action::Symlink(link)) => {
                format!("symlink {} -> {}", link.newpath, link.oldpath)
            }
            None => "<empty action>".to_owned(),
        };
        let _ = writeln!(out, "    on {base}: {detail} output={}", action.output);
    }
}
