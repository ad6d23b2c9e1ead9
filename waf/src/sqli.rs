//! SQL injection: a small SQL tokeniser (strings, numbers, words, operators,
//! comments, variables) run in three contexts — as-is, and as if the value were
//! inserted inside a `'...'` or `"..."` literal — followed by scoring over token
//! shapes: UNION queries, SELECT..FROM, tautologies after a logic operator, string
//! breaks followed by SQL syntax, stacked statements, time/file functions,
//! comment obfuscation. The approach follows libinjection's idea (tokenise, look at
//! the shape) with our own token classes and weights. No I/O, linear in the input.

#[cfg(test)]
mod equivalence;
mod fragments;
mod keywords;
mod plain;
mod quiet;
#[cfg(test)]
mod reference;
mod shapes;
#[cfg(test)]
mod tests;
mod tokens;

use crate::detect::Hits;
use crate::verdict::Class;
use fragments::{
    account_or_declare, conditional, ddl, dynamic_exec, fragments, glued_quote_logic,
    implicit_operator, literal_tautology, open_call_fragment, operator_only, pg_cast,
    procedure_call,
};
pub(crate) use plain::plain_may_match;
use shapes::{break_shape, order_by_tail, select_shape, tautology};
use tokens::{FuncRisk, Kind, Kw, Stmt, Toks, tokenise};
use tokens::{controlled_after_stack, is_operand, union_cut_after_operand};

/// A whole value that is one bare SQL operator word (`XOR`, `RLIKE`): the
/// all-alphanumeric fast path skips the tokeniser, so it asks this.
pub(crate) fn lone_operator(s: &[u8], hits: &mut Hits) {
    if s.len() <= 16 && operator_only(s) {
        hits.add(Class::Sqli, "sqli-operator", 5);
    }
}

/// Scores one value in all three contexts and records the best into `hits`.
pub(crate) fn scan(s: &[u8], hits: &mut Hits) {
    // sound: `quiet` is true only when no context's token stream and no
    // whole-value fragment can score (see quiet.rs), so `scan_contexts`
    // would add nothing; `quiet_values_score_nothing` checks it
    if quiet::quiet(s) {
        return;
    }
    scan_contexts(s, hits);
}

/// `scan` without the quiet gate.
fn scan_contexts(s: &[u8], hits: &mut Hits) {
    let mut toks = Toks::new();
    let mut best = (0u32, "sqli");
    // one pass tells whether any quote context is worth a second look
    let any_quote = memchr::memchr3(b'\'', b'"', b'`', s).is_some();
    let quotes: [Option<u8>; 4] = [None, Some(b'\''), Some(b'"'), Some(b'`')];
    for q in quotes {
        if let Some(qc) = q
            && (!any_quote || memchr::memchr(qc, s).is_none())
        {
            continue;
        }
        toks.clear();
        tokenise(s, q, &mut toks);
        let mut r = score(
            toks.as_slice(),
            q.is_some(),
            q.is_some() && s.first() == q.as_ref(),
        );
        if r.0 < 5 && q == Some(b'\'') && implicit_operator(s, toks.as_slice()) {
            r = (5, "sqli-break");
        }
        contraction_prose(s, q, &mut r);
        if r.0 > best.0 {
            best = r;
        }
    }
    if best.0 < 5
        && let Some(id) = whole_value_shape(s)
    {
        best = (5, id);
    }
    if best.0 < 6 && conditional(s) {
        best = (6, "sqli-conditional");
    }
    if best.0 < 6 && dynamic_exec(s) {
        best = (6, "sqli-procedure");
    }
    if best.0 > 0 {
        hits.add(Class::Sqli, best.1, best.0);
    }
}

/// In the apostrophe context, a literal "broken" by `don't` or `it's` is
/// prose: a tautology found after it (`and it is fine`) is a sentence, not a
/// condition, and weighs 4 at most. (Shared with the tests' reference scan.)
fn contraction_prose(s: &[u8], q: Option<u8>, r: &mut (u32, &'static str)) {
    if q == Some(b'\'') && r.1 == "sqli-tautology" && r.0 <= 6 && contraction_first(s) {
        r.0 = r.0.min(4);
    }
}

/// The value's first `'` is an English contraction's (`don't`, `it's`,
/// `wither'd`, `we'll`): a letter before it, `s t d m ll re ve` after it and
/// then no further letter.
fn contraction_first(s: &[u8]) -> bool {
    let Some(p) = memchr::memchr(b'\'', s) else {
        return false;
    };
    if p == 0 || !s[p - 1].is_ascii_alphabetic() {
        return false;
    }
    let rest = &s[p + 1..];
    let letters = rest.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let suffix = &rest[..letters];
    [&b"s"[..], b"t", b"d", b"m", b"ll", b"re", b"ve"]
        .iter()
        .any(|c| suffix.eq_ignore_ascii_case(c))
}

/// The whole value is one SQL fragment that carries no statement (a cast, a
/// literal comparison, a bare operator, a procedure call, a glued quote-logic
/// break, an open builtin call): the first that matches names the signal.
fn whole_value_shape(s: &[u8]) -> Option<&'static str> {
    if pg_cast(s) {
        Some("sqli-function")
    } else if literal_tautology(s) {
        Some("sqli-tautology")
    } else if operator_only(s) {
        Some("sqli-operator")
    } else if procedure_call(s) {
        Some("sqli-procedure")
    } else if glued_quote_logic(s) {
        Some("sqli-break")
    } else if open_call_fragment(s) {
        Some("sqli-function")
    } else {
        None
    }
}

