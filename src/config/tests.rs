use super::*;

fn parse(text: &str) -> Result<Config, IssueList> {
    Config::parse(&Source::new("test.toml", text))
}

const MINIMAL: &str = r#"
[[listener]]
name = "main"
address = "127.0.0.1:8080"

[upstream.app]
targets = ["127.0.0.1:9000"]

[[route]]
name = "app"
path = "/{*rest}"
upstream = "app"
"#;

#[test]
fn minimal_config_parses_with_defaults() {
    let cfg = parse(MINIMAL).expect("valid");
    assert_eq!(cfg.server.handshake_timeout, Duration::from_secs(10));
    assert_eq!(cfg.server.max_body_bytes, ByteSize::mib(10));
    assert_eq!(cfg.network.xff_mode, XffMode::Append);
    assert!(cfg.rate_limit.is_none());
    assert_eq!(cfg.routes_without_waf().collect::<Vec<_>>(), vec!["app"]);
}

#[test]
fn unknown_key_is_refused_with_position() {
    let text = format!("{MINIMAL}\n[server]\nmax_conections = 5\n");
    let err = parse(&text).expect_err("typo must be refused");
    let issue = &err.0[0];
    assert_eq!(issue.line, 15, "{err}");
    assert!(issue.message.contains("unknown field"), "{err}");
    assert!(err.to_string().contains("test.toml:15:"), "{err}");
}

#[test]
fn human_units_are_parsed_and_bad_units_refused() {
    let text = format!(
        "{MINIMAL}\n[server]\nhandshake_timeout = \"1m 30s\"\nmax_body_bytes = \"2 MiB\"\n"
    );
    let cfg = parse(&text).expect("valid");
    assert_eq!(cfg.server.handshake_timeout, Duration::from_secs(90));
    assert_eq!(cfg.server.max_body_bytes.as_u64(), 2 * 1024 * 1024);
    let bad = format!("{MINIMAL}\n[server]\nhandshake_timeout = \"soon\"\n");
    assert!(parse(&bad).is_err());
}

#[test]
fn semantic_errors_are_all_reported_with_keys_and_lines() {
    let text = r#"
[[listener]]
name = "a"
address = "127.0.0.1:8080"

[[listener]]
name = "b"
address = "127.0.0.1:8080"

[upstream.app]
targets = ["no-port"]

[[route]]
name = "r"
path = "/x"
upstream = "missing"
waf = "nope"
methods = ["GET", "TRACE"]

[[route]]
name = "internal"
path = "/healthz"
upstream = "app"

[network]
trusted_proxies = ["10.0.0.0/8"]
"#;
    let err = parse(text).expect_err("invalid");
    let keys: Vec<&str> = err.0.iter().map(|i| i.key.as_str()).collect();
    for k in [
        "listener[1].address",
        "upstream.app.targets[0]",
        "route[0].upstream",
        "route[0].waf",
        "route[0].methods[1]",
        "route[1].path",
    ] {
        assert!(keys.contains(&k), "missing {k} in {keys:?}");
    }
    let dup = err
        .0
        .iter()
        .find(|i| i.key == "listener[1].address")
        .expect("dup listener");
    assert_eq!(dup.line, 8);
    assert!(err.0.iter().all(|i| !i.hint.is_empty()));
}

#[test]
fn invalid_cidr_is_refused() {
    let text = format!("{MINIMAL}\n[network]\ntrusted_proxies = [\"10.0.0.0/33\"]\n");
    let err = parse(&text).expect_err("invalid cidr");
    assert!(err.0[0].line > 0, "{err}");
    assert!(
        err.0[0].hint.contains("CIDR"),
        "the hint names the expected form: {err}"
    );
}

#[test]
fn contradictory_caps_refused() {
    let text = format!("{MINIMAL}\n[server]\nmax_connections = 10\nmax_connections_per_ip = 20\n");
    let err = parse(&text).expect_err("per-ip above global");
    assert_eq!(err.0[0].key, "server.max_connections_per_ip");
}

#[test]
fn no_listener_is_refused() {
    let err = parse("[upstream.app]\ntargets = [\"127.0.0.1:1\"]\n").expect_err("no listener");
    assert!(err.0.iter().any(|i| i.key == "listener"));
}
