#!/usr/bin/env bash
# bench/proxy-compare.sh: macro benchmark of rampart against its peers, same machine, same
# backend, same load generator, same parameters, in one run.
#
# Cases (PROXIES): direct (the backend alone), nginx, haproxy, rampart-off (no WAF on the
# routes), rampart-on (`balanced` WAF profile on every route), and, not in the default list,
# nginx-modsec: the peer WAF, the same nginx reverse proxy with ModSecurity v3 + OWASP CRS
# 3.3.4 from Debian packages (conf/nginx-modsec.conf.tmpl, conf/modsec-rules.conf.tmpl;
# installed with apt when missing). Its ratio to nginx is the peer's WAF-on / WAF-off,
# reported next to rampart's. For nginx-modsec, wrk and the checks send `Host: localhost`
# (the WAF corpus's host) instead of 127.0.0.1:PORT: CRS scores a numeric Host (rule 920350,
# 3 points of the threshold 5) and no real site is reached that way.
# Scenarios (SCENARIOS): get (GET / -> 3-byte body), post (POST /api/orders, ~1 KB JSON, the
# same body every time), post-varied (the same order with a different customer in every
# request: names, e-mail, phone, address, free-text notes; bench/wrk/post-json-varied.lua).
# For each case and scenario: a short warm-up (discarded), then wrk for WRK_DURATION.
# Reported: req/s, p50/p90/p99 latency, errors, proxy CPU time per request, peak RSS of
# the proxy (VmHWM after its runs), and ratios rampart/nginx, rampart/haproxy,
# WAF-on/WAF-off (rampart-on / rampart-off, and nginx-modsec / nginx for the peer). Written to bench/results/proxy-<date>.md (and printed).
#
# Only 127.0.0.1 is ever contacted. Every run is bounded (wrk -d, plus `timeout`), and every
# process started is killed on exit (bench/lib.sh trap).
#
# Environment (defaults):
#   WRK_THREADS=2 WRK_CONNS=64 WRK_DURATION=15 (seconds, at most 120) WRK_WARMUP=2
#   WRK_TIMEOUT=5s NGINX_WORKERS=2 HAPROXY_THREADS=2 BACKEND_WORKERS=1
#   PROXIES="direct nginx haproxy rampart-off rampart-on" SCENARIOS="get post post-varied"
#   (with the peer WAF: PROXIES="nginx nginx-modsec rampart-off rampart-on")
#   MODSEC_PL=1 (CRS paranoia level of nginx-modsec, 1-4)
#   MODSEC_ALLOWED_METHODS="GET HEAD POST OPTIONS PUT PATCH DELETE" (CRS rule 911100)
#   RAMPART_BIN=target/release/rampart  BENCH_KEEP=1 keeps the scratch dir (logs, configs)
#   BENCH_OUT=path of the markdown report (default bench/results/proxy-<date>.md)

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

WRK_THREADS=${WRK_THREADS:-2}
WRK_CONNS=${WRK_CONNS:-64}
WRK_DURATION=${WRK_DURATION:-15}
WRK_WARMUP=${WRK_WARMUP:-2}
WRK_TIMEOUT=${WRK_TIMEOUT:-5s}
NGINX_WORKERS=${NGINX_WORKERS:-2}
HAPROXY_THREADS=${HAPROXY_THREADS:-2}
PROXIES=${PROXIES:-"direct nginx haproxy rampart-off rampart-on"}
SCENARIOS=${SCENARIOS:-"get post post-varied"}

case "$WRK_DURATION$WRK_WARMUP" in *[!0-9]*) die "WRK_DURATION and WRK_WARMUP are whole seconds" ;; esac
if [ "$WRK_DURATION" -lt 1 ] || [ "$WRK_DURATION" -gt 120 ]; then die "WRK_DURATION must be 1..120 seconds"; fi
[ "$WRK_WARMUP" -le 30 ] || die "WRK_WARMUP must be 0..30 seconds"

ensure_deps
case " $PROXIES " in *" rampart-"*) ensure_rampart ;; esac
case " $PROXIES " in *" nginx-modsec "*) ensure_modsec ;; esac
bench_init

