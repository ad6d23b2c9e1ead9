//! Payloads that must score and look-alikes that must not, per SQL shape.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

fn s(v: &str) -> u32 {
    let mut h = Hits::default();
    scan(v.as_bytes(), &mut h);
    h.score(Class::Sqli)
}

#[test]
fn sqli_classic_payloads_score_high() {
    for p in [
        "1' OR '1'='1",
        "1 UNION SELECT username, password FROM users",
        "admin'--",
        "1; DROP TABLE users",
        "1' AND SLEEP(5)#",
        "' or 1=1 --",
        "1) or (1=1",
        "x' union/**/select 1,2,3-- -",
    ] {
        assert!(s(p) >= 5, "{p} scored {}", s(p));
    }
}

#[test]
fn sqli_fragments_and_dialect_operators_score_high() {
    for p in [
        "concat(",
        ") AS total FROM",
        "( COS ( @a OR 'b') )  --",
        ".1UNION SELECT 2",
        "OR '{\"b\":2}'::jsonb <@ '{\"a\":1}'::jsonb",
        "x'-email--",
        "A' = 'B",
        "HOPE AND (8)=3",
        "select * from sysusers",
        "' OR '1",
        "1'||'asd'||'",
        "create table myfile (input TEXT);",
        " OR x=y#",
        "42 like 42",
        "ORder by",
        "password::int",
        "AND value = '",
        "DROP sampletable;--",
        "FROM t WHERE name=\"x\";",
        "'admin', '1'='1'",
        "if(2=",
        "'UNION A",
        "UnIon seleCt",
        "select(user(",
        "IN (815914, 815913)",
        "<=>",
        "RLIKE",
        "A' = 'B",
        "1; exec xp_cmdshell 'dir'",
        "version=(",
        "'SOUNDS LIKE'",
        " OR x=y",
        "length||(",
        "SET @OLD_SQL_MODE",
        ";drop",
        "@example.com&name=(select",
        "x' UNION SELECT name FROM users--",
    ] {
        assert!(s(p) >= 5, "{p} scored {}", s(p));
    }
}

#[test]
fn sqli_fragment_lookalikes_score_low() {
    for p in [
        "Math.round(x) is fine",
        "necklace 16\" or 18\"",
        "BROWNING \"LIKE\"",
        "PAPER PACK (8.5X11\"-300 DPI) --",
        "(sold out) -- sorry",
        "5kg of flour",
        "drop shipping business ideas",
        "In SQL you can DROP a column with ALTER TABLE invoices DROP COLUMN x; ok",
        "\"NOT FOR SALE\"",
        "1950' AND 60'S WOMEN'S COATS",
        "std::string and Foo::Bar",
        "from home where the heart is",
        "'Union Jack' flag for sale",
        "2+2=4",
        "1=5",
        "GALLERY=1=5",
        "s3cr3t<>pass",
        "order by date",
        "credit union select savings account",
        "--",
        "in (stock)",
        "SMALL \"&\" SIGN",
        "select (the best) one",
        "1; exec will create the case 7",
        "call me (",
        "'like'-worthy posts",
        "and more",
        "set @home for the weekend",
        "the price (",
        "A simple SQL join: SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.id LIMIT 10;",
        "The query was SELECT region, count(*) FROM orders GROUP BY region ORDER BY 2 DESC; -- much faster now",
        // two plain words before the statement are enough to make it prose
        "The query SELECT * FROM products WHERE name LIKE '%chair%' returns nothing.",
        "I ran select * from users and got nothing",
    ] {
        assert!(s(p) < 5, "{p} scored {}", s(p));
    }
}

/// A statement after one word, a number or a broken literal is still
/// injected SQL; only a run of plain words before it makes it prose.
#[test]
fn sqli_select_after_one_word_or_a_break_scores() {
    for p in [
        "x select * from users",
        "1 select password from users",
        "admin' select * from users",
    ] {
        assert!(s(p) >= 5, "{p} scored {}", s(p));
    }
}

#[test]
fn sqli_prose_scores_low() {
    for p in [
        "credit union select savings account",
        "null and void meaning",
        "black and white photography tips",
        "O'Brien",
        "I'd like to cancel at the end of this billing period",
        "how to select the right running shoes from a catalogue",
        "Rue de l'Église 5, 1000 Bruxelles",
    ] {
        assert!(s(p) < 5, "{p} scored {}", s(p));
    }
}

