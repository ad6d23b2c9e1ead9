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
fn code_relative_and_web_paths_allowed() {
    assert!(score("/api/v1/etc/list", Field::Value, Class::Lfi) < 5);
    assert!(score("docs/etc/readme", Field::Value, Class::Lfi) < 5);
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
