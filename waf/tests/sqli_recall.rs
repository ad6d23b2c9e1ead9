//! SQL injection signals added in the third tuning pass, through the public API
//! (a query parameter of a balanced profile): each signal has payloads that
//! must be denied and benign look-alikes that must pass.
#![allow(clippy::expect_used)]

mod common;

use common::query;
use rampart_waf::{Class, Profile, ProfileConfig, Verdict};

fn profile() -> Profile {
    Profile::compile("sqli", &ProfileConfig::default()).expect("profile compiles")
}

fn assert_sqli(values: &[&str]) {
    let p = profile();
    for v in values {
        let verdict = query(&p, v);
        assert_eq!(
            verdict.detection().map(|d| d.class),
            Some(Class::Sqli),
            "{v:?} => {verdict:?}"
        );
    }
}

fn assert_allowed(values: &[&str]) {
    let p = profile();
    for v in values {
        assert_eq!(query(&p, v), Verdict::Allow, "{v:?}");
    }
}

#[test]
fn sqli_plain_operator_words_denied() {
    assert_sqli(&[
        "XOR",
        "RLIKE",
        "is null",
        "9999 or true",
        "or 88",
        "42 like 42",
    ]);
}

#[test]
fn sqli_plain_prose_with_logic_words_allowed() {
    assert_allowed(&[
        "black and white",
        "two or three apples",
        "it is what it is",
        "order 2 or more and save",
        "xorg",
    ]);
}

#[test]
fn sqli_glued_quote_logic_quote_denied() {
    assert_sqli(&["a'or'a", "foo'OR'oof", "\\'or'1", "\\\"or\"1", "x`and`1"]);
}

#[test]
fn sqli_quoted_logic_word_in_prose_allowed() {
    assert_allowed(&[
        "the 'or' operator",
        "say \"and\" twice",
        "rock'n'roll",
        "\"this\" or \"that\"",
    ]);
}

#[test]
fn sqli_break_operator_run_then_comment_denied() {
    assert_sqli(&[
        "user'collate nocase--",
        "x' mod id--",
        "'sounds like rowid--",
        "' is not?--",
        "' notnull --",
    ]);
}

#[test]
fn sqli_break_then_words_then_dashes_in_prose_allowed() {
    assert_allowed(&[
        "it is your parents' and yours",
        "the mod team -- thanks",
        "Tom's notes -- draft",
    ]);
}

#[test]
fn sqli_opening_break_with_dangling_condition_denied() {
    assert_sqli(&["' or xyz!", "' xor abcdefg!", "' or abc-"]);
}

#[test]
fn sqli_quoted_sentence_opening_with_or_allowed() {
    assert_allowed(&["'Or so I thought'", "'And then there were none'"]);
}

#[test]
fn sqli_cut_off_select_list_and_glued_comments_denied() {
    assert_sqli(&[
        "in ( select * from",
        "1--PTTmJopxdWJ\nAND--cWfcVRPV\n9227=9227",
        "0 div 1 union#foo*/*bar\nselect#foo\n1,2,current_user",
    ]);
}

#[test]
fn sqli_select_in_prose_and_cli_flags_allowed() {
    assert_allowed(&[
        "run it with --force\nthen restart",
        "tag it #union #select",
        "div(23,-2) is CSS-free",
    ]);
}

#[test]
fn sqli_procedure_calls_casts_and_declarations_denied() {
    assert_sqli(&[
        "execute scald",
        "exec master.xp_dirtree",
        "EXECUTE IMMEDIATE \"",
        "procedure analyse (",
        "declare @b",
        "password::int",
        "'create user name identified by 'pass123' --",
    ]);
}

#[test]
fn sqli_procedure_and_declare_words_in_prose_allowed() {
    assert_allowed(&[
        "execute the plan",
        "executive summary",
        "please declare @home office costs",
        "std::string",
        "user@example.com",
        "the user was identified by name",
    ]);
}

#[test]
fn sqli_open_comparisons_and_literal_fragments_denied() {
    assert_sqli(&[
        "'LIKE'",
        "A' REGEXP 'B",
        ") like (",
        "something LIKE '",
        "1-false",
        "1 /*",
        "',NULL) waitfor delay '0:0:20' /*",
        "select pg_sleep",
        "foo\\''or'oof",
        "` AS `edit_user_id` from",
    ]);
}

#[test]
fn sqli_comparison_and_set_words_in_prose_allowed() {
    assert_allowed(&[
        "like",
        "I like 'em",
        "all except select items",
        "1-2 days",
        "page 1 of 3",
        "use `cargo build` to compile",
        "sleep well",
        "(see above) like (below)?",
    ]);
}

#[test]
fn sqli_having_group_with_literal_condition_denied() {
    assert_sqli(&["id having (true or 1)"]);
}

#[test]
fn sqli_where_group_of_words_allowed() {
    assert_allowed(&["where (the north or the south)", "having (fun or not)"]);
}