RESULTS_DIR="$BENCH_DIR/results"
mkdir -p "$RESULTS_DIR"
STAMP="$(date +%Y%m%d-%H%M%S)"
BENCH_OUT=${BENCH_OUT:-"$RESULTS_DIR/proxy-$STAMP.md"}
JSONL="$BENCH_WORK/results.jsonl"
: >"$JSONL"
export BENCH_WRK_DIR="$BENCH_DIR/wrk"
CLK_TCK=$(getconf CLK_TCK)

# cpu_ticks PID: user+system clock ticks of PID and its direct children (nginx workers).
cpu_ticks() {
    local total=0 p rest
    for p in "$1" $(pgrep -P "$1" 2>/dev/null || true); do
        # Fields after the ")" that closes comm: state is 3, utime 14, stime 15.
        rest=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null || true)
        [ -n "$rest" ] || continue
        # shellcheck disable=SC2086 # word splitting into fields is the point
        set -- $rest
        total=$((total + ${12} + ${13}))
    done
    printf '%s\n' "$total"
}

# check_ok URL [curl args...]: one request through the case; must be 200 with body "ok".
check_ok() {
    local url=$1 out
    shift
    out=$(curl -sS --noproxy '*' --max-time 5 -w ' %{http_code}' "$@" "$url") || return 1
    if [ "$out" != $'ok\n 200' ]; then
        log "unexpected answer from $url: $(printf '%q' "$out")"
        return 1
    fi
}

POST_BODY_FILE="$BENCH_WORK/post.json"
# The same body wrk sends (extracted from the lua script, so they cannot drift apart).
python3 - "$BENCH_WRK_DIR/post-json.lua" "$POST_BODY_FILE" <<'PYEOF'
import sys
src = open(sys.argv[1], encoding="utf-8").read()
body = src.split("[[", 1)[1].split("]]", 1)[0].replace("\n", "")
open(sys.argv[2], "w", encoding="utf-8").write(body)
PYEOF
POST_BYTES=$(wc -c <"$POST_BODY_FILE")

# modsec_why PORT PID: the benign order was refused by nginx-modsec. The benchmark's error
# log stays at `warn` (only the denial, 949110, is written), so the config is re-rendered with
# `info`, nginx reloaded (HUP to PID, its master) and the order re-sent once with an
# X-Request-ID; the CRS rule ids it matched are logged. Bounded: one request, 10 s at most.
modsec_why() {
    local port=$1 pid=$2 dir="$BENCH_WORK/nginx-modsec" ids
    render_modsec "$dir" "$port" "$BACKEND_PORT" "$NGINX_WORKERS" info
    kill -HUP "$pid" 2>/dev/null || return 0
    sleep 2
    curl -sS --noproxy '*' --max-time 5 -o /dev/null -H 'Host: localhost' -H 'X-Request-ID: bench-order-check' \
        -X POST -H 'Content-Type: application/json' --data-binary "@$POST_BODY_FILE" \
        "http://127.0.0.1:$port/api/orders" || true
    sleep 0.5
    ids=$(grep -F 'unique_id "bench-order-check"' "$dir/error.log" | grep -o '\[id "[0-9]*"\]' | grep -o '[0-9][0-9]*' | sort -u | tr '\n' ' ' || true)
    log "nginx-modsec refused the benchmark's benign order (false positive); CRS rules matched: ${ids:-none found} (log: $dir/error.log; BENCH_KEEP=1 keeps it)"
}

