//! Literal signals (one Aho-Corasick automaton built once per profile compile) and
//! small structural checks that are not worth a tokeniser: PHP function calls and
//! serialized objects, log4j lookup resolution, NoSQL operators, XXE declarations,
//! shellshock, CRLF / header injection, template injection and prototype pollution.
//! All matching runs over the canonical (lowercase, decoded) view. Literals are
//! class markers (package prefixes, wrapper schemes, dangerous function names,
//! sensitive file names), never copies of known payloads.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::detect::{Field, Hits};
use crate::verdict::Class;

/// (literal, class, id, weight, needs a non-word byte before it)
type Lit = (&'static str, Class, &'static str, u32, bool);

const LITERALS: &[Lit] = &[
    // java: package prefixes of gadget / runtime classes, serialisation magic, OGNL, EL
    ("java.lang.", Class::Java, "java-class", 6, true),
    ("java.io.", Class::Java, "java-class", 6, true),
    ("java.nio.", Class::Java, "java-class", 6, true),
    ("java.net.", Class::Java, "java-class", 5, true),
    ("java.beans.", Class::Java, "java-class", 6, true),
    ("java.rmi", Class::Java, "java-class", 6, true),
    ("java.util.", Class::Java, "java-class", 4, true),
    ("java.security.", Class::Java, "java-class", 5, true),
    ("javax.", Class::Java, "java-class", 6, true),
    ("org.apache.commons", Class::Java, "java-class", 6, true),
    ("org.apache.xalan", Class::Java, "java-class", 6, true),
    ("org.apache.xbean", Class::Java, "java-class", 6, true),
    ("org.apache.tomcat", Class::Java, "java-class", 5, true),
    ("org.springframework.", Class::Java, "java-class", 5, true),
    ("org.codehaus.groovy", Class::Java, "java-class", 6, true),
    ("org.hibernate.", Class::Java, "java-class", 5, true),
    ("org.mozilla.javascript", Class::Java, "java-class", 6, true),
    ("com.sun.", Class::Java, "java-class", 6, true),
    ("sun.misc.", Class::Java, "java-class", 6, true),
    ("sun.reflect.", Class::Java, "java-class", 6, true),
    ("com.mchange.", Class::Java, "java-class", 6, true),
    ("com.alibaba.fastjson", Class::Java, "java-class", 6, true),
    ("groovy.lang.", Class::Java, "java-class", 6, true),
    ("clojure.", Class::Java, "java-class", 5, true),
    ("bsh.interpreter", Class::Java, "java-class", 6, true),
    ("ro0ab", Class::Java, "java-deserialisation", 7, true),
    ("aced0005", Class::Java, "java-deserialisation", 7, true),
    ("getruntime", Class::Java, "java-runtime", 7, false),
    ("processbuilder", Class::Java, "java-runtime", 6, false),
    ("classloader", Class::Java, "java-runtime", 5, false),
    ("class.module", Class::Java, "java-runtime", 6, false),
    ("forname(", Class::Java, "java-runtime", 5, false),
    ("newinstance(", Class::Java, "java-runtime", 5, false),
    ("getmethod(", Class::Java, "java-runtime", 5, false),
    ("getdeclared", Class::Java, "java-runtime", 5, false),
    ("#_memberaccess", Class::Java, "java-ognl", 8, false),
    ("@ognl", Class::Java, "java-ognl", 8, false),
    ("ognlcontext", Class::Java, "java-ognl", 7, false),
    ("#context[", Class::Java, "java-ognl", 6, false),
    ("xwork.", Class::Java, "java-ognl", 6, true),
    ("jndi:", Class::Java, "java-jndi", 8, false),
    // commons-collections / groovy / xalan gadget-chain class names
    ("invokertransformer", Class::Java, "java-class", 7, false),
    ("chainedtransformer", Class::Java, "java-class", 7, false),
    ("constanttransformer", Class::Java, "java-class", 7, false),
    (
        "instantiatetransformer",
        Class::Java,
        "java-class",
        7,
        false,
    ),
    ("instantiatefactory", Class::Java, "java-class", 7, false),
    ("clonetransformer", Class::Java, "java-class", 7, false),
    ("forclosure", Class::Java, "java-class", 6, true),
    ("whileclosure", Class::Java, "java-class", 6, true),
    ("prototypeclonefactory", Class::Java, "java-class", 7, false),
    (
        "prototypeserializationfactory",
        Class::Java,
        "java-class",
        7,
        false,
    ),
    (
        "annotationinvocationhandler",
        Class::Java,
        "java-class",
        7,
        false,
    ),
    (
        "badattributevalueexpexception",
        Class::Java,
        "java-class",
        7,
        false,
    ),
    ("templatesimpl", Class::Java, "java-class", 7, false),
    ("jdbcrowsetimpl", Class::Java, "java-class", 7, false),
    ("com.opensymphony.", Class::Java, "java-class", 6, true),
    ("org.omg.", Class::Java, "java-class", 5, true),
    ("org.jboss.", Class::Java, "java-class", 5, true),
    // AC ED 00 05 (serialisation stream magic) in base64 at its three alignments
    ("kztaau", Class::Java, "java-deserialisation", 7, true),
    ("cs7qaf", Class::Java, "java-deserialisation", 7, true),
    ("xmldecoder", Class::Java, "java-class", 6, false),
    ("${jvmrunargs", Class::Java, "java-jndi", 6, false),
    // xss: style-sheet script hooks, UTF-7 angle brackets
    ("-moz-binding", Class::Xss, "xss-style", 6, false),
    ("url(javascript", Class::Xss, "xss-style", 7, false),
    ("url(vbscript", Class::Xss, "xss-style", 7, false),
    ("behavior:url(", Class::Xss, "xss-style", 6, false),
    ("+adw-", Class::Xss, "xss-tag", 4, false),
    ("+ad4-", Class::Xss, "xss-tag", 3, false),
    // php
    ("<?php", Class::Php, "php-open-tag", 8, false),
    ("<? ", Class::Php, "php-open-tag", 6, false),
    ("<?\t", Class::Php, "php-open-tag", 6, false),
    ("<?\n", Class::Php, "php-open-tag", 6, false),
    ("compress.bzip2://", Class::Php, "php-wrapper", 6, false),
    ("<?=", Class::Php, "php-open-tag", 6, false),
    ("<? php", Class::Php, "php-open-tag", 7, false),
    ("allow_url_fopen", Class::Php, "php-config", 7, false),
    ("mbstring.", Class::Php, "php-config", 5, true),
    ("memory_limit", Class::Php, "php-config", 5, true),
    ("unserialize_max_depth", Class::Php, "php-config", 5, true),
    ("session.save_path", Class::Php, "php-config", 5, true),
    ("upload_tmp_dir", Class::Php, "php-config", 5, true),
    ("[php]", Class::Php, "php-open-tag", 6, false),
    ("{php}", Class::Php, "php-open-tag", 6, false),
    ("[/php]", Class::Php, "php-open-tag", 6, false),
    ("{/php}", Class::Php, "php-open-tag", 6, false),
    ("ssh2.shell://", Class::Php, "php-wrapper", 7, false),
    ("ssh2.exec://", Class::Php, "php-wrapper", 7, false),
    ("ssh2.tunnel://", Class::Php, "php-wrapper", 6, false),
    ("ssh2.scp://", Class::Php, "php-wrapper", 6, false),
    ("ssh2.sftp://", Class::Php, "php-wrapper", 6, false),
    ("rar://", Class::Php, "php-wrapper", 5, false),
    ("ogg://", Class::Php, "php-wrapper", 5, false),
    ("opcache.", Class::Php, "php-config", 5, true),
    ("php://", Class::Php, "php-wrapper", 7, false),
    ("phar://", Class::Php, "php-wrapper", 7, false),
    ("zip://", Class::Php, "php-wrapper", 5, false),
    ("data://", Class::Php, "php-wrapper", 5, false),
    ("expect://", Class::Php, "php-wrapper", 7, false),
    ("glob://", Class::Php, "php-wrapper", 5, false),
    ("compress.zlib://", Class::Php, "php-wrapper", 6, false),
    ("$_get", Class::Php, "php-superglobal", 6, false),
    ("$_post", Class::Php, "php-superglobal", 6, false),
    ("$_request", Class::Php, "php-superglobal", 6, false),
    ("$_cookie", Class::Php, "php-superglobal", 6, false),
    ("$_server", Class::Php, "php-superglobal", 6, false),
    ("$_files", Class::Php, "php-superglobal", 6, false),
    ("$_env", Class::Php, "php-superglobal", 6, false),
    ("$_session", Class::Php, "php-superglobal", 5, false),
    ("$globals", Class::Php, "php-superglobal", 6, false),
    ("allow_url_include", Class::Php, "php-config", 7, false),
    ("auto_prepend_file", Class::Php, "php-config", 7, false),
    ("auto_append_file", Class::Php, "php-config", 7, false),
    ("disable_functions", Class::Php, "php-config", 6, false),
    ("open_basedir", Class::Php, "php-config", 6, false),
    ("php_uname", Class::Php, "php-function", 6, false),
    ("phpinfo", Class::Php, "php-function", 6, false),
    // lfi: sensitive files and directories
    ("etc/passwd", Class::Lfi, "lfi-sensitive-file", 6, false),
    ("etc/shadow", Class::Lfi, "lfi-sensitive-file", 7, false),
    ("etc/group", Class::Lfi, "lfi-sensitive-file", 5, false),
    ("etc/hosts", Class::Lfi, "lfi-sensitive-file", 5, false),
    ("etc/issue", Class::Lfi, "lfi-sensitive-file", 5, false),
    (
        "etc/master.passwd",
        Class::Lfi,
        "lfi-sensitive-file",
        7,
        false,
    ),
    ("etc/security/", Class::Lfi, "lfi-sensitive-file", 5, false),
    ("etc/httpd/", Class::Lfi, "lfi-sensitive-file", 5, false),
    ("etc/apache2/", Class::Lfi, "lfi-sensitive-file", 5, false),
    ("etc/nginx/", Class::Lfi, "lfi-sensitive-file", 5, false),
    ("etc/mysql/", Class::Lfi, "lfi-sensitive-file", 5, false),
    ("etc/ssh/", Class::Lfi, "lfi-sensitive-file", 5, false),
    ("proc/self/", Class::Lfi, "lfi-sensitive-file", 7, false),
    ("proc/version", Class::Lfi, "lfi-sensitive-file", 6, false),
    ("/proc/", Class::Lfi, "lfi-sensitive-file", 3, false),
    ("var/log/", Class::Lfi, "lfi-sensitive-file", 4, false),
    ("win.ini", Class::Lfi, "lfi-sensitive-file", 6, false),
    ("boot.ini", Class::Lfi, "lfi-sensitive-file", 6, false),
    ("system.ini", Class::Lfi, "lfi-sensitive-file", 6, false),
    (
        "windows/system32",
        Class::Lfi,
        "lfi-sensitive-file",
        6,
        false,
    ),
    ("system32/", Class::Lfi, "lfi-sensitive-file", 5, false),
    ("error.log", Class::Lfi, "lfi-sensitive-file", 5, false),
    ("error_log", Class::Lfi, "lfi-sensitive-file", 5, false),
    ("access.log", Class::Lfi, "lfi-sensitive-file", 5, false),
    ("access_log", Class::Lfi, "lfi-sensitive-file", 5, false),
    ("access_ log", Class::Lfi, "lfi-sensitive-file", 5, false),
    ("desktop.ini", Class::Lfi, "lfi-sensitive-file", 5, false),
    ("httpd.conf", Class::Lfi, "lfi-sensitive-file", 5, false),
    ("apache2.conf", Class::Lfi, "lfi-sensitive-file", 5, false),
    ("php.ini", Class::Lfi, "lfi-sensitive-file", 5, false),
    ("my.ini", Class::Lfi, "lfi-sensitive-file", 5, true),
    ("my.cnf", Class::Lfi, "lfi-sensitive-file", 5, true),
    ("config.inc.php", Class::Lfi, "lfi-sensitive-file", 5, false),
    ("/var/mail/", Class::Lfi, "lfi-sensitive-file", 5, false),
    ("/var/adm/", Class::Lfi, "lfi-sensitive-file", 5, false),
    ("/var/www/", Class::Lfi, "lfi-sensitive-file", 3, false),
    ("cpanel.config", Class::Lfi, "lfi-sensitive-file", 5, false),
    ("sendmail.log", Class::Lfi, "lfi-sensitive-file", 5, false),
    ("/var/lib/php", Class::Lfi, "lfi-sensitive-file", 5, false),
    ("/etc/", Class::Lfi, "lfi-sensitive-file", 3, false),
    // dots and slashes spelled as hex words: no benign value does this
    ("0x2e0x2e", Class::Lfi, "lfi-traversal", 5, false),
    ("0x5c0x2e", Class::Lfi, "lfi-traversal", 5, false),
    ("0x2f0x2e", Class::Lfi, "lfi-traversal", 5, false),
    ("/usr/local/", Class::Lfi, "lfi-sensitive-file", 2, false),
    ("/opt/", Class::Lfi, "lfi-sensitive-file", 2, false),
    ("inetpub", Class::Lfi, "lfi-sensitive-file", 4, false),
    (".htaccess", Class::Lfi, "lfi-sensitive-file", 5, false),
    (".htpasswd", Class::Lfi, "lfi-sensitive-file", 6, false),
    ("web.config", Class::Lfi, "lfi-sensitive-file", 5, false),
    ("wp-config", Class::Lfi, "lfi-sensitive-file", 5, false),
    ("id_rsa", Class::Lfi, "lfi-sensitive-file", 6, false),
    ("id_dsa", Class::Lfi, "lfi-sensitive-file", 6, false),
    (
        "authorized_keys",
        Class::Lfi,
        "lfi-sensitive-file",
        6,
        false,
    ),
    (".bash_history", Class::Lfi, "lfi-sensitive-file", 6, false),
    (".ssh/", Class::Lfi, "lfi-sensitive-file", 5, false),
    (".git/", Class::Lfi, "lfi-sensitive-file", 5, false),
    (".svn/", Class::Lfi, "lfi-sensitive-file", 5, false),
    (".aws/", Class::Lfi, "lfi-sensitive-file", 6, false),
    ("/.env", Class::Lfi, "lfi-sensitive-file", 5, false),
    ("/root/", Class::Lfi, "lfi-sensitive-file", 3, false),
    ("c:/", Class::Lfi, "lfi-windows-path", 3, true),
    ("c:/users/", Class::Lfi, "lfi-windows-path", 4, true),
    (
        "c:/documents and settings",
        Class::Lfi,
        "lfi-windows-path",
        5,
        true,
    ),
    ("c:/windows", Class::Lfi, "lfi-windows-path", 5, true),
    // ssrf: metadata endpoints
    ("169.254.169.254", Class::Ssrf, "ssrf-metadata", 7, false),
    (
        "metadata.google.internal",
        Class::Ssrf,
        "ssrf-metadata",
        7,
        false,
    ),
    ("100.100.100.200", Class::Ssrf, "ssrf-metadata", 7, false),
    ("fd00:ec2::254", Class::Ssrf, "ssrf-metadata", 7, false),
    ("/latest/meta-data", Class::Ssrf, "ssrf-metadata", 6, false),
    ("/latest/user-data", Class::Ssrf, "ssrf-metadata", 6, false),
    ("/computemetadata/", Class::Ssrf, "ssrf-metadata", 7, false),
    ("/metadata/instance", Class::Ssrf, "ssrf-metadata", 5, false),
    ("/metadata/v1", Class::Ssrf, "ssrf-metadata", 5, false),
    (
        "kubernetes.default",
        Class::Ssrf,
        "ssrf-internal-host",
        6,
        false,
    ),
    (
        "host.docker.internal",
        Class::Ssrf,
        "ssrf-internal-host",
        6,
        false,
    ),
    // xxe
    ("<!entity", Class::Xxe, "xxe-entity", 6, false),
    ("xi:include", Class::Xxe, "xxe-xinclude", 6, false),
    ("xmlns:xi=", Class::Xxe, "xxe-xinclude", 5, false),
    // nosqli
    ("[$ne]", Class::Nosqli, "nosqli-operator", 7, false),
    ("[$gt]", Class::Nosqli, "nosqli-operator", 7, false),
    ("[$gte]", Class::Nosqli, "nosqli-operator", 7, false),
    ("[$lt]", Class::Nosqli, "nosqli-operator", 7, false),
    ("[$lte]", Class::Nosqli, "nosqli-operator", 7, false),
    ("[$regex]", Class::Nosqli, "nosqli-operator", 7, false),
    ("[$where]", Class::Nosqli, "nosqli-operator", 7, false),
    ("[$exists]", Class::Nosqli, "nosqli-operator", 7, false),
    ("[$nin]", Class::Nosqli, "nosqli-operator", 7, false),
    ("[$in]", Class::Nosqli, "nosqli-operator", 6, false),
    ("[$or]", Class::Nosqli, "nosqli-operator", 6, false),
    ("[$eq]", Class::Nosqli, "nosqli-operator", 5, false),
    ("{\"$ne\"", Class::Nosqli, "nosqli-operator", 7, false),
    ("{\"$gt\"", Class::Nosqli, "nosqli-operator", 7, false),
    ("{\"$where\"", Class::Nosqli, "nosqli-operator", 7, false),
    ("{\"$regex\"", Class::Nosqli, "nosqli-operator", 7, false),
    ("$where:", Class::Nosqli, "nosqli-operator", 6, false),
    ("db.getcollection", Class::Nosqli, "nosqli-js", 6, false),
    ("this.password", Class::Nosqli, "nosqli-js", 5, false),
    // generic: prototype pollution, template injection, server-side JS / python / ruby
    (
        "__proto__",
        Class::Generic,
        "generic-prototype-pollution",
        7,
        false,
    ),
    (
        "constructor.prototype",
        Class::Generic,
        "generic-prototype-pollution",
        7,
        false,
    ),
    (
        "constructor[prototype]",
        Class::Generic,
        "generic-prototype-pollution",
        7,
        false,
    ),
    (
        "[constructor]",
        Class::Generic,
        "generic-prototype-pollution",
        5,
        false,
    ),
    ("__class__", Class::Generic, "generic-template", 7, false),
    ("__globals__", Class::Generic, "generic-template", 7, false),
    ("__builtins__", Class::Generic, "generic-template", 7, false),
    (
        "__subclasses__",
        Class::Generic,
        "generic-template",
        8,
        false,
    ),
    ("__import__", Class::Generic, "generic-template", 7, false),
    ("__mro__", Class::Generic, "generic-template", 7, false),
    ("|attr(", Class::Generic, "generic-template", 6, false),
    ("child_process", Class::Generic, "generic-node", 8, false),
    ("_$$nd_func$$_", Class::Generic, "generic-node", 8, false),
    ("__js_function", Class::Generic, "generic-node", 7, false),
    (
        "constructor.constructor",
        Class::Generic,
        "generic-node",
        7,
        false,
    ),
    (
        "constructor._load(",
        Class::Generic,
        "generic-node",
        7,
        false,
    ),
    ("require.main", Class::Generic, "generic-node", 6, false),
    ("new function(", Class::Generic, "generic-node", 5, false),
    ("new function (", Class::Generic, "generic-node", 5, false),
    ("process[", Class::Generic, "generic-node", 5, false),
    ("require[", Class::Generic, "generic-node", 5, false),
    ("readdirsync(", Class::Generic, "generic-node", 5, false),
    ("readfilesync(", Class::Generic, "generic-node", 5, false),
    ("writefilesync(", Class::Generic, "generic-node", 5, false),
    ("console[", Class::Generic, "generic-node", 5, false),
    ("module:prototype", Class::Generic, "generic-node", 6, false),
    (
        ":constructor:constructor",
        Class::Generic,
        "generic-node",
        7,
        false,
    ),
    (
        "process.mainmodule",
        Class::Generic,
        "generic-node",
        8,
        false,
    ),
    ("global.process", Class::Generic, "generic-node", 7, false),
    ("process.binding", Class::Generic, "generic-node", 7, false),
    ("process.env", Class::Generic, "generic-node", 5, false),
    ("module.exports", Class::Generic, "generic-node", 5, false),
    ("require(", Class::Generic, "generic-node", 4, true),
    ("execsync", Class::Generic, "generic-node", 6, false),
    ("spawnsync", Class::Generic, "generic-node", 6, false),
    ("os.system", Class::Generic, "generic-python", 7, false),
    ("os.popen", Class::Generic, "generic-python", 7, false),
    ("subprocess.", Class::Generic, "generic-python", 6, false),
    ("@{[", Class::Generic, "generic-perl", 6, false),
    ("@{ [", Class::Generic, "generic-perl", 6, false),
    ("instance_eval", Class::Generic, "generic-ruby", 6, false),
    ("class_eval", Class::Generic, "generic-ruby", 6, false),
    ("kernel.exec", Class::Generic, "generic-ruby", 6, false),
    // cmdi: windows / powershell download-and-run
    ("downloadstring", Class::Cmdi, "cmdi-powershell", 7, false),
    ("downloadfile", Class::Cmdi, "cmdi-powershell", 6, false),
    (
        "invoke-expression",
        Class::Cmdi,
        "cmdi-powershell",
        7,
        false,
    ),
    (
        "invoke-webrequest",
        Class::Cmdi,
        "cmdi-powershell",
        6,
        false,
    ),
    ("net.webclient", Class::Cmdi, "cmdi-powershell", 7, false),
    ("-encodedcommand", Class::Cmdi, "cmdi-powershell", 7, false),
    ("start-process", Class::Cmdi, "cmdi-powershell", 6, false),
    ("xp_cmdshell", Class::Sqli, "sqli-procedure", 8, false),
    ("information_schema", Class::Sqli, "sqli-schema", 6, false),
    ("sysobjects", Class::Sqli, "sqli-schema", 6, false),
    ("syscolumns", Class::Sqli, "sqli-schema", 6, false),
    ("sqlite_master", Class::Sqli, "sqli-schema", 6, false),
    ("pg_catalog", Class::Sqli, "sqli-schema", 6, false),
    ("mysql.user", Class::Sqli, "sqli-schema", 6, false),
    ("sp_executesql", Class::Sqli, "sqli-procedure", 7, false),
    ("exec sp_", Class::Sqli, "sqli-procedure", 6, true),
    ("exec xp_", Class::Sqli, "sqli-procedure", 6, true),
    ("execute sp_", Class::Sqli, "sqli-procedure", 6, true),
    ("sp_addlogin", Class::Sqli, "sqli-procedure", 7, false),
    (
        "sp_addsrvrolemember",
        Class::Sqli,
        "sqli-procedure",
        7,
        false,
    ),
    ("sp_configure", Class::Sqli, "sqli-procedure", 6, false),
    ("sp_password", Class::Sqli, "sqli-procedure", 6, false),
    ("pg_shadow", Class::Sqli, "sqli-schema", 6, false),
    ("openrowset", Class::Sqli, "sqli-procedure", 6, false),
    ("opendatasource", Class::Sqli, "sqli-procedure", 6, false),
    ("msdasql", Class::Sqli, "sqli-procedure", 6, false),
    ("sqloledb", Class::Sqli, "sqli-procedure", 6, false),
    ("msysaccessobjects", Class::Sqli, "sqli-schema", 6, false),
    ("msysobjects", Class::Sqli, "sqli-schema", 6, false),
    ("mysql.db", Class::Sqli, "sqli-schema", 6, true),
    ("tempdb", Class::Sqli, "sqli-schema", 5, true),
    ("msdb", Class::Sqli, "sqli-schema", 5, true),
    ("sysusers", Class::Sqli, "sqli-schema", 5, true),
    ("sysservers", Class::Sqli, "sqli-schema", 5, true),
    ("sp_oacreate", Class::Sqli, "sqli-procedure", 7, false),
    ("xp_dirtree", Class::Sqli, "sqli-procedure", 7, false),
    ("xp_regread", Class::Sqli, "sqli-procedure", 7, false),
    ("utl_http", Class::Sqli, "sqli-procedure", 6, false),
    ("dbms_", Class::Sqli, "sqli-procedure", 5, true),
    ("waitfor delay", Class::Sqli, "sqli-function", 7, false),
    ("waitfor time", Class::Sqli, "sqli-function", 7, false),
];

