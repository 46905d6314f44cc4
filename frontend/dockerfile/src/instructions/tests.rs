//! Typed-instruction and instruction-expansion tests.

use super::*;
use crate::expand::{Lexer, Lookup};
use crate::parse::{parse, Span};

fn typed(source: &str) -> Dockerfile {
    let ast = parse(source.as_bytes()).unwrap_or_else(|error| panic!("parse: {error}"));
    parse_dockerfile(&ast).unwrap_or_else(|error| panic!("type: {error}"))
}

fn failure(source: &str) -> InstructionError {
    let ast = parse(source.as_bytes()).unwrap_or_else(|error| panic!("parse: {error}"));
    match parse_dockerfile(&ast) {
        Ok(dockerfile) => panic!("expected an error, got {dockerfile:?}"),
        Err(error) => error,
    }
}

fn kinds(stage: &Stage) -> Vec<&CommandKind> {
    stage.commands.iter().map(|command| &command.kind).collect()
}

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
        .collect()
}

#[test]
fn meta_args_and_stages() {
    let dockerfile = typed("ARG BASE=alpine\nARG TAG\nFROM --platform=$BUILDPLATFORM ${BASE}:$TAG AS Build\nRUN make\nFROM scratch\nCOPY --from=build /out /\n");
    assert_eq!(dockerfile.meta_args.len(), 2);
    assert_eq!(
        dockerfile.meta_args[0].kind,
        CommandKind::Arg(vec![ArgDefinition {
            name: "BASE".into(),
            default: Some("alpine".into())
        }])
    );
    let build = &dockerfile.stages[0];
    assert_eq!(build.name.as_deref(), Some("build"));
    assert_eq!(build.base_name, "${BASE}:$TAG");
    assert_eq!(build.platform.as_deref(), Some("$BUILDPLATFORM"));
    assert_eq!(build.span, Span::line(3));
    assert_eq!(
        build.original,
        "FROM --platform=$BUILDPLATFORM ${BASE}:$TAG AS Build"
    );
    assert_eq!(dockerfile.stages[1].name, None);
    assert_eq!(dockerfile.stages[1].commands[0].span, Span::line(6));
}

#[test]
fn commands_keep_comments_and_original() {
    let dockerfile = typed(
        "FROM a\n# cachefront: off\nRUN   apt-get update \\\n && apt-get install -y curl   \n",
    );
    let run = &dockerfile.stages[0].commands[0];
    assert_eq!(run.comments, vec!["cachefront: off"]);
    assert_eq!(
        run.original,
        "RUN   apt-get update  && apt-get install -y curl"
    );
    assert_eq!(run.span, Span::new(3, 4));
}

#[test]
fn run_forms_and_flags() {
    let dockerfile = typed(concat!(
        "FROM a\n",
        "RUN --mount=type=cache,target=/var/cache/apt --mount=type=secret,id=x --network=none apt-get update\n",
        "RUN [\"/bin/sh\", \"-c\", \"echo hi\"]\n",
        "RUN <<EOF\nset -e\nEOF\n",
    ));
    let commands = kinds(&dockerfile.stages[0]);
    let CommandKind::Run(run) = commands[0] else {
        panic!("not a run: {:?}", commands[0])
    };
    assert_eq!(run.command, ShellOrExec::Shell("apt-get update".into()));
    let expanded: Vec<Mount> = run
        .mounts
        .iter()
        .map(|mount| mount.expand(&mut |word| Ok(word.to_owned())))
        .collect::<Result<_, _>>()
        .unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(
        expanded
            .iter()
            .map(|mount| (mount.kind, mount.target.as_deref(), mount.id.as_deref()))
            .collect::<Vec<_>>(),
        vec![
            (MountType::Cache, Some("/var/cache/apt"), None),
            (MountType::Secret, None, Some("x"))
        ]
    );
    assert_eq!(run.network, NetworkMode::None);
    assert_eq!(run.security, None);
    let CommandKind::Run(exec) = commands[1] else {
        panic!("not a run")
    };
    assert_eq!(
        exec.command,
        ShellOrExec::Exec(vec!["/bin/sh".into(), "-c".into(), "echo hi".into()])
    );
    let CommandKind::Run(heredoc) = commands[2] else {
        panic!("not a run")
    };
    assert_eq!(heredoc.command, ShellOrExec::Shell("<<EOF".into()));
    assert_eq!(heredoc.heredocs[0].content, "set -e\n");
}

