//! Small structural checks over the canonical view: log4j lookup resolution,
//! NoSQL operator names, XXE declarations, shellshock, CRLF / header and mail
//! protocol injection, template expressions.

use crate::detect::{Field, Hits};
use crate::verdict::Class;

/// Resolves log4j lookups (`${lower:j}`, `${::-n}`, `${env:X:-d}`) innermost first and
/// looks for a `jndi:` lookup in the result.
pub(super) fn log4j(s: &[u8], hits: &mut Hits) {
    if memchr::memmem::find(s, b"${").is_none() {
        return;
    }
    let mut cur = s.to_vec();
    let mut lookups = 0;
    for _ in 0..32 {
        let Some(close) = find_innermost(&cur) else {
            break;
        };
        let (open, close) = close;
        let inner = cur[open + 2..close].to_vec();
        // `${customer}`, `${order.id}`: a template's placeholder, no lookup
        // (every log4j lookup has a `:`); two of them are a mail template
        let placeholder = !inner.is_empty()
            && inner
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
        lookups += usize::from(!placeholder);
        let replacement: Vec<u8> = if let Some(p) = memchr::memmem::find(&inner, b":-") {
            inner[p + 2..].to_vec()
        } else if let Some(r) = inner
            .strip_prefix(b"lower:")
            .or_else(|| inner.strip_prefix(b"upper:"))
        {
            r.to_vec()
        } else if inner.starts_with(b"jndi:") {
            hits.add(Class::Java, "java-jndi", 9);
            return;
        } else {
            // unknown lookup: keep it visible but unresolvable
            let mut v = b"$[".to_vec();
            v.extend_from_slice(&inner);
            v.push(b']');
            v
        };
        cur.splice(open..=close, replacement);
    }
    if lookups > 0 && memchr::memmem::find(&cur, b"jndi:").is_some() {
        hits.add(Class::Java, "java-jndi", 9);
    } else if lookups >= 2
        || lookups == 1
            && [
                b"${env:".as_slice(),
                b"${sys:",
                b"${java:",
                b"${ctx:",
                b"${main:",
                b"${base64:",
                b"${date:",
                b"${web:",
                b"${docker:",
                b"${k8s:",
                b"${spring:",
                b"${bundle:",
                b"${log4j:",
                b"${lower:",
                b"${upper:",
                b"${::-",
            ]
            .iter()
            .any(|p| memchr::memmem::find(s, p).is_some())
    {
        hits.add(Class::Java, "java-lookup", 5);
    }
}

pub(super) fn find_innermost(s: &[u8]) -> Option<(usize, usize)> {
    let close = memchr::memchr(b'}', s)?;
    let open = memchr::memmem::rfind(&s[..close], b"${")?;
    Some((open, close))
}

/// MongoDB query operators (lowercase, as the canonical view has them).
const NOSQL_OPERATORS: &[&str] = &[
    "$ne",
    "$gt",
    "$gte",
    "$lt",
    "$lte",
    "$regex",
    "$where",
    "$exists",
    "$nin",
    "$in",
    "$or",
    "$and",
    "$not",
    "$nor",
    "$expr",
    "$elemmatch",
    "$function",
    "$accumulator",
    "$eq",
    "$size",
    "$type",
    "$all",
    "$mod",
];