/// Scores a token stream; `quoted`: the first token is the broken-out literal.
pub(crate) fn score(all: &[Kind], quoted: bool, empty_break: bool) -> (u32, &'static str) {
    match triggers(all, quoted) {
        Triggers::None => (0, "sqli"),
        Triggers::Logic => logic_only(all),
        Triggers::Any => score_stream(all, quoted, empty_break),
    }
}

/// What `triggers` found in a stream.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Triggers {
    /// `score_stream` cannot bump anything.
    None,
    /// Unquoted, and the only trigger kinds are logic operators: prose with
    /// an `and` / `or` in it (see `logic_only`).
    Logic,
    /// Anything else: the full scoring.
    Any,
}

/// Sorts a stream for `score`: `Triggers::None` only when `score_stream`
/// cannot bump anything on `all`: the stream holds none of the kinds its
/// shapes start from. Why each is sound:
/// - UNION, statements, logic operators, keywords, comments, non-plain calls,
///   `@@` variables and symbolic comparisons open shapes of their own: any of
///   them sends the stream to the full scoring (logic operators alone, in an
///   unquoted stream, to `logic_only`);
/// - a comparison spelled as a word (`is`, `in`, `like`) only scores on its own
///   as the first token (`in (1, 2)`), in a stream of at most four tokens
///   (`) like (`, `x like '`) or after a broken literal; elsewhere it needs one
///   of the kinds above (a logic operator, SELECT, WHERE) to be read at all;
/// - with none of these, only two shapes remain and both follow a closed
///   broken literal: `',1)` (a comma right after it) and `';` / `'+1` (a
///   semicolon or operator as the first token after its closing brackets).
///
/// The other kinds (words, numbers, strings, plain calls, brackets, `@x`, `::`)
/// are read only as operands of the shapes above.
fn triggers(all: &[Kind], quoted: bool) -> Triggers {
    let n = all.len();
    let mut logic = false;
    for (i, k) in all.iter().enumerate() {
        match k {
            Kind::Logic if !quoted => logic = true,
            Kind::Union
            | Kind::Stmt(_)
            | Kind::Logic
            | Kind::Kw(_)
            | Kind::Comment { .. }
            | Kind::Func(FuncRisk::Sql | FuncRisk::Builtin | FuncRisk::Danger)
            | Kind::Var { system: true }
            | Kind::Cmp { word: false } => return Triggers::Any,
            Kind::Cmp { word: true } if i == 0 || n <= 4 || quoted => return Triggers::Any,
            _ => {}
        }
    }
    if logic {
        return Triggers::Logic;
    }
    if quoted
        && matches!(all.first(), Some(Kind::Str { closed: true, .. }))
        && (all.get(1) == Some(&Kind::Comma)
            || matches!(
                all.iter().skip(1).find(|k| **k != Kind::RParen),
                Some(Kind::Semi | Kind::Op)
            ))
    {
        Triggers::Any
    } else {
        Triggers::None
    }
}

/// `score_stream` on an unquoted stream whose only trigger kinds are logic
/// operators (`Triggers::Logic`). Sound because, with no comment, keyword,
/// statement, UNION, non-plain call, `@@` variable or symbolic comparison in
/// the stream, and no word comparison that `triggers` passes on sight, every
/// other shape of `score_kinds` (SELECT, stacked statements, ORDER BY,
/// functions, comments, `fragments`, `ddl`, `account_or_declare`) needs one
/// of those kinds, and `break_shape` needs a quoted stream: what is left is
/// the tautology read after each logic operator, in stream order, on the
/// stream as it is (no comment to drop).
fn logic_only(all: &[Kind]) -> (u32, &'static str) {
    let mut best = (0u32, "sqli");
    let mut bump = |w: u32, id: &'static str| {
        if w > best.0 {
            best = (w, id);
        }
    };
    for (i, k) in all.iter().enumerate() {
        if *k == Kind::Logic {
            tautology(all, i, false, &mut bump);
        }
    }
    best
}

