//! Code-injection signals: payloads that score, look-alikes that do not.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

fn score(v: &str, f: Field, c: Class) -> u32 {
    let mut h = Hits::default();
    scan(v.as_bytes(), f, &mut h);
    h.score(c)
}

#[test]
fn code_java_runtime_name_detected() {
    assert!(score("java.evil.runtime", Field::Value, Class::Java) >= 5);
    assert!(score("x=java.lang.processbuilder", Field::Value, Class::Java) >= 5);
}

#[test]
fn code_java_prose_about_runtime_allowed() {
    assert!(
        score(
            "the java runtime is slow. runtime.gc helps",
            Field::Value,
            Class::Java
        ) < 5
    );
}

#[test]
fn code_php_variable_call_detected() {
    for p in ["$a(1)", "${'a'}(11)", "$__['o'](5)", "@$b374k(\"foo\")"] {
        assert!(score(p, Field::Value, Class::Php) >= 5, "{p}");
    }
}

#[test]
fn code_php_complex_variable_syntax_detected() {
    for p in ["${'ff'}", "$ {$a}", "$__[$_[1]](7)", "$a //x\n()"] {
        assert!(score(p, Field::Value, Class::Php) >= 5, "{p}");
    }
}

#[test]
fn code_jquery_and_prices_are_not_php_calls() {
    for p in [
        "$('#id').hide()",
        "$.ajax(url)",
        "costs $5 (tax incl.)",
        "hello ${name}!",
    ] {
        assert!(score(p, Field::Value, Class::Php) < 5, "{p}");
    }
}

#[test]
fn code_js_busy_loop_and_serialised_function_detected() {
    assert!(score("while(!0);", Field::Value, Class::Generic) >= 5);
    assert!(score("while(true);", Field::Value, Class::Generic) >= 5);
}

#[test]
fn code_js_loop_with_condition_allowed() {
    assert!(score("while(i < n) { i++ }", Field::Value, Class::Generic) < 5);
}

#[test]
fn code_sensitive_words_with_junk_separators_detected() {
    assert!(score("..∕..∕etc∕passwd", Field::Value, Class::Lfi) >= 5);
}

#[test]
fn code_sensitive_words_in_prose_allowed() {
    assert!(
        score(
            "edit the etc passwd file? windows, system32",
            Field::Value,
            Class::Lfi
        ) < 5
    );
}

#[test]
fn code_dot_steps_with_junk_detected() {
    assert!(score("..%bg%qf..%bg%qf..%bg%qfetc", Field::Value, Class::Lfi) >= 5);
    assert!(score("..2f..2f..2fetc2fpasswd", Field::Value, Class::Lfi) >= 5);
}

#[test]
fn code_system_path_value_detected() {
    assert!(score("/etc/hostname.dnet2", Field::Value, Class::Lfi) >= 5);
    assert!(score("/var/log/something.xz", Field::Value, Class::Lfi) >= 5);
}

#[test]
fn code_system_directories_on_any_drive_and_dotfiles_detected() {
    for p in [
        "/usr/local/apache/logs/error_log",
        "/var/www/html/index.php",
        "/usr/share/nginx/html/index.html",
        "d:/windows/win.ini",
        "e:/xampp/apache/conf/httpd.conf",
        "c:/postgresql/log/pgadmin.log",
        "~/.bashrc",
        "/.netrc",
        "../../home/u/.bash_profile",
        "/root/.my.cnf",
    ] {
        assert!(score(p, Field::Value, Class::Lfi) >= 5, "{p}");
    }
}

#[test]
fn code_relative_and_web_paths_allowed() {
    for p in [
        "/api/v1/etc/list",
        "docs/etc/readme",
        "/usr/ is where programs live",
        "c:/users/anna/documents/cv.docx",
        "C:/Program Files/Common Files",
        "add the alias to your ~/.bashrc and reload",
        ".bashrc",
        "/library/books/12",
    ] {
        assert!(score(p, Field::Value, Class::Lfi) < 5, "{p}");
    }
}

#[test]
fn code_ranges_and_ellipses_allowed() {
    assert!(
        score(
            "1..2..3..4 and wait... what... ok...",
            Field::Value,
            Class::Lfi
        ) < 5
    );
}