/// PHP functions that execute code or commands, read/write files, or decode
/// payloads; scored when called (`name` followed by `(` after optional spaces).
const PHP_FUNCS: &[(&str, u32)] = &[
    ("shell_exec", 7),
    ("passthru", 7),
    ("proc_open", 7),
    ("pcntl_exec", 7),
    ("popen", 5),
    ("system", 5),
    ("exec", 4),
    ("eval", 5),
    ("assert", 5),
    ("create_function", 7),
    ("call_user_func", 6),
    ("call_user_func_array", 6),
    ("preg_replace", 4),
    ("base64_decode", 5),
    ("str_rot13", 5),
    ("gzinflate", 6),
    ("gzuncompress", 6),
    ("gzdecode", 5),
    ("file_get_contents", 5),
    ("file_put_contents", 6),
    ("fopen", 4),
    ("fwrite", 4),
    ("fputs", 4),
    ("readfile", 4),
    ("unlink", 4),
    ("move_uploaded_file", 6),
    ("fsockopen", 6),
    ("highlight_file", 6),
    ("show_source", 6),
    ("ini_set", 5),
    ("ini_get", 4),
    ("include", 4),
    ("require", 4),
    ("include_once", 5),
    ("require_once", 5),
    ("array_map", 4),
    ("usort", 4),
    ("array_filter", 4),
    ("var_dump", 4),
    ("print_r", 4),
    ("printf", 3),
    ("echo", 2),
    ("print", 3),
    ("chr", 3),
    ("hex2bin", 5),
    ("convert_uudecode", 6),
    ("get_defined_vars", 6),
    ("getenv", 4),
    ("putenv", 5),
    ("posix_getpwuid", 6),
    ("mail", 3),
    ("escapeshellarg", 4),
    ("escapeshellcmd", 4),
    ("phpinfo", 6),
    ("scandir", 5),
    ("glob", 4),
    ("opendir", 5),
    ("readdir", 5),
    ("file", 3),
    ("curl_exec", 5),
    ("unserialize", 5),
    ("serialize", 3),
    ("extract", 4),
    ("parse_str", 4),
    ("proc_nice", 5),
    ("symlink", 5),
    ("chmod", 4),
    ("mkdir", 3),
    ("rmdir", 4),
    ("copy", 3),
    ("strrev", 4),
    ("pfsockopen", 6),
    ("zlib_decode", 5),
    ("gethostbyname", 4),
    ("substr", 3),
    ("unpack", 4),
    ("strip_tags", 3),
    ("intval", 3),
    ("assert_options", 5),
    ("filegroup", 4),
    ("fileowner", 4),
    ("dl", 4),
    ("mb_ereg_replace", 5),
    ("ob_start", 4),
    ("register_shutdown_function", 6),
    ("register_tick_function", 6),
    ("set_error_handler", 4),
    ("array_walk", 4),
    ("uasort", 4),
    ("uksort", 4),
    ("iterator_apply", 5),
    ("stream_get_contents", 5),
    ("ftp_connect", 5),
    ("mysqli_query", 4),
    ("mysql_query", 4),
    ("pg_query", 4),
];

