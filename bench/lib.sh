# shellcheck shell=bash
# bench/lib.sh: helpers shared by the macro benchmark scripts (sourced, never run).
#
# Owns: installing the benchmark tools, free ports, starting processes that are ALWAYS
# killed on exit (trap), bounded health waits, the shared nginx backend, peak RSS.
# Must not: send traffic anywhere but 127.0.0.1, loop without a bound, or leave a
# process behind.

set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$BENCH_DIR/.." && pwd)"
RAMPART_BIN="${RAMPART_BIN:-$REPO_ROOT/target/release/rampart}"

# Every process started through bench_spawn, and the scratch directory.
BENCH_PIDS=()
BENCH_NAMES=()
BENCH_WORK=""
LAST_PID=""

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
    log "error: $*"
    exit 1
}

# --- dependencies -------------------------------------------------------------------

_APT_UPDATED=0
_apt_install() {
    command -v apt-get >/dev/null || die "apt-get not found; install $* by hand"
    if [ "$_APT_UPDATED" = 0 ]; then
        log "apt-get update"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
        _APT_UPDATED=1
    fi
    log "apt-get install $*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# ensure_deps: nginx, haproxy, wrk, curl, python3 (installs the missing ones; assumes root,
# as on the project's machines). The Debian packages' services are never used: every
# instance here runs in the foreground from its own config.
ensure_deps() {
    local missing=()
    command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
    command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)
    command -v wrk >/dev/null || missing+=(wrk)
    command -v curl >/dev/null || missing+=(curl)
    command -v python3 >/dev/null || missing+=(python3)
    if [ "${#missing[@]}" -gt 0 ]; then
        if ! _apt_install "${missing[@]}"; then
            # nginx-light is not in every release; plain nginx serves the same purpose.
            missing=("${missing[@]/nginx-light/nginx}")
            _apt_install "${missing[@]}"
        fi
    fi
    export PATH="$PATH:/usr/sbin:/sbin"
}

# ensure_modsec: the peer WAF, nginx + ModSecurity v3 + OWASP CRS from Debian packages
# (libnginx-mod-http-modsecurity pulls in libmodsecurity3; modsecurity-crs is CRS 3.3.4 on
# Debian 12). Installs the missing ones with apt, like ensure_deps.
MODSEC_MODULE=/usr/lib/nginx/modules/ngx_http_modsecurity_module.so
MODSEC_CRS_SETUP=/etc/modsecurity/crs/crs-setup.conf
MODSEC_CRS_RULES=/usr/share/modsecurity-crs/rules
# Knobs: CRS paranoia level (1 = CRS's default) and the methods CRS's rule 911100 lets through
# (CRS's default is "GET HEAD POST OPTIONS"; the corpus's benign REST calls use the others).
MODSEC_PL=${MODSEC_PL:-1}
MODSEC_ALLOWED_METHODS=${MODSEC_ALLOWED_METHODS:-"GET HEAD POST OPTIONS PUT PATCH DELETE"}
ensure_modsec() {
    local missing=()
    [ -f "$MODSEC_MODULE" ] || missing+=(libnginx-mod-http-modsecurity)
    [ -f "$MODSEC_CRS_RULES/REQUEST-949-BLOCKING-EVALUATION.conf" ] || missing+=(modsecurity-crs)
    if [ "${#missing[@]}" -gt 0 ]; then
        _apt_install "${missing[@]}"
    fi
    [ -f "$MODSEC_MODULE" ] || die "no $MODSEC_MODULE after installing libnginx-mod-http-modsecurity"
    [ -f "$MODSEC_CRS_SETUP" ] || die "no $MODSEC_CRS_SETUP (modsecurity-crs's conffile); reinstall modsecurity-crs"
    case "$MODSEC_PL" in 1 | 2 | 3 | 4) ;; *) die "MODSEC_PL must be 1, 2, 3 or 4" ;; esac
    case "$MODSEC_ALLOWED_METHODS" in *[!A-Z\ ]*) die "MODSEC_ALLOWED_METHODS: upper-case method names separated by spaces" ;; esac
}

