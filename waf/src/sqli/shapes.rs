//! Statement shapes over a token stream: the select list after SELECT, operand
//! skipping, tautologies after a logic operator and the shapes that follow a
//! broken-out string literal. Weights only, no verdicts.

use super::tokens::{FuncRisk, Kind, Kw, Stmt, is_operand};

/// Weight for the tokens after SELECT if they look like a select list + FROM.
pub(super) fn select_shape(rest: &[Kind]) -> Option<u32> {
    // `select(user(`, `select((1))`: a parenthesised expression as the list
    if rest.first() == Some(&Kind::LParen)
        && matches!(
            rest.get(1),
            Some(Kind::Func(_) | Kind::Var { .. } | Kind::Num | Kind::LParen)
        )
    {
        return Some(4);
    }
    let mut words_run = 0;
    let mut items = 0;
    let mut commas = 0;
    let mut symbolic = false;
    for (j, k) in rest.iter().enumerate().take(24) {
        match k {
            Kind::Kw(Kw::From) => {
                let target = rest.get(j + 1);
                return if items > 0
                    && matches!(target, Some(Kind::Word | Kind::LParen | Kind::Func(_)))
                {
                    Some(5)
                } else if symbolic && target.is_none() {
                    // `select * from`, `select 1,2 from` cut off before the table
                    Some(4)
                } else {
                    None
                };
            }
            // a name, also when it is a keyword (`select login from`,
            // `select user, password from`)
            Kind::Word | Kind::Kw(Kw::Object) => {
                words_run += 1;
                if words_run > 2 {
                    return None;
                }
                if j == 0 && matches!(rest.get(1), Some(Kind::Semi)) {
                    return Some(4);
                }
                items += 1;
            }
            Kind::Num
            | Kind::Str { .. }
            | Kind::Var { .. }
            | Kind::Func(_)
            | Kind::Kw(Kw::Null) => {
                words_run = 0;
                items += 1;
                symbolic = true;
                if j == 0 && matches!(k, Kind::Var { .. } | Kind::Func(_)) {
                    return Some(4);
                }
                if j == 0
                    && matches!(k, Kind::Num | Kind::Kw(Kw::Null))
                    && matches!(rest.get(1), None | Some(Kind::Comma | Kind::Semi))
                {
                    return Some(4);
                }
            }
            Kind::Op if j == 0 => {
                // `select *`
                words_run = 0;
                items += 1;
                symbolic = true;
            }
            Kind::Comma => {
                words_run = 0;
                commas += 1;
            }
            // `'a'||(…)`, `)||'b'`: a concatenation of literals and
            // expressions in the list (prose joins words with OR, not
            // a quoted literal to a bracket)
            Kind::Logic
                if j > 0
                    && matches!(
                        (rest[j - 1], rest.get(j + 1)),
                        (
                            Kind::Str { .. } | Kind::RParen,
                            Some(Kind::LParen | Kind::Func(_))
                        ) | (Kind::RParen, Some(Kind::Str { .. }))
                    ) =>
            {
                words_run = 0;
            }
            Kind::Op | Kind::Cmp { .. } | Kind::LParen | Kind::RParen | Kind::Kw(Kw::Other) => {
                words_run = 0
            }
            _ => return None,
        }
    }
    // `select 'foo','bar',1,2`: a list of four or more items, numbers among
    // them, that ends the value (MySQL needs no FROM); a list of quoted
    // words alone is an instruction (`Select 'Small', 'Medium', 'Large'…`)
    let numbers = rest.contains(&Kind::Num);
    (rest.len() <= 24 && items >= 4 && commas >= 3 && symbolic && numbers).then_some(4)
}

/// Skips PostgreSQL casts after an operand (`'x'::jsonb`, `(…)::int`).
pub(super) fn skip_casts(t: &[Kind], mut j: usize) -> usize {
    while t.get(j) == Some(&Kind::Cast) && matches!(t.get(j + 1), Some(Kind::Word | Kind::Kw(_))) {
        j += 2;
    }
    j
}