/// Name families of PHP builtins (`is_array`, `pg_connect`, `file_exists`).
const PHP_PREFIXES: &[&str] = &[
    "is_", "file_", "date_", "pg_", "odbc_", "mysql_", "mysqli_", "curl_", "array_", "str_",
    "preg_", "posix_", "proc_", "pcntl_", "stream_", "ftp_", "openssl_", "mb_", "iconv_", "xml_",
    "session_", "ob_", "func_", "get_", "set_", "ini_", "fs", "gz", "bz", "zip_", "ldap_",
    "socket_", "sqlite_", "oci_", "imap_",
];

/// The compiled literal automaton. Immutable, shared by all requests.
pub(crate) struct Rules {
    ac: AhoCorasick,
}

#[derive(Debug, thiserror::Error)]
/// The literal automaton could not be built.
#[error("building the literal automaton: {0}")]
pub struct RulesError(#[from] aho_corasick::BuildError);

impl Rules {
    pub(crate) fn build() -> Result<Rules, RulesError> {
        let ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(LITERALS.iter().map(|l| l.0))?;
        Ok(Rules { ac })
    }

    /// Scores the canonical view `s`.
    pub(crate) fn scan(&self, s: &[u8], field: Field, hits: &mut Hits) {
        let mut seen: u128 = 0;
        let mut best = [0u32; crate::verdict::SCORED_CLASSES];
        let mut count = [0u32; crate::verdict::SCORED_CLASSES];
        let mut ids = [""; crate::verdict::SCORED_CLASSES];
        for m in self.ac.find_overlapping_iter(s) {
            let (_, class, id, w, boundary) = LITERALS[m.pattern().as_usize()];
            if boundary
                && m.start() > 0
                && (s[m.start() - 1].is_ascii_alphanumeric() || s[m.start() - 1] == b'_')
            {
                continue;
            }
            let bit = 1u128 << (m.pattern().as_usize() % 128);
            if seen & bit != 0 {
                continue;
            }
            seen |= bit;
            let Some(ci) = class.score_index() else {
                continue;
            };
            // several distinct literals of one class add up, capped at +2 beyond the best
            count[ci] += 1;
            if w > best[ci] {
                best[ci] = w;
                ids[ci] = id;
            }
        }
        for c in crate::verdict::Class::ALL {
            if let Some(ci) = c.score_index()
                && best[ci] > 0
            {
                hits.add(*c, ids[ci], best[ci] + (count[ci] - 1).min(2));
            }
        }
        // cheap byte gates: each structural check needs its trigger byte
        let paren = s.contains(&b'(');
        if paren {
            php_calls(s, hits);
            shellshock(s, hits);
        }
        if s.contains(&b':') {
            php_serialized(s, hits);
        }
        if s.contains(&b'$') {
            log4j(s, hits);
        }
        nosql_name(s, field, hits);
        if s.contains(&b'<') {
            xxe(s, hits);
        }
        if !matches!(field, Field::Body) {
            crlf(s, hits);
        }
        if s.contains(&b'{') || s.contains(&b'%') {
            template(s, hits);
        }
        crate::code::scan(s, field, hits);
    }
}

fn word_before(s: &[u8], end: usize) -> &[u8] {
    let mut st = end;
    while st > 0 && (s[st - 1].is_ascii_alphanumeric() || s[st - 1] == b'_') {
        st -= 1;
    }
    &s[st..end]
}

/// `name (` where name is a PHP function; also `$var(` variable functions.
fn php_calls(s: &[u8], hits: &mut Hits) {
    let mut best = 0;
    let mut count = 0;
    for (i, _) in s.iter().enumerate().filter(|(_, b)| **b == b'(') {
        let e = skip_gap_back(s, i);
        // `"system"(x)`: a quoted name is called like a variable function
        let quoted = e >= 2 && matches!(s[e - 1], b'"' | b'\'');
        let e = if quoted { e - 1 } else { e };
        let w = word_before(s, e);
        if w.is_empty() {
            continue;
        }
        let st = e - w.len();
        if quoted && (st == 0 || s[st - 1] != s[e]) {
            continue;
        }
        let st = if quoted { st - 1 } else { st };
        // method calls (`obj.exec(`, `$db->query(`) are not PHP builtins
        if st > 0 && (s[st - 1] == b'.' || s[st - 1] == b'>' || s[st - 1] == b':') {
            continue;
        }
        if st > 0 && s[st - 1] == b'$' {
            best = best.max(4);
            count += 1;
            continue;
        }
        // call evidence: `@name(` error suppression, a variable or string
        // argument, the call being the whole value
        let at_sign = st > 0 && s[st - 1] == b'@';
        let arg = s[i + 1..]
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|b| matches!(b, b'$' | b'"' | b'\''));
        // the call is the whole value, or the last segment of a path
        // (`/index.php/substr()`)
        let whole = s[..st]
            .iter()
            .all(|b| b.is_ascii_whitespace() || *b == b'@')
            || (st > 0 && s[st - 1] == b'/' && s[0] == b'/');
        let bonus = u32::from(at_sign || quoted) + u32::from(arg);
        if let Some((_, wt)) = PHP_FUNCS.iter().find(|(n, _)| n.as_bytes() == w) {
            let mut v = *wt + bonus;
            if whole {
                v = v.max(5);
            }
            best = best.max(v);
            count += 1;
        } else if PHP_PREFIXES
            .iter()
            .any(|p| w.starts_with(p.as_bytes()) && w.len() > p.len() + 1)
        {
            // builtin naming families; a bare call as the whole value is stronger
            best = best.max(if whole { 5 } else { 3 } + bonus);
            count += 1;
        }
    }
    if best > 0 {
        hits.add(
            Class::Php,
            "php-function",
            best + if count > 1 { 1 } else { 0 },
        );
    }
}

