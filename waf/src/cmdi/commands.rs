//! Command vocabularies: tier A (rarely English), tier B (common words that
//! need argument evidence), non-word command names and families, wrappers;
//! bucketed once by first byte for allocation-free lookups.

/// Commands that are rarely English words.
pub(super) const TIER_A: &[&str] = &[
    "whoami",
    "uname",
    "ifconfig",
    "ipconfig",
    "wget",
    "curl",
    "nc",
    "ncat",
    "netcat",
    "bash",
    "sh",
    "zsh",
    "ksh",
    "csh",
    "tcsh",
    "dash",
    "powershell",
    "pwsh",
    "cmd",
    "systeminfo",
    "nslookup",
    "ping",
    "telnet",
    "chmod",
    "chown",
    "passwd",
    "nmap",
    "tftp",
    "base64",
    "xxd",
    "awk",
    "gawk",
    "sed",
    "busybox",
    "useradd",
    "usermod",
    "crontab",
    "nohup",
    "printenv",
    "id",
    "ls",
    "cat",
    "rm",
    "mkfifo",
    "netstat",
    "ps",
    "sudo",
    "su",
    "tcpdump",
    "socat",
    "xterm",
    "certutil",
    "bitsadmin",
    "winget",
    "wmic",
    "rundll32",
    "regsvr32",
    "mshta",
    "cscript",
    "wscript",
    "tasklist",
    "taskkill",
    "nbtstat",
    "whois",
    "traceroute",
    "tracert",
    "grep",
    "egrep",
    "fgrep",
    "xargs",
    "tac",
    "nl",
    "od",
    "hexdump",
    "strings",
    "vi",
    "vim",
    "gcc",
    "killall",
    "pkill",
    "reboot",
    "shutdown",
    "mknod",
    "scp",
    "ssh",
    "rsync",
    "ftp",
    "sftp",
    "lwp-download",
    "lwp-request",
    "aria2c",
    "openssl",
    "unzip",
    "gzip",
    "gunzip",
    "bzip2",
    "dmesg",
    "lsof",
    "getent",
    "hostname",
    "uptime",
    "chattr",
    "strace",
    "ltrace",
    "findstr",
    "icacls",
    "cacls",
    "schtasks",
    "wevtutil",
    "net",
    "dig",
    "sleep",
    "whoami.exe",
    "env",
    "uname",
    "pwd",
    "echo",
    "printf",
    "jrunscript",
    "lsb_release",
    "arp",
    // tools whose names are also common search terms (`gdb`, `htop`): with
    // argument evidence or after a separator only, never alone
    "htop",
    "irb",
    "gdb",
    "rmt",
    "iex",
];

/// Commands that are also common words; need argument evidence.
pub(super) const TIER_B: &[&str] = &[
    // programming languages: named in prose lists ("Skills: Java; Python;
    // Ruby"), so they need argument evidence like the other words here
    "python",
    "python2",
    "python3",
    "perl",
    "ruby",
    "php",
    "lua",
    "node",
    // Windows: `timeout /t 5`, a sleep for blind injection
    "timeout",
    "find",
    "head",
    "tail",
    "more",
    "less",
    "last",
    "who",
    "w",
    "time",
    "set",
    "export",
    "type",
    "dir",
    "copy",
    "move",
    "del",
    "ren",
    "ver",
    "vol",
    "sort",
    "cut",
    "date",
    "test",
    "tar",
    "make",
    "host",
    "route",
    "kill",
    "source",
    "alias",
    "eval",
    "exec",
    "tee",
    "cp",
    "mv",
    "ln",
    "cd",
    "ed",
    "df",
    "du",
    "free",
    "top",
    "file",
    "stat",
    "touch",
    "which",
    "whereis",
    "locate",
    "diff",
    "wc",
    "tr",
    "uniq",
    "expr",
    "dd",
    "mount",
    "ssh-keygen",
    "zip",
    "java",
    "unset",
    "reg",
    "ss",
    "sc",
    "at",
    "start",
    "call",
    // a tool named by an English word
    "aptitude",
];