# run_wrk CASE SCENARIO PORT PID: warm-up, then the measured run; appends a JSON line.
run_wrk() {
    local case=$1 scen=$2 port=$3 pid=$4 url script out t0 t1 json
    # nginx-modsec: a host name, not 127.0.0.1:PORT (CRS rule 920350; see the header).
    local host=()
    [ "$case" != nginx-modsec ] || host=(-H 'Host: localhost')
    case "$scen" in
        get)
            url="http://127.0.0.1:$port/"
            script="$BENCH_WRK_DIR/report.lua"
            check_ok "$url" "${host[@]}" || die "$case: GET / did not return 200 ok"
            ;;
        post | post-varied)
            url="http://127.0.0.1:$port/api/orders"
            script="$BENCH_WRK_DIR/post-json.lua"
            [ "$scen" = post ] || script="$BENCH_WRK_DIR/post-json-varied.lua"
            if ! check_ok "$url" "${host[@]}" -X POST -H 'Content-Type: application/json' \
                --data-binary "@$POST_BODY_FILE"; then
                [ "$case" != nginx-modsec ] || modsec_why "$port" "$pid"
                die "$case: POST /api/orders did not return 200 ok (WAF false positive?)"
            fi
            ;;
        *) die "unknown scenario $scen" ;;
    esac
    if [ "$WRK_WARMUP" -gt 0 ]; then
        timeout $((WRK_WARMUP + 20)) wrk -t"$WRK_THREADS" -c"$WRK_CONNS" -d"${WRK_WARMUP}s" \
            --timeout "$WRK_TIMEOUT" "${host[@]}" -s "$script" "$url" >/dev/null
    fi
    t0=$(cpu_ticks "$pid")
    out=$(timeout $((WRK_DURATION + 30)) wrk -t"$WRK_THREADS" -c"$WRK_CONNS" -d"${WRK_DURATION}s" \
        --timeout "$WRK_TIMEOUT" --latency "${host[@]}" -s "$script" "$url")
    t1=$(cpu_ticks "$pid")
    printf '%s\n' "$out" >"$BENCH_WORK/wrk-$case-$scen.txt"
    json=$(printf '%s\n' "$out" | sed -n 's/^BENCH_JSON //p')
    [ -n "$json" ] || die "$case/$scen: wrk printed no result (see $BENCH_WORK/wrk-$case-$scen.txt)"
    python3 -c 'import json,sys; d=json.loads(sys.argv[1]); d.update(case=sys.argv[2], scenario=sys.argv[3], cpu_ticks=int(sys.argv[4]), clk_tck=int(sys.argv[5])); print(json.dumps(d))' \
        "$json" "$case" "$scen" "$((t1 - t0))" "$CLK_TCK" >>"$JSONL"
    log "$case/$scen: $(printf '%s\n' "$out" | grep -E 'Requests/sec' | tr -s ' ')"
}

# start_case CASE PORT BACKEND_PORT: starts the proxy for CASE; sets LAST_PID.
start_case() {
    local case=$1 port=$2 bport=$3 dir="$BENCH_WORK/$1"
    mkdir -p "$dir/tmp"
    chmod 777 "$dir/tmp"
    case "$case" in
        nginx)
            render "$BENCH_DIR/conf/nginx-proxy.conf.tmpl" "$dir/nginx.conf" \
                "PORT=$port" "BACKEND_PORT=$bport" "DIR=$dir" "WORKERS=$NGINX_WORKERS"
            bench_spawn nginx nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf"
            ;;
        nginx-modsec)
            # Same reverse proxy as `nginx`, plus ModSecurity + CRS; error log at warn.
            render_modsec "$dir" "$port" "$bport" "$NGINX_WORKERS" warn
            bench_spawn nginx-modsec nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf"
            ;;
        haproxy)
            render "$BENCH_DIR/conf/haproxy.cfg.tmpl" "$dir/haproxy.cfg" \
                "PORT=$port" "BACKEND_PORT=$bport" "THREADS=$HAPROXY_THREADS"
            haproxy -c -q -f "$dir/haproxy.cfg" || die "haproxy config invalid"
            bench_spawn haproxy haproxy -db -f "$dir/haproxy.cfg"
            ;;
        rampart-off | rampart-on)
            local waf_line='' note='WAF-off: no route names a profile.'
            if [ "$case" = rampart-on ]; then
                waf_line='waf = "balanced"'
                note='WAF-on: every route uses the balanced profile.'
            fi
            render "$BENCH_DIR/conf/rampart.toml.tmpl" "$dir/rampart.toml" \
                "PORT=$port" "BACKEND_PORT=$bport" "WAF_LINE=$waf_line" "WAF_NOTE=$note"
            "$RAMPART_BIN" check "$dir/rampart.toml" >"$dir/check.txt" 2>&1 ||
                die "rampart check failed: $(cat "$dir/check.txt")"
            bench_spawn "$case" "$RAMPART_BIN" run -c "$dir/rampart.toml"
            ;;
        *) die "unknown case $case" ;;
    esac
}