/// NoSQL query syntax inside a string value:
/// - an operator key of a JSON or JavaScript object (`{"$where": …}`,
///   `{ $gt: '' }`), which an application that parses a parameter as a
///   query filter runs;
/// - JavaScript that breaks out of a `$where` string: a quote, `;`, then a
///   statement (`';return true;var x='`, `'; while(true){}`).
pub(super) fn nosql_text(s: &[u8], dollar_colon: bool, semi: bool, hits: &mut Hits) {
    if dollar_colon && memchr::memchr_iter(b'$', s).any(|p| operator_key_at(s, p)) {
        hits.add(Class::Nosqli, "nosqli-operator", 7);
        return;
    }
    if semi {
        for p in memchr::memchr_iter(b';', s) {
            let before = s[..p].trim_ascii_end();
            // a string broken out of, or a number that is all the value
            // had before the `;` (`7;return true` in a numeric `$where`)
            let numeric = !before.is_empty() && before.iter().all(u8::is_ascii_digit);
            if !numeric && !matches!(before.last(), Some(b'\'' | b'"')) {
                continue;
            }
            let rest = s[p + 1..].trim_ascii_start();
            // a statement of a `$where` body: `return` with a value, a loop, a
            // sleep, the document (`'Enter'; return to the menu` is prose)
            // (after a number, only the values a condition returns: prose
            // puts a bracket or a quote after "return" too)
            let returns = rest.strip_prefix(b"return").is_some_and(|r| {
                let r = r.trim_ascii_start();
                let values: &[&[u8]] = if numeric {
                    &[b"true", b"1", b"this", b"!", b"db.", b"sleep("]
                } else {
                    &[
                        b"true", b"1", b"this", b"'", b"\"", b"!", b"(", b"db.", b"sleep(",
                    ]
                };
                values.iter().any(|v| r.starts_with(v))
            });
            if returns
                || rest.starts_with(b"while(")
                || rest.starts_with(b"sleep(")
                || rest.starts_with(b"this.")
            {
                hits.add(Class::Nosqli, "nosqli-js", 6);
                return;
            }
        }
    }
}

/// The `$` at `p` opens a MongoDB operator used as an object key: quoted as
/// JSON has it (`{"$ne": 1}`, `{'$gt': ''}`) or bare as JavaScript and the
/// mongo shell write it (`{ $ne: 1 }`, `', $or: [ {}`), the bare key right
/// after a `{` or `,`.
fn operator_key_at(s: &[u8], p: usize) -> bool {
    let n = 1 + s[p + 1..]
        .iter()
        .take_while(|b| b.is_ascii_lowercase())
        .count();
    if !NOSQL_OPERATORS.iter().any(|o| o.as_bytes() == &s[p..p + n]) {
        return false;
    }
    let after = &s[p + n..];
    let (quote, after) = match (p.checked_sub(1).map(|q| s[q]), after.first()) {
        (Some(q @ (b'"' | b'\'')), Some(&c)) if c == q => (true, &after[1..]),
        _ => (false, after),
    };
    if after.trim_ascii_start().first() != Some(&b':') {
        return false;
    }
    quote || matches!(s[..p].trim_ascii_end().last(), Some(b'{' | b','))
}

/// A mongo shell call on a collection or the database (`db.users.find(`,
/// `db.x.insert({…})`, `db.dropDatabase(`): server-side JavaScript that
/// breaks out of a `$where` or `mapReduce` string to run its own queries.
pub(super) fn mongo_shell(s: &[u8], hits: &mut Hits) {
    const METHODS: &[&[u8]] = &[
        b"find",
        b"findone",
        b"insert",
        b"insertone",
        b"insertmany",
        b"update",
        b"updateone",
        b"updatemany",
        b"remove",
        b"deleteone",
        b"deletemany",
        b"drop",
        b"dropdatabase",
        b"mapreduce",
        b"aggregate",
        b"getcollection",
        b"getcollectionnames",
        b"getsiblingdb",
        b"runcommand",
        b"eval",
    ];
    let ident = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
    for p in memchr::memmem::find_iter(s, b"db.") {
        if p > 0 && (ident(&s[p - 1]) || s[p - 1] == b'.') {
            continue;
        }
        let mut rest = &s[p + 3..];
        // `db.method(` or `db.collection.method(`
        for _ in 0..2 {
            let n = rest.iter().take_while(|b| ident(b)).count();
            let (name, tail) = rest.split_at(n);
            if tail.first() == Some(&b'(') && METHODS.iter().any(|m| name.eq_ignore_ascii_case(m)) {
                hits.add(Class::Nosqli, "nosqli-js", 6);
                return;
            }
            match tail.strip_prefix(b".") {
                Some(t) if n > 0 => rest = t,
                _ => break,
            }
        }
    }
}

