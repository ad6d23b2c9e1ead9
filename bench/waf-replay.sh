#!/usr/bin/env bash
# bench/waf-replay.sh: WAF quality through the real daemon. Starts the bench backend and the
# release rampart with every route behind the `balanced` profile, replays a labelled corpus
# with ../shared/waf-corpus/replay.py, then prints TPR/FPR per class, the false positives
# (each re-sent once with an X-Request-ID so the daemon's log gives its detection id), where
# the blocks came from (WAF vs hygiene gates vs backend), and writes a report to
# bench/results/waf-replay-<date>.md (+ the replayer's JSON beside it).
#
# WAF_TARGET=nginx-modsec replays the same corpus, with the same replay.py, concurrency and
# backend, through the peer WAF instead: nginx + ModSecurity v3 + OWASP CRS 3.3.4 from Debian
# packages (bench/conf/nginx-modsec.conf.tmpl + modsec-rules.conf.tmpl; installed with apt
# when missing). CRS denies with 403; nginx itself answers 400 to requests it cannot parse;
# both count as blocks, as for rampart. The false positives are re-sent with an X-Request-ID,
# which becomes ModSecurity's transaction id, and the CRS rule ids are read from nginx's error
# log (level info). Report: bench/results/waf-replay-nginx-modsec-<date>.md (+ .json).
#
# Usage: bench/waf-replay.sh [CORPUS.jsonl] [-- replay.py options, e.g. --class sqli]
#   CORPUS defaults to ../shared/waf-corpus/dev.jsonl relative to the repository root.
# Environment: WAF_TARGET=rampart|nginx-modsec (default rampart), REPLAY_PY (default
#   ../shared/waf-corpus/replay.py beside the repo), REPLAY_CONCURRENCY=16, RAMPART_BIN,
#   NGINX_WORKERS=2, MODSEC_PL=1 (CRS paranoia level, 1-4), MODSEC_ALLOWED_METHODS ("GET HEAD
#   POST OPTIONS PUT PATCH DELETE"), BENCH_KEEP=1 (keep logs/configs), BENCH_OUT.
#
# rampart: no [rate_limit]; URI, header and body limits raised far above the corpus's largest
# request, so the WAF decides, not the limits (nginx-modsec: 64 KiB header buffers, 1 MiB
# bodies, likewise). Only 127.0.0.1 is contacted; replay.py has a per-request timeout and the
# whole replay is bounded by `timeout`.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ORIG_ARGS="$*"
CORPUS="$REPO_ROOT/../shared/waf-corpus/dev.jsonl"
if [ $# -gt 0 ] && [ "$1" != -- ]; then
    CORPUS=$1
    shift
fi
[ "${1:-}" = -- ] && shift
EXTRA=("$@")
REPLAY_PY=${REPLAY_PY:-"$REPO_ROOT/../shared/waf-corpus/replay.py"}
REPLAY_CONCURRENCY=${REPLAY_CONCURRENCY:-16}
WAF_TARGET=${WAF_TARGET:-rampart}
NGINX_WORKERS=${NGINX_WORKERS:-2}
case "$WAF_TARGET" in rampart | nginx-modsec) ;; *) die "WAF_TARGET must be rampart or nginx-modsec" ;; esac
[ -f "$CORPUS" ] || die "corpus not found: $CORPUS"
[ -f "$REPLAY_PY" ] || die "replay.py not found: $REPLAY_PY (set REPLAY_PY)"
CORPUS="$(cd "$(dirname "$CORPUS")" && pwd)/$(basename "$CORPUS")"

ensure_deps
if [ "$WAF_TARGET" = rampart ]; then ensure_rampart; else ensure_modsec; fi
bench_init

RESULTS_DIR="$BENCH_DIR/results"
mkdir -p "$RESULTS_DIR"
STAMP="$(date +%Y%m%d-%H%M%S)"
if [ "$WAF_TARGET" = rampart ]; then
    BENCH_OUT=${BENCH_OUT:-"$RESULTS_DIR/waf-replay-$STAMP.md"}
else
    BENCH_OUT=${BENCH_OUT:-"$RESULTS_DIR/waf-replay-$WAF_TARGET-$STAMP.md"}
fi
JSON_OUT="${BENCH_OUT%.md}.json"

BACKEND_PORT=$(free_port)
start_backend "$BACKEND_PORT" "$BENCH_WORK/backend-access.log"
BACKEND_PID=$LAST_PID
wait_healthy "http://127.0.0.1:$BACKEND_PORT/" 15 "$BACKEND_PID" || die "backend did not start"

