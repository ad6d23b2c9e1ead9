//! The SQL keywords as one table, found by a perfect hash: the quiet gate
//! (`quiet.rs`) asks what a run of letters is without the tokeniser's chain
//! of comparisons. The table lists every word `tokens::classify_word` does
//! not call a plain `Word`, plus the bare operator words `operator_only`
//! reads; a test holds the two to each other. No allocation, no I/O.

/// What a keyword means to the quiet gate: `Strong` words open shapes on
/// their own; the others score only next to something the gate checks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Gate {
    /// Statements, UNION, clause keywords, operator words: never quiet.
    Strong,
    /// `Kw::Other` (`all`, `as`, `set`, `end` ...).
    Other,
    /// `Kw::Object` (`table`, `view`, `index` ...).
    Object,
    /// `by`.
    By,
    /// `from`.
    From,
    /// `null`, `true`, `false`.
    Null,
    /// `in`, `is`: comparisons spelled as words that prose uses.
    CmpWord,
    /// `and`, `or`, `not`.
    Logic,
}

/// Every keyword, lowercase, with its gate class.
pub(super) const KEYWORDS: [(&[u8], Gate); 83] = [
    (b"union", Gate::Strong),
    (b"select", Gate::Strong),
    (b"insert", Gate::Strong),
    (b"update", Gate::Strong),
    (b"delete", Gate::Strong),
    (b"drop", Gate::Strong),
    (b"create", Gate::Strong),
    (b"alter", Gate::Strong),
    (b"exec", Gate::Strong),
    (b"execute", Gate::Strong),
    (b"declare", Gate::Strong),
    (b"truncate", Gate::Strong),
    (b"shutdown", Gate::Strong),
    (b"grant", Gate::Strong),
    (b"revoke", Gate::Strong),
    (b"rename", Gate::Strong),
    (b"handler", Gate::Strong),
    (b"load", Gate::Strong),
    (b"backup", Gate::Strong),
    (b"restore", Gate::Strong),
    (b"and", Gate::Logic),
    (b"or", Gate::Logic),
    (b"xor", Gate::Strong),
    (b"not", Gate::Logic),
    (b"mod", Gate::Strong),
    (b"div", Gate::Strong),
    (b"rlike", Gate::Strong),
    (b"regexp", Gate::Strong),
    (b"notnull", Gate::Strong),
    (b"like", Gate::Strong),
    (b"between", Gate::Strong),
    (b"in", Gate::CmpWord),
    (b"is", Gate::CmpWord),
    (b"sounds", Gate::Strong),
    (b"glob", Gate::Strong),
    (b"similar", Gate::Strong),
    (b"from", Gate::From),
    (b"where", Gate::Strong),
    (b"order", Gate::Strong),
    (b"group", Gate::Strong),
    (b"by", Gate::By),
    (b"having", Gate::Strong),
    (b"into", Gate::Strong),
    (b"limit", Gate::Strong),
    (b"offset", Gate::Strong),
    (b"procedure", Gate::Strong),
    (b"waitfor", Gate::Strong),
    (b"null", Gate::Null),
    (b"true", Gate::Null),
    (b"false", Gate::Null),
    (b"table", Gate::Object),
    (b"database", Gate::Object),
    (b"view", Gate::Object),
    (b"index", Gate::Object),
    (b"trigger", Gate::Object),
    (b"login", Gate::Object),
    (b"schema", Gate::Object),
    (b"tablespace", Gate::Object),
    (b"column", Gate::Object),
    (b"values", Gate::Other),
    (b"join", Gate::Other),
    (b"distinct", Gate::Other),
    (b"all", Gate::Other),
    (b"top", Gate::Other),
    (b"as", Gate::Other),
    (b"case", Gate::Other),
    (b"when", Gate::Other),
    (b"then", Gate::Other),
    (b"else", Gate::Other),
    (b"end", Gate::Other),
    (b"delay", Gate::Other),
    (b"outfile", Gate::Other),
    (b"dumpfile", Gate::Other),
    (b"collate", Gate::Other),
    (b"asc", Gate::Other),
    (b"desc", Gate::Other),
    (b"exists", Gate::Other),
    (b"set", Gate::Other),
    (b"begin", Gate::Other),
    (b"binary", Gate::Other),
    (b"escape", Gate::Other),
    (b"identified", Gate::Other),
    // not a token keyword, but a whole-value operator (`operator_only`)
    (b"isnull", Gate::Strong),
];

/// Hash slots: 512 one-byte indexes into `KEYWORDS` (0 = empty), so a
/// lookup reads one byte and compares at most one word.
const BITS: u32 = 9;
/// Multiplier found by search so that no two keywords share a slot (the
/// `slots_are_collision_free` test and the const build below check it).
const MUL: u32 = 0x4449_0f77;

const SLOTS: [u8; 1 << BITS] = {
    let mut t = [0u8; 1 << BITS];
    let mut i = 0;
    while i < KEYWORDS.len() {
        let w = KEYWORDS[i].0;
        let h = slot(w[0], w[1], w[w.len() - 2], w[w.len() - 1], w.len());
        assert!(t[h] == 0, "two keywords share a hash slot");
        t[h] = i as u8 + 1;
        i += 1;
    }
    t
};