/// Blind injection compares against a scalar subquery, which needs no FROM.
#[test]
fn sqli_scalar_subquery_operands_score_high() {
    for p in [
        "1' RLIKE (SELECT (CASE WHEN (1=1) THEN 1 ELSE 0x28 END))--",
        "1' REGEXP (SELECT 1)--",
        "1=(SELECT 1)",
        "1 AND 2>(SELECT ascii(user()))",
        "(SELECT (CASE WHEN (1=1) THEN 1 ELSE 0x28 END))",
        "(SELECT CONCAT(0x7e,user()))",
    ] {
        assert!(s(p) >= 5, "{p} scored {}", s(p));
    }
}

/// Brackets that open with "select" in forms and prose.
#[test]
fn sqli_select_in_prose_brackets_scores_low() {
    for p in [
        "(select all that apply)",
        "pick two (select 2) colours",
        "price + (select one)",
        "(select one)",
        "sizes, (select 2)",
    ] {
        assert!(s(p) < 5, "{p} scored {}", s(p));
    }
}

/// After a broken literal, ORDER BY reads as the query's tail only when one
/// item ends the query; a quoted sentence goes on with words.
#[test]
fn sqli_order_by_after_a_quote_needs_a_query_tail() {
    for p in [
        "x' order by username--",
        "1' order by 1,2,3#",
        "x' order by",
        "x' group by x",
    ] {
        assert!(s(p) >= 5, "{p} scored {}", s(p));
    }
    for p in [
        "He said: 'order by Friday or we cancel'",
        "it's 'order by date' in the menu, then 'group by store'",
    ] {
        assert!(s(p) < 5, "{p} scored {}", s(p));
    }
}

/// Symbols a generated password scatters: `#` before other symbols, `@@`
/// before a random name, `!` before a letter. Each still reads as SQL where
/// an injection writes it.
#[test]
fn sqli_password_symbols_are_not_sql_but_payloads_still_are() {
    for p in [
        "*J*@w1FWohLwdcl#",
        "hIrnPu@LFG9g#_ufVw*!",
        "70*v3sAr^W@@MVn$",
        "@Ufm!XrQ1Z87MX16e5c#",
    ] {
        assert!(s(p) < 5, "{p} scored {}", s(p));
    }
    for p in [
        "admin'#",
        "1' or 1=1# ",
        "1 union#foo\nselect 1,2",
        "1' and @@version like '5%'--",
        "1 and !1=0",
        "1' union select @@datadir#",
    ] {
        assert!(s(p) >= 5, "{p} scored {}", s(p));
    }
}

#[test]
fn sqli_prose_and_passwords_around_statement_words_pass() {
    for v in [
        "Update: still broken; tried again at 10:30.",
        "update still broken; tried again",
        "Delete: still there; why",
        "(red OR blue) AND (small OR medium)",
        "not endswith(Name,'ilk')",
        "<!-- comment --> in html",
        "P@ssw0rd!2024#",
        "user@example.org",
    ] {
        assert!(s(v) < 5, "{v}: {}", s(v));
    }
    for v in [
        "drop table users;",
        "DELETE FROM users;",
        "update users;--",
        "1) and (1",
        "1 or foo(a)",
        "or sleep(5)",
        "1 and @@version=1",
        "1 || !0#",
    ] {
        assert!(s(v) >= 5, "{v}: {}", s(v));
    }
}

#[test]
fn sqli_conditionals_over_a_chosen_comparison_score_high() {
    // the yes/no question of blind injection, in whatever wraps the
    // injection point
    for p in [
        "1 OR CASE WHEN 4417=4417 THEN 4417 ELSE JSON('x') END",
        "1' AND CASE WHEN 2>1 THEN 1 ELSE 0 END -- -",
        ",(CASE WHEN 9=9 THEN 1 ELSE NULL END)",
        "('abc'||(CASE WHEN (3=3) THEN '1' ELSE '0' END)||'def')",
        "case/**/when/**/1=1/**/then/**/1/**/end",
        "1 IIF(7=7,1,1/0)",
        ";IF(5=5) SELECT 5 ELSE DROP FUNCTION x",
        "ELT(3=3,7)",
        "if('a'='a',1,0)",
        "in case when we ship then fine; 1 OR CASE WHEN 2=2 THEN 1 END",
    ] {
        assert!(s(p) >= 5, "{p} scored {}", s(p));
    }
    for p in [
        "In case when the price is over 5 then call me, else wait",
        "Just in case: when it's >5 degrees, then open the window",
        "If (age>18, adult, child)",
        "=IF(A1=B1,1,0)",
        "if it rains = no picnic",
    ] {
        assert!(s(p) < 5, "{p} scored {}", s(p));
    }
}