#[test]
fn copy_and_add() {
    let dockerfile = typed(concat!(
        "FROM a\n",
        "COPY --from=build --chown=1:1 --chmod=755 --link --parents --exclude=*.md --exclude=x a b /dst/\n",
        "ADD --checksum=sha256:abc --keep-git-dir=true --unpack=false https://x/y.tgz /y\n",
        "COPY <<EOF <<-\"TWO\" /etc/\nhello\nEOF\n\tworld\nTWO\n",
        "COPY [\"with space\", \"/d\"]\n",
    ));
    let commands = kinds(&dockerfile.stages[0]);
    let CommandKind::Copy(copy) = commands[0] else {
        panic!("not a copy")
    };
    assert_eq!(
        (copy.sources.clone(), copy.destination.as_str()),
        (vec!["a".to_owned(), "b".to_owned()], "/dst/")
    );
    assert_eq!(
        (
            copy.from.as_deref(),
            copy.chown.as_deref(),
            copy.chmod.as_deref()
        ),
        (Some("build"), Some("1:1"), Some("755"))
    );
    assert!(copy.link && copy.parents && copy.add.is_none());
    assert_eq!(copy.excludes, vec!["*.md", "x"]);
    let CommandKind::Add(add) = commands[1] else {
        panic!("not an add")
    };
    assert_eq!(
        add.add,
        Some(AddFlags {
            checksum: Some("sha256:abc".into()),
            keep_git_dir: Some(true),
            unpack: Some(false)
        })
    );
    let CommandKind::Copy(heredocs) = commands[2] else {
        panic!("not a copy")
    };
    assert_eq!(heredocs.sources, vec!["EOF", "TWO"]);
    assert_eq!(heredocs.heredocs[1].content, "\tworld\n");
    assert!(heredocs.heredocs[1].chomp && !heredocs.heredocs[1].expand);
    let CommandKind::Copy(json) = commands[3] else {
        panic!("not a copy")
    };
    assert_eq!(json.sources, vec!["with space"]);
}

#[test]
fn other_instructions() {
    let dockerfile = typed(concat!(
        "FROM a\n",
        "ENV A=1 B=\"2 3\"\nENV LEGACY x y\nLABEL \"k\"=v\nWORKDIR /w\nUSER me\n",
        "EXPOSE 8080 443/tcp 80\nVOLUME [\"/a\", \"/b\"]\nVOLUME /c /d\nSTOPSIGNAL SIGTERM\n",
        "SHELL [\"/bin/bash\", \"-c\"]\nCMD echo hi\nENTRYPOINT [\"/e\"]\nMAINTAINER me <m@x>\n",
        "HEALTHCHECK --interval=30s --retries=3 CMD curl -f http://x/\nHEALTHCHECK NONE\n",
        "ONBUILD RUN echo <<EOF\nbody\nEOF\nARG X Y=1\n",
    ));
    let commands = kinds(&dockerfile.stages[0]);
    assert_eq!(
        *commands[0],
        CommandKind::Env(vec![
            KeyValue {
                key: "A".into(),
                value: "1".into()
            },
            KeyValue {
                key: "B".into(),
                value: "\"2 3\"".into()
            },
        ])
    );
    assert_eq!(
        *commands[1],
        CommandKind::Env(vec![KeyValue {
            key: "LEGACY".into(),
            value: "x y".into()
        }])
    );
    assert_eq!(
        *commands[2],
        CommandKind::Label(vec![KeyValue {
            key: "\"k\"".into(),
            value: "v".into()
        }])
    );
    assert_eq!(
        *commands[5],
        CommandKind::Expose(vec!["443/tcp".into(), "80".into(), "8080".into()])
    );
    assert_eq!(
        *commands[7],
        CommandKind::Volume(vec!["/c".into(), "/d".into()])
    );
    assert_eq!(
        *commands[10],
        CommandKind::Cmd(ShellOrExec::Shell("echo hi".into()))
    );
    assert_eq!(*commands[12], CommandKind::Maintainer("me <m@x>".into()));
    let CommandKind::Healthcheck(Healthcheck::Check {
        test,
        interval,
        retries,
        ..
    }) = commands[13]
    else {
        panic!("not a healthcheck: {:?}", commands[13])
    };
    assert_eq!(
        (test, interval.as_deref(), retries.as_deref()),
        (
            &ShellOrExec::Shell("curl -f http://x/".into()),
            Some("30s"),
            Some("3")
        )
    );
    assert_eq!(*commands[14], CommandKind::Healthcheck(Healthcheck::None));
    assert_eq!(
        *commands[15],
        CommandKind::Onbuild("RUN echo <<EOF\nbody\nEOF".into())
    );
    assert_eq!(
        *commands[16],
        CommandKind::Arg(vec![
            ArgDefinition {
                name: "X".into(),
                default: None
            },
            ArgDefinition {
                name: "Y".into(),
                default: Some("1".into())
            },
        ])
    );
}

