//! The command line: `run` (default), `check`, `demo`, `keygen`, `config sign`,
//! `audit verify`. Exit codes: 0 ok, 1 invalid configuration or start-up failure,
//! 2 usage, 70 supervision escalation.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};

use crate::daemon::{Gateway, GatewayOptions};

#[derive(Debug, Parser)]
#[command(
    name = "rampart",
    version,
    about = "Edge gateway: TLS reverse proxy with WAF, hot reload and a tamper-evident audit log"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Configuration file for the default `run` command.
    #[arg(short = 'c', long = "config", global = false)]
    config: Option<PathBuf>,
    /// Ed25519 public key (hex or .pub file) for the default `run` command.
    #[arg(long = "config-pubkey")]
    config_pubkey: Option<String>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the gateway from a configuration file.
    Run(RunArgs),
    /// Validate a configuration file without starting anything.
    Check(CheckArgs),
    /// Start a built-in upstream and the gateway on loopback, with an embedded config.
    Demo(crate::demo::DemoArgs),
    /// Make an Ed25519 key pair (KEY, mode 0600, and KEY.pub).
    Keygen(KeygenArgs),
    /// Configuration signing.
    #[command(subcommand)]
    Config(ConfigCmd),
    /// Audit log tools.
    #[command(subcommand)]
    Audit(AuditCmd),
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[arg(short = 'c', long = "config")]
    pub config: PathBuf,
    /// Refuse to load or reload a file whose detached signature FILE.sig is missing or wrong.
    #[arg(long = "config-pubkey")]
    pub config_pubkey: Option<String>,
    /// Log format.
    #[arg(long, value_enum, default_value = "text")]
    pub log_format: LogFormat,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
struct CheckArgs {
    file: PathBuf,
    /// Also verify the detached signature FILE.sig with this Ed25519 public key (hex or .pub file).
    #[arg(long = "config-pubkey")]
    config_pubkey: Option<String>,
}

#[derive(Debug, Args)]
struct KeygenArgs {
    #[arg(long)]
    out: PathBuf,
}

#[derive(Debug, Subcommand)]
enum ConfigCmd {
    /// Write FILE.sig: an Ed25519 signature over the exact bytes of FILE.
    Sign {
        file: PathBuf,
        #[arg(long)]
        key: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCmd {
    /// Verify audit segments (MACs, chain, sequence, time order, checkpoints).
    Verify(rampart_audit::cli::VerifyArgs),
}

/// Entry point; returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    rampart_tls::install_default_provider();
    match cli.command {
        Some(Command::Run(a)) => run(a),
        None => match cli.config {
            Some(config) => run(RunArgs {
                config,
                config_pubkey: cli.config_pubkey,
                log_format: LogFormat::Text,
            }),
            None => {
                eprintln!(
                    "rampart: no command given; try `rampart run -c FILE`, `rampart demo` or `rampart --help`"
                );
                2
            }
        },
        Some(Command::Check(a)) => check(&a.file, a.config_pubkey.as_deref()),
        Some(Command::Demo(a)) => crate::demo::main(a),
        Some(Command::Keygen(a)) => keygen(&a.out),
        Some(Command::Config(ConfigCmd::Sign { file, key })) => sign(&file, &key),
        Some(Command::Audit(AuditCmd::Verify(a))) => {
            rampart_audit::cli::verify_main(&a, &mut std::io::stdout())
        }
    }
}

/// Sets up tracing once (RUST_LOG overrides the default `info`).
pub fn init_tracing(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

pub(crate) fn runtime() -> Option<tokio::runtime::Runtime> {
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => Some(rt),
        Err(e) => {
            eprintln!("rampart: cannot start the async runtime: {e}");
            None
        }
    }
}

fn run(a: RunArgs) -> i32 {
    init_tracing(a.log_format);
    crate::panic_hook::install();
    let pubkey = match a
        .config_pubkey
        .as_deref()
        .map(rampart_protocol::parse_public_key)
        .transpose()
    {
        Ok(k) => k,
        Err(e) => {
            eprintln!("rampart: --config-pubkey: {e}");
            return 2;
        }
    };
    let Some(rt) = runtime() else { return 1 };
    rt.block_on(async move {
        let mut opts = GatewayOptions::new(a.config);
        opts.config_pubkey = pubkey;
        match Gateway::start(opts).await {
            Ok(gw) => {
                for (name, addr) in gw.local_addrs() {
                    tracing::info!(listener = name, address = %addr, "listening");
                }
                gw.run_until_signal().await.code()
            }
            Err(e) => {
                eprintln!("rampart: cannot start:\n{e}");
                1
            }
        }
    })
}

fn check(file: &Path, pubkey: Option<&str>) -> i32 {
    let pubkey = match pubkey.map(rampart_protocol::parse_public_key).transpose() {
        Ok(k) => k,
        Err(e) => {
            eprintln!("rampart check: --config-pubkey: {e}");
            return 2;
        }
    };
    let (src, bytes) = match crate::reload::read_verified(file, pubkey.as_ref()) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
    let registry = prometheus::Registry::new();
    let Ok(metrics) = crate::metrics::DataMetrics::register(&registry) else {
        return 1;
    };
    match crate::reload::compile_source(&src, &bytes, None, &metrics) {
        Ok(snap) => {
            let mut out = std::io::stdout().lock();
            for r in snap.config.routes_without_waf() {
                let _ = writeln!(
                    out,
                    "{}: warning: route `{r}` has no WAF profile: its requests are not inspected",
                    file.display()
                );
            }
            let _ = writeln!(
                out,
                "{}: ok ({} listeners, {} routes, {} upstreams)",
                file.display(),
                snap.listeners.len(),
                snap.routes.len(),
                snap.upstreams.len()
            );
            0
        }
        Err(issues) => {
            eprintln!("{issues}");
            eprintln!("{}: {} error(s)", file.display(), issues.len());
            1
        }
    }
}

fn keygen(out: &Path) -> i32 {
    let key = rampart_protocol::NodeKey::generate();
    match key.write_new(out) {
        Ok(()) => {
            println!(
                "wrote {} (mode 0600) and {}.pub",
                out.display(),
                out.display()
            );
            println!("public key: {}", key.id());
            0
        }
        Err(e) => {
            eprintln!("rampart keygen: {e}");
            1
        }
    }
}

fn sign(file: &Path, key: &Path) -> i32 {
    let key = match rampart_protocol::NodeKey::load(key) {
        Ok(k) => k,
        Err(e) => {
            eprintln!("rampart config sign: {e}");
            return 2;
        }
    };
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("rampart config sign: cannot read {}: {e}", file.display());
            return 1;
        }
    };
    let sig_path = crate::reload::sig_path(file);
    match std::fs::write(&sig_path, rampart_protocol::sign_config(&key, &bytes)) {
        Ok(()) => {
            println!("wrote {}", sig_path.display());
            0
        }
        Err(e) => {
            eprintln!(
                "rampart config sign: cannot write {}: {e}",
                sig_path.display()
            );
            1
        }
    }
}