#[test]
fn sqli_dynamic_sql_run_from_a_variable_scores_high() {
    for p in ["exec(@q)", "1;EXECUTE (@sql)", "x';EXEC( @cmd )--"] {
        assert!(s(p) >= 5, "{p} scored {}", s(p));
    }
    for p in [
        "the exec @home team",
        "email the exec (@anna) today",
        "exec(5)",
    ] {
        assert!(s(p) < 5, "{p} scored {}", s(p));
    }
}

#[test]
fn sqli_an_operator_between_a_broken_and_a_reopened_literal_scores_high() {
    for p in [
        "x' && 'y",
        "name' | 'z",
        "q' DIV 'r",
        "abc' NOT LIKE 'd",
        "k'like-'k",
        "m' XOR 'n",
        // a short condition between the break and the reopened literal
        "zz' or column!='2",
        "yy'or binary 1= '1",
        "b'*null or '7",
        "c'|3!='9",
        "d' or kol&&'1",
        // one operator between the query's own quotes
        "' = '",
        "'MOD'",
        "' ^ '",
    ] {
        assert!(s(p) >= 5, "{p} scored {}", s(p));
    }
}

#[test]
fn sqli_quoted_terms_and_possessives_around_an_operator_pass() {
    for p in [
        // double-quoted search terms, as shoppers type them
        r#"BIG "&" TALL"#,
        r#"WINTER COAT "NOT" WOOL"#,
        r#""MOD" PODCAST"#,
        // possessives open no second literal
        "my parents' and yours",
        "the kids' & grown-ups' menu",
        // a run of quotes is no pair of literals
        "SHOP.EXAMPLE'*''''''''''",
        // a word quoted in prose
        "use the 'and' keyword",
        // a quoted word or blank alone
        "'hello'",
        "' '",
        // contractions and possessives around a plain 'or'
        "I'm here or 'there",
        "it's a cat or a dog's",
        // a name, not an operator, after the break (and the quiet gate
        // skips such values, so the full scan must agree)
        "o'connell|'19th",
        // an escaped quote opens no literal
        r"Y3S'Ab>cd1\'02I(DH,",
    ] {
        assert!(s(p) < 5, "{p} scored {}", s(p));
    }
}

#[test]
fn sqli_a_literal_comparison_keeps_its_weight_in_brackets_and_after_a_sign() {
    for p in [
        "KEEP AND (7)=(2)",
        "KEEP AND -7=-2",
        "mug AND (1)=(1)",
        "mug or ('a')=('a')",
    ] {
        assert!(s(p) >= 5, "{p} scored {}", s(p));
    }
    for p in ["black and white", "salt and (pepper)", "x and (y)=(z)"] {
        assert!(s(p) < 5, "{p} scored {}", s(p));
    }
}

#[test]
fn sqli_select_lists_with_keyword_names_or_without_from_score_high() {
    for p in [
        "(select login from accounts limit 1,1)",
        "select 'x','y',7,8,9",
    ] {
        assert!(s(p) >= 5, "{p} scored {}", s(p));
    }
    for p in [
        "Select 'Small', 'Medium', 'Large', 'XL'",
        "select colour, size, fit, brand",
    ] {
        assert!(s(p) < 5, "{p} scored {}", s(p));
    }
}

#[test]
fn sqli_a_short_condition_after_a_break_cut_off_by_a_comment_scores_high() {
    for p in [
        "k' in (3,4)--",
        "k'in (0)-- x",
        "k' like(0) + 1-- -a",
        "k'/now() in (0) -- z",
    ] {
        assert!(s(p) >= 5, "{p} scored {}", s(p));
    }
    // no operator right after the quote: text
    for p in ["Don't go -- please", "O'Brien (the boss) --"] {
        assert!(s(p) < 5, "{p} scored {}", s(p));
    }
}

