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

// === equivalence with the pre-rewrite scan ===

mod equivalence {
    use proptest::prelude::*;

    use super::super::literals::LITERALS;
    use super::super::php::{PHP_FUNCS, PHP_PREFIXES};
    use super::super::reference::Reference;
    use super::*;

    /// Pieces the structural checks look for, and their near misses.
    const PIECES: &[&str] = &[
        "(",
        ")",
        ":",
        "$",
        "{",
        "}",
        "%",
        "<",
        ">",
        "?",
        "!",
        "#",
        "\n",
        "\r\n",
        " ",
        "\t",
        "_",
        "/",
        ".",
        "@",
        "\"",
        "'",
        "[",
        "]",
        "=",
        "*",
        "+",
        "-",
        "a",
        "o",
        "c",
        "1",
        "12",
        "${",
        "}}",
        "{{",
        "{%",
        "%}",
        "<%",
        "%>",
        "#{",
        "jndi:",
        "${jndi:",
        "${lower:",
        "${::-",
        "${env:",
        ":-",
        "lower:",
        "upper:",
        "<!doctype",
        "<!entity",
        " system",
        " public",
        " system ",
        "<?xml",
        "<?xml ",
        "version",
        "o:8:\"",
        "a:2:{",
        "s:",
        "i:",
        "c:3:\"",
        "() { :;",
        "(){:;",
        "() {",
        "(){",
        "set-cookie:",
        "x-foo:",
        "abc:",
        "http/1.1",
        "get /",
        "post /",
        "mail from:",
        "rcpt to:",
        "retr 1",
        "a001 login ",
        "ehlo ",
        "7*7",
        "self",
        "config",
        "request",
        "system",
        "exec",
        "import",
        "class",
        " if ",
        "if ",
        "for ",
        "= if ",
        "{% end",
        "<% end",
        "<%end",
        "x.m(",
        "$ne",
        "$where",
        "$gt",
        "$_get",
        "->",
        "exec #c\n",
        "//c\n",
        "@",
        "/index.php/",
        "é",
        "\u{0}",
        "\u{ff}",
    ];

    /// Whole structural payloads and their near misses, to be cut and combined.
    const SHAPES: &[&str] = &[
        "{ $ne: 1 }",
        "', $or: [ {",
        "{'$gt': ''}",
        "\"$where\" :",
        "';return true;",
        "db.users.find(",
        "db.dropDatabase(",
        "xdb.x.find(",
        "*(|(mail=*))",
        "x)(|(uid=*))",
        "<!doctype x [<!entity y system \"f\">]>",
        "<!doctype x [<!entity y \"v\">]>",
        "<!doctype x system x",
        "<!doctype html>",
        "${a}${b}",
        "${x}",
        "${env:x:-j}${lower:n}di:",
        "${${::-j}ndi:ldap://h/a}",
        "${jndi:x}",
        "<%= self %>",
        "<% if x %>y<% end %>",
        "<%if x%>",
        "<%= 7*7 %>",
        "{{7*7}}",
        "{{config}}",
        "{{ x }}",
        "{{ settings.x }}",
        "'x'?new()",
        "x?new(",
        "{% if x %}y{% endif %}",
        "{%import x%}",
        "#{x.m(1)}",
        "#{7-1}",
        "() { :; }; echo",
        " (){ :;}",
        "x\r\nset-cookie: a",
        "x\nhttp/1.1 200",
        "x\na001 fetch 1",
        "x\nretr 12",
        "o:8:\"stdclass\":1:{}",
        "a:1:{s:1:\"a\";i:1;}",
        "<?xml :echo 1;",
        "<?xml version=\"1.0\"?>",
        "@system($_get[c])",
        "\"exec\"('id')",
        "is_file (\"x\")",
        "/index.php/substr()",
        "$f(1)",
        "eval #c\n (x)",
    ];

    /// One shape, possibly cut short at either end.
    fn shape() -> impl Strategy<Value = Vec<u8>> {
        (prop::sample::select(SHAPES), 0usize..4, 0usize..4).prop_map(|(s, a, b)| {
            let s = s.as_bytes();
            let a = a.min(s.len());
            let b = b.min(s.len() - a);
            s[a..s.len() - b].to_vec()
        })
    }