/// A JSON key or parameter name that is a MongoDB operator.
pub(super) fn nosql_name(s: &[u8], field: Field, hits: &mut Hits) {
    if field != Field::Name || s.first() != Some(&b'$') {
        return;
    }

    if NOSQL_OPERATORS.iter().any(|o| o.as_bytes() == s) {
        hits.add(Class::Nosqli, "nosqli-operator", 7);
    }
}

pub(super) fn xxe(s: &[u8], hits: &mut Hits) {
    if let Some(p) = memchr::memmem::find(s, b"<!doctype") {
        let rest = &s[p..];
        let has = |n: &[u8]| memchr::memmem::find(rest, n).is_some();
        if has(b"<!entity") && (has(b" system") || has(b" public")) {
            hits.add(Class::Xxe, "xxe-external-entity", 9);
        } else if has(b"<!entity") || has(b" system ") {
            hits.add(Class::Xxe, "xxe-entity", 6);
        }
    }
}

pub(super) fn shellshock(s: &[u8], hits: &mut Hits) {
    let t: &[u8] = {
        let st = s
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(s.len());
        &s[st..]
    };
    if t.starts_with(b"() {")
        || t.starts_with(b"(){")
        || memchr::memmem::find(s, b"() { :;").is_some()
        || memchr::memmem::find(s, b"(){:;").is_some()
    {
        hits.add(Class::Shellshock, "shellshock", 9);
    }
}

/// A newline followed by something shaped like a header or a request line;
/// in the path or a parameter name, any CR or LF (no path or parameter name
/// holds one: a server that writes it into a header or a log line splits that
/// line). A name with blanks is text used as a key (a JSON catalogue keyed by
/// its sentences), where a line break is ordinary.
pub(super) fn crlf(s: &[u8], field: Field, hits: &mut Hits) {
    let splits = match field {
        Field::Path => true,
        Field::Name => !s.contains(&b' '),
        _ => false,
    };
    if splits && memchr::memchr2(b'\r', b'\n', s).is_some() {
        hits.add(Class::Protocol, "protocol-splitting", 7);
    }
    // the strongest header line counts once: a note of `Size: M` /
    // `Colour: red` lines is no more an injection for having several
    let mut header = 0;
    let mut i = 0;
    while let Some(p) = memchr::memchr3(b'\n', 0x8a, 0x8d, &s[i..]) {
        let at = i + p + 1;
        i = at;
        // a character whose code point ends in byte 0x0A or 0x0D (`嘊`,
        // `嘍`: U+560A, U+560D) becomes a line break in a server that keeps
        // the low byte of each character when it writes a header
        let folded = s[at - 1] != b'\n';
        if folded && !low_byte_line_break(&s[..at]) {
            continue;
        }
        header = header.max(line_after_break(s, at, folded, hits));
    }
    // a CR alone ends a line for the parsers that split on either byte
    for p in memchr::memchr_iter(b'\r', s) {
        if s.get(p + 1) != Some(&b'\n') {
            header = header.max(line_after_break(s, p + 1, false, hits));
        }
    }
    if header > 0 {
        hits.add(Class::Protocol, "protocol-header-injection", header);
    }
}

