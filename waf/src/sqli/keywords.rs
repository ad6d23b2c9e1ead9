//! The SQL keywords as one table, found by a perfect hash: the tokeniser
//! and the quiet gate (`quiet.rs`) ask what a word is without a chain of
//! comparisons. The table lists every word that is not a plain `Word`, plus
//! the bare operator words `operator_only` reads; a test holds it to the
//! round-1 `classify_word` in `reference.rs`. No allocation, no I/O.

use super::tokens::{Kind, Kw, Stmt};

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

/// Every keyword, lowercase, with its token kind and its gate class.
pub(super) const KEYWORDS: [(&[u8], Kind, Gate); 85] = [
    (b"union", Kind::Union, Gate::Strong),
    (b"select", Kind::Stmt(Stmt::Select), Gate::Strong),
    (b"insert", Kind::Stmt(Stmt::Modify), Gate::Strong),
    (b"update", Kind::Stmt(Stmt::Modify), Gate::Strong),
    (b"delete", Kind::Stmt(Stmt::Modify), Gate::Strong),
    (b"drop", Kind::Stmt(Stmt::Modify), Gate::Strong),
    (b"create", Kind::Stmt(Stmt::Modify), Gate::Strong),
    (b"alter", Kind::Stmt(Stmt::Modify), Gate::Strong),
    (b"exec", Kind::Stmt(Stmt::Modify), Gate::Strong),
    (b"execute", Kind::Stmt(Stmt::Modify), Gate::Strong),
    (b"declare", Kind::Stmt(Stmt::Modify), Gate::Strong),
    (b"truncate", Kind::Stmt(Stmt::Modify), Gate::Strong),
    (b"shutdown", Kind::Stmt(Stmt::Modify), Gate::Strong),
    (b"grant", Kind::Stmt(Stmt::Modify), Gate::Strong),
    (b"revoke", Kind::Stmt(Stmt::Modify), Gate::Strong),
    (b"rename", Kind::Stmt(Stmt::Modify), Gate::Strong),
    (b"handler", Kind::Stmt(Stmt::Modify), Gate::Strong),
    (b"load", Kind::Stmt(Stmt::Modify), Gate::Strong),
    (b"backup", Kind::Stmt(Stmt::Modify), Gate::Strong),
    (b"restore", Kind::Stmt(Stmt::Modify), Gate::Strong),
    // SQLite: `ATTACH DATABASE '/path'` creates a file wherever the server may write
    (b"attach", Kind::Stmt(Stmt::Modify), Gate::Strong),
    (b"and", Kind::Logic, Gate::Logic),
    (b"or", Kind::Logic, Gate::Logic),
    (b"xor", Kind::Logic, Gate::Strong),
    (b"not", Kind::Logic, Gate::Logic),
    (b"mod", Kind::Op, Gate::Strong),
    (b"div", Kind::Op, Gate::Strong),
    (b"rlike", Kind::Cmp { word: false }, Gate::Strong),
    (b"regexp", Kind::Cmp { word: false }, Gate::Strong),
    (b"notnull", Kind::Cmp { word: false }, Gate::Strong),
    (b"like", Kind::Cmp { word: true }, Gate::Strong),
    (b"between", Kind::Cmp { word: true }, Gate::Strong),
    (b"in", Kind::Cmp { word: true }, Gate::CmpWord),
    (b"is", Kind::Cmp { word: true }, Gate::CmpWord),
    (b"sounds", Kind::Cmp { word: true }, Gate::Strong),
    (b"glob", Kind::Cmp { word: true }, Gate::Strong),
    (b"similar", Kind::Cmp { word: true }, Gate::Strong),
    (b"from", Kind::Kw(Kw::From), Gate::From),
    (b"where", Kind::Kw(Kw::Where), Gate::Strong),
    (b"order", Kind::Kw(Kw::Order), Gate::Strong),
    (b"group", Kind::Kw(Kw::Group), Gate::Strong),
    (b"by", Kind::Kw(Kw::By), Gate::By),
    (b"having", Kind::Kw(Kw::Having), Gate::Strong),
    (b"into", Kind::Kw(Kw::Into), Gate::Strong),
    (b"limit", Kind::Kw(Kw::Limit), Gate::Strong),
    (b"offset", Kind::Kw(Kw::Limit), Gate::Strong),
    (b"procedure", Kind::Kw(Kw::Procedure), Gate::Strong),
    (b"waitfor", Kind::Kw(Kw::Waitfor), Gate::Strong),
    (b"null", Kind::Kw(Kw::Null), Gate::Null),
    (b"true", Kind::Kw(Kw::Null), Gate::Null),
    (b"false", Kind::Kw(Kw::Null), Gate::Null),
    (b"table", Kind::Kw(Kw::Object), Gate::Object),
    (b"database", Kind::Kw(Kw::Object), Gate::Object),
    (b"view", Kind::Kw(Kw::Object), Gate::Object),
    (b"index", Kind::Kw(Kw::Object), Gate::Object),
    (b"trigger", Kind::Kw(Kw::Object), Gate::Object),
    (b"login", Kind::Kw(Kw::Object), Gate::Object),
    (b"schema", Kind::Kw(Kw::Object), Gate::Object),
    (b"tablespace", Kind::Kw(Kw::Object), Gate::Object),
    (b"column", Kind::Kw(Kw::Object), Gate::Object),
    (b"values", Kind::Kw(Kw::Other), Gate::Other),
    (b"join", Kind::Kw(Kw::Other), Gate::Other),
    (b"distinct", Kind::Kw(Kw::Other), Gate::Other),
    (b"distinctrow", Kind::Kw(Kw::Other), Gate::Other),
    (b"all", Kind::Kw(Kw::Other), Gate::Other),
    (b"top", Kind::Kw(Kw::Other), Gate::Other),
    (b"as", Kind::Kw(Kw::Other), Gate::Other),
    (b"case", Kind::Kw(Kw::Other), Gate::Other),
    (b"when", Kind::Kw(Kw::Other), Gate::Other),
    (b"then", Kind::Kw(Kw::Other), Gate::Other),
    (b"else", Kind::Kw(Kw::Other), Gate::Other),
    (b"end", Kind::Kw(Kw::Other), Gate::Other),
    (b"delay", Kind::Kw(Kw::Other), Gate::Other),
    (b"outfile", Kind::Kw(Kw::Other), Gate::Other),
    (b"dumpfile", Kind::Kw(Kw::Other), Gate::Other),
    (b"collate", Kind::Kw(Kw::Other), Gate::Other),
    (b"asc", Kind::Kw(Kw::Other), Gate::Other),
    (b"desc", Kind::Kw(Kw::Other), Gate::Other),
    (b"exists", Kind::Kw(Kw::Other), Gate::Other),
    (b"set", Kind::Kw(Kw::Other), Gate::Other),
    (b"begin", Kind::Kw(Kw::Other), Gate::Other),
    (b"binary", Kind::Kw(Kw::Other), Gate::Other),
    (b"escape", Kind::Kw(Kw::Other), Gate::Other),
    (b"identified", Kind::Kw(Kw::Other), Gate::Other),
    // not a token keyword, but a whole-value operator (`operator_only`)
    (b"isnull", Kind::Word, Gate::Strong),
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

/// The table entry of `w` (any case) if it is a keyword.
#[inline]
fn entry(w: &[u8]) -> Option<(Kind, Gate)> {
    if !(2..=11).contains(&w.len()) {
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
    let (kw, kind, gate) = KEYWORDS[usize::from(idx - 1)];
    kw.eq_ignore_ascii_case(w).then_some((kind, gate))
}

/// The gate class of `w` (any case) if it is a keyword.
#[inline]
pub(super) fn lookup(w: &[u8]) -> Option<Gate> {
    entry(w).map(|(_, gate)| gate)
}

/// The token kind of the word `w` (any case): `Kind::Word` unless it is
/// a SQL keyword.
#[inline]
pub(super) fn kind_of(w: &[u8]) -> Kind {
    entry(w).map_or(Kind::Word, |(kind, _)| kind)
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