/// Start of the gap before `s[i]`: whitespace and `#…`/`//…` line comments
/// between a PHP function name and its `(` (`exec #c\n (x)`), bounded.
fn skip_gap_back(s: &[u8], i: usize) -> usize {
    let mut e = i;
    let floor = i.saturating_sub(64);
    loop {
        while e > floor && s[e - 1].is_ascii_whitespace() {
            e -= 1;
        }
        // a line comment ends at the newline we just skipped over
        if e < i && s[e..i].contains(&b'\n') {
            let line_start = s[floor..e]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(floor, |p| floor + p + 1);
            let line = &s[line_start..e];
            if let Some(c) = line
                .iter()
                .position(|&b| b == b'#')
                .or_else(|| memchr::memmem::find(line, b"//"))
            {
                let ne = line_start + c;
                if ne < e {
                    e = ne;
                    continue;
                }
            }
        }
        return e;
    }
}

/// PHP serialized object `o:<len>:"<class>":<n>:{`.
fn php_serialized(s: &[u8], hits: &mut Hits) {
    let mut i = 0;
    while let Some(p) = memchr::memchr(b':', &s[i..]) {
        let at = i + p;
        i = at + 1;
        if at == 0 || !matches!(s[at - 1], b'o' | b'c' | b'a') {
            continue;
        }
        if at >= 2 && s[at - 2].is_ascii_alphanumeric() {
            continue;
        }
        let rest = &s[at + 1..];
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 || rest.get(digits) != Some(&b':') {
            continue;
        }
        let r2 = &rest[digits + 1..];
        if s[at - 1] == b'a' {
            if r2.first() == Some(&b'{')
                && (memchr::memmem::find(r2, b"s:").is_some()
                    || memchr::memmem::find(r2, b"i:").is_some())
            {
                hits.add(Class::Php, "php-serialized", 5);
            }
        } else if r2.first() == Some(&b'"') {
            hits.add(Class::Php, "php-object-injection", 7);
            return;
        }
    }
}

