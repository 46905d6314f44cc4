//! Expansion tables. Expectations follow BuildKit's own lexer tests (`envVarTest`, `wordsTest`,
//! `TestProcessWithMatches`), rewritten here as tables; `ERROR` means expansion must fail.

use super::*;

const ERROR: &str = "ERROR";

/// A word, the variables set, and the expected expansion.
type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);

fn environment(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
        .collect()
}

fn check_words(lexer: &Lexer, env: &dyn Lookup, cases: &[(&str, &str)]) {
    for (source, expected) in cases {
        match lexer.expand_word(source, env) {
            Ok(result) => assert_eq!(&result, expected, "expanding {source:?}"),
            Err(error) => assert_eq!(*expected, ERROR, "expanding {source:?} failed: {error}"),
        }
    }
}

#[test]
fn single_words_with_backslash_escape() {
    let env = environment(&[
        ("PWD", "/home"),
        ("SHELL", "bash"),
        ("KOREAN", "한국어"),
        ("NULL", ""),
    ]);
    check_words(
        &Lexer::new('\\'),
        &env,
        &[
            ("hello", "hello"),
            ("he'll'o", "hello"),
            ("he'llo", ERROR),
            (r"he\'llo", "he'llo"),
            (r"he\\'llo", ERROR),
            (r"abc\tdef", "abctdef"),
            (r#""abc\tdef""#, r"abc\tdef"),
            (r#""abc\\tdef""#, r"abc\tdef"),
            (r"'abc\tdef'", r"abc\tdef"),
            (r"hello\", "hello"),
            (r"hello\\", r"hello\"),
            (r#""hello"#, ERROR),
            (r#""hello\""#, ERROR),
            (r#""hel'lo""#, "hel'lo"),
            ("'hello", ERROR),
            (r"'hello\'", r"hello\"),
            (r"'hello\there'", r"hello\there"),
            (r"'hello\\there'", r"hello\\there"),
            (r#""''""#, "''"),
            ("$.", "$."),
            ("he$1x", "hex"),
            ("he$.x", "he$.x"),
            ("he$pwd.", "he."),
            ("he$PWD", "he/home"),
            (r"he\$PWD", "he$PWD"),
            (r"he\\$PWD", r"he\/home"),
            (r#""he\$PWD""#, "he$PWD"),
            (r#""he\\$PWD""#, r"he\/home"),
            (r"\${}", "${}"),
            (r"\${}aaa", "${}aaa"),
            (r"he\${}", "he${}"),
            (r"he\${}xx", "he${}xx"),
            ("${}", ERROR),
            ("${}aaa", ERROR),
            ("he${}", ERROR),
            ("he${}xx", ERROR),
            ("he${hi}", "he"),
            ("he${hi}xx", "hexx"),
            ("he${PWD}", "he/home"),
            ("he${.}", ERROR),
            ("he${XXX:-000}xx", "he000xx"),
            ("he${PWD:-000}xx", "he/homexx"),
            ("he${XXX:-$PWD}xx", "he/homexx"),
            ("he${XXX:-${PWD:-yyy}}xx", "he/homexx"),
            ("he${XXX:-${YYY:-yyy}}xx", "heyyyxx"),
            ("he${XXX:YYY}", ERROR),
            ("he${XXX?}", ERROR),
            ("he${XXX:?}", ERROR),
            ("he${PWD?}", "he/home"),
            ("he${PWD:?}", "he/home"),
            ("he${NULL?}", "he"),
            ("he${NULL:?}", ERROR),
            ("he${XXX:+${PWD}}xx", "hexx"),
            ("he${PWD:+${XXX}}xx", "hexx"),
            ("he${PWD:+${SHELL}}xx", "hebashxx"),
            ("he${XXX:+000}xx", "hexx"),
            ("he${PWD:+000}xx", "he000xx"),
            ("he${NULL-x}y", "hey"),
            ("he${NULL:-x}y", "hexy"),
            ("he${NULL+x}y", "hexy"),
            ("he${NULL:+x}y", "hey"),
            ("'he${XX}'", "he${XX}"),
            (r#""he${PWD}""#, "he/home"),
            (r#""he'$PWD'""#, "he'/home'"),
            (r#""$PWD""#, "/home"),
            ("'$PWD'", "$PWD"),
            (r"'\$PWD'", r"\$PWD"),
            (r#"'"hello"'"#, r#""hello""#),
            ("he${PWD", ERROR),
            ("he${PWD:=000}xx", ERROR),
            ("he${PWD:+${PWD}:}xx", "he/home:xx"),
            (r"he${XXX:-\$PWD:}xx", "he$PWD:xx"),
            (r"he${XXX:-\${PWD}z}xx", "he${PWDz}xx"),
            ("안녕하세요", "안녕하세요"),
            ("안'녕'하세요", "안녕하세요"),
            ("안'녕하세요", ERROR),
            (r"안녕\'하세요", "안녕'하세요"),
            (r"안녕\t하세요", "안녕t하세요"),
            (r#""안녕\t하세요""#, r"안녕\t하세요"),
            ("안녕$1x", "안녕x"),
            ("$KOREAN", "한국어"),
            ("안녕$KOREAN", "안녕한국어"),
            ("안녕${PWD:+${PWD}:}xx", "안녕/home:xx"),
            ("${{aaa}", ERROR),
            ("${aaa}}", "}"),
            ("${aaa", ERROR),
            ("${{aaa", ERROR),
            ("${{aaa}}", ERROR),
            ("${aaa}}}", "}}"),
            ("$", "$"),
            ("${", ERROR),
            ("${:}", ERROR),
            ("${PWD:}", ERROR),
            ("${PWD/}", ERROR),
            ("$$", ""),
            ("${?}", ""),
        ],
    );
}

#[test]
fn single_words_with_backtick_escape() {
    let env = environment(&[("PWD", "/home")]);
    check_words(
        &Lexer::new('`'),
        &env,
        &[
            (r"he\$PWD", r"he\/home"),
            ("he`$PWD", "he$PWD"),
            (r#""he`"x""#, r#"he"x"#),
            (r"c:\windows\system32", r"c:\windows\system32"),
            ("a``b", "a`b"),
            ("a`", "a"),
            (r#""a\""#, r"a\"),
        ],
    );
}

#[test]
fn modifiers_and_patterns() {
    let cases: &[Case] = &[
        ("x ${UNUSED}", &[], "x "),
        ("${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}", &[("FOO", "xxx"), ("BAR", "")], "xxx  ccc"),
        ("${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}", &[("FOO", "xxx"), ("BAR", "")], "xxx bbb ccc"),
        ("${FOO:-}", &[("FOO", "xxx")], "xxx"),
        ("${FOO:-}", &[], ""),
        ("${FOO+aaa} ${BAR+bbb} ${BAZ+ccc}", &[("FOO", "xxx"), ("BAR", "")], "aaa bbb "),
        ("${FOO:+aaa} ${BAR:+bbb} ${BAZ:+ccc}", &[("FOO", "xxx"), ("BAR", "")], "aaa  "),
        ("${FOO?aaa}", &[("FOO", "xxx")], "xxx"),
        ("${BAR?bbb}", &[("BAR", "")], ""),
        ("${BAZ?ccc}", &[], ERROR),
        ("${FOO:?aaa}", &[("FOO", "xxx")], "xxx"),
        ("${BAR:?bbb}", &[("BAR", "")], ERROR),
        ("${BAZ:?}", &[], ERROR),
        ("${FOO=aaa}", &[("FOO", "xxx")], ERROR),
        ("${FOO=:aaa}", &[("FOO", "xxx")], ERROR),
        ("${FOO=}", &[], ERROR),
        (r"${FOO#()[]{\}^$.\*\?|\\}", &[("FOO", r"()[]{}^$.*?|\x")], "x"),
        (r"${FOO%%\**}", &[("FOO", "xx**")], "xx"),
        ("${FOO#*x*y}", &[("FOO", "xxyy")], "y"),
        ("${FOO#*}", &[("FOO", "xxyy")], "xxyy"),
        ("${FOO#$BAR}", &[("FOO", "xxyy"), ("BAR", "x")], "xyy"),
        ("${FOO#$BAR}", &[("FOO", "xxyy"), ("BAR", "")], "xxyy"),
        ("${FOO#}", &[("FOO", "xxyy")], "xxyy"),
        ("${FOO##*x}", &[("FOO", "xxyy")], "yy"),
        ("${FOO##}", &[("FOO", "xxyy")], "xxyy"),
        (r"${FOO#?\?}", &[("FOO", "???y")], "?y"),
        ("${ABC:-.}${FOO%x}${ABC:-.}", &[("FOO", "xxyy")], ".xxyy."),
        (r"${FOO%%\**\*}", &[("FOO", "a***yy*")], "a"),
        ("${FOO%}", &[("FOO", "xxyy")], "xxyy"),
        ("${FOO%%$BAR}", &[("FOO", "xxyy"), ("BAR", "")], "xxyy"),
        ("${FOO%y*}", &[("FOO", "xxyy")], "xxy"),
        ("${FOO%%y*}", &[("FOO", "xxyy")], "xx"),
        ("${FOO:#}", &[], ERROR),
        ("${FOO:##}", &[], ERROR),
        ("${FOO:%}", &[], ERROR),
        ("${FOO:%%}", &[], ERROR),
        ("${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}", &[("FOO", "/foo*/*/*.txt"), ("NEEDLE", r"\*/")], "/foo.*/*.txt - /foo..*.txt"),
        ("${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}", &[("FOO", "/tmp/tmp/bar.txt"), ("NEEDLE", "/tmp")], "/tmp/bar.txt - /bar.txt"),
        ("${FOO/$NEEDLE/$REPLACEMENT} - ${FOO//$NEEDLE/$REPLACEMENT}", &[("FOO", "/a/foo/b/c.txt"), ("NEEDLE", "/?/"), ("REPLACEMENT", "/")], "/foo/b/c.txt - /foo/c.txt"),
        ("${FOO/$NEEDLE/$REPLACEMENT}", &[("FOO", "http://google.de"), ("NEEDLE", "http://"), ("REPLACEMENT", "https://")], "https://google.de"),
        (r"${FOO//\//\/}", &[("FOO", "/tmp/foo.txt")], r"\/tmp\/foo.txt"),
        ("${FOO/$BAR/ww}", &[("FOO", "xxyy"), ("BAR", "")], "wwxxyy"),
        ("${FOO//ww}", &[("FOO", "xxyy")], ERROR),
        ("${FOO//}", &[("FOO", "xxyy")], ERROR),
        ("${FOO///}", &[("FOO", "xxyy")], "xxyy"),
        ("${FOO///}", &[], ""),
        ("${FOO#\\x}", &[("FOO", "xy")], ERROR),
        (
            "something-${VERSION}.${TARGETOS}-${TARGETARCH}${TARGETVARIANT:+-${TARGETVARIANT}}.tar.gz",
            &[("VERSION", "v1.2.3"), ("TARGETOS", "linux"), ("TARGETARCH", "arm"), ("TARGETVARIANT", "v7")],
            "something-v1.2.3.linux-arm-v7.tar.gz",
        ),
        (
            "something-${VERSION}.${TARGETOS}-${TARGETARCH}${TARGETVARIANT:+-${TARGETVARIANT}}.tar.gz",
            &[("VERSION", "v1.2.3"), ("TARGETOS", "linux"), ("TARGETARCH", "arm64"), ("TARGETVARIANT", "")],
            "something-v1.2.3.linux-arm64.tar.gz",
        ),
    ];
    let lexer = Lexer::new('\\');
    for (source, pairs, expected) in cases {
        check_words(&lexer, &environment(pairs), &[(source, expected)]);
    }
}

#[test]
fn records_matched_and_unmatched_names() {
    let env = environment(&[("FOO", "xxx"), ("BAR", "")]);
    let expansion = Lexer::new('\\').expand("${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}", &env);
    let expansion = expansion.unwrap_or_default();
    assert_eq!(
        expansion.matched.iter().collect::<Vec<_>>(),
        vec!["BAR", "FOO"]
    );
    assert_eq!(expansion.unmatched.iter().collect::<Vec<_>>(), vec!["BAZ"]);
}

#[test]
fn splits_fields_like_process_words() {
    let env = environment(&[
        ("hi", "hi"),
        ("space", "abc  def"),
        ("leading", "  ab c"),
        ("trailing", "ab c   "),
    ]);
    let cases: &[(&str, &[&str])] = &[
        ("hello", &["hello"]),
        ("hello${hi}bye", &["hellohibye"]),
        ("hello${space}bye", &["helloabc", "defbye"]),
        (r#"hello"${space}"bye"#, &["helloabc  defbye"]),
        ("hello${leading}def", &["hello", "ab", "cdef"]),
        (r#"hello"${leading}" def"#, &["hello  ab c", "def"]),
        (r#"hello"${leading}""#, &["hello  ab c"]),
        ("hello${leading}", &["hello", "ab", "c"]),
        ("hello${trailing}", &["helloab", "c"]),
        ("hello${trailing}d", &["helloab", "c", "d"]),
        (r#"hello"${trailing}"d"#, &["helloab c   d"]),
        (r#"hel"lo${trailing}""#, &["helloab c   "]),
        (r#"hello" there  ""#, &["hello there  "]),
        ("hello there     ", &["hello", "there"]),
        (r"hello\ there", &["hello there"]),
        (r#"hello\" there"#, &["hello\"", "there"]),
        (r#"hello"\\there""#, &[r"hello\there"]),
        (r#"hello"\there""#, &[r"hello\there"]),
        (r"hello'\\there'", &[r"hello\\there"]),
        ("hello'$there'", &["hello$there"]),
        (r#""""#, &[]),
        ("8080/tcp 9090", &["8080/tcp", "9090"]),
    ];
    let lexer = Lexer::new('\\');
    for (source, expected) in cases {
        let words = lexer
            .expand_words(source, &env)
            .unwrap_or_else(|error| vec![error.to_string()]);
        assert_eq!(words, *expected, "splitting {source:?}");
    }
    assert!(lexer.expand_words(r#"hello" there"#, &env).is_err());
}

#[test]
fn errors_name_the_word() {
    let error = Lexer::new('\\')
        .expand_word("he${PWD:-x", &NoVariables)
        .err();
    assert_eq!(
        error.map(|error| error.to_string()).as_deref(),
        Some(r#"failed to process "he${PWD:-x": syntax error: missing '}'"#)
    );
    // Go prints the end-of-input rune as U+FFFD.
    let error = Lexer::new('\\').expand_word("he${PWD", &NoVariables).err();
    assert_eq!(
        error.map(|error| error.reason).as_deref(),
        Some("unsupported modifier (\u{FFFD}) in substitution")
    );
    let error = Lexer::new('\\')
        .expand_word("${X:?must be set}", &NoVariables)
        .err();
    assert_eq!(
        error.map(|error| error.reason).as_deref(),
        Some("X: must be set")
    );
}

#[test]
fn lookups_prefer_the_last_pair() {
    let env = environment(&[("car", "hat"), ("car", "bike")]);
    assert_eq!(env.lookup("car").as_deref(), Some("bike"));
    let map: std::collections::BTreeMap<String, String> = env.iter().cloned().collect();
    assert_eq!(map.lookup("car").as_deref(), Some("bike"));
}

#[test]
fn heredoc_content_lexer_keeps_quotes() {
    let env = environment(&[("NAME", "world")]);
    let lexer = Lexer::for_heredoc_content();
    let expanded = lexer.expand_word("echo \"hi $NAME\" 'x' \\$NAME\n", &env);
    assert_eq!(
        expanded.ok().as_deref(),
        Some("echo \"hi world\" 'x' $NAME\n")
    );
}