/// Judges the line that starts at `at`, after a line break: adds a request
/// line or a mail command to `hits` and returns the weight of a header line.
fn line_after_break(s: &[u8], at: usize, folded: bool, hits: &mut Hits) -> u32 {
    let rest = &s[at..];
    let mut header = 0;
    let name_len = rest
        .iter()
        .take(40)
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-')
        .count();
    // headers whose injection changes what a server or proxy does with the
    // request or its answer
    const HDRS: &[&[u8]] = &[
        b"set-cookie",
        b"location",
        b"content-type",
        b"content-length",
        b"transfer-encoding",
        b"refresh",
        b"host",
        b"cookie",
        b"x-xss-protection",
        b"access-control-allow-origin",
        b"content-security-policy",
        b"link",
        b"authorization",
        b"via",
        b"forwarded",
        b"remote-addr",
        b"remote-ip",
        b"client-ip",
        b"true-client-ip",
        b"originating-ip",
    ];
    let name = &rest[..name_len];
    // `Via` and `Forwarded` are English words too ("Shipped\nVia: UPS"): they
    // count with a value only a proxy writes (`Via: 1.1 gw`, `Forwarded: for=…`)
    let proxy_value = || {
        let after = rest[name_len..]
            .iter()
            .position(|&b| b == b':')
            .map_or(&b""[..], |p| rest[name_len + p + 1..].trim_ascii_start());
        match name {
            b"via" => after.first().is_some_and(u8::is_ascii_digit) || after.starts_with(b"http/"),
            b"forwarded" => [b"for=".as_slice(), b"by=", b"host=", b"proto="]
                .iter()
                .any(|k| after.starts_with(k)),
            _ => true,
        }
    };
    let strong = HDRS.contains(&name) && proxy_value() || name.starts_with(b"x-");
    // old parsers also take `Name :` (RFC 9112 forbids the blank)
    let colon = rest[name_len..]
        .iter()
        .position(|&b| !matches!(b, b' ' | b'\t' | b'\r'))
        .is_some_and(|p| rest[name_len + p] == b':' && (p == 0 || strong));
    if name_len >= 2 && colon {
        // headers a mailer takes from a form field: a CR LF in a
        // one-line field (a name, an address, a subject) adds recipients
        // or a body; a letter pasted into a message box has sentences
        // before its header lines
        // (an address header only with an address: a gift note reads
        // "Congratulations!\nTo: Sarah")
        const ADDRESS_HDRS: &[&[u8]] = &[
            b"bcc",
            b"cc",
            b"to",
            b"from",
            b"reply-to",
            b"sender",
            b"return-path",
        ];
        const MAIL_HDRS: &[&[u8]] = &[b"subject", b"mime-version", b"content-transfer-encoding"];
        let one_line_field = || {
            let first = &s[..s.iter().position(|&b| b == b'\n').unwrap_or(s.len())];
            first.len() <= 64 && !first.trim_ascii().contains(&b' ')
        };
        let line = &rest[..rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len())];
        let mail =
            MAIL_HDRS.contains(&name) || ADDRESS_HDRS.contains(&name) && line.contains(&b'@');
        header = if strong {
            7
        } else if folded {
            0
        } else if mail && one_line_field() {
            6
        } else if name_len >= 3 {
            3
        } else {
            0
        };
    }
    if rest.starts_with(b"http/1.") || rest.starts_with(b"get /") || rest.starts_with(b"post /") {
        hits.add(Class::Protocol, "protocol-smuggling", 7);
    }
    if !folded && mail_command(rest) {
        hits.add(Class::Cmdi, "cmdi-mail-injection", 6);
    }
    header
}

/// `s` ends in the continuation byte 0x8A or 0x8D of a two- or three-byte
/// UTF-8 character whose code point's low byte is 0x0A or 0x0D.
fn low_byte_line_break(s: &[u8]) -> bool {
    match s {
        [.., lead, _] if (0xc0..=0xdf).contains(lead) => lead & 0x03 == 0,
        [.., lead, mid, _] if (0xe0..=0xef).contains(lead) => {
            (0x80..=0xbf).contains(mid) && mid & 0x03 == 0
        }
        _ => false,
    }
}