/// Commands (and command families, by prefix) that are not words of any
/// natural language: on their own at the start of a value they are a command
/// line. Subset semantics: each is also treated as tier A.
pub(super) const RARE: &[&str] = &[
    "whoami",
    "ifconfig",
    "ipconfig",
    "uname",
    "systeminfo",
    "sysinfo",
    "nslookup",
    "netstat",
    "netsh",
    "useradd",
    "usermod",
    "crontab",
    "nohup",
    "printenv",
    "mkfifo",
    "tcpdump",
    "socat",
    "certutil",
    "bitsadmin",
    "winget",
    "wmic",
    "rundll32",
    "regsvr32",
    "regedit",
    "bcdboot",
    "bcdedit",
    "mshta",
    "cscript",
    "wscript",
    "tasklist",
    "taskkill",
    "nbtstat",
    "lsb_release",
    "visudo",
    "cscli",
    "getent",
    "dmesg",
    "lsof",
    "strace",
    "ltrace",
    "icacls",
    "schtasks",
    "wevtutil",
    "pip3",
    "pipx",
    "uconv",
    "lastlog",
    "lastlogin",
    "apt-get",
    "perf",
    "cpulimit",
    "bsdtar",
    "ansible",
    "ansible-",
    "chef-",
    "aa-",
    "rmt-",
    "powershell",
    "pwsh",
    "iwr",
    "iwmi",
    "$shell",
    "${shell}",
    "c89",
    "c99",
    "zstdcat",
    "xzcat",
    "bzcat",
    "zcat",
    "unxz",
    "unzstd",
];

/// Wrappers that run their first argument as a command (`time sh -c id`).
pub(super) const WRAPPERS: &[&str] = &[
    "time", "nohup", "strace", "ltrace", "sudo", "doas", "env", "nice", "timeout", "xargs",
    "cpulimit", "exec", "command", "stdbuf", "unbuffer", "watch", "busybox", "chroot", "flock",
    "runcon", "builtin", "setsid", "ionice", "taskset", "chrt", "unshare", "nsenter", "setarch",
    "fakeroot",
];

/// Whether `word` is one of [`WRAPPERS`], in any case.
pub(super) fn is_wrapper(word: &[u8]) -> bool {
    // most words are ruled out by their length or first letter before the
    // list is compared: (first letters in both cases, shortest, longest)
    const SHAPE: ([bool; 256], usize, usize) = {
        let (mut first, mut min, mut max) = ([false; 256], usize::MAX, 0);
        let mut i = 0;
        while i < WRAPPERS.len() {
            let w = WRAPPERS[i].as_bytes();
            first[w[0].to_ascii_lowercase() as usize] = true;
            first[w[0].to_ascii_uppercase() as usize] = true;
            if w.len() < min {
                min = w.len();
            }
            if w.len() > max {
                max = w.len();
            }
            i += 1;
        }
        (first, min, max)
    };
    let (first, min, max) = &SHAPE;
    (*min..=*max).contains(&word.len())
        && first[usize::from(word[0])]
        && WRAPPERS
            .iter()
            .any(|w| w.as_bytes().eq_ignore_ascii_case(word))
}

/// Every list with its tier; `chef`, `alias`, `trap` are also tier B.
pub(super) const ALL_LISTS: [(&[&str], u8); 4] = [
    (TIER_A, 0),
    (TIER_B, 1),
    (&["chef", "alias", "trap"], 1),
    (RARE, 2),
];

/// Lengths at or above this share one bucket (no name is that long).
const LEN_SLOTS: usize = 16;

