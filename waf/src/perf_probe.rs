#![allow(clippy::unwrap_used)]
use crate::json::{JsonLimits, prescan_json, walk_json};
fn body() -> String {
    let lua = include_str!("../../bench/wrk/post-json.lua");
    let start = lua.find("[[\n").unwrap() + 3;
    let end = lua.find("]]").unwrap();
    lua[start..end].replace('\n', "")
}
#[test]
#[ignore]
fn probe_walk() {
    let body = body();
    let l = JsonLimits {
        max_depth: 32,
        max_string_bytes: 1 << 20,
        max_elements: 10000,
    };
    let n = 20000;
    macro_rules! t {
        ($e:expr) => {{
            let mut best = f64::MAX;
            for _ in 0..20 {
                let t = std::time::Instant::now();
                for _ in 0..n / 20 {
                    std::hint::black_box($e);
                }
                best = best.min(t.elapsed().as_secs_f64() * 1e9 / (n / 20) as f64);
            }
            best
        }};
    }
    let copy = t!(body.as_bytes().to_vec());
    let pre = t!(prescan_json(std::hint::black_box(body.as_bytes()), &l).is_ok());
    let tape = t!({
        let mut b = body.as_bytes().to_vec();
        simd_json::to_tape(&mut b).map(|t| t.0.len()).unwrap()
    });
    let walk = t!({
        let b = body.as_bytes().to_vec();
        walk_json(&b, &l, &mut |_, _| true).unwrap()
    });
    let ent = t!({
        let b = body.as_bytes().to_vec();
        let mut s = 0.0;
        walk_json(&b, &l, &mut |i, _| {
            if let crate::json::JsonItem::Str(v) = i {
                if v.len() >= crate::entropy::MIN_LEN {
                    s += crate::entropy::shannon(v.as_bytes());
                }
            }
            true
        })
        .unwrap();
        s
    });
    println!(
        "copy {copy:.0} prescan {pre:.0} copy+tape {tape:.0} walk {walk:.0} walk+entropy {ent:.0} ns"
    );
}
#[test]
#[ignore]
fn probe_head() {
    let p = crate::Profile::compile("b", &crate::ProfileConfig::default()).unwrap();
    let mut h = http::HeaderMap::new();
    h.insert("host", http::HeaderValue::from_static("127.0.0.1:8080"));
    let n = 200000;
    macro_rules! t {
        ($e:expr) => {{
            let mut best = f64::MAX;
            for _ in 0..20 {
                let t = std::time::Instant::now();
                for _ in 0..n / 20 {
                    std::hint::black_box($e);
                }
                best = best.min(t.elapsed().as_secs_f64() * 1e9 / (n / 20) as f64);
            }
            best
        }};
    }
    let get = t!({
        let head = crate::RequestHead {
            method: &http::Method::GET,
            path: "/",
            query: None,
            headers: &h,
            route: "r",
        };
        crate::inspect_head(&p, &head)
    });
    h.insert(
        "content-type",
        http::HeaderValue::from_static("application/json"),
    );
    h.insert("content-length", http::HeaderValue::from_static("1061"));
    let post = t!({
        let head = crate::RequestHead {
            method: &http::Method::POST,
            path: "/api/orders",
            query: None,
            headers: &h,
            route: "r",
        };
        crate::inspect_head(&p, &head)
    });
    let body = body();
    let full = t!({
        let head = crate::RequestHead {
            method: &http::Method::POST,
            path: "/api/orders",
            query: None,
            headers: &h,
            route: "r",
        };
        let v = crate::inspect_head(&p, &head);
        let mut s = crate::BodyScanner::new(&p, &head).unwrap();
        let _ = s.feed(body.as_bytes());
        (v, s.finish(body.as_bytes()))
    });
    println!("head GET {get:.0} ns, head POST {post:.0} ns, full POST {full:.0} ns");
}
use crate::detect::{Field, scan_value};
use crate::json::JsonItem;
#[test]
#[ignore]
fn probe() {
    let lua = include_str!("../../bench/wrk/post-json.lua");
    let start = lua.find("[[\n").unwrap() + 3;
    let end = lua.find("]]").unwrap();
    let body = lua[start..end].replace('\n', "");
    let rules = crate::rules::Rules::build().unwrap();
    let l = JsonLimits {
        max_depth: 32,
        max_string_bytes: 1 << 20,
        max_elements: 10000,
    };
    let mut items: Vec<(bool, String)> = Vec::new();
    let mut buf = body.as_bytes().to_vec();
    walk_json(&mut buf, &l, &mut |it, _| {
        match it {
            JsonItem::Key(k) => items.push((true, k.to_owned())),
            JsonItem::Str(v) => items.push((false, v.to_owned())),
        };
        true
    })
    .unwrap();
    let mut total = 0.0;
    for (k, v) in &items {
        let f = if *k { Field::Name } else { Field::Value };
        let n = 2000;
        let t = std::time::Instant::now();
        for _ in 0..n {
            std::hint::black_box(scan_value(&rules, f, std::hint::black_box(v.as_bytes())));
        }
        let us = t.elapsed().as_secs_f64() * 1e6 / n as f64;
        total += us;
        println!("{us:8.3} us  {} {:?}", if *k { "K" } else { "V" }, v);
    }
    let t = std::time::Instant::now();
    for _ in 0..2000 {
        let b = body.as_bytes().to_vec();
        walk_json(&b, &l, &mut |_, _| true).unwrap();
    }
    println!(
        "walk only {:.3} us",
        t.elapsed().as_secs_f64() * 1e6 / 2000.0
    );
    println!("total {total:.3} us over {} items", items.len());
}
#[test]
#[ignore]
fn probe_loop() {
    let lua = include_str!("../../bench/wrk/post-json.lua");
    let start = lua.find("[[\n").unwrap() + 3;
    let end = lua.find("]]").unwrap();
    let body = lua[start..end].replace('\n', "");
    let p = crate::Profile::compile("b", &crate::ProfileConfig::default()).unwrap();
    let mut h = http::HeaderMap::new();
    h.insert(
        "content-type",
        http::HeaderValue::from_static("application/json"),
    );
    let head = crate::RequestHead {
        method: &http::Method::POST,
        path: "/api/orders",
        query: None,
        headers: &h,
        route: "r",
    };
    let t = std::time::Instant::now();
    let n = 200_000;
    for _ in 0..n {
        let _ = crate::inspect_head(&p, &head);
        let s = crate::BodyScanner::new(&p, &head).unwrap();
        std::hint::black_box(s.finish(body.as_bytes()));
    }
    println!(
        "per request {:.3} us",
        t.elapsed().as_secs_f64() * 1e6 / n as f64
    );
}
#[test]
#[ignore]
fn probe_detectors() {
    let rules = crate::rules::Rules::build().unwrap();
    let vals: &[&str] = &[
        "Gift wrap please, and include a note saying: Happy birthday, love from all of us!",
        "Oat and honey biscuits (pack of 12)",
        "Margaret O'Connell",
        "Leave with the neighbour at number 16 if nobody is home.",
        "+353 1 555 0142",
        "m.oconnell@example.org",
        "2026-11-22T10:41:07Z",
        "Earl Grey loose leaf tea, 250 g",
        "qty",
        "loyalty_tier",
        "TEA-EARL-250",
    ];
    let n = 5000;
    macro_rules! t {
        ($e:expr) => {{
            let t = std::time::Instant::now();
            for _ in 0..n {
                std::hint::black_box($e);
            }
            t.elapsed().as_secs_f64() * 1e9 / n as f64
        }};
    }
    for v in vals {
        let b = v.as_bytes();
        let nz = crate::normalise::normalise(b);
        let c = &nz.canon;
        let f = crate::detect::Field::Value;
        let norm = t!(crate::normalise::normalise(std::hint::black_box(b)));
        let rl = t!({
            let mut h = crate::detect::Hits::default();
            rules.scan(c, f, &mut h);
            h
        });
        let code = t!({
            let mut h = crate::detect::Hits::default();
            crate::code::scan(c, f, &mut h);
            h
        });
        let sq = t!({
            let mut h = crate::detect::Hits::default();
            crate::sqli::scan(c, &mut h);
            h
        });
        let xs = t!({
            let mut h = crate::detect::Hits::default();
            crate::xss::scan(c, f, &mut h);
            h
        });
        let cm = t!({
            let mut h = crate::detect::Hits::default();
            crate::cmdi::scan(c, f, &mut h);
            h
        });
        let pa = t!({
            let mut h = crate::detect::Hits::default();
            crate::paths::scan(c, f, &mut h);
            h
        });
        let all = t!(crate::detect::scan_value(&rules, f, b));
        println!(
            "norm {norm:5.0} rules {rl:5.0} (code {code:4.0}) sqli {sq:5.0} xss {xs:5.0} cmdi {cm:5.0} paths {pa:5.0} | all {all:5.0} ns  {v:?}"
        );
    }
}
fn varied_bodies() -> Vec<String> {
    if let Ok(f) = std::env::var("VARIED_FILE") {
        return std::fs::read_to_string(f)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect();
    }
    let base = body();
    let first = [
        "Aoife", "Jean-Luc", "Zoë", "Rahul", "Ngozi", "Tomasz", "Yuki", "Chloé",
    ];
    let last = [
        "Nic Giolla Phádraig",
        "D'Arcy",
        "van der Berg",
        "Al-Sayed",
        "Müller",
        "Ó Briain",
        "Smith-Jones",
        "O'Neill",
    ];
    (0..4096u32)
        .map(|i| {
            let (f, l) = (first[(i as usize * 7) % 8], last[(i as usize * 13 / 8) % 8]);
            base.replace(
                "ord_7f3a9c21",
                &format!("ord_{:08x}", i.wrapping_mul(2_654_435_761)),
            )
            .replace(
                "2026-11-22T10:41:07Z",
                &format!(
                    "2026-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                    i % 12 + 1,
                    i % 28 + 1,
                    i % 24,
                    i * 7 % 60,
                    i * 13 % 60
                ),
            )
            .replace("Margaret O'Connell", &format!("{f} {l}"))
            .replace(
                "m.oconnell@example.org",
                &format!("{}.{}{}@example.org", &f[..1], l.len(), i % 99),
            )
            .replace(
                "+353 1 555 0142",
                &format!("+353 {} {:03} {:04}", i % 97, i % 999, i * 31 % 9999),
            )
            .replace(
                "14 Harbour View Road",
                &format!("{} Harbour View Road", i % 211),
            )
            .replace("T12 X8YR", &format!("T{:02} X{}YR", i % 99, i % 9))
            .replace("number 16 if", &format!("number {} if", i % 97 + 2))
            .replace(
                "love from all of us!",
                &format!("love from all {} of us!", i % 13 + 2),
            )
            .replace(
                "\"last4\":\"4242\"",
                &format!("\"last4\":\"{:04}\"", i * 37 % 10000),
            )
        })
        .collect()
}
#[test]
#[ignore]
fn probe_cold() {
    let p = crate::Profile::compile("b", &crate::ProfileConfig::default()).unwrap();
    let mut h = http::HeaderMap::new();
    h.insert(
        "content-type",
        http::HeaderValue::from_static("application/json"),
    );
    h.insert("content-length", http::HeaderValue::from_static("1061"));
    let head = crate::RequestHead {
        method: &http::Method::POST,
        path: "/api/orders",
        query: None,
        headers: &h,
        route: "r",
    };
    let bodies = varied_bodies();
    let fixed = body();
    let mut junk = vec![0u64; (8 << 20) / 8];
    let thrash_kib: usize = std::env::var("THRASH_KIB")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1024);
    let words = thrash_kib * 1024 / 8;
    let mut thrash = |k: u64| {
        let mut s = 0u64;
        for j in (0..words).step_by(8) {
            junk[j] = junk[j].wrapping_add(k);
            s = s.wrapping_add(junk[j]);
        }
        s
    };
    for (name, varied) in [("fixed", false), ("varied", true)] {
        let n = 20000usize;
        let mut run = |with_engine: bool, with_thrash: bool| {
            let t = std::time::Instant::now();
            for i in 0..n {
                let b = if varied {
                    bodies[i % bodies.len()].as_bytes()
                } else {
                    fixed.as_bytes()
                };
                if with_engine {
                    let v = crate::inspect_head(&p, &head);
                    let mut s = crate::BodyScanner::new(&p, &head).unwrap();
                    let _ = s.feed(b);
                    std::hint::black_box((v, s.finish(b)));
                }
                if with_thrash {
                    std::hint::black_box(thrash(i as u64));
                }
            }
            t.elapsed().as_secs_f64() * 1e6 / n as f64
        };
        run(true, false);
        let warm = run(true, false);
        let th = run(false, true);
        let both = run(true, true);
        println!(
            "{name}: warm {warm:.2} us, thrash {th:.2} us, engine under thrash {:.2} us",
            both - th
        );
    }
}