#[test]
fn code_batch_if_detected() {
    for p in [
        "if not exist c:/x echo hey",
        "if /i a==b foo",
        "& if %n1% gtr %n2% echo x",
    ] {
        assert!(score(p, Field::Value, Class::Cmdi) >= 5, "{p}");
    }
}

#[test]
fn code_prose_if_allowed() {
    assert!(score("if it exists, tell me", Field::Value, Class::Cmdi) < 5);
    assert!(score("what if x equals y", Field::Value, Class::Cmdi) < 5);
}

#[test]
fn code_orm_lookup_in_name_detected() {
    assert!(score("user__password__startswith", Field::Name, Class::Generic) >= 5);
    assert!(score("created__gte", Field::Name, Class::Generic) < 5);
}

// === equivalence with the checks before the speed-up (`reference.rs`) ===

use proptest::prelude::*;

/// Words and fragments the code-injection checks key on.
const KEYWORDS: &[&str] = &[
    "java",
    "javax",
    "jdk",
    "sun",
    "com",
    "org",
    "java.lang.",
    ".runtime",
    "runtime",
    "processbuilder",
    "classloader",
    "urlclassloader",
    "templatesimpl",
    "jdbcrowsetimpl",
    "$",
    "$$",
    "${",
    "['k']",
    "[$_[1]]",
    "{'a'}",
    "$a(",
    "$ {$x}",
    "@$f(",
    "#x\n",
    "//c\n",
    "function(){",
    "function() {",
    "function(",
    "while(",
    "while(!0)",
    "while(true)",
    "while(new date)",
    "console.",
    "console.log(1)",
    "etc",
    "passwd",
    "shadow",
    "hosts",
    "windows",
    "system32",
    "drivers",
    "boot",
    "ini",
    "win",
    "%bg%qf",
    "∕",
    "..",
    "...",
    "..2f",
    "..5c",
    "2f",
    "5c",
    "/etc/",
    "/proc/",
    "/var/log/",
    "c:/",
    "file://",
    "if",
    " if ",
    "if /i ",
    "not",
    "exist",
    "defined",
    "errorlevel",
    "==",
    " equ ",
    " gtr ",
    "a==b",
    "& ",
    "| ",
    "; ",
    "__",
    "user__password__startswith",
    "startswith",
    "gte",
    "in",
    "isnull",
    "gift",
    "please",
    "@example.org",
];

/// Single bytes the checks branch on.
const TRIGGERS: &[u8] = b".$(){}[]'\"#/\\\n\t _-%!+@&|;=ifen0";

fn token() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => prop::sample::select(KEYWORDS).prop_map(|k| k.as_bytes().to_vec()),
        4 => prop::sample::select(TRIGGERS).prop_map(|b| vec![b]),
        1 => "[a-z0-9]{1,8}".prop_map(String::into_bytes),
        1 => any::<u8>().prop_map(|b| vec![b]),
    ]
}

fn value() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(token(), 0..24).prop_map(|t| t.concat())
}

fn hits_of(check: impl FnOnce(&mut Hits)) -> String {
    let mut h = Hits::default();
    check(&mut h);
    format!("{h:?}")
}