/// An SMTP / POP3 / IMAP command at the start of a line: injected into a mail
/// session through a parameter that ends up in the protocol stream.
pub(super) fn mail_command(line: &[u8]) -> bool {
    const VERBS: &[&[u8]] = &[
        b"mail from:",
        b"rcpt to:",
        b"ehlo ",
        b"helo ",
        b"apop ",
        b"auth ",
        b"starttls",
    ];
    if VERBS.iter().any(|v| line.starts_with(v)) {
        return true;
    }
    // POP3 message commands take a message number
    const NUMBERED: &[&[u8]] = &[b"retr ", b"dele ", b"top ", b"list ", b"uidl "];
    if NUMBERED
        .iter()
        .any(|v| line.starts_with(v) && line.get(v.len()).is_some_and(u8::is_ascii_digit))
    {
        return true;
    }
    // IMAP: `<tag> <command>` with an alphanumeric tag
    let tag = line
        .iter()
        .take(12)
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    if tag == 0 || line.get(tag) != Some(&b' ') {
        return false;
    }
    const IMAP: &[&[u8]] = &[
        b"authenticate ",
        b"login ",
        b"append ",
        b"status ",
        b"uid ",
        b"select ",
        b"examine ",
        b"fetch ",
        b"store ",
        b"copy ",
        b"expunge",
        b"capability",
    ];
    let cmd = &line[tag + 1..];
    tag >= 2
        && line[0].is_ascii_alphabetic()
        && line[1..tag].iter().any(u8::is_ascii_digit)
        && IMAP.iter().any(|v| cmd.starts_with(v))
}

/// Template expressions with code inside: `{{7*7}}`, `${{...}}`, `<%= %>`, `#{...}`.
pub(super) fn template(s: &[u8], hits: &mut Hits) {
    for (open, close, w) in [
        (b"{{".as_slice(), b"}}".as_slice(), 0u32),
        (b"<%", b"%>", 1),
        (b"${", b"}", 0),
        (b"#{", b"}", 0),
        (b"{%", b"%}", 1),
        // Thymeleaf selection expressions
        (b"*{", b"}", 0),
    ] {
        let Some(p) = memchr::memmem::find(s, open) else {
            continue;
        };
        let rest = &s[p + open.len()..];
        let Some(e) = memchr::memmem::find(&rest[..rest.len().min(512)], close) else {
            continue;
        };
        let body = &rest[..e];
        let arith = arithmetic(body);
        let code = body.contains(&b'(')
            || body.contains(&b'[')
            || memchr::memmem::find(body, b"self").is_some()
            || memchr::memmem::find(body, b"config").is_some()
            || memchr::memmem::find(body, b"request").is_some()
            || memchr::memmem::find(body, b"system").is_some()
            || memchr::memmem::find(body, b"exec").is_some()
            || memchr::memmem::find(body, b"import").is_some()
            || memchr::memmem::find(body, b"class").is_some()
            || (open == b"{%".as_slice()
                && [
                    b" if ".as_slice(),
                    b" for ",
                    b" set ",
                    b" import ",
                    b" include ",
                    b" macro ",
                ]
                .iter()
                .any(|k| body.starts_with(&k[1..]) || body.starts_with(k)));
        // a statement block that is closed again later (`{% if x %}..{% endif %}`)
        let control = [b"if ".as_slice(), b"for ", b"= if ", b"=if "]
            .iter()
            .any(|k| body.trim_ascii_start().starts_with(k));
        let closed_block = (open == b"{%".as_slice()
            && (memchr::memmem::find(rest, b"{% end").is_some()
                || memchr::memmem::find(rest, b"{%end").is_some()))
            || (open == b"<%".as_slice()
                && control
                && (memchr::memmem::find(rest, b"<% end").is_some()
                    || memchr::memmem::find(rest, b"<%end").is_some()));
        let code = code || (open == b"<%".as_slice() && control);
        // `#{x.m(…)}`: a method call in Ruby / Spring EL interpolation
        let el_call = open == b"#{".as_slice()
            && body
                .windows(2)
                .any(|w| w[0] == b'.' && w[1].is_ascii_alphabetic())
            && body.contains(&b'(');
        if arith
            || (code && closed_block)
            || el_call
            || engine_object_call(body)
            || callable_filter(body)
            || literal_method_call(body)
            || (open == b"{{".as_slice() && whole_object_probe(s, body))
        {
            hits.add(Class::Generic, "generic-template", 5 + w);
        } else if code {
            hits.add(Class::Generic, "generic-template", 3 + w);
        }
    }
}