/// Command names bucketed by first byte and length, built once: a lookup
/// compares the few names of its word's bucket, and most words (English ones
/// included) find theirs empty.
struct Lists {
    /// (name, tier) sorted by bucket; tier 0 = A, 1 = B, 2 = rare (also A).
    names: Vec<(&'static [u8], u8)>,
    /// `names[start[k]..start[k + 1]]` is bucket `k` (see [`bucket`]).
    start: Vec<usize>,
    /// Rare command families matched by prefix (`ansible-…`).
    families: Vec<&'static [u8]>,
    /// The first bytes of `families`.
    family_first: [bool; 256],
    /// Every (name, tier) again, sorted by length (lengths at or above
    /// `LEN_SLOTS - 1` together): for [`glob_command`].
    by_len: Vec<(&'static [u8], u8)>,
    /// `by_len[len_start[n]..len_start[n + 1]]` are the names `n` bytes long.
    len_start: [usize; LEN_SLOTS + 1],
    /// Hashed set of the first two bytes of every name and family (see
    /// [`head_slot`]): a word whose head is not in it is neither a name nor
    /// a family member, and most words skip the bucket and family scans.
    heads: [u64; HEAD_WORDS],
}

/// Bits of the `Lists::heads` set: 8 Kbit (1 KB), a few hundred names.
const HEAD_BITS: u32 = 13;
const HEAD_WORDS: usize = 1 << (HEAD_BITS - 6);

/// The `Lists::heads` bit of a word: its first byte and its second (0 for a
/// one-byte word). A word equal to a name has the name's head; a word that
/// starts with a family (at least 2 bytes: a name and its `-`) has the
/// family's head.
fn head_slot(w: &[u8]) -> usize {
    let key =
        u32::from(w.first().copied().unwrap_or(0)) << 8 | u32::from(w.get(1).copied().unwrap_or(0));
    (key.wrapping_mul(0x9e37_79b1) >> (32 - HEAD_BITS)) as usize
}

/// The bucket of a word starting with `first`, `len` bytes long.
fn bucket(first: u8, len: usize) -> usize {
    usize::from(first) * LEN_SLOTS + len.min(LEN_SLOTS - 1)
}

fn lists() -> &'static Lists {
    static LISTS: std::sync::OnceLock<Lists> = std::sync::OnceLock::new();
    LISTS.get_or_init(|| {
        let mut names: Vec<(&'static [u8], u8)> = Vec::new();
        let mut families = Vec::new();
        for (list, tier) in ALL_LISTS {
            for name in list {
                let n = name.as_bytes();
                if tier == 2 && n.ends_with(b"-") {
                    families.push(n);
                    continue;
                }
                if !n.is_empty() {
                    names.push((n, tier));
                }
            }
        }
        names.sort_by_key(|(n, _)| bucket(n[0], n.len()));
        let mut start = Vec::with_capacity(256 * LEN_SLOTS + 1);
        let mut at = 0;
        for k in 0..=256 * LEN_SLOTS {
            while at < names.len() && bucket(names[at].0[0], names[at].0.len()) < k {
                at += 1;
            }
            start.push(at);
        }
        let mut family_first = [false; 256];
        let mut heads = [0u64; HEAD_WORDS];
        for f in &families {
            family_first[usize::from(f[0])] = true;
        }
        for n in names
            .iter()
            .map(|(n, _)| *n)
            .chain(families.iter().copied())
        {
            let h = head_slot(n);
            heads[h / 64] |= 1 << (h % 64);
        }
        if families.iter().any(|f| f.len() < 2) {
            // a one-byte family would need every head: no filter then
            heads = [u64::MAX; HEAD_WORDS];
        }
        let mut by_len = names.clone();
        by_len.sort_by_key(|(n, _)| n.len().min(LEN_SLOTS - 1));
        let mut len_start = [by_len.len(); LEN_SLOTS + 1];
        for (slot, len) in len_start.iter_mut().zip(0..LEN_SLOTS) {
            *slot = by_len.partition_point(|(n, _)| n.len().min(LEN_SLOTS - 1) < len);
        }
        Lists {
            by_len,
            len_start,
            names,
            start,
            families,
            family_first,
            heads,
        }
    })
}

// === impl Lists ===

impl Lists {
    /// The head of `w` is in the set: `w` may be a name or a family member.
    fn has_head(&self, w: &[u8]) -> bool {
        let h = head_slot(w);
        self.heads[h / 64] & (1 << (h % 64)) != 0
    }
}

/// Tiers a lowercase word belongs to: (tier A, tier B, rare).
pub(super) fn tiers(w: &[u8]) -> (bool, bool, bool) {
    let l = lists();
    let mut t = (false, false, false);
    // sound: a word whose head is not in the set equals no name and starts
    // with no family (see `head_slot`), so both scans below find nothing
    if !l.has_head(w) {
        return t;
    }
    if let Some(&f) = w.first() {
        let k = bucket(f, w.len());
        let names = &l.names[l.start[k]..l.start[k + 1]];
        for (n, tier) in names {
            // an inlined compare: names are short and most differ early,
            // where a `memcmp` call costs more than the bytes
            if n.len() == w.len() && n.iter().zip(w).all(|(a, b)| a == b) {
                match tier {
                    0 => t.0 = true,
                    1 => t.1 = true,
                    _ => t.2 = true,
                }
            }
        }
    }
    if !t.2
        && w.first().is_some_and(|&f| l.family_first[usize::from(f)])
        && l.families
            .iter()
            // a tool's name goes on past the family's dash (`aa-status`,
            // `ansible-playbook`); two letters after it are a locale tag
            // (`aa-ER`, Afar in Eritrea, in a User-Agent)
            .any(|f| w.len() >= f.len() + 3 && w.starts_with(f))
    {
        t.2 = true;
    }
    t
}

fn is_rare(w: &[u8]) -> bool {
    tiers(w).2
}

/// Lowercases `word` into `buf` without allocating; `None` when it cannot be a
/// command name (too long).
fn lower<'b>(word: &[u8], buf: &'b mut [u8; 40]) -> Option<&'b [u8]> {
    if word.len() > buf.len() {
        return None;
    }
    // the suffix is read from `word`, not `buf`: a 4-byte load of bytes
    // just stored one at a time waits for the stores to retire (a
    // store-forwarding stall that was a third of `lookup`)
    let exe = word.len() >= 4 && word[word.len() - 4..].eq_ignore_ascii_case(b".exe");
    for (d, s) in buf.iter_mut().zip(word) {
        *d = s.to_ascii_lowercase();
    }
    let w = &buf[..word.len()];
    Some(if exe { &w[..w.len() - 4] } else { w })
}