#[test]
fn errors_match_buildkit() {
    let cases: &[(&str, &str, usize)] = &[
        ("FROM a\nRUNN x\n", "dockerfile parse error on line 2: unknown instruction: RUNN (did you mean run?)", 2),
        ("foo bar\n", "dockerfile parse error on line 1: unknown instruction: foo", 1),
        ("RUN x\nFROM a\n", "no build stage in current context", 1),
        ("FROM a\nCOPY --boo x y\n", "dockerfile parse error on line 2: unknown flag: --boo", 2),
        ("FROM a\nCOPY --chmod x y\n", "dockerfile parse error on line 2: missing a value on flag: --chmod", 2),
        ("FROM a\nCOPY --link=maybe x y\n", "dockerfile parse error on line 2: expecting boolean value for flag --link, not: maybe", 2),
        ("FROM a\nCOPY \\\n   x\n", "dockerfile parse error on line 2: COPY requires at least two arguments, but only one was provided. Destination could not be determined", 2),
        ("FROM a\nCOPY x <<EOF\nEOF\n", "dockerfile parse error on line 2: COPY cannot accept a heredoc as a destination", 2),
        ("FROM a\nADD --from=x a b\n", "dockerfile parse error on line 2: unknown flag: --from", 2),
        ("FROM a b\n", "dockerfile parse error on line 1: FROM requires either one or three arguments", 1),
        ("FROM a AS 1x\n", "dockerfile parse error on line 1: invalid name for build stage: \"1x\", name can't start with a number or contain symbols", 1),
        ("FROM a\nONBUILD ONBUILD RUN x\n", "dockerfile parse error on line 2: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed", 2),
        ("FROM a\nONBUILD FROM b\n", "dockerfile parse error on line 2: FROM isn't allowed as an ONBUILD trigger", 2),
        ("FROM a\nMAINTAINER --boo joe\n", "dockerfile parse error on line 2: unknown flag: --boo", 2),
        ("FROM a\nENV =x\n", "dockerfile parse error on line 2: ENV names can not be blank", 2),
        ("FROM a\nARG =x\n", "dockerfile parse error on line 2: ARG names can not be blank", 2),
        ("FROM a\nWORKDIR\n", "dockerfile parse error on line 2: WORKDIR requires exactly one argument", 2),
        ("FROM a\nEXPOSE\n", "dockerfile parse error on line 2: EXPOSE requires at least one argument", 2),
        ("FROM a\nSHELL /bin/sh -c\n", "dockerfile parse error on line 2: SHELL requires the arguments to be in JSON form", 2),
        ("FROM a\nHEALTHCHECK NONE x\n", "dockerfile parse error on line 2: HEALTHCHECK NONE takes no arguments", 2),
        ("FROM a\nHEALTHCHECK FOO x\n", "dockerfile parse error on line 2: Unknown type \"FOO\" in HEALTHCHECK (try CMD)", 2),
        ("FROM a\nHEALTHCHECK CMD\n", "dockerfile parse error on line 2: Missing command after HEALTHCHECK CMD", 2),
        ("FROM a\nHEALTHCHECK --interval=1ns CMD x\n", "dockerfile parse error on line 2: Interval \"interval\" cannot be less than 1ms", 2),
        ("FROM a\nRUN --network=bridge x\n", "dockerfile parse error on line 2: invalid network mode \"bridge\"", 2),
        ("FROM a\nRUN --security=x y\n", "dockerfile parse error on line 2: security \"x\" is not valid", 2),
        ("FROM a\nRUN --mount=from=$X,target=/x x\n", "dockerfile parse error on line 2: 'from' doesn't support variable expansion, define alias stage instead", 2),
        ("FROM a\nRUN --mount=type=ca\\\"che x\n", "dockerfile parse error on line 2: failed to parse csv mounts: parse error on line 1, column 8: bare \" in non-quoted-field", 2),
        ("FROM a\nVOLUME [\"\"]\n", "dockerfile parse error on line 2: VOLUME specified can not be an empty string", 2),
    ];
    for (source, message, line) in cases {
        let error = failure(source);
        assert_eq!(
            (error.message().as_str(), error.span.start),
            (*message, *line),
            "for {source:?}"
        );
    }
}

#[test]
fn lenient_where_buildkit_is() {
    typed("FROM a\nSTOPSIGNAL --x 9\nARG --x y\nHEALTHCHECK --bogus NONE\nRUN\n");
}

