use proptest::prelude::*;

use super::*;

#[test]
fn normalise_double_percent_encoding_decoded() {
    assert_eq!(normalise(b"%252e%252e%252f").decoded, b"../");
}

#[test]
fn normalise_overlong_utf8_decoded() {
    assert_eq!(normalise(b"%c0%ae%c0%ae%c0%af").decoded, b"../");
    assert_eq!(normalise(b"%e0%80%ae").decoded, b".");
}

#[test]
fn normalise_invalid_c0_leads_before_ascii_dropped() {
    assert_eq!(normalise(b"%c0%2e%c0%2e%c0%2f").decoded, b"../");
    // a run of them goes in one pass, so the result is a fixed point
    let n = normalise(b"%c0%c1%c0%c0%c1%c0%c0%c1%c0%c0%2e%2e/x");
    assert_eq!(n.decoded, b"../x");
    assert_eq!(normalise(&n.canon).canon, n.canon);
    // before a byte that is not ASCII the lead stays (Latin-1 text is left alone)
    assert_eq!(normalise(b"%c0%e9").decoded, b"\xc0\xe9");
}

#[test]
fn normalise_invisible_format_characters_dropped_from_the_canonical_view() {
    for (v, want) in [
        ("un\u{200b}ion se\u{200c}lect", "union select"),
        ("pa\u{ad}ss\u{2060}wd", "passwd"),
        ("\u{feff}a\u{202e}b\u{2066}c\u{200f}", "abc"),
        ("a \u{200b} b", "a b"),
    ] {
        let n = normalise(v.as_bytes());
        assert_eq!(n.canon, want.as_bytes(), "{v:?}");
        assert_eq!(normalise(&n.canon).canon, n.canon, "{v:?}");
    }
    // a soft hyphen after ASCII is not a lowercase-only value
    assert!(!only_lowercasing_applies("ab\u{ad}c".as_bytes()));
    assert!(!only_lowercasing_applies(
        "a long value with a soft hyph\u{ad}en in it, past thirty-two bytes".as_bytes()
    ));
    // other characters stay (a ZWJ emoji keeps its emoji)
    assert_eq!(
        normalise("é\u{2010}".as_bytes()).canon,
        "é\u{2010}".as_bytes()
    );
}

#[test]
fn normalise_entities_with_leading_zeros_and_octal_escapes_decoded() {
    assert_eq!(normalise(b"&#000000040;7&#x0000029;").decoded, b"(7)");
    assert_eq!(
        normalise(b"\\160\\162\\157\\155\\160\\164\\50\\67\\51").decoded,
        b"prompt(7)"
    );
    // not octal escapes of ASCII: a Windows path's year, a lone digit
    assert_eq!(normalise(b"c:\\2024\\x").decoded, b"c:\\2024\\x");
    assert_eq!(normalise(b"\\1").decoded, b"\\1");
}

#[test]
fn normalise_best_fit_slashes_and_leader_dot_folded() {
    assert_eq!(
        normalise("..\u{2215}..\u{2216}\u{2024}\u{2024}\u{2044}".as_bytes()).canon,
        b"../../../"
    );
}

#[test]
fn normalise_entities_and_escapes_decoded() {
    let n = normalise(b"&lt;script&gt;\\u0061lert&#40;1&#x29;\\x3b");
    assert_eq!(n.decoded, b"<script>alert(1);");
}

#[test]
fn normalise_canon_folds_case_space_comments() {
    let n = normalise(b"UNION/**/SELECT \t  1\r\n2 /*!50000FROM*/ x");
    assert_eq!(n.canon, b"union select 1\n2 from x");
}

#[test]
fn normalise_fullwidth_and_circled_mapped() {
    assert_eq!(
        normalise("\u{FF1C}script\u{FF1E}".as_bytes()).canon,
        b"<script>"
    );
    assert_eq!(normalise("\u{24DB}\u{24DE}".as_bytes()).canon, b"lo");
}

#[test]
fn markup_stripped_view_joins_words_split_by_short_tags() {
    use crate::normalise::markup_stripped_view;
    let v = |s: &str| markup_stripped_view(s.as_bytes());
    assert_eq!(
        v("o<x>nfocus=alert<x>(1)").as_deref(),
        Some(&b"onfocus=alert(1)"[..])
    );
    assert_eq!(
        v("un<>ion sel</b>ect").as_deref(),
        Some(&b"union select"[..])
    );
    // markup between words, or a tag with attributes, is left alone
    assert_eq!(v("<b>bold</b> text"), None);
    assert_eq!(v("a <x> b"), None);
    assert_eq!(v("x<a href=y>z"), None);
    assert_eq!(v("no tags"), None);
}