const FIELDS: [Field; 3] = [Field::Value, Field::Name, Field::Path];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn code_scan_scores_as_before(v in value()) {
        for field in FIELDS {
            prop_assert_eq!(
                hits_of(|h| scan(&v, field, h)),
                hits_of(|h| reference::scan(&v, field, h))
            );
        }
    }

    #[test]
    fn code_checks_add_as_before(v in value()) {
        prop_assert_eq!(hits_of(|h| js_runtime(&v, h)), hits_of(|h| reference::js_runtime(&v, h)));
        prop_assert_eq!(busy_loop(&v), reference::busy_loop(&v));
        prop_assert_eq!(hits_of(|h| dot_steps(&v, h)), hits_of(|h| reference::dot_steps(&v, h)));
        prop_assert_eq!(hits_of(|h| batch_if(&v, h)), hits_of(|h| reference::batch_if(&v, h)));
        prop_assert_eq!(hits_of(|h| orm_lookup(&v, h)), hits_of(|h| reference::orm_lookup(&v, h)));
        prop_assert_eq!(
            hits_of(|h| sensitive_words(&v, h)),
            hits_of(|h| reference::sensitive_words(&v, h))
        );
    }

    #[test]
    fn code_gated_checks_add_nothing(v in value()) {
        let none = hits_of(|_| {});
        let (any, pairs) = classes(&v);
        if any & DOT_A == 0 || !java_danger_after_dot(&v) {
            prop_assert_eq!(hits_of(|h| java_names(&v, h)), none.clone());
        }
        if any & PAREN == 0 || (pairs & PAREN == 0 && !v.starts_with(b"console.")) {
            prop_assert_eq!(hits_of(|h| js_runtime(&v, h)), none.clone());
        }
        if pairs & WORD2 == 0 {
            prop_assert_eq!(hits_of(|h| sensitive_words(&v, h)), none.clone());
        }
        if pairs & DOT_B == 0 {
            prop_assert_eq!(hits_of(|h| dot_steps(&v, h)), none.clone());
        }
        if pairs & F == 0 {
            prop_assert_eq!(hits_of(|h| batch_if(&v, h)), none.clone());
        }
        if pairs & US_B == 0 {
            prop_assert_eq!(hits_of(|h| orm_lookup(&v, h)), none);
        }
    }

    #[test]
    fn code_byte_pairs_are_found_as_by_search(v in prop::collection::vec(any::<u8>(), 0..64)) {
        let (any, pairs) = classes(&v);
        let has = |n: &[u8]| v.windows(n.len()).any(|w| w == n);
        prop_assert_eq!(any & DOT_A != 0, v.contains(&b'.'));
        prop_assert_eq!(any & DOLLAR != 0, v.contains(&b'$'));
        prop_assert_eq!(any & PAREN != 0, v.contains(&b'('));
        prop_assert_eq!(pairs & DOT_B != 0, has(b".."));
        prop_assert_eq!(pairs & F != 0, has(b"if"));
        prop_assert_eq!(pairs & US_B != 0, has(b"__"));
        prop_assert_eq!(pairs & PAREN != 0, has(b"n(") || has(b"e("));
        let junk = |b: &u8| !b.is_ascii_alphanumeric() && !b.is_ascii_whitespace();
        prop_assert_eq!(
            pairs & WORD2 != 0,
            v.windows(2).any(|w| junk(&w[0]) && b"psihgde".contains(&w[1]))
        );
    }
}

/// Words of the sensitive pairs and near misses, joined by separators of
/// every kind `sensitive_words` tells apart.
fn word_chain() -> impl Strategy<Value = Vec<u8>> {
    const WORDS: &[&str] = &[
        "etc", "passwd", "shadow", "issue", "hosts", "group", "windows", "system32", "drivers",
        "boot", "ini", "win", "etcx", "passwd2", "it", "s", "pa", "",
    ];
    const SEPS: &[&str] = &[
        "%",
        "%bg%qf",
        "/",
        "\\",
        ".",
        "..",
        "-",
        "'",
        " ",
        "%2f",
        "12345678",
        "!!!!!!!!!",
        "∕",
        "",
        "_",
        "(",
        ") ",
    ];
    prop::collection::vec(
        (prop::sample::select(WORDS), prop::sample::select(SEPS)),
        0..8,
    )
    .prop_map(|v| {
        v.iter()
            .flat_map(|(w, s)| [*w, *s])
            .collect::<String>()
            .into_bytes()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn code_sensitive_words_as_before_on_word_chains(v in word_chain()) {
        prop_assert_eq!(
            hits_of(|h| sensitive_words(&v, h)),
            hits_of(|h| reference::sensitive_words(&v, h))
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// The byte loop for short values finds a dangerous segment after a dot
    /// exactly where the vector search does.
    #[test]
    fn code_java_danger_after_dot_matches_memchr(
        parts in proptest::collection::vec(
            prop_oneof![
                3 => "[a-z0-9@ ]{1,5}".prop_map(String::into_bytes),
                2 => proptest::sample::select(vec![".", "..", ".runtime", "runtime", ".processbuilder", ".jdbcrowsetimpl", ".proc", "java.lang.runtime"])
                    .prop_map(|p| p.as_bytes().to_vec()),
                1 => proptest::collection::vec(any::<u8>(), 1..3),
            ],
            0..10,
        )
    ) {
        let s = parts.concat();
        let by_memchr = memchr::memchr_iter(b'.', &s).any(|p| {
            let rest = &s[p + 1..];
            JAVA_DANGER.iter().any(|d| rest.starts_with(d))
        });
        prop_assert_eq!(java_danger_after_dot(&s), by_memchr, "{:?}", s);
    }
}