#[test]
fn expands_the_fields_buildkit_expands() {
    let lexer = Lexer::new('\\');
    let environment = env(&[
        ("A", "old"),
        ("DIR", "/cache"),
        ("PORTS", "80 443"),
        ("U", "me"),
        ("SRC", "s"),
    ]);
    let dockerfile = typed(concat!(
        "FROM a\n",
        "ENV A=new B=$A\n",
        "RUN --mount=type=cache,target=$DIR echo $A\n",
        "COPY --from=$A --chown=$U --chmod=$U <<EOF $SRC \"q\"$U /d/$A/\n$U \"$A\" \\$A\nEOF\n",
        "EXPOSE $PORTS 22\nWORKDIR ${DIR}/w\nLABEL k$A=v$A\nCMD echo $A\nARG X=$A Y=$X\nVOLUME $DIR\n",
    ));
    let expanded: Vec<CommandKind> = dockerfile.stages[0]
        .commands
        .iter()
        .map(|command| {
            expand_command(&command.kind, &lexer, &environment)
                .unwrap_or_else(|error| panic!("{error}"))
        })
        .collect();
    assert_eq!(
        expanded[0],
        CommandKind::Env(vec![
            KeyValue {
                key: "A".into(),
                value: "new".into()
            },
            KeyValue {
                key: "B".into(),
                value: "old".into()
            }
        ])
    );
    let CommandKind::Run(run) = &expanded[1] else {
        panic!("not a run")
    };
    assert_eq!(run.command, ShellOrExec::Shell("echo $A".into()));
    let mount = run.mounts[0].expand(&mut |word| lexer.expand_word(word, &environment));
    assert_eq!(
        mount.map(|mount| mount.target),
        Ok(Some("/cache".to_owned()))
    );
    let CommandKind::Copy(copy) = &expanded[2] else {
        panic!("not a copy")
    };
    assert_eq!(copy.sources, vec!["EOF", "s", "qme"]);
    assert_eq!(
        (
            copy.destination.as_str(),
            copy.from.as_deref(),
            copy.chown.as_deref()
        ),
        ("/d/old/", Some("$A"), Some("me"))
    );
    assert_eq!(copy.heredocs[0].content, "me \"old\" $A\n");
    assert_eq!(
        expanded[3],
        CommandKind::Expose(vec!["80".into(), "443".into(), "22".into()])
    );
    assert_eq!(expanded[4], CommandKind::Workdir("/cache/w".into()));
    assert_eq!(
        expanded[5],
        CommandKind::Label(vec![KeyValue {
            key: "kold".into(),
            value: "vold".into()
        }])
    );
    assert_eq!(
        expanded[6],
        CommandKind::Cmd(ShellOrExec::Shell("echo $A".into()))
    );
    assert_eq!(
        expanded[7],
        CommandKind::Arg(vec![
            ArgDefinition {
                name: "X".into(),
                default: Some("old".into())
            },
            ArgDefinition {
                name: "Y".into(),
                default: Some("old".into())
            },
        ])
    );
    assert_eq!(expanded[8], CommandKind::Volume(vec!["/cache".into()]));
}

#[test]
fn expansion_errors_and_stages() {
    let lexer = Lexer::new('\\');
    let dockerfile =
        typed("FROM --platform=$P ${IMAGE:-alpine}:${TAG:?notag}\nUSER ${U:?no user}\n");
    let meta = env(&[("P", "linux/arm64"), ("TAG", "3")]);
    let stage = expand_stage(&dockerfile.stages[0], &lexer, &meta)
        .unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(
        (stage.base_name.as_str(), stage.platform.as_deref()),
        ("alpine:3", Some("linux/arm64"))
    );
    let error = expand_command(&dockerfile.stages[0].commands[0].kind, &lexer, &meta).err();
    assert_eq!(
        error.map(|error| error.to_string()).as_deref(),
        Some("failed to process \"${U:?no user}\": U: no user")
    );
    assert!(meta.lookup("P").is_some());
}

#[test]
fn mounts_are_typed_with_the_stage_expander() {
    let dockerfile =
        typed("FROM a\nRUN --mount=type=cache,target=/a/$ID,id=$ID --security=insecure x\n");
    let CommandKind::Run(run) = &dockerfile.stages[0].commands[0].kind else {
        panic!("not a run")
    };
    assert_eq!(run.security, Some(SecurityMode::Insecure));
    let environment = env(&[("ID", "cache-id")]);
    let mount = run.mounts[0]
        .expand(&mut |word| Lexer::new('\\').expand_word(word, &environment))
        .unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(
        (mount.target.as_deref(), mount.id.as_deref()),
        (Some("/a/cache-id"), Some("cache-id"))
    );
}

#[test]
fn copy_heredocs_are_chomped_before_expansion() {
    let dockerfile = typed("FROM a\nCOPY <<-EOF /x\n\techo $V\n\tEOF\n");
    let environment = env(&[("V", "1\n\t2")]);
    let expanded = expand_command(
        &dockerfile.stages[0].commands[0].kind,
        &Lexer::new('\\'),
        &environment,
    );
    let Ok(CommandKind::Copy(copy)) = expanded else {
        panic!("not a copy: {expanded:?}")
    };
    assert_eq!(
        (copy.heredocs[0].content.as_str(), copy.heredocs[0].chomp),
        ("echo 1\n\t2\n", false)
    );
}
