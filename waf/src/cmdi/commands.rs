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
    "python",
    "python2",
    "python3",
    "perl",
    "ruby",
    "php",
    "lua",
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
    "node",
    "lsb_release",
    "arp",
];

/// Commands that are also common words; need argument evidence.
pub(super) const TIER_B: &[&str] = &[
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
    "sc",
    "at",
    "start",
    "call",
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
    "htop",
    "aptitude",
    "apt-get",
    "irb",
    "gdb",
    "perf",
    "cpulimit",
    "bsdtar",
    "busybox",
    "ansible",
    "ansible-",
    "chef-",
    "aa-",
    "rmt",
    "rmt-",
    "powershell",
    "pwsh",
    "iwr",
    "iex",
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
        Lists {
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
            .any(|f| w.len() > f.len() && w.starts_with(f))
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
    let (ua, _, ur) = if unversioned.len() != w.len() && !unversioned.is_empty() {
        tiers(unversioned)
    } else {
        (false, false, false)
    };
    if a || r || ua || ur {
        Some(true)
    } else if b {
        Some(false)
    } else {
        None
    }
}

pub(super) fn rare(word: &[u8]) -> bool {
    let mut buf = [0u8; 40];
    lower(word, &mut buf).is_some_and(is_rare)
}