/// Resolves log4j lookups (`${lower:j}`, `${::-n}`, `${env:X:-d}`) innermost first and
/// looks for a `jndi:` lookup in the result.
fn log4j(s: &[u8], hits: &mut Hits) {
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
        lookups += 1;
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

fn find_innermost(s: &[u8]) -> Option<(usize, usize)> {
    let close = memchr::memchr(b'}', s)?;
    let open = memchr::memmem::rfind(&s[..close], b"${")?;
    Some((open, close))
}

/// A JSON key or parameter name that is a MongoDB operator.
fn nosql_name(s: &[u8], field: Field, hits: &mut Hits) {
    if field != Field::Name || s.first() != Some(&b'$') {
        return;
    }
    const OPS: &[&str] = &[
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
    if OPS.iter().any(|o| o.as_bytes() == s) {
        hits.add(Class::Nosqli, "nosqli-operator", 7);
    }
}

fn xxe(s: &[u8], hits: &mut Hits) {
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

fn shellshock(s: &[u8], hits: &mut Hits) {
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

/// A newline followed by something shaped like a header or a request line.
fn crlf(s: &[u8], hits: &mut Hits) {
    let mut i = 0;
    while let Some(p) = memchr::memchr(b'\n', &s[i..]) {
        let at = i + p + 1;
        i = at;
        let rest = &s[at..];
        let name_len = rest
            .iter()
            .take(40)
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-')
            .count();
        if name_len >= 3 && rest.get(name_len) == Some(&b':') {
            let name = &rest[..name_len];
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
            ];
            let w = if HDRS.contains(&name) || name.starts_with(b"x-") {
                7
            } else {
                3
            };
            hits.add(Class::Protocol, "protocol-header-injection", w);
        }
        if rest.starts_with(b"http/1.") || rest.starts_with(b"get /") || rest.starts_with(b"post /")
        {
            hits.add(Class::Protocol, "protocol-smuggling", 7);
        }
        if mail_command(rest) {
            hits.add(Class::Cmdi, "cmdi-mail-injection", 6);
        }
    }
}

/// An SMTP / POP3 / IMAP command at the start of a line: injected into a mail
/// session through a parameter that ends up in the protocol stream.
fn mail_command(line: &[u8]) -> bool {
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
fn template(s: &[u8], hits: &mut Hits) {
    for (open, close, w) in [
        (b"{{".as_slice(), b"}}".as_slice(), 0u32),
        (b"<%", b"%>", 1),
        (b"${", b"}", 0),
        (b"#{", b"}", 0),
        (b"{%", b"%}", 1),
    ] {
        let Some(p) = memchr::memmem::find(s, open) else {
            continue;
        };
        let rest = &s[p + open.len()..];
        let Some(e) = memchr::memmem::find(&rest[..rest.len().min(512)], close) else {
            continue;
        };
        let body = &rest[..e];
        let arith = body.windows(3).any(|t| {
            t[0].is_ascii_digit()
                && matches!(t[1], b'*' | b'+' | b'-' | b'/')
                && t[2].is_ascii_digit()
        });
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
        if arith || (code && closed_block) || el_call {
            hits.add(Class::Generic, "generic-template", 5 + w);
        } else if code {
            hits.add(Class::Generic, "generic-template", 3 + w);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn scan(v: &str, f: Field) -> Hits {
        let r = Rules::build().unwrap();
        let mut h = Hits::default();
        r.scan(v.as_bytes(), f, &mut h);
        h
    }

    #[test]
    fn rules_log4j_nested_lookups_resolve() {
        let h = scan("${${lower:j}${::-n}di:ldap://x/a}", Field::Value);
        assert!(h.score(Class::Java) >= 9);
    }

    #[test]
    fn rules_php_object_injection_detected() {
        let h = scan("o:8:\"stdclass\":1:{s:1:\"a\";i:2;}", Field::Value);
        assert!(h.score(Class::Php) >= 5);
    }

    #[test]
    fn rules_shellshock_detected() {
        assert!(
            scan("() { :; }; /bin/cat /etc/passwd", Field::Header).score(Class::Shellshock) >= 9
        );
    }

    #[test]
    fn rules_mail_command_after_crlf_detected() {
        assert!(scan("x\r\nmail from:<a@b.c>", Field::Value).score(Class::Cmdi) >= 5);
        assert!(scan("x\r\na001 authenticate plain", Field::Value).score(Class::Cmdi) >= 5);
    }

    #[test]
    fn rules_mail_words_in_multiline_text_allowed() {
        let t = "dear team,\nlist of items below\nmail from the office is late";
        assert!(scan(t, Field::Value).score(Class::Cmdi) < 5);
    }

    #[test]
    fn rules_template_block_with_control_flow_detected() {
        assert!(scan("{% if true %}49{% endif %}", Field::Value).score(Class::Generic) >= 5);
        assert!(scan("50% off {% discount %}", Field::Value).score(Class::Generic) < 5);
    }

    #[test]
    fn rules_node_serialised_function_detected() {
        assert!(scan("_$$nd_func$$_function(){}", Field::Value).score(Class::Generic) >= 5);
        assert!(scan("the process is nd func", Field::Value).score(Class::Generic) < 5);
    }

    #[test]
    fn rules_gadget_class_names_detected() {
        assert!(scan("runtime.invokertransformer", Field::Value).score(Class::Java) >= 5);
        assert!(scan("the transformer invoker pattern", Field::Value).score(Class::Java) < 5);
    }

    #[test]
    fn rules_php_call_as_last_path_segment_detected() {
        assert!(scan("/get/substr()", Field::Path).score(Class::Php) >= 5);
    }

    #[test]
    fn rules_odata_style_path_keys_are_not_php_calls() {
        assert!(scan("/odata/products(1)/orders('x')", Field::Path).score(Class::Php) < 5);
    }

    #[test]
    fn rules_method_calls_are_not_php_builtins() {
        assert!(scan("cursor.execute(\"x\")", Field::Value).score(Class::Php) < 5);
    }
}