# modsec_describe: one line naming the peer WAF's versions and settings, for the reports.
modsec_describe() {
    local lib crs conn
    lib=$(dpkg-query -W -f='${Version}' libmodsecurity3 2>/dev/null || echo '?')
    conn=$(dpkg-query -W -f='${Version}' libnginx-mod-http-modsecurity 2>/dev/null || echo '?')
    crs=$(dpkg-query -W -f='${Version}' modsecurity-crs 2>/dev/null || echo '?')
    printf 'libmodsecurity3 %s, libnginx-mod-http-modsecurity %s, modsecurity-crs %s; paranoia level %s, inbound anomaly threshold 5 (CRS default), blocking (949110 -> 403); allowed methods "%s"; request bodies inspected (JSON/XML by Content-Type, urlencoded/multipart), responses not\n' \
        "$lib" "$conn" "$crs" "$MODSEC_PL" "$MODSEC_ALLOWED_METHODS"
}

# render_modsec DIR PORT BACKEND_PORT WORKERS LOG_LEVEL: writes DIR/nginx.conf (from
# conf/nginx-modsec.conf.tmpl) and DIR/modsec-rules.conf (conf/modsec-rules.conf.tmpl), then
# checks them with `nginx -t` (which also compiles every CRS rule). DIR/tmp must exist.
render_modsec() {
    local dir=$1 port=$2 bport=$3 workers=$4 level=$5
    render "$BENCH_DIR/conf/modsec-rules.conf.tmpl" "$dir/modsec-rules.conf" \
        "DIR=$dir" "CRS_SETUP=$MODSEC_CRS_SETUP" "PARANOIA=$MODSEC_PL" \
        "ALLOWED_METHODS=$MODSEC_ALLOWED_METHODS"
    render "$BENCH_DIR/conf/nginx-modsec.conf.tmpl" "$dir/nginx.conf" \
        "PORT=$port" "BACKEND_PORT=$bport" "DIR=$dir" "WORKERS=$workers" "LOG_LEVEL=$level"
    timeout 60 nginx -t -q -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" >"$dir/nginx-t.txt" 2>&1 ||
        die "nginx + ModSecurity config invalid: $(tail -n 5 "$dir/nginx-t.txt")"
}

# stale_sources: how many .rs files of the repository are newer than the rampart binary.
stale_sources() {
    find "$REPO_ROOT" -path "$REPO_ROOT/target" -prune -o -name '*.rs' -newer "$RAMPART_BIN" -print 2>/dev/null | wc -l
}

# ensure_rampart: the release binary must exist (one `cargo build --release` by hand);
# warns when Rust sources are newer than it (the figures would describe older code).
ensure_rampart() {
    [ -x "$RAMPART_BIN" ] || die "no $RAMPART_BIN: run 'cargo build --release' in $REPO_ROOT first (or set RAMPART_BIN)"
    local newer
    newer=$(stale_sources)
    if [ "$newer" -gt 0 ]; then
        log "warning: $newer .rs file(s) changed since $RAMPART_BIN was built; rebuild for current figures"
    fi
}

# --- scratch dir and process lifetime -----------------------------------------------