#[test]
fn exec_needs_a_routine_name_execute_does_not() {
    // `exec` and a name a database calls, as the whole value
    for p in [
        "exec xp_cmdshell",
        "exec master..xp_dirtree",
        "EXEC @q",
        "exec sp",
        "exec xp",
        "exec sp2",
        "execute immediate '",
        "execute system",
    ] {
        assert!(s(p) >= 5, "{p} scored {}", s(p));
    }
    // `exec` as English shorthand for executive
    for p in [
        "exec chair",
        "exec summary",
        "Exec lounge",
        "exec assistant",
    ] {
        assert!(s(p) < 5, "{p} scored {}", s(p));
    }
}

#[test]
fn sqli_union_distinctrow_is_union_distinct() {
    assert!(s("1' union distinctrow select 1,2") >= 5);
    assert!(s("1' UNION DISTINCTROW SELECT 1,2") >= 5);
    assert!(s("the distinctrow option in the manual") < 5);
}

#[test]
fn sqli_a_clause_over_literals_alone_scores_high() {
    for p in [
        "HAVING 3-2",
        "having 1 div 1",
        "HAVING '5'=5",
        "HAVING true<>0",
        "HAVING 1|1",
        "HAVING (1^2)",
    ] {
        assert!(s(p) >= 5, "{p} scored {}", s(p));
    }
    for p in [
        "having fun",
        "having 2 kids and 1 dog",
        "where 2 roads meet",
        "Having 3 of them",
    ] {
        assert!(s(p) < 5, "{p} scored {}", s(p));
    }
}

/// `INTO OUTFILE ('/x')` writes a file whether or not its path is in brackets;
/// `INSERT INTO t(col)` names a table.
#[test]
fn sqli_into_outfile_with_a_bracketed_path() {
    assert!(s("7 into outfile ('/var/www/x.php')") >= 5);
    assert!(s("'a' into dumpfile (char(47))") >= 5);
    assert!(s("x into outfile '/tmp/y'") >= 5);
    assert!(s("insert into users(name) values ('ann')") < 6);
}

/// A UNION SELECT cut off where its select list would start, after an
/// operand (`9 union select`, `@v union select`), is the probe; the words in
/// a sentence are not.
#[test]
fn sqli_union_select_cut_after_an_operand() {
    for v in [
        "9 union select",
        "@v union select",
        "'q' union select",
        "(3) union select",
    ] {
        assert!(s(v) >= 5, "{v}");
    }
    for v in ["trade union select", "our union select"] {
        assert!(s(v) < 5, "{v}");
    }
}

/// MSSQL control flow after a stack, its condition on literals alone
/// (`';if 1=1 drop table t--`, `;while 1=1 shutdown`), runs the statement
/// whatever the data; an `if` in a sentence after a `;` does not score.
#[test]
fn sqli_control_flow_after_a_stack() {
    for v in [
        "';if 1=1 drop table orders--",
        "7;while 2>1 shutdown--",
        "x'; if 'a'='a' delete from logs--",
    ] {
        assert!(s(v) >= 5, "{v}");
    }
    for v in [
        "done; if 2 > 1 then we update the page",
        "ok; if so, drop me a line",
    ] {
        assert!(s(v) < 5, "{v}");
    }
}

#[test]
fn sqli_prose_with_contractions_exclamations_and_questions_passes() {
    for v in [
        "I don't know and it is fine",
        "It's true and it is fine",
        "We can't go, or it is late",
        "\"Oh! no--it is not for me to be driven away by Mr. Darcy.",
        "Is it 'who' or 'whom'? e.g. \"To whom it may concern\"",
    ] {
        assert!(s(v) < 5, "{v} scored {}", s(v));
    }
    // the same shapes where the quote breaks out of a literal still score
    for v in [
        "admin' or name is null",
        "x' or user like admin",
        "is this your parents' or yours?",
        "'? # = --",
    ] {
        assert!(s(v) >= 5, "{v} scored {}", s(v));
    }
}

#[test]
fn sqli_concatenation_in_a_select_list_and_around_a_call() {
    for v in [
        "SELECT 'qzxjq'||(CASE 3334 WHEN 3334 THEN 1 ELSE 0 END)||'qbkpq' FROM RDB$DATABASE",
        "select 'a'||(select user from dual)||'b' from dual",
        "' || myappadmin.adduser('admin', 'newpass') || '",
    ] {
        assert!(s(v) >= 5, "{v} scored {}", s(v));
    }
    assert!(s("Select 'Yes' or 'No' from the list") < 5);
}