#[test]
fn confusable_view_maps_only_confusables() {
    use crate::normalise::confusable_view;
    // case, blanks and other text kept: only the confusables change
    assert_eq!(
        confusable_view("\u{FF04}\u{FF08}Id\u{FF09} \u{2018}x\u{2019}".as_bytes()).as_deref(),
        Some(&b"$(Id) 'x'"[..])
    );
    assert_eq!(
        confusable_view("\u{24B7}\u{24D1}".as_bytes()).as_deref(),
        Some(&b"Bb"[..])
    );
    // other text in the same blocks (an en dash, CJK) is no confusable
    assert_eq!(confusable_view("a \u{2013} b".as_bytes()), None);
    assert_eq!(confusable_view("\u{4EF7}\u{683C}".as_bytes()), None);
    assert_eq!(confusable_view(b"plain"), None);
}

#[test]
fn normalise_nulls_removed() {
    assert_eq!(normalise(b"a%00b\0c").decoded, b"abc");
}

#[test]
fn normalise_deep_encoding_is_bounded() {
    let mut s = b"%41".to_vec();
    for _ in 0..20 {
        s = s
            .iter()
            .flat_map(|&b| if b == b'%' { b"%25".to_vec() } else { vec![b] })
            .collect();
    }
    let n = normalise(&s);
    assert!(!n.converged);
    assert_eq!(n.layers, MAX_DECODE_PASSES);
}

/// `only_lowercasing_applies` one byte at a time, the previous byte carried.
fn only_lowercasing_applies_by_byte(s: &[u8]) -> bool {
    let mut prev = 0u8;
    for &b in s {
        let ok = match b {
            b' ' => prev != b' ',
            b'*' => prev != b'/',
            b'\\' => false,
            b'#' | b'A'..=b'Z' | b'a'..=b'z' if prev == b'&' => false,
            b'0'..=b'9' | b'A'..=b'F' | b'a'..=b'f' | b'u' | b'U' if prev == b'%' => false,
            0x21..=0x7e => true,
            // a no-break space: C2 A0, or a lone A0 (Latin-1) after ASCII
            // or first; a soft hyphen C2 AD (dropped), and a lone AD there
            0xA0 | 0xAD => prev != 0xC2 && prev >= 0x80,
            0xC0 | 0xC1 => false,
            0x80..=0xDF => true,
            _ => false,
        };
        if !ok {
            return false;
        }
        prev = b;
    }
    true
}

/// A lone Latin-1 no-break space or soft hyphen opening a value is folded or
/// dropped by normalisation, so the lowercase-only shortcut must refuse it in
/// a long value as it does in a short one (found by the proptest below, whose
/// random seeds reached the long path only now and then).
#[test]
fn lowercase_shortcut_refuses_a_leading_latin1_space_or_soft_hyphen_at_any_length() {
    for lead in [0xA0u8, 0xAD] {
        for len in [1usize, 20, 400] {
            let mut v = vec![lead];
            v.extend(std::iter::repeat_n(b'a', len));
            assert!(!only_lowercasing_applies(&v), "{lead:#x} + {len}");
            assert_eq!(
                only_lowercasing_applies(&v),
                only_lowercasing_applies_by_byte(&v)
            );
        }
    }
}