pub(super) fn lookup(word: &[u8]) -> Option<bool> {
    // a command name starts with a letter, `$` or `_` (saves the list scans
    // for numbers and punctuation)
    if !word
        .first()
        .is_some_and(|b| b.is_ascii_alphabetic() || matches!(b, b'$' | b'_'))
    {
        return None;
    }
    // sound: `tiers` below is asked about the lowercased word (`.exe`
    // dropped) and its unversioned prefix; each starts with the lowercased
    // first byte of `word`, then its lowercased second byte or nothing, and
    // `tiers` finds nothing for a head outside the set
    let l = lists();
    let first = word[0].to_ascii_lowercase();
    let second = word.get(1).map_or(0, u8::to_ascii_lowercase);
    if !l.has_head(&[first, second]) && !l.has_head(&[first]) {
        return None;
    }
    lookup_listed(word)
}

/// `lookup` past its checks of the first bytes.
pub(super) fn lookup_listed(word: &[u8]) -> Option<bool> {
    let mut buf = [0u8; 40];
    let w = lower(word, &mut buf)?;
    // `python3.10`, `gcc7.4`: a version suffix on a known command
    let cut = w
        .iter()
        .rposition(|b| !b.is_ascii_digit() && *b != b'.')
        .map_or(0, |p| p + 1);
    let unversioned = &w[..cut];
    let (a, b, r) = tiers(w);
    let (ua, ub, ur) = if unversioned.len() != w.len() && !unversioned.is_empty() {
        tiers(unversioned)
    } else {
        (false, false, false)
    };
    if a || r || ua || ur {
        Some(true)
    } else if b || (ub && unversioned.len() >= 3) {
        // a tier B name with a version (`python3.10`); a one- or two-letter
        // name and a digit (`w1`, `su2`) is a token, not a versioned command
        Some(false)
    } else {
        None
    }
}

