//! XSS: payloads that score, rich text and look-alikes that do not.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

fn s(v: &str) -> u32 {
    let mut h = Hits::default();
    scan(v.as_bytes(), Field::Value, &mut h);
    h.score(Class::Xss)
}

#[test]
fn xss_payloads_score_high() {
    for p in [
        "<script>alert(1)</script>",
        "\"><img src=x onerror=alert(1)>",
        "<svg/onload=alert(1)>",
        "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
        "javascript:alert(document.cookie)",
        "';alert(String.fromCharCode(88,83,83))//",
        "<iframe src=//evil>",
        "<body onload=alert`1`>",
    ] {
        assert!(s(p) >= 5, "{p} scored {}", s(p));
    }
}

#[test]
fn xss_document_tags_and_obfuscated_dom_score_high() {
    for p in [
        "</head>",
        "<STYLE>@import'http://x/x.css';</STYLE>",
        "<svg:svg>",
        "<?import implementation=",
        "$<f o r m",
        "\" onzoom=",
        "(document/*x*/)[\"cookie\"]",
        "window[\"alert\"](1)",
        "(![] + [])[+[]]",
        "[].sort.call`${alert}1`",
        "(alert)(1)",
        "a=alert,a(1)",
        "location=\"http://x\";",
        "&#0000060;",
        "<div style=content:url(test2.svg)></div>",
        "<label datasrc=\"#xss\" datafld=\"payload\"></label>",
    ] {
        assert!(s(p) >= 5, "{p} scored {}", s(p));
    }
}

#[test]
fn xss_lookalikes_of_new_signals_score_low() {
    for p in [
        "<table><tr><th>a</th></tr></table> <blockquote>q</blockquote>",
        "read the onboarding guide / online docs",
        "arr = [] and list[0]",
        "document.cookie is readable from js unless HttpOnly",
        "for a in b : c",
        "red alert, level 2 = confirm by email",
        "&#233;t&#233; &#8364;5",
        "<p style=\"color:red\">hi</p>",
        "my location = home",
    ] {
        assert!(s(p) < 5, "{p} scored {}", s(p));
    }
}

#[test]
fn xss_rich_text_scores_low() {
    for p in [
        "<p>Hello <strong>team</strong>, the release notes are below.</p><ul><li>Faster search</li></ul>",
        "<p>See the <a href=\"https://docs.example.org/changelog\">changelog</a> for details.</p>",
        "window.location vs document.location",
        "onload time of a web page",
        "List<String> names = new ArrayList<>();",
    ] {
        assert!(s(p) < 5, "{p} scored {}", s(p));
    }
}

#[test]
fn xss_computed_global_property_calls_score_high() {
    for p in [
        "top[/al/.source+/ert/.source](1)",
        "self[8680439..toString(30)](1)",
        "top[['pro'][0] + 'mpt'](7)",
    ] {
        assert!(s(p) >= 5, "{p} scored {}", s(p));
    }
}

#[test]
fn xss_indexed_globals_score_low() {
    for p in [
        "frames[0]",
        "parent[key]",
        "top[10] results",
        "self [x] and top [y]",
        "window[items[0]]",
    ] {
        assert!(s(p) < 5, "{p} scored {}", s(p));
    }
}

#[test]
fn xss_xml_declaration_after_markup_scores_high() {
    let p = "<div id=\"43\"><?xml version=\"1.0\" standalone=\"no\"?>";
    assert!(s(p) >= 5, "{p} scored {}", s(p));
}

#[test]
fn xss_xml_declaration_at_document_start_scores_low() {
    for p in [
        "<?xml version=\"1.0\"?><a>1</a>",
        "config: <?xml version=\"1.0\"?>",
    ] {
        assert!(s(p) < 5, "{p} scored {}", s(p));
    }
}

#[test]
fn xss_handler_after_opening_blank_scores_high() {
    for p in ["  onload= ", " onabcdefgh=x"] {
        assert!(s(p) >= 5, "{p} scored {}", s(p));
    }
}

#[test]
fn xss_on_words_in_text_score_low() {
    for p in [
        "online=true",
        "set onload= in the docs",
        "  only = 3",
        " on=1",
    ] {
        assert!(s(p) < 5, "{p} scored {}", s(p));
    }
}

// === equivalence with the checks before the speed-up (`reference.rs`) ===

use proptest::prelude::*;