/// Mostly bytes that pass, with the ones that do not (alone or in pairs).
fn lowercase_only_ish() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        20 => "[a-zA-Z0-9 .,:;'!?()-]{1,12}".prop_map(String::into_bytes),
        2 => proptest::sample::select(&[" ", "  ", "/", "*", "/*", "%", "&", "&#", "&lt", "&amp;", "%2f", "%u00", "% ", "& ", "\\", "\t", "\n", "\u{7f}", "~", "é", "Ü", "ø", "\u{a0}", "\u{ad}", "\u{200b}", "\u{2019}", "\u{ff21}", "\u{24b6}", "\u{3002}"][..])
            .prop_map(|p| p.as_bytes().to_vec()),
        1 => any::<u8>().prop_map(|b| vec![b]),
    ];
    proptest::collection::vec(piece, 0..16).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn only_lowercasing_applies_matches_byte_loop(s in lowercase_only_ish()) {
        prop_assert_eq!(only_lowercasing_applies(&s), only_lowercasing_applies_by_byte(&s));
        // long enough for the chunked path too
        let long = s.repeat(1 + 300 / (s.len() + 1));
        prop_assert_eq!(only_lowercasing_applies(&long), only_lowercasing_applies_by_byte(&long));
    }

    /// The shortcut is exact: whenever it applies, the full normalisation
    /// would only have lowercased the value.
    #[test]
    fn only_lowercasing_shortcut_equals_full_normalisation(s in lowercase_only_ish()) {
        if only_lowercasing_applies(&s) {
            let n = normalise_full(&s);
            prop_assert_eq!(&n.decoded, &s);
            prop_assert_eq!(&n.canon, &s.to_ascii_lowercase());
            prop_assert_eq!(n.layers, 0);
            prop_assert!(n.converged);
        }
    }

    #[test]
    fn only_lowercasing_shortcut_equals_full_normalisation_on_any_bytes(s in proptest::collection::vec(any::<u8>(), 0..80)) {
        if only_lowercasing_applies(&s) {
            let n = normalise_full(&s);
            prop_assert_eq!(&n.decoded, &s);
            prop_assert_eq!(&n.canon, &s.to_ascii_lowercase());
            prop_assert_eq!(n.layers, 0);
        }
    }

    #[test]
    fn only_lowercasing_applies_matches_byte_loop_on_any_bytes(s in proptest::collection::vec(any::<u8>(), 0..80)) {
        prop_assert_eq!(only_lowercasing_applies(&s), only_lowercasing_applies_by_byte(&s));
    }

    #[test]
    fn normalise_is_idempotent_at_fixed_point(input in proptest::collection::vec(any::<u8>(), 0..256)) {
        let n = normalise(&input);
        if n.converged {
            let again = normalise(&n.canon);
            prop_assert_eq!(&again.canon, &n.canon);
        }
    }

    #[test]
    fn normalise_is_idempotent_on_textual_input(input in "[a-zA-Z0-9%&#;<>'\"/\\\\*!. +\\-xuU{}]{0,128}") {
        let n = normalise(input.as_bytes());
        if n.converged {
            prop_assert_eq!(&normalise(&n.canon).canon, &n.canon);
        }
    }

    #[test]
    fn normalise_work_is_linear(input in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let n = normalise(&input);
        let bound = u64::from(MAX_DECODE_PASSES + 2 * MAX_CANON_PASSES) * (input.len() as u64 + 1);
        prop_assert!(n.work <= bound, "work {} > bound {}", n.work, bound);
        prop_assert!(n.decoded.len() <= input.len());
        prop_assert!(n.canon.len() <= input.len());
    }
}

#[test]
fn only_lowercasing_applies_sees_pairs_across_chunks() {
    for at in 28..36 {
        for pair in [b"  ", b"/*"] {
            let mut s = vec![b'a'; 70];
            s[at..at + 2].copy_from_slice(pair);
            assert!(!only_lowercasing_applies(&s), "{at}");
            assert_eq!(
                only_lowercasing_applies(&s),
                only_lowercasing_applies_by_byte(&s)
            );
        }
    }
}

#[test]
fn an_inert_ampersand_or_percent_sign_is_only_lowercased() {
    for s in [
        "Smith & Sons",
        "50% off & free delivery!",
        "100%",
        "fish&",
        "R & D: 5 %",
    ] {
        assert!(only_lowercasing_applies(s.as_bytes()), "{s}");
        let long = format!("{s} {}", "x".repeat(200));
        assert!(only_lowercasing_applies(long.as_bytes()), "{long}");
    }
    // any byte a decoder could start from after them: the full normalisation
    for s in [
        "a&lt;b", "&#60;", "&#x3c;", "&AMP;", "%2e%2e", "%u002f", "%Ef", "x&y", "R&D",
    ] {
        assert!(!only_lowercasing_applies(s.as_bytes()), "{s}");
        let long = format!("{} {s}", "x".repeat(200));
        assert!(!only_lowercasing_applies(long.as_bytes()), "{long}");
    }
}

/// Latin-1's no-break space (a lone A0 byte, `%a0`) is a blank to MySQL;
/// an A0 that continues a UTF-8 letter (`à` is C3 A0) is not.
#[test]
fn lone_a0_is_whitespace_but_a_utf8_continuation_is_not() {
    assert_eq!(normalise_full(b"1\xa0or\xa01=1").canon, b"1 or 1=1");
    assert_eq!(normalise_full(b"\xa0x").canon, b" x");
    assert_eq!(
        normalise_full("voil\u{e0}".as_bytes()).canon,
        "voil\u{e0}".as_bytes()
    );
    assert_eq!(
        normalise_full("\u{420}".as_bytes()).canon,
        "\u{420}".as_bytes()
    );
}

#[test]
fn asp_view_drops_percent_signs_that_open_no_escape() {
    assert_eq!(
        asp_view(b"%s%e%l%e%c%t %u%s%e%r()").as_deref(),
        Some(&b"select user()"[..])
    );
    // escapes stay, and one glued `%` alone changes no reading
    assert_eq!(asp_view(b"50%off"), None);
    assert_eq!(asp_view(b"%2f%u0041 100% sure"), None);
    assert_eq!(asp_view(b"%a%b%41").as_deref(), Some(&b"ab%41"[..]));
}

#[test]
fn control_blank_view_turns_other_control_characters_into_blanks() {
    assert_eq!(
        control_blank_view(b"union\x0fselect\x1fx").as_deref(),
        Some(&b"union select x"[..])
    );
    assert_eq!(control_blank_view(b"plain text\nwith a line"), None);
}