pub(super) fn rare(word: &[u8]) -> bool {
    let mut buf = [0u8; 40];
    lower(word, &mut buf).is_some_and(is_rare)
}

/// The listed command a globbed command word runs (`c?t`, `ca[t]`,
/// `/b??/n?`, `wh*ami`): run as a command, the shell expands the word
/// against a directory's files, and on a host those include the commands.
/// `trimmed` is the word with its quotes and brackets off, path included;
/// the word after the path is the pattern. A tier A or rare name is
/// preferred to a tier B one. `None` when the word has no glob or expands
/// to no listed name.
///
/// Prose writes `?` and `*` at the end of a word ("who?", "*really*") and
/// `*` between numbers ("2*3"), so a pattern without a path before it needs
/// a glob inside it (a literal byte after the first glob, or a bracket
/// class anywhere) and two literal letters, three when it holds a `*`. With
/// a path one letter is enough: `/b??/n?` is no sentence.
///
/// Cost: a pattern has at most 32 bytes and one `*` (`None` otherwise), so
/// each name is matched from both ends in one pass over the pattern, and
/// without a `*` only the names of the pattern's length are tried.
pub(super) fn glob_command(trimmed: &[u8]) -> Option<&'static [u8]> {
    Glob::of_word(trimmed)?.command()
}

/// One element of a compiled pattern: a byte, `?`, or the bracket class
/// at `start..end` of the pattern (its `[` and `]` included).
#[derive(Clone, Copy)]
enum El {
    Byte(u8),
    Any,
    Class(u8, u8),
}

/// A pattern split at its `*` (at most one) into elements, with what
/// [`glob_command`]'s rules need to know about it.
pub(super) struct Glob {
    /// The pattern, lowercased (the classes' bytes are read from it).
    pat: [u8; 32],
    els: [El; 32],
    /// Elements (every one but the `*`): a name's exact length without a
    /// `*`, its least length with one.
    len: usize,
    /// The number of elements before the `*`.
    star: Option<usize>,
    /// `?`, `*` and bracket classes.
    globs: usize,
    /// ASCII letters outside the classes.
    letters: usize,
    /// A literal byte follows the first glob, or a class is present.
    interior: bool,
}

impl Glob {
    /// The compiled pattern of a command word that may be a glob by the
    /// rules of [`glob_command`]; `None` for most words, at the cost of a
    /// pass over them.
    pub(super) fn of_word(trimmed: &[u8]) -> Option<Self> {
        if !trimmed.iter().any(|b| matches!(b, b'?' | b'*' | b'[')) {
            return None;
        }
        let cut = trimmed.iter().rposition(|&b| b == b'/' || b == b'\\');
        let (path, pattern) = match cut {
            Some(p) => (
                trimmed[0] == b'/'
                    || trimmed[0] == b'\\'
                    || (trimmed.len() > 2 && trimmed[1] == b':'),
                &trimmed[p + 1..],
            ),
            None => (false, trimmed),
        };
        if pattern.is_empty() || pattern.len() > 32 {
            return None;
        }
        let glob = Glob::compile(pattern)?;
        let letters_needed = match (path, glob.star.is_some()) {
            (true, _) => 1,
            (false, false) => 2,
            (false, true) => 3,
        };
        if glob.globs == 0 || glob.letters < letters_needed || !(path || glob.interior) {
            return None;
        }
        Some(glob)
    }