log "machine: $(nproc) cores; wrk -t$WRK_THREADS -c$WRK_CONNS -d${WRK_DURATION}s; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
log "NOTE: 2 cores are shared by wrk, the proxy and the backend (and anything else running)."

BACKEND_PORT=$(free_port)
start_backend "$BACKEND_PORT"
BACKEND_PID=$LAST_PID
wait_healthy "http://127.0.0.1:$BACKEND_PORT/" 15 "$BACKEND_PID" || die "backend did not start"

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for case in $PROXIES; do
    if [ "$case" = direct ]; then
        pid=$BACKEND_PID
        port=$BACKEND_PORT
    else
        port=$(free_port)
        start_case "$case" "$port" "$BACKEND_PORT"
        pid=$LAST_PID
        health="http://127.0.0.1:$port/"
        case "$case" in rampart-*) health="http://127.0.0.1:$port/readyz" ;; esac
        if ! wait_healthy "$health" 20 "$pid"; then
            tail -n 20 "$BENCH_WORK/$case.log" >&2 || true
            [ "$case" != nginx-modsec ] || tail -n 20 "$BENCH_WORK/$case/error.log" >&2 || true
            die "$case did not become healthy"
        fi
    fi
    for scen in $SCENARIOS; do
        run_wrk "$case" "$scen" "$port" "$pid"
    done
    rss=$(peak_rss_kib "$pid")
    printf '{"case":"%s","peak_rss_kib":%s}\n' "$case" "$rss" >>"$JSONL"
    case "$case" in
        rampart-*)
            curl -sS --noproxy '*' --max-time 5 "http://127.0.0.1:$port/metrics" \
                >"$BENCH_WORK/metrics-$case.txt" 2>/dev/null || true
            ;;
    esac
    [ "$case" = direct ] || bench_stop "$pid"
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

COMMIT=$(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=$(git -C "$REPO_ROOT" status --porcelain --untracked-files=no 2>/dev/null | wc -l)
META_EXTRA=()
case " $PROXIES " in
    *" nginx-modsec "*)
        META_EXTRA+=(--meta "peer WAF (nginx-modsec)=the nginx case's proxy plus $(modsec_describe); wrk sends Host: localhost to it")
        ;;
esac
python3 "$BENCH_DIR/summarize.py" "$JSONL" "${META_EXTRA[@]}" \
    --meta "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    --meta "commit=$COMMIT (tracked files changed in the work tree: $DIRTY)" \
    --meta "machine=$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)" \
    --meta "load average before / after=$LOAD_BEFORE / $LOAD_AFTER" \
    --meta "wrk=wrk -t$WRK_THREADS -c$WRK_CONNS -d${WRK_DURATION}s --timeout $WRK_TIMEOUT --latency (after a ${WRK_WARMUP}s warm-up)" \
    --meta "versions=$(nginx -v 2>&1 | sed 's/^nginx version: //'); HAProxy $(haproxy -v | awk 'NR==1 {print $3}'); $("$RAMPART_BIN" --version 2>/dev/null || echo rampart n/a); wrk $(wrk --version 2>&1 | awk 'NR==1 {print $2}')" \
    --meta "settings=nginx worker_processes $NGINX_WORKERS; haproxy nbthread $HAPROXY_THREADS; rampart tokio default (one worker per core = 2); backend nginx worker_processes ${BACKEND_WORKERS:-1}" \
    --meta "post body=$POST_BYTES bytes of JSON (bench/wrk/post-json.lua)" \
    --meta "rampart binary=$RAMPART_BIN, built $(date -u -r "$RAMPART_BIN" +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || echo n/a); .rs files newer than it: $(stale_sources)" \
    --metrics-dir "$BENCH_WORK" >"$BENCH_OUT"
cat "$BENCH_OUT"
log "report written to $BENCH_OUT"