# bench_init: makes the scratch dir and installs the cleanup trap. Call once, first.
bench_init() {
    BENCH_WORK="$(mktemp -d /tmp/rampart-bench.XXXXXX)"
    chmod 755 "$BENCH_WORK"
    trap bench_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

# bench_cleanup: TERM every started process, KILL what is still there after 5 s, remove
# the scratch dir (kept when BENCH_KEEP=1, for reading the logs).
bench_cleanup() {
    local rc=$?
    local i pid
    for i in "${!BENCH_PIDS[@]}"; do
        pid="${BENCH_PIDS[$i]}"
        kill -TERM "$pid" 2>/dev/null || true
    done
    for i in "${!BENCH_PIDS[@]}"; do
        _wait_gone "${BENCH_PIDS[$i]}" 50 || kill -KILL "${BENCH_PIDS[$i]}" 2>/dev/null || true
    done
    BENCH_PIDS=()
    BENCH_NAMES=()
    if [ -n "$BENCH_WORK" ] && [ -d "$BENCH_WORK" ]; then
        if [ "${BENCH_KEEP:-0}" = 1 ]; then
            log "scratch dir kept: $BENCH_WORK"
        else
            rm -rf "$BENCH_WORK"
        fi
    fi
    return "$rc"
}

# _wait_gone PID TENTHS: polls up to TENTHS * 0.1 s for PID to exit.
_wait_gone() {
    local pid=$1 n=$2
    while [ "$n" -gt 0 ]; do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
        n=$((n - 1))
    done
    return 1
}

# bench_spawn NAME CMD...: starts CMD in the background (stdout+stderr to
# $BENCH_WORK/NAME.log), remembers its pid for cleanup and sets LAST_PID to it.
# Never call it inside $(...): the pid would be recorded in a subshell only.
bench_spawn() {
    local name=$1
    shift
    "$@" >"$BENCH_WORK/$name.log" 2>&1 &
    local pid=$!
    BENCH_PIDS+=("$pid")
    BENCH_NAMES+=("$name")
    LAST_PID=$pid
    log "started $name (pid $pid)"
}

# bench_stop PID: stops one started process (TERM, then KILL after 5 s) and forgets it.
bench_stop() {
    local pid=$1 i
    kill -TERM "$pid" 2>/dev/null || true
    _wait_gone "$pid" 50 || kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    for i in "${!BENCH_PIDS[@]}"; do
        if [ "${BENCH_PIDS[$i]}" = "$pid" ]; then
            unset 'BENCH_PIDS[i]' 'BENCH_NAMES[i]'
        fi
    done
}

# --- ports and health ---------------------------------------------------------------

# free_port: a TCP port on 127.0.0.1 that was free a moment ago (the kernel picks it).
free_port() {
    python3 - <<'EOF'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
EOF
}

# wait_healthy URL [SECONDS] [PID]: polls URL until it answers 2xx, at most SECONDS
# (default 20); fails early when PID (the server being waited for) has exited.
wait_healthy() {
    local url=$1 secs=${2:-20} pid=${3:-}
    local deadline=$((SECONDS + secs))
    while [ "$SECONDS" -lt "$deadline" ]; do
        if curl -fsS -o /dev/null --max-time 1 --noproxy '*' "$url" 2>/dev/null; then
            return 0
        fi
        if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
            log "process $pid exited while waiting for $url"
            return 1
        fi
        sleep 0.1
    done
    log "timed out after ${secs}s waiting for $url"
    return 1
}

# --- memory -------------------------------------------------------------------------

# peak_rss_kib PID: VmHWM (peak resident set, KiB) of PID plus its direct children
# (nginx workers). A sum of per-process peaks: an upper bound for multi-process servers.
peak_rss_kib() {
    local pid=$1 total=0 p v
    for p in "$pid" $(pgrep -P "$pid" 2>/dev/null || true); do
        v=$(awk '/^VmHWM:/ {print $2}' "/proc/$p/status" 2>/dev/null || true)
        total=$((total + ${v:-0}))
    done
    printf '%s\n' "$total"
}

# --- templates ----------------------------------------------------------------------

# render TEMPLATE OUT NAME=VALUE...: copies TEMPLATE to OUT replacing every @NAME@; fails
# when a placeholder is left unreplaced (a typo would otherwise reach the server).
render() {
    local tmpl=$1 out=$2
    shift 2
    python3 - "$tmpl" "$out" "$@" <<'PYEOF'
import re, sys
tmpl, out, pairs = sys.argv[1], sys.argv[2], sys.argv[3:]
text = open(tmpl, encoding="utf-8").read()
for pair in pairs:
    name, _, value = pair.partition("=")
    text = text.replace("@" + name + "@", value)
left = sorted(set(re.findall(r"@[A-Z_]+@", text)))
if left:
    sys.exit(f"render {tmpl}: unreplaced {' '.join(left)}")
open(out, "w", encoding="utf-8").write(text)
PYEOF
}

# --- the shared backend -------------------------------------------------------------

# start_backend PORT [ACCESS_LOG]: the one upstream every proxy forwards to
# (bench/upstream/nginx.conf.tmpl, described in bench/upstream/README.md). ACCESS_LOG (a
# path) turns nginx's access log on with the status first, so a replay can tell backend
# refusals from gateway ones. Sets LAST_PID.
start_backend() {
    local port=$1 access=${2:-} dir="$BENCH_WORK/backend"
    mkdir -p "$dir/tmp"
    chmod 777 "$dir/tmp"
    local access_line="access_log off;"
    if [ -n "$access" ]; then
        access_line="log_format st '\$status \$request_method \$request_length'; access_log $access st;"
    fi
    render "$BENCH_DIR/upstream/nginx.conf.tmpl" "$dir/nginx.conf" \
        "PORT=$port" "DIR=$dir" "WORKERS=${BACKEND_WORKERS:-1}" "ACCESS_LOG=$access_line"
    bench_spawn backend nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf"
}