PORT=$(free_port)
REPORT_ARGS=()
if [ "$WAF_TARGET" = rampart ]; then
    CONF="$BENCH_WORK/rampart.toml"
    render "$BENCH_DIR/conf/rampart.toml.tmpl" "$CONF" "PORT=$PORT" "BACKEND_PORT=$BACKEND_PORT" \
        'WAF_LINE=waf = "balanced"' 'WAF_NOTE=WAF-on: every route uses the balanced profile.'
    "$RAMPART_BIN" check "$CONF" >"$BENCH_WORK/check.txt" 2>&1 || die "rampart check failed: $(cat "$BENCH_WORK/check.txt")"
    bench_spawn rampart "$RAMPART_BIN" run -c "$CONF" --log-format json
    TARGET_PID=$LAST_PID
    if ! wait_healthy "http://127.0.0.1:$PORT/readyz" 20 "$TARGET_PID"; then
        tail -n 20 "$BENCH_WORK/rampart.log" >&2 || true
        die "rampart did not become ready"
    fi
    REPORT_ARGS+=(--daemon-log "$BENCH_WORK/rampart.log" --metrics "$BENCH_WORK/metrics.txt")
    TARGET_META="binary=$RAMPART_BIN, built $(date -u -r "$RAMPART_BIN" +%Y-%m-%dT%H:%M:%SZ); .rs files newer than it: $(stale_sources)"
else
    MDIR="$BENCH_WORK/nginx-modsec"
    mkdir -p "$MDIR/tmp"
    chmod 777 "$MDIR/tmp"
    # Error log at info: ModSecurity writes every matched rule there, with the transaction id.
    render_modsec "$MDIR" "$PORT" "$BACKEND_PORT" "$NGINX_WORKERS" info
    bench_spawn nginx-modsec nginx -p "$MDIR" -e "$MDIR/error.log" -c "$MDIR/nginx.conf"
    TARGET_PID=$LAST_PID
    if ! wait_healthy "http://127.0.0.1:$PORT/" 30 "$TARGET_PID"; then
        tail -n 20 "$MDIR/error.log" >&2 || true
        die "nginx + ModSecurity did not become ready"
    fi
    REPORT_ARGS+=(--modsec-log "$MDIR/error.log")
    TARGET_META="peer WAF=nginx $(nginx -v 2>&1 | sed 's/^nginx version: nginx.//'), worker_processes $NGINX_WORKERS; $(modsec_describe)"
fi

log "replaying $CORPUS through $WAF_TARGET on 127.0.0.1:$PORT (concurrency $REPLAY_CONCURRENCY)"
timeout 1200 python3 "$REPLAY_PY" --target "http://127.0.0.1:$PORT" "$CORPUS" \
    --concurrency "$REPLAY_CONCURRENCY" --json "$JSON_OUT" --quiet "${EXTRA[@]}" \
    >"$BENCH_WORK/replay.txt" || die "replay failed: $(tail -n 5 "$BENCH_WORK/replay.txt")"
if [ "$WAF_TARGET" = rampart ]; then
    curl -sS --noproxy '*' --max-time 5 "http://127.0.0.1:$PORT/metrics" >"$BENCH_WORK/metrics.txt" || true
fi

COMMIT=$(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=$(git -C "$REPO_ROOT" status --porcelain --untracked-files=no 2>/dev/null | wc -l)
timeout 300 python3 "$BENCH_DIR/waf_report.py" "$JSON_OUT" \
    --corpus "$CORPUS" --replay-py "$REPLAY_PY" --target "http://127.0.0.1:$PORT" \
    --target-name "$WAF_TARGET" "${REPORT_ARGS[@]}" \
    --backend-log "$BENCH_WORK/backend-access.log" --replay-text "$BENCH_WORK/replay.txt" \
    --meta "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    --meta "commit=$COMMIT (tracked files changed in the work tree: $DIRTY)" \
    --meta "$TARGET_META" \
    --meta "command=WAF_TARGET=$WAF_TARGET bench/waf-replay.sh $ORIG_ARGS (replay.py --concurrency $REPLAY_CONCURRENCY ${EXTRA[*]})" \
    >"$BENCH_OUT"
cat "$BENCH_OUT"
log "report written to $BENCH_OUT (replayer JSON: $JSON_OUT)"