/// Words and fragments the XSS checks key on.
const KEYWORDS: &[&str] = &[
    "alert",
    "prompt",
    "confirm",
    "eval",
    "location",
    "document",
    "window",
    "self",
    "top",
    "parent",
    "frames",
    "globalthis",
    "cookie",
    ".cookie",
    "innerhtml",
    "outerhtml",
    "localstorage",
    "document.cookie",
    "window.location",
    "location.href",
    "top.location",
    "window.name",
    "document.url",
    "constructor",
    "settimeout",
    "fromcharcode",
    "atob",
    "import",
    "fetch",
    "javascript:",
    "vbscript:",
    "livescript:",
    "data:text/html",
    "data:",
    "base64",
    "text/html",
    "script",
    "iframe",
    "svg",
    "math",
    "img",
    "body",
    "style",
    "link",
    "meta",
    "form",
    "base",
    "set",
    "xml",
    "onload",
    "onerror",
    "onzoom",
    "on",
    "formaction",
    "srcdoc",
    "href",
    "src",
    "expression(",
    "behavior:",
    "-moz-binding",
    "url(",
    "http-equiv",
    "refresh",
    "attributename",
    "implementation",
    "datasrc",
    "datafld",
    "&#",
    "&#x",
    "60",
    "62",
    "3c",
    "3e",
    "0000060",
    "/*",
    "*/",
    "![]",
    "[][",
    "+[]",
    ".call`",
    ".apply`",
    "?import",
    "?xml ",
    "!--[if",
    "![",
    "f o r m",
    "s c r i p t",
    "x:",
    "neighbour",
    "please",
    "@example.org",
    // whole shapes, so that the rarer conjunctions come up too
    "(alert)",
    "=alert,",
    "=eval;",
    "(confirm;",
    "=prompt)",
    "(eval,",
    "location=",
    "location ==",
    "&#60;",
    "&#x3c",
    "&#0062",
    "onload=",
    " onerror=",
    "\" onzoom=",
    "'formaction=",
    "/srcdoc =",
    "document[\"",
    "window['",
    "top[`",
    "self[a+b]",
    "document/**/.cookie",
    "/**/document.",
    "co/**/okie",
    "alert(1)",
    "alert`1`",
    ".constructor(",
    "x.innerhtml=",
    // prose and the shapes the call and DOM gates look for
    "building.",
    "biscuits (",
    "alert (",
    "alert\t(",
    "x.alert`",
    "constructor (",
    "oc",
    "tm",
    "w.",
    "window.open",
    "block",
    "o'connell",
];

/// Single bytes the checks branch on.
const TRIGGERS: &[u8] = b"<>=()`[].,;:&#\"'/\\ \t\n\r\x0c!+${}-*|_x0";

fn token() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => (prop::sample::select(KEYWORDS), any::<u64>()).prop_map(|(k, case)| {
            k.bytes()
                .enumerate()
                .map(|(i, b)| if case >> (i % 64) & 1 == 1 { b.to_ascii_uppercase() } else { b })
                .collect()
        }),
        4 => prop::sample::select(TRIGGERS).prop_map(|b| vec![b]),
        1 => "[a-z]{1,10}".prop_map(String::into_bytes),
        1 => any::<u8>().prop_map(|b| vec![b]),
    ]
}

fn value() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(token(), 0..24).prop_map(|t| t.concat())
}