    /// The listed name the pattern expands to, tier A or rare first.
    pub(super) fn command(&self) -> Option<&'static [u8]> {
        let l = lists();
        let candidates = if self.star.is_some() {
            &l.by_len[l.len_start[self.len.min(LEN_SLOTS - 1)]..]
        } else if self.len < LEN_SLOTS - 1 {
            &l.by_len[l.len_start[self.len]..l.len_start[self.len + 1]]
        } else {
            &l.by_len[l.len_start[LEN_SLOTS - 1]..]
        };
        let mut found: Option<&'static [u8]> = None;
        for &(name, tier) in candidates {
            if self.matches(name) {
                if tier != 1 {
                    return Some(name);
                }
                found = found.or(Some(name));
            }
        }
        found
    }

    /// `None` for bytes no command name holds (other than the globs), for a
    /// `[` without its `]`, and for a second `*` (a run of stars is one).
    /// `pattern` has at most 32 bytes.
    fn compile(pattern: &[u8]) -> Option<Self> {
        let mut g = Glob {
            pat: [0; 32],
            els: [El::Any; 32],
            len: 0,
            star: None,
            globs: 0,
            letters: 0,
            interior: false,
        };
        for (d, s) in g.pat.iter_mut().zip(pattern) {
            *d = s.to_ascii_lowercase();
        }
        let p = &g.pat[..pattern.len()];
        let mut i = 0;
        while i < p.len() {
            let el = match p[i] {
                b'?' => {
                    g.globs += 1;
                    El::Any
                }
                b'*' => {
                    // `**` matches what `*` does: one star, however long the run
                    if g.star == Some(g.len) && p[i - 1] == b'*' {
                        i += 1;
                        continue;
                    }
                    if g.star.is_some() {
                        return None;
                    }
                    g.globs += 1;
                    g.star = Some(g.len);
                    i += 1;
                    continue;
                }
                b'[' => {
                    let n = class_len(&p[i..])?;
                    g.globs += 1;
                    // prose brackets hold a number or a letter ("item[s]")
                    // and match no command: a class counts wherever it is
                    g.interior = true;
                    // `p` has at most 32 bytes
                    let el = El::Class(i as u8, (i + n) as u8);
                    i += n - 1;
                    el
                }
                b if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.') => {
                    if b.is_ascii_alphabetic() {
                        g.letters += 1;
                    }
                    if g.globs > 0 {
                        g.interior = true;
                    }
                    El::Byte(b)
                }
                _ => return None,
            };
            g.els[g.len] = el;
            g.len += 1;
            i += 1;
        }
        Some(g)
    }

    /// Whether the shell would expand the pattern to `name`: the elements before the `*` match its start, the
    /// ones after it its end.
    fn matches(&self, name: &[u8]) -> bool {
        let one = |el: El, c: u8| match el {
            El::Byte(b) => b == c,
            El::Any => true,
            El::Class(s, e) => class_holds(&self.pat[usize::from(s)..usize::from(e)], c),
        };
        let els = &self.els[..self.len];
        match self.star {
            None => name.len() == els.len() && els.iter().zip(name).all(|(&e, &c)| one(e, c)),
            Some(k) => {
                name.len() >= els.len()
                    && els[..k].iter().zip(name).all(|(&e, &c)| one(e, c))
                    && els[k..]
                        .iter()
                        .zip(&name[name.len() - (els.len() - k)..])
                        .all(|(&e, &c)| one(e, c))
            }
        }
    }
}

/// The length of the bracket class at the start of `p` (`[abc]`, `[!a-c]`,
/// `[]x]`), its `]` included; `None` when it has no `]`.
fn class_len(p: &[u8]) -> Option<usize> {
    let mut i = 1;
    if matches!(p.get(i), Some(b'!' | b'^')) {
        i += 1;
    }
    // a `]` first in the class is one of its bytes
    if p.get(i) == Some(&b']') {
        i += 1;
    }
    p.get(i..)?
        .iter()
        .position(|&b| b == b']')
        .map(|e| i + e + 1)
}

/// Whether the bracket class `class` (as [`class_len`] measured it) holds `c`.
fn class_holds(class: &[u8], c: u8) -> bool {
    let mut body = &class[1..class.len() - 1];
    let negated = matches!(body.first(), Some(b'!' | b'^'));
    if negated {
        body = &body[1..];
    }
    let mut hit = false;
    let mut i = 0;
    while i < body.len() {
        if i + 2 < body.len() && body[i + 1] == b'-' {
            hit |= (body[i]..=body[i + 2]).contains(&c);
            i += 3;
        } else {
            hit |= body[i] == c;
            i += 1;
        }
    }
    hit != negated
}