/// The literal at `j` seen through unary signs and one pair of brackets
/// around it alone (`-8`, `(8)`, `(-8)`, `('a')`): its number or string
/// kind; any other token as it is.
fn literal_core(t: &[Kind], start: usize) -> Option<Kind> {
    let mut j = start;
    let wrapped = t.get(j) == Some(&Kind::LParen);
    if wrapped {
        j += 1;
    }
    while t.get(j) == Some(&Kind::Op) {
        j += 1;
    }
    let k = t.get(j).copied()?;
    let literal = matches!(k, Kind::Num | Kind::Str { .. });
    match (literal, wrapped) {
        (true, false) => Some(k),
        (true, true) if t.get(j + 1) == Some(&Kind::RParen) => Some(k),
        _ => t.get(start).copied(),
    }
}

/// Index after the operand starting at `j` (a literal, a word, a function call or
/// a parenthesised group), bounded.
pub(super) fn skip_operand(t: &[Kind], j: usize) -> Option<usize> {
    let mut j = j;
    while matches!(t.get(j), Some(Kind::Op)) && j < t.len() {
        j += 1; // unary minus, ~, !
    }
    let open_at = match t.get(j)? {
        Kind::Func(_) => j + 1,
        Kind::LParen => j,
        k if is_operand(*k) => return Some(skip_casts(t, j + 1)),
        _ => return None,
    };
    if t.get(open_at) != Some(&Kind::LParen) {
        return Some(open_at);
    }
    let mut depth = 0;
    for (k, tok) in t.iter().enumerate().skip(open_at).take(64) {
        match tok {
            Kind::LParen => depth += 1,
            Kind::RParen => {
                depth -= 1;
                if depth == 0 {
                    return Some(skip_casts(t, k + 1));
                }
            }
            _ => {}
        }
    }
    Some(t.len())
}

/// `(small OR medium)` closing the value: a group of plain words joined by
/// logic operators is a search engine's boolean query (`(red OR blue) AND
/// (small OR medium)`), not a condition; an injected group has a literal,
/// a comparison or a call in it.
fn words_in_group(group: &[Kind]) -> bool {
    matches!(group, [Kind::LParen, inner @ .., Kind::RParen]
        if inner.iter().all(|k| matches!(k, Kind::Word | Kind::Logic))
            && inner.contains(&Kind::Word))
}

/// `+1-1=2`: operators and numbers, then a comparison with a number.
fn arithmetic_comparison(t: &[Kind]) -> bool {
    let mut i = 0;
    while matches!(t.get(i), Some(Kind::Op)) && t.get(i + 1) == Some(&Kind::Num) && i < 16 {
        i += 2;
    }
    i > 0 && matches!(t.get(i), Some(Kind::Cmp { word: false })) && t.get(i + 1) == Some(&Kind::Num)
}