/// The full scoring of a token stream (see `score`).
fn score_stream(all: &[Kind], quoted: bool, empty_break: bool) -> (u32, &'static str) {
    if all.len() <= NO_COMMENTS.len() && !all.iter().any(|k| matches!(k, Kind::Comment { .. })) {
        // the comment-free copy below would equal `all`, with no comment after
        // any token: score the stream as it is
        let none = Comments {
            after: &NO_COMMENTS[..all.len()],
            inline: 0,
            block: false,
            versioned: false,
        };
        return score_kinds(all, &none, quoted, empty_break);
    }
    // comments are dropped for shape matching, but remembered
    let mut t: smallvec::SmallVec<[Kind; 64]> = smallvec::SmallVec::new();
    let mut comment_after: smallvec::SmallVec<[bool; 64]> = smallvec::SmallVec::new();
    let (mut inline, mut any_block, mut versioned) = (0u32, false, false);
    for (idx, tok) in all.iter().enumerate() {
        match *tok {
            Kind::Comment {
                block,
                versioned: v,
            } => {
                versioned |= v;
                any_block |= block;
                if let Some(last) = comment_after.last_mut() {
                    *last = true;
                }
                if block && idx + 1 < all.len() && !t.as_slice().is_empty() {
                    inline += 1;
                }
            }
            k => {
                t.push(k);
                comment_after.push(false);
            }
        }
    }
    let comments = Comments {
        after: comment_after.as_slice(),
        inline,
        block: any_block,
        versioned,
    };
    score_kinds(t.as_slice(), &comments, quoted, empty_break)
}

/// What the comments of a stream leave behind once dropped from it.
struct Comments<'a> {
    /// `after[i]`: a comment follows the i-th comment-free token.
    after: &'a [bool],
    /// Block comments between two tokens (`union/**/select`).
    inline: u32,
    /// Any block comment at all.
    block: bool,
    /// Any MySQL versioned comment (`/*!50000`).
    versioned: bool,
}

const NO_COMMENTS: [bool; 64] = [false; 64];