/// Every bump a check makes, in order.
fn bumps(check: impl FnOnce(&mut dyn FnMut(u32, &'static str))) -> Vec<(u32, &'static str)> {
    let mut out = Vec::new();
    check(&mut |w, id| out.push((w, id)));
    out
}

const FIELDS: [Field; 3] = [Field::Value, Field::UrlHeader, Field::Name];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn xss_scan_scores_as_before(v in value()) {
        for field in FIELDS {
            let (mut new, mut old) = (Hits::default(), Hits::default());
            scan(&v, field, &mut new);
            reference::scan(&v, field, &mut old);
            prop_assert_eq!(new.score(Class::Xss), old.score(Class::Xss));
            prop_assert_eq!(format!("{new:?}"), format!("{old:?}"));
        }
    }

    #[test]
    fn xss_checks_bump_as_before(v in value()) {
        let seen = seen(&v);
        for field in FIELDS {
            prop_assert_eq!(
                bumps(|b| js_shapes(&v, field, seen, &mut |w, id| b(w, id))),
                bumps(|b| reference::js_shapes(&v, field, &mut |w, id| b(w, id)))
            );
        }
        prop_assert_eq!(
            bumps(|b| sink_reference(&v, seen, &mut |w, id| b(w, id))),
            bumps(|b| reference::sink_reference(&v, &mut |w, id| b(w, id)))
        );
        prop_assert_eq!(
            bumps(|b| entity_bracket(&v, &mut |w, id| b(w, id))),
            bumps(|b| reference::entity_bracket(&v, &mut |w, id| b(w, id)))
        );
        prop_assert_eq!(
            bumps(|b| dom_obfuscation(&v, &mut |w, id| b(w, id))),
            bumps(|b| reference::dom_obfuscation(&v, &mut |w, id| b(w, id)))
        );
    }

    #[test]
    fn xss_gated_checks_bump_nothing(v in value()) {
        let seen = seen(&v);
        if seen & AMP == 0 {
            prop_assert!(bumps(|b| entity_bracket(&v, &mut |w, id| b(w, id))).is_empty());
        }
        if seen & EQ == 0 {
            prop_assert!(bumps(|b| loose_handler(&v, &mut |w, id| b(w, id))).is_empty());
        }
        if !may_obfuscate_dom(&v, seen) {
            prop_assert!(bumps(|b| dom_obfuscation(&v, &mut |w, id| b(w, id))).is_empty());
            prop_assert!(bumps(|b| reference::dom_obfuscation(&v, &mut |w, id| b(w, id))).is_empty());
        }
        if seen & LT == 0 {
            prop_assert!(!v.contains(&b'<'));
        }
    }

    #[test]
    fn xss_long_word_bit_marks_a_long_word_run(v in value()) {
        let run = v
            .split(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.')))
            .map(<[u8]>::len)
            .max()
            .unwrap_or(0);
        prop_assert_eq!(has_long_word(&v), run >= MIN_DOM_WORD);
    }

    #[test]
    fn xss_dom_root_search_matches_a_plain_search(v in value()) {
        let plain = js::DOM_ROOTS.iter().any(|r| contains_ci(&v, r));
        prop_assert_eq!(has_dom_root(&v), plain);
    }

    #[test]
    fn xss_amp_hash_search_matches_memmem(v in value()) {
        prop_assert_eq!(find_amp_hash(&v), memchr::memmem::find(&v, b"&#"));
    }
}

#[test]
fn xss_every_sink_object_holds_a_dom_root() {
    for o in SINK_OBJECTS {
        assert!(o.len() >= MIN_DOM_WORD, "{o}");
        assert!(has_dom_root(o.as_bytes()), "{o}");
        assert!(has_dom_root(o.to_ascii_uppercase().as_bytes()), "{o}");
    }
    for w in ["innerhtml", "outerhtml", "localstorage"] {
        assert!(w.len() >= MIN_DOM_WORD);
    }
}

/// `seen` in four lanes: the union of the classes at every length and
/// position.
#[test]
fn xss_seen_is_the_union_of_the_byte_classes() {
    for len in 0..12 {
        for at in 0..len {
            for b in [b'<', b':', b'(', b'`', b'=', b'&', b'[', b'.', b'*', b'k'] {
                let mut v = vec![b'a'; len];
                v[at] = b;
                assert_eq!(seen(&v), BYTE_CLASS[usize::from(b)], "{len} {at}");
            }
        }
    }
    assert_eq!(seen(b""), 0);
}

#[test]
fn xss_every_dom_sink_holds_a_gate_pair() {
    let names = SINK_OBJECTS
        .iter()
        .chain(&["innerhtml", "outerhtml", "localstorage"]);
    for o in names {
        assert!(
            ["oc", "tm", "w."].iter().any(|p| o.contains(p)),
            "{o} holds none of the pairs of may_name_dom_sink"
        );
    }
}

#[test]
fn xss_value_sinks_cannot_overlap_themselves() {
    // the reference found sinks with a non-overlapping search; the one-pass
    // search tries every position, which finds the same set only for needles
    // with no border (a proper prefix that is also a suffix)
    for s in VALUE_SINKS {
        for k in 1..s.len() {
            assert_ne!(
                s[..k].to_ascii_lowercase(),
                s[s.len() - k..].to_ascii_lowercase()
            );
        }
    }
}

#[test]
fn xss_gate_edges_score_as_before() {
    for v in [
        "/**/document.COOKIE",
        "/*x*/document . Cookie",
        "document.cookie/*",
        "k.cookie",
        "cookie.",
        "document.cOOkie",
        "x.innerhtml",
        "a.INNERHTML=1",
        "localStorage",
        "(alert)",
        "=eval;",
        "&#60",
        "&&#x3e",
        "javascript:alert(1)",
        " onload=x",
        "<svg",
        "",
    ] {
        for field in FIELDS {
            let (mut new, mut old) = (Hits::default(), Hits::default());
            scan(v.as_bytes(), field, &mut new);
            reference::scan(v.as_bytes(), field, &mut old);
            assert_eq!(format!("{new:?}"), format!("{old:?}"), "{v}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// The first-letter check in `script_uri` only rules out values the
    /// scheme tests would reject.
    #[test]
    fn xss_script_uri_first_letter_check_is_exact(
        parts in proptest::collection::vec(
            prop_oneof![
                3 => proptest::sample::select(vec![
                    "javascript:", "JavaScript:", "vbscript:", "livescript:", "data:text/html",
                    "data:", "base64", "text/html", " ", "\t", "\u{7f}", "\u{1}", ":", "java script:",
                ]).prop_map(|p| p.as_bytes().to_vec()),
                2 => "[a-zA-Z :/,.;]{1,6}".prop_map(String::into_bytes),
                1 => proptest::collection::vec(any::<u8>(), 1..3),
            ],
            0..6,
        )
    ) {
        let v = parts.concat();
        prop_assert_eq!(script_uri(&v), script_uri_scheme(&v), "{:?}", v);
    }
}

/// The Function constructor compiles a string: a sink that names no sink.
#[test]
fn xss_function_constructor_scores_high() {
    for p in [
        "Function('ale'+'rt(1)')()",
        "new Function(\"return document.cookie\")()",
        "x=Function `alert\x281\x29` ",
    ] {
        assert!(s(p) >= 5, "{p} scored {}", s(p));
    }
    for p in [
        "$(function() { init() })",
        "a function (pure) of x",
        "function (a, b) { return a + b }",
    ] {
        assert!(s(p) < 5, "{p} scored {}", s(p));
    }
}

#[test]
fn xss_css_escapes_and_comments_in_style_attributes_are_read() {
    for p in [
        r#"<div style="width: expr\65 ssion(alert(1))">"#,
        r#"<i style=x:expression\28write(1)\29>"#,
        r#"<p style="background:\75rl(javascript:alert(1))">"#,
        r#"<a style="xx:expr/**/ession(alert(1))">"#,
        r#"<x/style=-m\0o\0z\0-b\0i\0nd\0i\0n\0g\0:\0u\0r\0l\0(\0/\0/x\0.\0t\0e\0s\0t\0/\0a\0.\0x\0m\0l\0#\0x\0)>"#,
    ] {
        let mut h = Hits::default();
        scan(p.as_bytes(), Field::Value, &mut h);
        assert!(h.score(Class::Xss) >= 5, "{p}: {h:?}");
    }
    for p in [
        r#"<p style="font-family: \"Segoe UI\", sans-serif; color: #333">hi</p>"#,
        r#"<span style="content: '\2014'">x</span>"#,
    ] {
        let mut h = Hits::default();
        scan(p.as_bytes(), Field::Value, &mut h);
        assert!(h.score(Class::Xss) < 5, "{p}: {h:?}");
    }
}

#[test]
fn script_uri_needs_code_after_the_scheme() {
    // a script URI as the whole value runs what follows the colon
    for p in [
        "javascript:alert(1)",
        " javascript: void 0",
        "vbscript:msgbox(1)",
        "javascript:document.location='//x'",
    ] {
        assert!(s(p) >= 5, "{p} scored {}", s(p));
    }
    // a title or a heading that starts with a language's name: plain words
    // after the colon do nothing as a script
    for p in [
        "JavaScript: notes for the first week",
        "VBScript: why the old macros stopped working",
        "javascript: the parts worth learning first",
    ] {
        assert!(s(p) < 5, "{p} scored {}", s(p));
    }
    // inside a tag's URI attribute the scheme alone decides
    assert!(s("<a href=\"javascript:open door\">x</a>") >= 5);
}

#[test]
fn sinks_called_optionally_or_through_call_and_apply() {
    for p in [
        "alert?.(1)",
        "confirm.call(this,7)",
        "\";alert.apply(null,[document.cookie])//",
        "top.prompt.call(top,1)",
        "x=>$.getScript('//127.0.0.1/x.js')",
    ] {
        assert!(s(p) >= 5, "{p} scored {}", s(p));
    }
    for p in [
        "please call(me) back",
        "apply(now) for the course",
        "did you get my message? (the one about lunch)",
    ] {
        assert!(s(p) < 5, "{p} scored {}", s(p));
    }
}

/// A value that leaves an attribute and opens a tag of its own is refused
/// whatever the tag; prose with quotes and pasted markup are not.
#[test]
fn xss_attribute_breakout_then_a_tag() {
    for v in [
        "\"><b>x</b>",
        "'\"`><div id=\"t\" style=\"color:#000\"></div>",
        "q1\" /><span>x</span>",
        "' > <p>",
    ] {
        let mut h = Hits::default();
        scan(v.as_bytes(), Field::Value, &mut h);
        assert!(h.score(Class::Xss) >= 5, "{v}");
    }
    for v in [
        "he said \"hi\"> and left <3",
        "<b>bold</b> \"quoted\"",
        "\"best\" > \"good\"",
        "rated 5\">4 <ok",
        "a long sentence before the quote\"><b>",
        // markup cut inside an attribute value: a long token before `">`
        "wp_caption_12\"><img class=\"alignleft\"",
    ] {
        let mut h = Hits::default();
        scan(v.as_bytes(), Field::Value, &mut h);
        assert!(h.score(Class::Xss) < 5, "{v}");
    }
}