pub(super) fn tautology(
    t: &[Kind],
    i: usize,
    broke: bool,
    bump: &mut impl FnMut(u32, &'static str),
) {
    let prev = if i > 0 { Some(t[i - 1]) } else { None };
    let keyword_start = matches!(t[i], Kind::Kw(_));
    // what precedes the operator: prose ("black and white") vs data ("1 and")
    // the value opens with AND / OR / && / || (nothing before it at all)
    let opens = i == 0 && !keyword_start;
    let strong_left = broke
        || matches!(
            prev,
            Some(Kind::Num | Kind::Str { closed: true, .. } | Kind::RParen)
        )
        || prev.is_none();
    let mut j = i + 1;
    while matches!(t.get(j), Some(Kind::Logic)) && j < i + 4 {
        j += 1;
    }
    match t.get(j) {
        Some(Kind::Stmt(Stmt::Select)) => return bump(7, "sqli-tautology"),
        Some(Kind::LParen) if matches!(t.get(j + 1), Some(Kind::Stmt(Stmt::Select))) => {
            return bump(7, "sqli-tautology");
        }
        Some(Kind::Func(FuncRisk::Danger)) => return bump(7, "sqli-tautology"),
        Some(Kind::Func(FuncRisk::Sql)) if strong_left => bump(6, "sqli-tautology"),
        _ => {}
    }
    let Some(x) = t.get(j).copied() else { return };
    let Some(after) = skip_operand(t, j) else {
        return;
    };
    let op = t.get(after).copied();
    let c = t.get(after + 1).copied();
    let rhs_ok =
        c.is_some_and(|k| is_operand(k) || matches!(k, Kind::LParen | Kind::Op | Kind::Kw(_)));
    match op {
        Some(Kind::Cmp { .. }) if rhs_ok => {
            // a literal keeps its kind inside brackets and after a sign:
            // `(8)=(3)` and `-8=-3` compare two numbers as `8=3` does
            let same_kind = matches!(
                (literal_core(t, j), literal_core(t, after + 1)),
                (Some(Kind::Num), Some(Kind::Num))
                    | (Some(Kind::Str { .. }), Some(Kind::Str { .. }))
            );
            let opened = matches!(c, Some(Kind::Str { closed: false, .. } | Kind::LParen))
                && after + 2 >= t.len();
            let closes_group =
                t.get(after + 2) == Some(&Kind::RParen) && !t[..i].contains(&Kind::LParen);
            let w = match (strong_left, same_kind) {
                _ if strong_left && !keyword_start && (opened || closes_group) => 5,
                (true, false) if opens && !broke && matches!(x, Kind::Word) => 5,
                _ if keyword_start && !same_kind => 3,
                (true, true) => 7,
                (true, false) if !broke && matches!(x, Kind::Word) => 4,
                (true, false) => 6,
                (false, true) => 5,
                (false, false) => {
                    if matches!(x, Kind::LParen | Kind::Func(_) | Kind::Num)
                        && matches!(c, Some(Kind::Num | Kind::Str { closed: true, .. }))
                    {
                        5
                    } else if matches!(
                        x,
                        Kind::Num | Kind::Str { .. } | Kind::LParen | Kind::Func(_)
                    ) {
                        4
                    } else {
                        2
                    }
                }
            };
            bump(w, "sqli-tautology");
        }
        Some(Kind::Cmp { .. }) if strong_left && c.is_none() => bump(5, "sqli-tautology"),
        Some(Kind::Op) if rhs_ok && broke => bump(6, "sqli-tautology"),
        // `-1 OR 2+1-1=2`: arithmetic on numbers compared with a number,
        // after a value that is a literal up to the operator (a question
        // such as `is it 4 or 2+2=4?` has words before it)
        Some(Kind::Op)
            if strong_left
                && x == Kind::Num
                && t[..i].iter().all(|k| {
                    matches!(k, Kind::Num | Kind::Op | Kind::Str { .. } | Kind::RParen)
                })
                && arithmetic_comparison(&t[after..]) =>
        {
            bump(5, "sqli-tautology")
        }
        Some(Kind::Op)
            if rhs_ok
                && strong_left
                && matches!(
                    x,
                    Kind::Num | Kind::Str { .. } | Kind::LParen | Kind::Func(_)
                ) =>
        {
            bump(4, "sqli-tautology")
        }
        None if strong_left
            && !keyword_start
            && matches!(
                x,
                Kind::Kw(Kw::Null) | Kind::Var { .. } | Kind::LParen | Kind::Func(_)
            )
            && !(x == Kind::LParen && words_in_group(&t[j..]))
            // `not endswith(name,'x')` opening an OData filter: a call of no
            // SQL builtin, with nothing on the left of the operator
            && !(prev.is_none() && !broke && x == Kind::Func(FuncRisk::Plain)) =>
        {
            bump(if broke { 6 } else { 5 }, "sqli-tautology")
        }
        None if broke && !keyword_start && x == Kind::Num => bump(5, "sqli-tautology"),
        // `or 88`, `xor 5-`: the value opens with the logic operator and a
        // number, the condition the app's query continues
        None if opens && x == Kind::Num => bump(5, "sqli-tautology"),
        // `having (true or 1)`: a parenthesised condition with a literal
        // operand of a logic operator closes the value
        None if keyword_start
            && x == Kind::LParen
            && t[j..].windows(2).any(|w| {
                matches!(
                    (w[0], w[1]),
                    (Kind::Logic, Kind::Num | Kind::Kw(Kw::Null))
                        | (Kind::Num | Kind::Kw(Kw::Null), Kind::Logic)
                )
            }) =>
        {
            bump(5, "sqli-tautology")
        }
        Some(Kind::Op) if opens && x == Kind::Num && c.is_none() => bump(5, "sqli-tautology"),
        Some(Kind::Semi | Kind::RParen)
            if strong_left
                && !keyword_start
                && matches!(
                    x,
                    Kind::Num | Kind::Kw(Kw::Null) | Kind::Var { .. } | Kind::Func(_)
                ) =>
        {
            bump(if broke { 6 } else { 5 }, "sqli-tautology")
        }
        _ => {}
    }
}

pub(super) fn break_shape(
    t: &[Kind],
    comment_after: &[bool],
    empty_break: bool,
    bump: &mut impl FnMut(u32, &'static str),
) {
    let mut j = 1;
    while matches!(t.get(j), Some(Kind::RParen)) {
        j += 1;
    }
    // value ended right after the broken literal with a comment: admin'--
    if comment_after[j - 1] {
        bump(if j == t.len() { 6 } else { 5 }, "sqli-comment");
    }
    if empty_break
        && t.get(j) == Some(&Kind::Logic)
        && matches!(
            t.get(j + 1),
            Some(Kind::Str { closed: false, .. } | Kind::Num)
        )
        && t.len() <= j + 4
    {
        // the value opens with `' or …`: nothing but a break and a condition
        bump(5, "sqli-break");
    }
    if empty_break
        && matches!(t.get(j), Some(Kind::Union | Kind::Stmt(_)))
        && t.len() <= j + 2
        && t[j + 1..]
            .iter()
            .all(|k| matches!(k, Kind::Word | Kind::Op))
    {
        // `'UNION A`, `' alter/`: a quote, a statement keyword and a stub
        bump(5, "sqli-break");
    }
    if empty_break
        && t.get(j) == Some(&Kind::Logic)
        && t.get(j + 1) == Some(&Kind::Word)
        && t.len() == j + 3
        && matches!(t.get(j + 2), Some(Kind::Op | Kind::Logic | Kind::Num))
    {
        // `' or xyz!`, `' xor abc-`: the value opens with a break and a
        // condition left dangling on an operator
        bump(5, "sqli-break");
    }
    let n = t.len();
    if empty_break
        && t.get(j) == Some(&Kind::Logic)
        && n >= j + 4
        && t[n - 2] == Kind::Logic
        && matches!(
            t[n - 1],
            Kind::Str {
                closed: false,
                empty: true
            }
        )
        && t[j + 1..n - 2]
            .iter()
            .any(|k| matches!(k, Kind::Func(_) | Kind::LParen))
    {
        // `'||f(…)||'`: an expression concatenated into the broken literal,
        // which the trailing quote opens again for the rest of the query
        bump(5, "sqli-break");
    }
    operator_run_comment(t, j, comment_after, bump);
    if t.get(j) == Some(&Kind::Logic)
        && matches!(t.get(j + 1), Some(Kind::Str { closed: true, .. }))
        && matches!(t.get(j + 2), Some(Kind::Logic | Kind::Op))
    {
        // 1'||'asd'||': concatenation chained out of the broken literal
        bump(5, "sqli-break");
    }
    // A' = 'B: an operator between two literals of the broken context
    if !empty_break
        && matches!(t.get(j), Some(Kind::Cmp { word: false }))
        && matches!(
            t.get(j + 1),
            Some(Kind::Str {
                closed: false,
                empty: false
            })
        )
        && j + 2 >= t.len()
    {
        bump(5, "sqli-break");
    }
    match t.get(j) {
        Some(Kind::Semi)
            if matches!(t.get(j + 1), None | Some(Kind::Stmt(_) | Kind::Kw(_)))
                || comment_after[j] =>
        {
            bump(6, "sqli-stacked")
        }
        _ if empty_break => {}
        Some(Kind::Cmp { .. })
            if matches!(
                t.get(j + 1),
                Some(Kind::Num | Kind::Str { closed: true, .. } | Kind::Func(_) | Kind::Var { .. })
            ) =>
        {
            bump(5, "sqli-break")
        }
        Some(Kind::Op)
            if matches!(
                t.get(j + 1),
                Some(Kind::Num | Kind::Str { .. } | Kind::Func(_))
            ) && j + 2 >= t.len() =>
        {
            bump(4, "sqli-break")
        }
        Some(Kind::Cmp { .. } | Kind::Op | Kind::Logic)
            if j + 2 == t.len()
                && comment_after[j + 1]
                && t.get(j + 1).is_some_and(|k| is_operand(*k)) =>
        {
            // x'-email--, id'is not-id--
            bump(6, "sqli-break")
        }

        Some(Kind::Logic) => bump(4, "sqli-break"),
        Some(Kind::Stmt(_))
            if comment_after.iter().skip(j).any(|&c| c) || t[j..].contains(&Kind::Semi) =>
        {
            bump(6, "sqli-stacked")
        }
        _ => {}
    }
}

/// After the broken literal: a short run of operator words or symbols
/// (`collate`, `mod`, `sounds like`, `is not`, `-`), the rest of a short
/// condition (operands, bracketed groups and calls joined by operators),
/// then a comment that discards the rest of the query
/// (`user'collate nocase--`, `'sounds like rowid--`, `' is not?--`,
/// `x' in (1,2)--`). Plain words joined by AND / OR (`parents' and
/// yours--`) are left to the other shapes.
fn operator_run_comment(
    t: &[Kind],
    j: usize,
    comment_after: &[bool],
    bump: &mut impl FnMut(u32, &'static str),
) {
    let n = t.len();
    let mut k = operator_run(t, j, 4);
    if k == j || !comment_after.get(n - 1).copied().unwrap_or(false) {
        return;
    }
    // then the rest of a condition up to the comment: operands (a bracketed
    // group or a call counts as one: `in (1,2)`, `=('aa')`, `like(0)`)
    // joined by operators, a few at most
    let mut operand = false;
    let mut links = 0;
    while k < n && links < 4 {
        let opens = is_operand(t[k]) || matches!(t[k], Kind::LParen | Kind::Func(_));
        let Some(after) = opens.then(|| skip_operand(t, k)).flatten() else {
            break;
        };
        operand = true;
        let run = after;
        k = operator_run(t, run, 3);
        if k == run {
            break;
        }
        links += 1;
    }
    if k != n {
        return;
    }
    // plain words joined by AND / OR (`parents' and yours--`) are prose
    let prose = t[j..k]
        .iter()
        .all(|x| matches!(x, Kind::Logic | Kind::Word));
    let lone_logic = prose || (k - j == 2 && t[j] == Kind::Logic && t[j + 1] == Kind::Word);
    let postfix = matches!(t[j], Kind::Cmp { .. } | Kind::Kw(Kw::Other));
    if !lone_logic && (operand || postfix || k - j >= 2) {
        bump(6, "sqli-break");
    }
}

/// The end of the run of at most `max` operator tokens (comparisons,
/// arithmetic, logic, operator keywords such as `collate`) that starts at
/// `from`.
fn operator_run(t: &[Kind], from: usize, max: usize) -> usize {
    let mut k = from;
    while k < t.len()
        && k < from + max
        && matches!(
            t[k],
            Kind::Cmp { .. } | Kind::Op | Kind::Logic | Kind::Kw(Kw::Other)
        )
    {
        k += 1;
    }
    k
}

/// After a broken literal, whether the `ORDER BY` / `GROUP BY` at `i` reads
/// as the tail of the query: nothing after BY, a bracket or a call, or one
/// item closed by the end of the value, a comment, a comma, a bracket, `;`,
/// an operator or a keyword (`ASC`, `LIMIT`). Prose goes on with words:
/// `He said: 'order by friday or we cancel'`.
pub(super) fn order_by_tail(t: &[Kind], i: usize, comment_after: &[bool]) -> bool {
    let item = i + 2;
    match t.get(item) {
        None | Some(Kind::LParen | Kind::Func(_)) => true,
        Some(_) => {
            comment_after.get(item).copied().unwrap_or(false)
                || matches!(
                    t.get(item + 1),
                    None | Some(Kind::Kw(_) | Kind::Comma | Kind::RParen | Kind::Semi | Kind::Op)
                )
        }
    }
}