/// A method called on a string literal (`{{'abc'.upper()}}`, `${"x".toUpperCase()}`):
/// the probe that tells which engine evaluates the expression. A page's own
/// placeholders call methods on its data, not on quoted text.
fn literal_method_call(body: &[u8]) -> bool {
    let b = body.trim_ascii_start();
    let Some(&q) = b.first().filter(|q| matches!(q, b'\'' | b'"')) else {
        return false;
    };
    let Some(end) = memchr::memchr(q, &b[1..]) else {
        return false;
    };
    let Some(after) = b[1 + end + 1..].strip_prefix(b".") else {
        return false;
    };
    let name = after
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
        .count();
    name > 0 && after[name..].trim_ascii_start().starts_with(b"(")
}

/// A template engine's own objects reached through and called
/// (`{{config.items()}}`, `{{_self.env.registerUndefinedFilterCallback("exec")}}`,
/// `{{cycler.__init__…}}`), or the class machinery called on any value
/// (`{{''.class.mro()}}`, `{{[].class.base.subclasses()}}`): the way out of
/// the sandbox. A page template's data
/// (`{{ request.user.name }}`) names such an object but calls nothing.
fn engine_object_call(body: &[u8]) -> bool {
    const OBJECTS: &[&[u8]] = &[
        b"config",
        b"self",
        b"_self",
        b"request",
        b"cycler",
        b"joiner",
        b"lipsum",
        b"namespace",
        b"range",
        b"settings",
        b"environ",
    ];
    // the class machinery called on any value: `''.class.mro()`,
    // `[].class.base.subclasses()`, `''.getClass().forName(…)`
    const INTROSPECTION: &[&[u8]] = &[b".subclasses(", b".mro(", b".getclass(", b".forname("];
    if !body.contains(&b'(') {
        return false;
    }
    if INTROSPECTION
        .iter()
        .any(|m| body.windows(m.len()).any(|w| w.eq_ignore_ascii_case(m)))
    {
        return true;
    }
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    OBJECTS.iter().any(|name| {
        memchr::memmem::find_iter(body, name).any(|p| {
            (p == 0 || !ident(body[p - 1])) && matches!(body.get(p + name.len()), Some(b'.' | b'['))
        })
    })
}

/// The whole value is one expression that prints a template engine's
/// configuration or context (`{{config}}`, `{{ settings.SECRET_KEY }}`,
/// `{{_self}}`): the probe that leaks the application's secrets. A page's
/// own placeholder (`{{name}}`, `{{ user.email }}`) names its data instead,
/// and inside longer text the same expression is a template being written.
/// `body` is what the first `{{ }}` of `s` holds.
fn whole_object_probe(s: &[u8], body: &[u8]) -> bool {
    const CONTEXT: &[&[u8]] = &[
        b"config",
        b"self",
        b"_self",
        b"settings",
        b"environ",
        b"_context",
    ];
    let whole = s
        .trim_ascii()
        .strip_prefix(b"{{")
        .and_then(|r| r.strip_suffix(b"}}"))
        == Some(body);
    let t = body.trim_ascii();
    let root = t
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || b == b'_'))
        .unwrap_or(t.len());
    let chain = t[root..]
        .iter()
        .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.'));
    whole && chain && CONTEXT.iter().any(|c| t[..root].eq_ignore_ascii_case(c))
}