/// Slot of a word from its first two and last two bytes (lowercase) and
/// its length.
const fn slot(a: u8, b: u8, y: u8, z: u8, len: usize) -> usize {
    let key =
        (a as u32 | (b as u32) << 8 | (y as u32) << 16 | (z as u32) << 24) ^ ((len as u32) << 3);
    (key.wrapping_mul(MUL) >> (32 - BITS)) as usize
}

/// The gate class of `w` (any case) if it is a keyword.
#[inline]
pub(super) fn lookup(w: &[u8]) -> Option<Gate> {
    if !(2..=10).contains(&w.len()) {
        return None;
    }
    let n = w.len();
    // `| 0x20` lowercases letters; a word with other bytes may land on a
    // keyword's slot but fails the comparison below
    let h = slot(
        w[0] | 0x20,
        w[1] | 0x20,
        w[n - 2] | 0x20,
        w[n - 1] | 0x20,
        n,
    );
    let idx = SLOTS[h];
    if idx == 0 {
        return None;
    }
    let (kw, gate) = KEYWORDS[usize::from(idx - 1)];
    kw.eq_ignore_ascii_case(w).then_some(gate)
}

/// Every routine name `tokens::func_risk` does not call plain (a test
/// holds the list to its source), for the filter below.
pub(super) const FUNC_NAMES: [&[u8]; 146] = [
    b"sleep",
    b"benchmark",
    b"pg_sleep",
    b"load_file",
    b"extractvalue",
    b"updatexml",
    b"name_const",
    b"receive_message",
    b"get_host_address",
    b"randomblob",
    b"xp_cmdshell",
    b"make_set",
    b"exp",
    b"geometrycollection",
    b"polygon",
    b"multipoint",
    b"linestring",
    b"utl_inaddr",
    b"dbms_pipe",
    b"pg_read_file",
    b"lo_import",
    b"json_keys",
    b"gtid_subset",
    b"char",
    b"chr",
    b"nchar",
    b"concat",
    b"concat_ws",
    b"group_concat",
    b"substring",
    b"substr",
    b"mid",
    b"ascii",
    b"ord",
    b"hex",
    b"unhex",
    b"version",
    b"database",
    b"user",
    b"current_user",
    b"system_user",
    b"session_user",
    b"schema",
    b"cast",
    b"convert",
    b"ifnull",
    b"isnull",
    b"nullif",
    b"coalesce",
    b"if",
    b"iif",
    b"count",
    b"length",
    b"rtrim",
    b"ltrim",
    b"md5",
    b"sha1",
    b"elt",
    b"rand",
    b"floor",
    b"row_count",
    b"found_rows",
    b"left",
    b"right",
    b"instr",
    b"locate",
    b"position",
    b"reverse",
    b"strcmp",
    b"bin",
    b"conv",
    b"oct",
    b"char_length",
    b"db_name",
    b"user_name",
    b"suser_name",
    b"is_srvrolemember",
    b"quotename",
    b"replace",
    b"repeat",
    b"space",
    b"lpad",
    b"rpad",
    b"table_name",
    b"column_name",
    b"object_id",
    b"exists",
    b"last_insert_id",
    b"connection_id",
    b"uuid",
    b"current_database",
    b"pg_user",
    b"to_char",
    b"chartorowid",
    b"utl_http",
    b"sys_context",
    b"now",
    b"sysdate",
    b"round",
    b"format",
    b"time",
    b"date",
    b"day",
    b"minute",
    b"hour",
    b"month",
    b"year",
    b"quarter",
    b"log",
    b"ln",
    b"pi",
    b"pow",
    b"power",
    b"cos",
    b"sin",
    b"tan",
    b"sqrt",
    b"abs",
    b"trim",
    b"values",
    b"compress",
    b"uncompress",
    b"decode",
    b"encode",
    b"xmltype",
    b"password",
    b"local",
    b"localtime",
    b"unix_timestamp",
    b"json_extract",
    b"lo_get",
    b"div",
    b"overlay",
    b"unistr",
    b"find_in_set",
    b"starts_with",
    b"jsonb_pretty",
    b"json_build_object",
    b"schema_name",
    b"upper",
    b"lower",
    b"soundex",
    b"weight_string",
    b"get_lock",
    b"release_lock",
    b"master_pos_wait",
];

/// Bit `len` of entry `c - b'a'`: some routine name above starts with `c`
/// and is `len` bytes long. A word outside it is a plain call for sure.
const FUNC_SHAPES: [u32; 26] = {
    let mut t = [0u32; 26];
    let mut i = 0;
    while i < FUNC_NAMES.len() {
        let w = FUNC_NAMES[i];
        t[(w[0] - b'a') as usize] |= 1 << w.len();
        i += 1;
    }
    t
};

/// False when `func_risk(w)` is `Plain` for sure (a cheap filter: true
/// says nothing). `w` holds no `.`.
#[inline]
pub(super) fn may_be_routine(w: &[u8]) -> bool {
    match w.first() {
        Some(&c) if c.is_ascii_alphabetic() && w.len() < 32 => {
            FUNC_SHAPES[usize::from((c | 0x20) - b'a')] & (1 << w.len()) != 0
        }
        _ => false,
    }
}