    fn piece() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            3 => shape(),
            4 => prop::sample::select(PIECES).prop_map(|p| p.as_bytes().to_vec()),
            3 => (prop::sample::select(LITERALS), any::<bool>(), 0usize..4).prop_map(
                |(l, upper, cut)| {
                    // whole literals, some upper-cased, some with the tail cut off
                    let b = l.0.as_bytes();
                    let b = &b[..b.len() - cut.min(b.len() - 1)];
                    if upper { b.to_ascii_uppercase() } else { b.to_vec() }
                }
            ),
            2 => prop::sample::select(PHP_FUNCS).prop_map(|f| f.0.as_bytes().to_vec()),
            1 => prop::sample::select(PHP_PREFIXES).prop_map(|p| format!("{p}xy").into_bytes()),
            2 => prop::collection::vec(any::<u8>(), 1..4),
        ]
    }

    fn value() -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(piece(), 0..24).prop_map(|v| v.concat())
    }

    fn assert_same(rules: &Rules, old: &Reference, s: &[u8]) {
        for f in Field::ALL {
            let mut a = Hits::default();
            rules.scan_own(s, f, &mut a);
            let mut b = Hits::default();
            old.scan(s, f, &mut b);
            assert_eq!(format!("{a:?}"), format!("{b:?}"), "{f:?} {s:?}");
        }
    }

    thread_local! {
        static BOTH: (Rules, Reference) = (Rules::build().unwrap(), Reference::build());
    }

    /// A literal with each letter's case picked by `mask`, between random bytes
    /// (so that it lands anywhere relative to the sieve's chunks).
    fn literal_inside() -> impl Strategy<Value = Vec<u8>> {
        (
            prop::collection::vec(any::<u8>(), 0..40),
            prop::sample::select(LITERALS),
            any::<u64>(),
            prop::collection::vec(any::<u8>(), 0..8),
        )
            .prop_map(|(mut pre, l, mask, post)| {
                pre.extend(l.0.bytes().enumerate().map(|(i, b)| {
                    if mask >> (i % 64) & 1 == 1 {
                        b.to_ascii_uppercase()
                    } else {
                        b
                    }
                }));
                pre.extend(post);
                pre
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        #[test]
        fn rules_scan_equals_pre_rewrite_scan(s in value()) {
            BOTH.with(|(r, o)| assert_same(r, o, &s));
        }

        /// The sieve's early exit: `false` only where no literal occurs, and
        /// the gates of the same pass are those of every byte.
        #[test]
        fn rules_sieve_passes_every_value_with_a_literal(
            s in prop_oneof![value(), literal_inside()]
        ) {
            BOTH.with(|(r, o)| {
                let (gates, maybe) = r.sieve.scan(&s);
                assert_eq!(gates, gate::Gates::of(&s), "{s:?}");
                assert!(maybe || !o.has_literal(&s), "{s:?}");
            });
        }
    }

    #[test]
    fn rules_sieve_passes_each_literal_at_every_offset_in_any_case() {
        let r = Rules::build().unwrap();
        for l in LITERALS {
            for at in 0..40 {
                for v in [l.0.to_owned(), l.0.to_ascii_uppercase()] {
                    let mut s = vec![b'x'; 40];
                    s.splice(at..at, v.bytes());
                    assert!(r.sieve.scan(&s).1, "{s:?}");
                    assert!(r.sieve.scan(&s[at..]).1, "{s:?}");
                }
            }
        }
    }

    #[test]
    fn rules_scan_equals_pre_rewrite_scan_on_literal_pairs() {
        // every literal next to every literal 128 and 256 ids on (the `seen`
        // bit aliasing), in both orders, and every literal alone at each case
        let r = Rules::build().unwrap();
        let o = Reference::build();
        for (i, a) in LITERALS.iter().enumerate() {
            assert_same(&r, &o, a.0.as_bytes());
            assert_same(&r, &o, a.0.to_ascii_uppercase().as_bytes());
            assert_same(&r, &o, format!("x{}", a.0).as_bytes());
            for j in [i + 128, i + 256] {
                if let Some(b) = LITERALS.get(j) {
                    assert_same(&r, &o, format!("{} {}", a.0, b.0).as_bytes());
                    assert_same(&r, &o, format!("{}{}", b.0, a.0).as_bytes());
                }
            }
        }
    }

    #[test]
    fn rules_scan_finds_each_literal_at_every_offset_of_a_long_value() {
        // long values are walked as two halves: a literal anywhere, and in
        // particular across the split point, must still be found
        let r = Rules::build().unwrap();
        let o = Reference::build();
        for l in LITERALS {
            for at in 0..100 {
                let mut v = vec![b' '; 100];
                v.splice(at..at, l.0.bytes());
                let mut a = Hits::default();
                r.scan_own(&v, Field::Value, &mut a);
                let mut b = Hits::default();
                o.scan(&v, Field::Value, &mut b);
                assert_eq!(format!("{a:?}"), format!("{b:?}"), "{v:?}");
            }
        }
    }
}

/// OGNL written as expressions (`%{(#a=…).(#b=…)}`) rather than with the
/// class names the other literals know.
#[test]
fn rules_ognl_expression_syntax_detected() {
    for v in [
        "%{(#_='multipart/form-data').(#cmd='id')}",
        "${(#a=@java.lang.runtime@getruntime())}",
    ] {
        assert!(scan(v, Field::Value).score(Class::Java) >= 5, "{v}");
    }
    assert_eq!(scan("100%{width} (#1)", Field::Value).score(Class::Java), 0);
}

#[test]
fn rules_ldap_filter_injection_detected() {
    for v in [
        "*)(uid=*))(|(uid=*",
        "admin)(&)",
        "x)(|(password=*))",
        "*)(cn=*",
        "admin*)((|userpassword=*)",
        "*(|(mail=*))",
        "(&(objectClass=user)(cn=*",
        "x(!(uid=admin",
    ] {
        assert!(scan(v, Field::Value).score(Class::Generic) >= 5, "{v}");
    }
    for v in [
        "options (a)(b)",
        "price (usd)(vat=20%)",
        "see (1)(2)",
        "if (&(x) == y)",
        "note ((a)) and (|b|)",
    ] {
        assert_eq!(scan(v, Field::Value).score(Class::Generic), 0, "{v}");
    }
}

#[test]
fn rules_xpath_union_after_a_closed_predicate_detected() {
    assert!(scan("'] | //user/*[contains(*,'", Field::Value).score(Class::Generic) >= 5);
    assert_eq!(scan("a[1] | /b", Field::Value).score(Class::Generic), 0);
}

/// A CR LF in a one-line field followed by a mail header adds recipients;
/// header lines in a pasted letter or a gift note do not score.
#[test]
fn rules_mail_header_injection_in_a_one_line_field() {
    for v in [
        "x\nbcc: victim@example.org",
        "a@b.org\ncc:v@example.org",
        "x\nsubject: hi",
    ] {
        assert!(scan(v, Field::Value).score(Class::Protocol) >= 5, "{v}");
    }
    for v in [
        "congratulations!\nto: sarah\nfrom: dad",
        "dear all,\nfrom: a@b.org",
        "a\nto: b",
        // header-like lines of a note count once, not once each
        "notes\nsize: m\ncolour: red\nqty: 2",
        "name: bob\nphone: 0123\nemail: bob@example.org",
    ] {
        assert!(scan(v, Field::Value).score(Class::Protocol) < 5, "{v}");
    }
}

/// Deserialisation in YAML (Ruby object tags) and .NET (JSON.NET gadget
/// types, BinaryFormatter in base64); a .NET namespace named in a sentence
/// does not block on its own.
#[test]
fn rules_ruby_yaml_and_dotnet_deserialisation_detected() {
    for v in [
        "--- !ruby/object:gem::installer",
        "{\"$type\":\"system.windows.data.objectdataprovider, presentationframework\"}",
        "aaeaaad/////aqaaaaaaaaamagaaaf9texn0zw0ud2luzg93cy5gb3jtcw==",
    ] {
        assert!(scan(v, Field::Value).score(Class::Generic) >= 5, "{v}");
    }
    let prose = scan(
        "our app uses system.diagnostics.process to launch tools",
        Field::Value,
    );
    assert!(prose.score(Class::Generic) < 5);
}

/// Template probes written with blanks or a quoted operand, and the
/// Thymeleaf and Razor expression syntaxes; placeholders and CSS are not.
#[test]
fn rules_template_arithmetic_read_past_blanks_quotes_and_other_syntaxes() {
    let padded = format!("{{{{ {} 7*7 }}}}", "a".repeat(100));
    for v in [
        "{{ 7 * 7 }}",
        "{{7*'7'}}",
        "*{7*7}",
        "@(1+2)",
        padded.as_str(),
    ] {
        assert!(scan(v, Field::Value).score(Class::Generic) >= 5, "{v}");
    }
    for v in [
        "mail me @(home)",
        "hi {{ name }}, 2 items",
        "*{font-size: 12px}",
    ] {
        assert!(scan(v, Field::Value).score(Class::Generic) < 5, "{v}");
    }
}

#[test]
fn rules_server_side_include_directives_detected() {
    for v in [
        r#"<!--#include virtual="/etc/passwd"-->"#,
        r#"<!--#echo var="DOCUMENT_ROOT"-->"#,
        "<!--#printenv -->",
        r#"<!--#config errmsg="x"-->"#,
        r#"<!--#set var="a" value="b"-->"#,
    ] {
        assert!(scan(v, Field::Value).score(Class::Generic) >= 5, "{v}");
    }
    // an HTML comment is no directive
    for v in [
        "<!-- comment --> in html",
        "<!-- #include is an SSI tag -->",
    ] {
        assert_eq!(scan(v, Field::Value).score(Class::Generic), 0, "{v}");
    }
}

#[test]
fn rules_template_placeholders_are_no_log4j_lookups() {
    for v in [
        "Dear ${customer}, thank you for order #${orderId}.",
        "${first_name} ${last_name}",
        "${order.id} shipped to ${address.city}",
    ] {
        assert_eq!(scan(v, Field::Value).score(Class::Java), 0, "{v}");
    }
    for v in [
        "${env:USER}${env:HOME}",
        "${${lower:j}ndi:ldap://x/a}",
        "${a:-b}${c:-d}",
    ] {
        assert!(scan(v, Field::Value).score(Class::Java) >= 5, "{v}");
    }
}

#[test]
fn rules_nosql_syntax_inside_a_string_detected() {
    for v in [
        r#"{"username":{"$ne":null}}"#,
        r#"{"$where" : "sleep(100)"}"#,
        "';return true;var x='",
        "\"; return this.a == 'b'; var x=\"",
        "'; while(true){}; var x='",
    ] {
        assert!(scan(v, Field::Value).score(Class::Nosqli) >= 5, "{v}");
    }
    for v in [
        "The $where clause and the $ne operator",
        "Press 'Enter'; return to the menu",
        "Say 'hi'; while waiting, relax",
        r#"{"price":"$5","note":"cash"}"#,
    ] {
        assert_eq!(scan(v, Field::Value).score(Class::Nosqli), 0, "{v}");
    }
}

#[test]
fn rules_nosql_operators_in_object_literals_and_shell_calls_detected() {
    for v in [
        "{ $ne: 1 }",
        "{$gt: ''}",
        "{$nin: [\"\"]}}",
        "', $or: [ {}, { 'a':'a",
        "{'$regex': '^adm'}",
        "db.injection.insert({success:1});",
        "';db.users.find();var x='",
        "db.dropDatabase()",
        "db.getCollection('users').find({})",
    ] {
        assert!(scan(v, Field::Value).score(Class::Nosqli) >= 5, "{v}");
    }
    for v in [
        "Prices: $ne is not a currency",
        "{ price: $5 }",
        "total = $gt; see db.md for notes",
        "mydb.find(x)",
        "the db.users table",
    ] {
        assert_eq!(scan(v, Field::Value).score(Class::Nosqli), 0, "{v}");
    }
}

#[test]
fn rules_template_engine_objects_called_detected() {
    for v in [
        "{{config.items()}}",
        r#"{{_self.env.registerUndefinedFilterCallback("exec")}}"#,
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
        "{{range.constructor(\"return process\")()}}",
        "{{ [].class.base.subclasses() }}",
        "{{''.class.mro()[1].subclasses()}}",
        "${''.getClass().forName('java.lang.System')}",
    ] {
        assert!(scan(v, Field::Value).score(Class::Generic) >= 5, "{v}");
    }
    for v in [
        "Hello {{ request.user.name }}",
        "Settings: {{ config }}",
        "{{ format_date(order.date) }}",
        "{{ name }}",
        "{{ user.email }}",
    ] {
        assert!(scan(v, Field::Value).score(Class::Generic) < 5, "{v}");
    }
}

#[test]
fn rules_template_context_probes_and_freemarker_new_detected() {
    // the whole value prints the engine's configuration or context
    for v in [
        "{{ config }}",
        "{{self}}",
        "{{ settings.SECRET_KEY }}",
        "{{_self}}",
    ] {
        assert!(scan(v, Field::Value).score(Class::Generic) >= 5, "{v}");
    }
    // FreeMarker's `?new` on a class name: a command runner
    for v in [
        r#"<#assign ex="freemarker.template.utility.Execute"?new()>${ex("id")}"#,
        r#"${"freemarker.template.utility.ObjectConstructor"?new()}"#,
    ] {
        assert!(scan(v, Field::Value).score(Class::Generic) >= 5, "{v}");
    }
    // Smarty's reserved variable
    assert!(scan("{$smarty.now}", Field::Value).score(Class::Generic) >= 5);
    for v in [
        "what?new(ish)",
        "is it new? new (boxed) or used",
        "{{ selfie_caption }}",
    ] {
        assert!(scan(v, Field::Value).score(Class::Generic) < 5, "{v}");
    }
}

#[test]
fn rules_xstream_class_elements_detected() {
    for v in [
        "<java.util.PriorityQueue serialization='custom'><unserializable-parents/></java.util.PriorityQueue>",
        "<sorted-set><dynamic-proxy><interface>java.lang.Comparable</interface></dynamic-proxy></sorted-set>",
    ] {
        assert!(scan(v, Field::Value).score(Class::Java) >= 5, "{v}");
    }
}

#[test]
fn rules_header_lines_after_low_byte_line_breaks_detected() {
    // U+560A / U+560D end in 0x0A / 0x0D: a server keeping the low byte
    // writes a line break
    for v in ["\u{560a}\u{560d}set-cookie: a=1", "x\u{560d}location: //h/"] {
        assert!(scan(v, Field::Value).score(Class::Protocol) >= 5, "{v}");
    }
    // the same characters in text, and a colon after an ordinary letter
    for v in [
        "\u{560d}\u{560a} 你好",
        "čeština: jazyk",
        "\u{010d}subject: hi",
    ] {
        assert!(scan(v, Field::Value).score(Class::Protocol) < 5, "{v}");
    }
}

#[test]
fn rules_yaml_constructor_tags_and_utf7_xml_detected() {
    for (v, c) in [
        ("!!python/object/apply:os.system [\"id\"]", Class::Generic),
        ("!!python/name:os.system", Class::Generic),
        ("!!javax.script.scriptenginemanager [x]", Class::Java),
        ("<?xml version=\"1.0\" encoding=\"utf-7\"?><a/>", Class::Xxe),
        ("<?xml version='1.0' encoding = 'UTF-7' ?>", Class::Xxe),
    ] {
        assert!(scan(v, Field::Value).score(c) >= 5, "{v}");
    }
    for (v, c) in [
        ("tags: !!str 2024", Class::Generic),
        ("<?xml version=\"1.0\" encoding=\"utf-8\"?><a/>", Class::Xxe),
        (
            "<?xml version=\"1.0\" encoding=\"utf-16\"?><a/>",
            Class::Xxe,
        ),
    ] {
        assert!(scan(v, Field::Value).score(c) < 5, "{v}");
    }
}

#[test]
fn rules_where_injection_after_a_number_detected() {
    for v in [
        "7;return true",
        "1; return this.password != ''",
        "1;return !0",
    ] {
        assert!(scan(v, Field::Value).score(Class::Nosqli) >= 5, "{v}");
    }
    for v in [
        "Step 1; return true to sender",
        "12; return (soon)",
        "2;returns: none",
    ] {
        assert!(scan(v, Field::Value).score(Class::Nosqli) < 5, "{v}");
    }
}

/// A CR or LF in a parameter name or the path splits whatever line a server
/// writes them into; a lone CR ends a line as an LF does; a header that
/// redirects a proxy's idea of the client counts, also with a blank before
/// its colon. Multi-line text in a value stays text.
#[test]
fn rules_line_breaks_in_names_paths_and_values() {
    for (v, f) in [
        ("user\r\n", Field::Name),
        ("q\nx", Field::Name),
        ("/files/a\nb", Field::Path),
        ("/index.php/x\rsession.save_path=1", Field::Path),
        ("a\rset-cookie: sid=1", Field::Value),
        ("1\r\nclient-ip: 10.0.0.1", Field::Value),
        ("1\nvia : 1.1 internal-gw", Field::Value),
        ("1\r\nforwarded: for=10.0.0.1", Field::Value),
        ("1\r\nx-forwarded-for\r: 127.0.0.1", Field::Value),
    ] {
        assert!(scan(v, f).score(Class::Protocol) >= 7, "{v:?}");
    }
    for (v, f) in [
        ("first line\r\nsecond line", Field::Value),
        ("total\r42", Field::Value),
        ("size : m\ncolour : red", Field::Value),
        // proxy header names that are English words, with English after them
        ("shipped\nvia: ups ground", Field::Value),
        (
            "leave it with the neighbour\nforwarded: to anna",
            Field::Value,
        ),
        ("user_name", Field::Name),
        // a catalogue keyed by its sentences
        ("first line\nsecond line", Field::Name),
        ("/files/a b", Field::Path),
    ] {
        assert!(scan(v, f).score(Class::Protocol) < 5, "{v:?}");
    }
}

/// A whole request line in a value is what a smuggled request carries; the
/// words alone, or a version-less line, are text.
#[test]
fn rules_request_line_in_a_value() {
    for v in [
        "x get /admin http/1.1",
        "post http://intranet.local/ http/1.0",
        "delete /api/users/7 http/2",
        "1\nput /x.jsp http/1.1",
    ] {
        assert!(scan(v, Field::Value).score(Class::Protocol) >= 7, "{v}");
    }
    // the line ends after the version, raw or as a written escape
    for v in [
        "x get /admin http/1.1 ",
        "get /admin http/1.1\r\nhost: intranet",
        "get /admin http/1.1\\r\\nhost: intranet",
    ] {
        assert!(scan(v, Field::Value).score(Class::Protocol) >= 7, "{v}");
    }
    for v in [
        "get the http/2 guide",
        "we post updates over http/3 now",
        "get /index.html http/",
        "forget /x http/1.1",
        // a log line quoted in a sentence
        "the log shows get /index.php?page=2 http/1.1 200 but the page is blank.",
    ] {
        assert_eq!(scan(v, Field::Value).score(Class::Protocol), 0, "{v}");
    }
}

/// `unix:…|scheme://` points Apache's `mod_proxy` at any host; a `unix:`
/// time stamp or a path without the `|` is not that.
#[test]
fn rules_unix_socket_proxy_target() {
    for v in [
        "unix:/run/php.sock|http://10.0.0.2/",
        "unix:aaaaaaaaaaaa|https://example.org/x",
    ] {
        assert!(scan(v, Field::Value).score(Class::Ssrf) >= 7, "{v}");
    }
    for v in [
        "unix: a family of systems",
        "unix:/run/app.sock",
        "ts=unix:1700000000|ok",
    ] {
        assert_eq!(scan(v, Field::Value).score(Class::Ssrf), 0, "{v}");
    }
}

/// After `)(`, a presence test (`uid=*)`) alone is a filter injection; a
/// bracketed note is not.
#[test]
fn rules_ldap_presence_test_after_a_closed_term() {
    assert!(scan("scanner)(objectclass=*)", Field::Value).score(Class::Generic) >= 5);
    assert!(scan("x)(mail=*)", Field::Value).score(Class::Generic) >= 5);
    for v in ["price (usd)(vat=20%)", "(a)(b=*", "rate (x)(y=* see note)"] {
        assert_eq!(scan(v, Field::Value).score(Class::Generic), 0, "{v}");
    }
}

/// PHP session directives named in a value, as an `ini_set` or `.user.ini`
/// line sets them.
#[test]
fn rules_php_session_directives() {
    for v in [
        "session.use_trans_sid=1",
        "x session.auto_start on",
        "session.serialize_handler=php",
    ] {
        assert!(scan(v, Field::Value).score(Class::Php) >= 5, "{v}");
    }
    assert_eq!(
        scan("the session.ended early", Field::Value).score(Class::Php),
        0
    );
}

/// A method called on a string literal inside a template expression is an
/// engine probe; a placeholder that calls a method on the page's data, or
/// quoted text in braces, is not.
#[test]
fn rules_template_method_on_a_string_literal() {
    for v in [
        "{{'probe'.upper()}}",
        "${\"x\".touppercase()}",
        "#{ 'a'.concat('b') }",
    ] {
        assert!(scan(v, Field::Value).score(Class::Generic) >= 5, "{v}");
    }
    for v in [
        "{{ 'hello' }}",
        "{{ user.name.upper() }}",
        "say {{'hi'}}. then (x)",
    ] {
        assert!(scan(v, Field::Value).score(Class::Generic) < 5, "{v}");
    }
}

/// A sensitive file named in a sentence (`my config is in
/// /etc/nginx/nginx.conf and it looks fine`) is no path a file API opens:
/// words stand around it. Given as a path, alone, after a traversal, as a
/// URL or as SQL's literal, it still counts.
#[test]
fn rules_sensitive_file_named_in_a_sentence() {
    let lfi = |v: &str| scan(v, Field::Value).score(Class::Lfi);
    for v in [
        "my config is in /etc/nginx/nginx.conf and it looks fine",
        "where is /etc/passwd documented?",
        "edit /etc/hosts and add the line",
        "i put the key in ~/.ssh/authorized_keys but it still asks",
        "the logs are under /var/log/nginx/error.log",
        "change the port in \"/etc/nginx/sites-available/default\" and reload.",
    ] {
        assert!(lfi(v) < 5, "{v} scored {}", lfi(v));
    }
    for v in [
        "/etc/passwd",
        "x /etc/passwd",
        "../../../../etc/passwd and some words here",
        "file:///etc/passwd is where it is",
        "copy t from '/etc/passwd';",
        "copy myfile from '/etc/passwd' now",
        "read the file /etc/passwd;",
        "the  file /etc/passwd",
        "see\n/etc/passwd\nfor details",
    ] {
        assert!(lfi(v) >= 5, "{v} scored {}", lfi(v));
    }
}

/// `os.system` and `os.popen` run something only when called; a file of
/// `/etc` whose name goes on is another file. Both as links and paths in
/// source trees (`os.html#os.system`, `src/etc/passwd_hash.rs`) pass.
#[test]
fn rules_named_functions_and_longer_file_names_are_mentions() {
    for v in [
        "https://docs.python.org/3/library/os.html#os.system",
        "see os.popen in the docs",
        "https://github.com/example/project/blob/main/src/etc/passwd_hash.rs",
        "/srv/app/etc/hostsfile",
    ] {
        let h = scan(v, Field::Value);
        assert!(
            h.score(Class::Generic) < 5 && h.score(Class::Lfi) < 5,
            "{v}: {h:?}"
        );
    }
    for v in [
        "os.system('id')",
        "os.popen2 (\"id\")",
        "import os; os.system ('ls')",
    ] {
        assert!(scan(v, Field::Value).score(Class::Generic) >= 5, "{v}");
    }
    for v in [
        "/etc/passwd",
        "/etc/passwd.bak",
        "/etc/passwd%00",
        "/etc/hosts;",
    ] {
        assert!(scan(v, Field::Value).score(Class::Lfi) >= 5, "{v}");
    }
}

#[test]
fn rules_log_names_that_go_on_are_settings() {
    for v in ["access_logs.s3.enabled", "error_logging=on", "access_logs"] {
        assert_eq!(scan(v, Field::Value).score(Class::Lfi), 0, "{v}");
    }
    for v in [
        "../../logs/access_log",
        "/usr/local/apache/logs/error_log",
        "error_log",
    ] {
        assert!(scan(v, Field::Value).score(Class::Lfi) >= 5, "{v}");
    }
}
