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