mod det {
    #![allow(clippy::unwrap_used)]
    #[test]
    #[ignore]
    fn probe_detectors() {
        let rules = crate::rules::Rules::build().unwrap();
        let vals: &[&str] = &[
            "Gift wrap please, and include a note saying: Happy birthday, love from all of us!",
            "Oat and honey biscuits (pack of 12)",
            "Margaret O'Connell",
            "Leave with the neighbour at number 16 if nobody is home.",
            "+353 1 555 0142",
            "m.oconnell@example.org",
            "2026-11-22T10:41:07Z",
            "Earl Grey loose leaf tea, 250 g",
            "qty",
            "Stoneware mug, blue glaze",
            "T12 X8YR",
            "Apartment 3B",
            "14 Harbour View Road",
            "ord_7f3a9c21",
            "Ring the bell twice; flat 12 is at the back of the building.",
            "It's a present for my mum's 50th birthday - no receipt in the box, please.",
            "Don't leave it outside: it rained all week. Try unit 7 instead!",
            "loyalty_tier",
            "TEA-EARL-250",
            "Please use the side gate (code 41) and leave it in the porch.",
            "Deliver after 6pm if possible, or to the shop on the corner (no. 17).",
            "Could you send the biscuits separately? Last time 2 of 7 packs were crushed.",
            "Order #88 was missing the mug; please check this one before it ships :)",
            "No plastic packaging if you can avoid it. Thanks a million & have a good weekend.",
            "Seán Nic Giolla Phádraig",
            "a.darcy12@example.org",
            "+353 52 800 9374",
            "51 Castle Hill",
            "T92 W4QX",
            "ord_60973af4",
        ];
        let n = 5000;
        macro_rules! t {
            ($e:expr) => {{
                let t = std::time::Instant::now();
                for _ in 0..n {
                    std::hint::black_box($e);
                }
                t.elapsed().as_secs_f64() * 1e9 / n as f64
            }};
        }
        for v in vals {
            let b = v.as_bytes();
            let nz = crate::normalise::normalise(b);
            let c = &nz.canon;
            let f = crate::detect::Field::Value;
            let norm = t!(crate::normalise::normalise(std::hint::black_box(b)));
            let rl = t!({
                let mut h = crate::detect::Hits::default();
                rules.scan(c, f, &mut h);
                h
            });
            let code = t!({
                let mut h = crate::detect::Hits::default();
                crate::code::scan(c, f, &mut h);
                h
            });
            let sq = t!({
                let mut h = crate::detect::Hits::default();
                crate::sqli::scan(c, &mut h);
                h
            });
            let xs = t!({
                let mut h = crate::detect::Hits::default();
                crate::xss::scan(c, f, &mut h);
                h
            });
            let cm = t!({
                let mut h = crate::detect::Hits::default();
                crate::cmdi::scan(c, f, &mut h);
                h
            });
            let pa = t!({
                let mut h = crate::detect::Hits::default();
                crate::paths::scan(c, f, &mut h);
                h
            });
            let all = t!(crate::detect::scan_value(&rules, f, b));
            println!(
                "norm {norm:5.0} rules {rl:5.0} (code {code:4.0}) sqli {sq:5.0} xss {xs:5.0} cmdi {cm:5.0} paths {pa:5.0} | all {all:5.0} ns  {v:?}"
            );
        }
    }
}
#[test]
#[ignore]
fn probe_count() {
    let p = crate::Profile::compile("b", &crate::ProfileConfig::default()).unwrap();
    let mut h = http::HeaderMap::new();
    h.insert(
        "content-type",
        http::HeaderValue::from_static("application/json"),
    );
    h.insert("content-length", http::HeaderValue::from_static("1061"));
    let head = crate::RequestHead {
        method: &http::Method::POST,
        path: "/api/orders",
        query: None,
        headers: &h,
        route: "r",
    };
    let bodies = varied_bodies();
    let fixed = body();
    let varied = std::env::var("MODE")
        .map(|m| m == "varied")
        .unwrap_or(false);
    let n: usize = std::env::var("N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    let none = std::env::var("MODE").map(|m| m == "none").unwrap_or(false);
    let thrash_kib: usize = std::env::var("THRASH_KIB")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let mut junk = vec![0u8; thrash_kib * 1024];
    for i in 0..n {
        for j in (0..junk.len()).step_by(64) {
            junk[j] = junk[j].wrapping_add(1);
        }
        std::hint::black_box(&junk);
        if none {
            continue;
        }
        let b = if varied {
            bodies[i % bodies.len()].as_bytes()
        } else {
            fixed.as_bytes()
        };
        let v = crate::inspect_head(&p, &head);
        let mut s = crate::BodyScanner::new(&p, &head).unwrap();
        let _ = s.feed(b);
        std::hint::black_box((v, s.finish(b)));
    }
}
#[test]
#[ignore]
fn probe_sv() {
    let rules = crate::rules::Rules::build().unwrap();
    let v = std::env::var("VAL").unwrap_or_else(|_| {
        "Gift wrap please, and include a note saying: Happy birthday, love from all of us!".into()
    });
    let n: usize = std::env::var("N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    for _ in 0..n {
        std::hint::black_box(crate::detect::scan_value(
            &rules,
            crate::detect::Field::Value,
            std::hint::black_box(v.as_bytes()),
        ));
    }
}
#[test]
#[ignore]
fn probe_parts() {
    let body = body();
    let l = JsonLimits {
        max_depth: 32,
        max_string_bytes: 1 << 20,
        max_elements: 10000,
    };
    let part = std::env::var("PART").unwrap_or_default();
    let n: usize = std::env::var("N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    let tag = crate::memo::new_tag();
    for _ in 0..n {
        let mut b = body.as_bytes().to_vec();
        match part.as_str() {
            "tape" => {
                std::hint::black_box(simd_json::to_tape(&mut b).map(|t| t.0.len()).unwrap());
            }
            "walk" => {
                let mut c = 0usize;
                walk_json(&b, &l, &mut |_, _| {
                    c += 1;
                    true
                })
                .unwrap();
                std::hint::black_box(c);
            }
            "memo" => {
                let mut doc = crate::memo::DocMemo::begin(tag, "r");
                walk_json(&b, &l, &mut |i, _| {
                    let (f, v) = match i {
                        crate::json::JsonItem::Key(k) => (crate::detect::Field::Name, k),
                        crate::json::JsonItem::Str(v) => (crate::detect::Field::Value, v),
                    };
                    if !doc.seen_clean(f, v.as_bytes()) {
                        doc.keep(f, v.as_bytes());
                    }
                    true
                })
                .unwrap();
                doc.finish();
            }
            _ => {
                std::hint::black_box(&b);
            }
        }
    }
}
#[test]
#[ignore]
fn probe_values() {
    use crate::detect::{Field, Hits};
    let rules = crate::rules::Rules::build().unwrap();
    let vals: Vec<&str> = vec![
        "ord_5e1d9a03",
        "2026-07-14T19:05:33Z",
        "Ana Luísa Nic Giolla Phádraig",
        "Seán O'Connell",
        "a.dubois-martin42@example.org",
        "+353 61 555 0142",
        "117 Harbour View Road",
        "Apartment 27C",
        "Galway",
        "T47 K3PQ",
        "Ring the bell twice; flat 12 is at the back of the building.",
        "Please use the side gate (code 37) and leave it in the porch.",
        "Don't leave it outside: it rained all week. Try unit 5 instead!",
        "It's a present for my mum's 70th birthday - no receipt in the box, please.",
        "Order #48 was missing the mug; please check this one before it ships :)",
        "No plastic packaging if you can avoid it. Thanks a million & have a good weekend.",
        "Gift wrap please, and include a note saying: Happy birthday, love from all of us!",
    ];
    let n = 20000;
    macro_rules! t {
        ($e:expr) => {{
            let mut best = f64::MAX;
            for _ in 0..10 {
                let t = std::time::Instant::now();
                for _ in 0..n / 10 {
                    std::hint::black_box($e);
                }
                best = best.min(t.elapsed().as_secs_f64() * 1e9 / (n / 10) as f64);
            }
            best
        }};
    }
    let mut tot = 0.0;
    for v in &vals {
        let b = std::hint::black_box(v.as_bytes());
        let all = t!(crate::detect::scan_value(&rules, Field::Value, b));
        let low = b.to_ascii_lowercase();
        let l = &low[..];
        let sq = t!({
            let mut h = Hits::default();
            crate::sqli::scan(l, &mut h);
            h
        });
        let xs = t!({
            let mut h = Hits::default();
            crate::xss::scan(l, Field::Value, &mut h);
            h
        });
        let cm = t!({
            let mut h = Hits::default();
            crate::cmdi::scan(l, Field::Value, &mut h);
            h
        });
        let pa = t!({
            let mut h = Hits::default();
            crate::paths::scan(l, Field::Value, &mut h);
            h
        });
        let ru = t!({
            let mut h = Hits::default();
            rules.scan(l, Field::Value, &mut h);
            h
        });
        let no = t!(crate::normalise::normalise(b));
        let cmr = t!({
            let mut h = Hits::default();
            crate::cmdi::scan(b, Field::Value, &mut h);
            h
        });
        tot += all;
        println!(
            "{all:6.0} | norm {no:5.0} cmdi-raw {cmr:5.0} sqli {sq:5.0} xss {xs:5.0} cmdi {cm:5.0} paths {pa:5.0} rules {ru:5.0} | {v}"
        );
    }
    println!("total {tot:.0} ns");
}

#[test]
#[ignore]
fn probe_fuzz_parts() {
    use crate::{BodyScanner, Profile, ProfileConfig, RequestHead, inspect_head};
    use http::{HeaderMap, HeaderValue, Method};
    let profile = Profile::compile("fuzz", &ProfileConfig::default()).unwrap();
    let mut files: Vec<Vec<u8>> = std::fs::read_dir("/tmp/fz")
        .unwrap()
        .filter_map(|e| std::fs::read(e.ok()?.path()).ok())
        .collect();
    files.truncate(3000);
    let mut tot = [0f64; 6];
    let mut worst: Vec<(f64, usize, usize)> = Vec::new();
    for (fi, data) in files.iter().enumerate() {
        let text = String::from_utf8_lossy(data);
        let path = format!("/{}", text.replace(['?', '#'], ""));
        for mode in 0..6 {
            let mut h = HeaderMap::new();
            let ct = [
                "text/plain",
                "application/json",
                "application/xml",
                "application/x-www-form-urlencoded",
                "text/plain",
                "text/plain",
            ][mode];
            h.insert("content-type", HeaderValue::from_static(ct));
            if let Ok(v) = HeaderValue::from_bytes(data) {
                if mode == 4 {
                    h.insert("referer", v.clone());
                }
                if mode == 5 {
                    h.insert("user-agent", v.clone());
                }
            }
            let head = RequestHead {
                method: &Method::POST,
                path: if mode == 0 { &path } else { "/" },
                query: None,
                headers: &h,
                route: "r",
            };
            let t = std::time::Instant::now();
            let _ = inspect_head(&profile, &head);
            if mode >= 1 && mode <= 3 {
                if let Ok(mut s) = BodyScanner::new(&profile, &head) {
                    let _ = s.feed(data);
                    let _ = s.finish(data);
                }
            }
            let e = t.elapsed().as_secs_f64() * 1e6;
            tot[mode] += e;
            worst.push((e, fi, mode));
        }
    }
    worst.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap());
    println!(
        "total µs: path {:.0} json {:.0} xml {:.0} form {:.0} referer {:.0} ua {:.0}",
        tot[0], tot[1], tot[2], tot[3], tot[4], tot[5]
    );
    for (e, fi, m) in worst.iter().take(8) {
        println!(
            "{e:.0} µs mode {m} len {} {:?}",
            files[*fi].len(),
            String::from_utf8_lossy(&files[*fi][..files[*fi].len().min(120)])
        );
    }
}
#[test]
#[ignore]
fn show_canon() {
    let v = std::env::var("V").unwrap();
    let n = crate::normalise::normalise(v.as_bytes());
    println!(
        "decoded={:?}\ncanon={:?}",
        String::from_utf8_lossy(&n.decoded),
        String::from_utf8_lossy(&n.canon)
    );
}