/// The shapes over the comment-free kinds `t` (see `score_stream`).
fn score_kinds(
    t: &[Kind],
    comments: &Comments<'_>,
    quoted: bool,
    empty_break: bool,
) -> (u32, &'static str) {
    let mut best = (0u32, "sqli");
    let mut bump = |w: u32, id: &'static str| {
        if w > best.0 {
            best = (w, id);
        }
    };
    if comments.versioned {
        // a MySQL versioned comment: its body is code
        bump(5, "sqli-comment");
    }
    let (comment_after, inline_comments) = (comments.after, comments.inline);
    let n = t.len();
    // `1 /*`, `1/*'*/`: a lone literal followed by a block comment
    if n == 1 && matches!(t[0], Kind::Num) && comments.block {
        bump(5, "sqli-comment");
    }
    let broke = quoted && matches!(t.first(), Some(Kind::Str { closed: true, .. }));
    let kw_idx = |i: usize| t.get(i).copied();
    let mut sql_funcs = 0u32;
    for i in 0..n {
        match t[i] {
            Kind::Union => {
                let mut j = i + 1;
                if matches!(kw_idx(j), Some(Kind::Kw(Kw::Other))) {
                    j += 1;
                }
                if matches!(kw_idx(j), Some(Kind::LParen | Kind::Func(_))) {
                    bump(8, "sqli-union");
                } else if matches!(kw_idx(j), Some(Kind::Stmt(Stmt::Select))) {
                    let first = kw_idx(j + 1);
                    let listy = matches!(
                        first,
                        Some(
                            Kind::Num
                                | Kind::Kw(Kw::Null)
                                | Kind::Func(_)
                                | Kind::Var { .. }
                                | Kind::Str { .. }
                                | Kind::LParen
                                | Kind::Op
                                | Kind::Kw(Kw::Other)
                        )
                    ) || (matches!(first, Some(Kind::Word))
                        && matches!(kw_idx(j + 2), None | Some(Kind::Comma | Kind::Kw(Kw::From))))
                        || comment_after.get(j).copied().unwrap_or(false);
                    let cut_after_operand = union_cut_after_operand(t, i, first);
                    bump(
                        if listy {
                            8
                        } else if cut_after_operand {
                            6
                        } else {
                            3
                        },
                        "sqli-union",
                    );
                }
            }
            Kind::Stmt(st) => {
                let at_start = i == 0
                    || matches!(t[i - 1], Kind::Semi | Kind::LParen | Kind::Union)
                    || (broke && i == 1);
                let stacked = i > 0 && t[i - 1] == Kind::Semi;
                if st == Stmt::Select
                    && let Some(w) = select_shape(&t[i + 1..])
                {
                    // a SELECT in the middle of a sentence (plain
                    // words and punctuation before it, no break) is quoted SQL in prose:
                    // it needs another signal to reach the threshold
                    let prev3 = &t[i.saturating_sub(4)..i];
                    let prose = !broke
                        && prev3.len() >= 2
                        && prev3
                            .iter()
                            .all(|k| matches!(k, Kind::Word | Kind::Kw(Kw::Other) | Kind::Other))
                        && prev3.iter().filter(|k| matches!(k, Kind::Word)).count() >= 2;
                    let w = if at_start {
                        w + 2
                    } else if prose {
                        w - 1
                    } else {
                        w
                    };
                    bump(w, "sqli-select");
                }
                // `;if 1=1 drop …`: control flow after the stack, on literals alone
                if st == Stmt::Modify && controlled_after_stack(t, i) {
                    bump(7, "sqli-stacked");
                }
                if stacked
                    && (broke
                        || i == 1
                        || matches!(
                            kw_idx(i - 2),
                            Some(Kind::Num | Kind::Str { .. } | Kind::RParen)
                        ))
                {
                    // `1; exec will create …`: a run of plain words after the
                    // statement keyword is a sentence, not a statement
                    let next3 = &t[(i + 1).min(n)..(i + 4).min(n)];
                    let sentence = next3.len() == 3
                        && next3
                            .iter()
                            .all(|k| matches!(k, Kind::Word | Kind::Stmt(_) | Kind::Kw(Kw::Other)))
                        && next3.iter().filter(|k| matches!(k, Kind::Word)).count() >= 2;
                    if !sentence
                        && matches!(kw_idx(i + 1), Some(k) if is_operand(k) || matches!(k, Kind::Kw(_) | Kind::Op | Kind::LParen))
                    {
                        bump(7, "sqli-stacked");
                    }
                }
            }
            Kind::Logic | Kind::Kw(Kw::Having | Kw::Where) => tautology(t, i, broke, &mut bump),
            Kind::Func(FuncRisk::Danger) => bump(7, "sqli-function"),
            Kind::Func(FuncRisk::Sql) => sql_funcs += 1,
            Kind::Var { system: true } => bump(5, "sqli-variable"),
            Kind::Kw(Kw::Waitfor) if matches!(kw_idx(i + 1), Some(Kind::Kw(Kw::Other))) => {
                bump(7, "sqli-function")
            }
            Kind::Kw(Kw::Order | Kw::Group) if matches!(kw_idx(i + 1), Some(Kind::Kw(Kw::By))) => {
                let nxt = kw_idx(i + 2);
                let end_ish = matches!(
                    kw_idx(i + 3),
                    None | Some(Kind::Kw(_) | Kind::Comma | Kind::RParen | Kind::Semi)
                );
                if matches!(nxt, Some(Kind::Num)) && (end_ish || comment_after[i + 2]) {
                    bump(
                        if broke || i == 0 || comment_after[(i + 2).min(n - 1)] {
                            6
                        } else {
                            4
                        },
                        "sqli-orderby",
                    );
                } else if broke && i == 1 && order_by_tail(t, i, comment_after) {
                    bump(6, "sqli-orderby");
                }
            }
            Kind::Kw(Kw::Procedure) if broke && i == 1 => bump(6, "sqli-break"),
            // `procedure analyse(`: a procedure clause calling a routine
            Kind::Kw(Kw::Procedure) if matches!(kw_idx(i + 1), Some(Kind::Func(_))) => {
                bump(5, "sqli-procedure")
            }
            Kind::Kw(Kw::Into) if matches!(kw_idx(i + 1), Some(Kind::Kw(Kw::Other))) => {
                // into outfile / dumpfile
                bump(6, "sqli-file");
            }
            _ => {}
        }
    }
    if sql_funcs > 0 {
        bump(2 + 2 * sql_funcs.min(2), "sqli-function");
    }
    if inline_comments > 0 && n > 1 {
        bump(3 + inline_comments.min(2), "sqli-comment");
    }
    fragments(t, comment_after, quoted, &mut bump);
    ddl(t, &mut bump);
    account_or_declare(t, &mut bump);
    if broke {
        break_shape(t, comment_after, empty_break, &mut bump);
    }
    // a SQL shape that is cut off by a trailing comment: the rest of the
    // original query is being discarded
    if best.0 == 4 && (2..=8).contains(&n) && comment_after[n - 1] {
        best.0 = 5;
    }
    best
}