/// An XML declaration that names UTF-7 (`<?xml version="1.0"
/// encoding="UTF-7"?>`): a parser that honours it reads `+ADw-` as `<`, so
/// the markup after it (a `DOCTYPE` with entities) is hidden from every
/// check that reads bytes. No XML producer writes UTF-7 for data; the
/// encoding is kept alive only by such payloads.
pub(super) fn xml_declared_utf7(s: &[u8], hits: &mut Hits) {
    for p in memchr::memmem::find_iter(s, b"<?xml").take(8) {
        let decl = &s[p..];
        let decl = &decl[..decl.len().min(160)];
        let decl = &decl[..memchr::memmem::find(decl, b"?>").unwrap_or(decl.len())];
        let Some(e) = memchr::memmem::find(decl, b"encoding") else {
            continue;
        };
        let value = decl[e + 8..]
            .iter()
            .skip_while(|b| b.is_ascii_whitespace() || matches!(b, b'=' | b'"' | b'\''))
            .take(5)
            .map(u8::to_ascii_lowercase);
        if value.eq(b"utf-7".iter().copied()) {
            hits.add(Class::Xxe, "xxe-encoding", 6);
            return;
        }
    }
}

/// FreeMarker's `?new` built-in instantiates the class a string names
/// (`"freemarker.template.utility.Execute"?new()`): the engine's way to run
/// commands. Nothing but a template applies a `?name(` built-in to a quoted
/// string or a call's result.
pub(super) fn freemarker_new(s: &[u8], hits: &mut Hits) {
    for p in memchr::memmem::find_iter(s, b"?new(") {
        if p > 0 && matches!(s[p - 1], b'"' | b'\'' | b')') {
            hits.add(Class::Generic, "generic-template", 6);
            return;
        }
    }
}

/// A filter that takes a callable given the name of a PHP function that
/// runs commands or code (`{{['id']|filter('system')}}`,
/// `{{['cat /etc/passwd']|map('passthru')}}`): Twig calls the function by its
/// name on each element. A page's own filters take a closure (`|filter(p =>
/// p.active)`) or no argument.
fn callable_filter(body: &[u8]) -> bool {
    const TAKES_CALLABLE: &[&[u8]] = &[b"filter", b"map", b"reduce", b"sort", b"apply"];
    memchr::memchr_iter(b'|', body).any(|p| {
        let after = body[p + 1..].trim_ascii_start();
        let Some(args) = TAKES_CALLABLE.iter().find_map(|f| {
            after
                .get(..f.len())
                .filter(|w| w.eq_ignore_ascii_case(f))
                .and_then(|_| after[f.len()..].trim_ascii_start().strip_prefix(b"("))
        }) else {
            return false;
        };
        let args = args.trim_ascii_start();
        let Some((&q, name)) = args.split_first() else {
            return false;
        };
        if !matches!(q, b'\'' | b'"') {
            return false;
        }
        let name = &name[..name.iter().position(|&b| b == q).unwrap_or(name.len())];
        super::php::PHP_FUNCS
            .iter()
            .any(|(f, w)| *w >= 4 && name.eq_ignore_ascii_case(f.as_bytes()))
    })
}

/// Digits on both sides of an operator in a template expression's body,
/// read past blanks and quotes (`{{ 7 * 7 }}`, `{{7*'7'}}`: engines coerce
/// the string): the probe for server-side template evaluation.
fn arithmetic(body: &[u8]) -> bool {
    // the last two bytes kept, blanks and quotes skipped; the whole body is
    // read (a cap would let padding push the probe past it)
    let (mut a, mut b) = (0u8, 0u8);
    for &c in body {
        if matches!(c, b' ' | b'\t' | b'\'' | b'"') {
            continue;
        }
        if a.is_ascii_digit() && matches!(b, b'*' | b'+' | b'-' | b'/') && c.is_ascii_digit() {
            return true;
        }
        (a, b) = (b, c);
    }
    false
}

