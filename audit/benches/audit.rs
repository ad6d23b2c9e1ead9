//! Audit throughput: append events/s with `fsync = batch` and `always`, and verify
//! records/s. Run: `cargo bench -p rampart-audit --bench audit`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rampart_audit::verify::verify_segments;
use rampart_audit::{
    AuditEvent, AuditKey, Fsync, RedactConfig, Redactor, SegmentWriter, WriterOptions,
};
use rampart_protocol::NodeKey;

fn event(i: u64) -> AuditEvent {
    AuditEvent::RequestBlocked {
        client_ip: IpAddr::V4(Ipv4Addr::new(198, 51, 100, (i % 250) as u8)),
        method: "POST".into(),
        path: "/api/v1/orders?id=42&token=abcdef0123456789".into(),
        request_id: format!("01J9ZK3W{i:012}"),
        trace_id: Some("4bf92f3577b34da6a3ce929d0e0e4736".into()),
        reason: "waf:sqli".into(),
        detail: Some("score 9 >= 5: tokens sqli_union".into()),
        route: Some("orders".into()),
        status: 400,
    }
}

fn writer(dir: &std::path::Path, fsync: Fsync) -> SegmentWriter {
    let opts = WriterOptions {
        dir: dir.to_path_buf(),
        node: "bench-node".into(),
        fsync,
        batch_max: 256,
        rotate_bytes: 64 << 20,
        retain: 4,
        checkpoint_every: 1000,
        checkpoint_interval: Duration::from_secs(60),
        redactor: Redactor::new(&RedactConfig::default()),
    };
    let key = AuditKey::from_bytes(vec![7; 32], "bench").unwrap();
    SegmentWriter::open(opts, key, Some(NodeKey::from_seed(&[1; 32]))).unwrap()
}

fn append(c: &mut Criterion) {
    let mut g = c.benchmark_group("append");
    g.throughput(Throughput::Elements(1));
    let modes = [
        ("batch", Fsync::Batch, 5),
        ("always", Fsync::Always, 5),
        ("never", Fsync::Never, 3),
    ];
    for (name, fsync, secs) in modes {
        let dir = tempfile::tempdir().unwrap();
        let mut w = writer(dir.path(), fsync);
        let mut i = 0u64;
        g.measurement_time(Duration::from_secs(secs));
        g.bench_function(name, |b| {
            b.iter(|| {
                i += 1;
                w.append(&event(i), SystemTime::now()).unwrap()
            })
        });
    }
    g.finish();
}

fn verify(c: &mut Criterion) {
    const N: u64 = 150_000;
    let dir = tempfile::tempdir().unwrap();
    let mut w = writer(dir.path(), Fsync::Never);
    for i in 0..N {
        w.append(&event(i), SystemTime::now()).unwrap();
    }
    w.close(SystemTime::now()).unwrap();
    drop(w);
    let files: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let key = AuditKey::from_bytes(vec![7; 32], "bench").unwrap();
    let pubkey = NodeKey::from_seed(&[1; 32]).verifying_key();
    let records = verify_segments(&files, Some(&key), Some(&pubkey)).records;
    assert!(records > N);
    let mut g = c.benchmark_group("verify");
    g.throughput(Throughput::Elements(records));
    g.sample_size(10);
    g.bench_function("hmac_and_checkpoints", |b| {
        b.iter(|| assert!(verify_segments(&files, Some(&key), Some(&pubkey)).is_ok()))
    });
    g.bench_function("pubkey_only", |b| {
        b.iter(|| assert!(verify_segments(&files, None, Some(&pubkey)).is_ok()))
    });
    g.finish();
}

criterion_group!(benches, append, verify);
criterion_main!(benches);