/// A Razor explicit expression doing arithmetic (`@(1+2)`): a bracket after
/// `@` is prose too ("mail me @(home)"), so only arithmetic counts.
pub(super) fn razor_expression(s: &[u8], hits: &mut Hits) {
    for p in memchr::memchr_iter(b'@', s) {
        if s.get(p + 1) != Some(&b'(') {
            continue;
        }
        let rest = &s[p + 2..];
        if let Some(e) = memchr::memchr(b')', &rest[..rest.len().min(512)])
            && arithmetic(&rest[..e])
        {
            hits.add(Class::Generic, "generic-template", 5);
            return;
        }
    }
}

/// LDAP filter injection: a value that closes the application's filter
/// term and opens its own (`*)(uid=*))(|(uid=*`, `admin)(&)`,
/// `x)(|(password=*))`, `admin*)((|userpassword=*)`), or that is a filter
/// list of its own (`*(|(mail=*))`). At each `)(` (and any further `(`): a
/// filter operator (`|`, `&`, `!`) opening a list, applied to an attribute
/// test, or standing as the always-true / always-false filter (`(&)`,
/// `(|)`), or, after a `*` wildcard, an attribute test. At each `(|(`,
/// `(&(`, `(!(`: an attribute test inside. Brackets in prose follow each other ("(a)(b)",
/// "(VAT=20%)") without either, and no prose puts an operator between two
/// opening brackets. After `)(`, a presence test (`uid=*)`) counts alone:
/// prose does not write `=*)`.
pub(super) fn ldap_filter(s: &[u8], hits: &mut Hits) {
    let attribute_test = |t: &[u8]| {
        let name = t
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-' || **b == b'.')
            .count();
        name > 0
            && matches!(t.get(name), Some(b'=' | b'~' | b'>' | b'<'))
            && t[0].is_ascii_alphabetic()
    };
    // `uid=*)`: a presence test, true for every entry that has the attribute
    let presence_test = |t: &[u8]| {
        let name = t
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-' || **b == b'.')
            .count();
        name > 0 && t[0].is_ascii_alphabetic() && t[name..].starts_with(b"=*)")
    };
    for p in memchr::memchr_iter(b'(', s) {
        let after = &s[p + 1..];
        let closes = p > 0 && s[p - 1] == b')';
        if closes {
            let opens = after.iter().take_while(|b| **b == b'(').count();
            let after = &after[opens..];
            let op = matches!(after.first(), Some(b'|' | b'&' | b'!'))
                && (matches!(after.get(1), Some(b'(' | b')')) || attribute_test(&after[1..]));
            let wildcard_test = p > 1 && s[p - 2] == b'*' && attribute_test(after);
            if op || wildcard_test || presence_test(after) {
                hits.add(Class::Generic, "generic-ldap-injection", 6);
                return;
            }
        }
        if matches!(after.first(), Some(b'|' | b'&' | b'!'))
            && after.get(1) == Some(&b'(')
            && attribute_test(&after[2..])
        {
            hits.add(Class::Generic, "generic-ldap-injection", 6);
            return;
        }
    }
}

/// XPath injection that leaves a quoted predicate and unions another path:
/// `'] | //user/*[contains(*,'`. The quote and `]` close the application's
/// predicate, `|` joins a node set of the attacker's choosing.
pub(super) fn xpath_union(s: &[u8], hits: &mut Hits) {
    for p in memchr::memchr_iter(b']', s) {
        if p == 0 || !matches!(s[p - 1], b'\'' | b'"') {
            continue;
        }
        let rest = s[p + 1..].trim_ascii_start();
        if let Some(r) = rest.strip_prefix(b"|")
            && r.trim_ascii_start().starts_with(b"/")
        {
            hits.add(Class::Generic, "generic-xpath-injection", 6);
            return;
        }
    }
}
