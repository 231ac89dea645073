#!/usr/bin/env bash
# A/B of two gateway jars on the blind relay (/bench-raw) beside nginx, interleaved in one report:
# both gateways run at once (A on :18083, B on :18084, same flags as gateway.sh), each round loads
# nginx, A and B in a rotating order.
#   [A_JAVA_OPTS=...] [B_JAVA_OPTS=...] bench/ab-raw.sh JAR_A JAR_B [ROUNDS=5] [MESSAGES=2000]
# Report: bench/results/<UTC time>-ab-raw.md. Needs bench/gateway.sh not running.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
A=$1 B=$2 ROUNDS=${3:-5} MSGS=${4:-2000}
JAR=$ROOT/target/wsgate.jar
RUN=$ROOT/bench/run
OUT=$ROOT/bench/results/$(date -u +%Y-%m-%dT%H%M%SZ)-ab-raw.md
TMP=$(mktemp -d)
ulimit -n 20000
export WSGATE_BENCH_SECRET=${WSGATE_BENCH_SECRET:-ab-raw-unused-secret-0123456789abcdef0123456789}
bench/run-relays.sh start >/dev/null
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true; rm -rf "$TMP"' EXIT
start() {  # jar port admin-port
    local dir=$TMP/p$2
    cp -r bench/policies "$dir"
    sed -i "s/port: 18083/port: $2/; s/port: 19090/port: $3/" "$dir/gateway.yaml"
    # shellcheck disable=SC2086
    java -Xms512m -Xmx512m -XX:+AlwaysPreTouch -XX:+UseParallelGC $4 -jar "$1" run "$dir" >"$RUN/ab-$2.log" 2>&1 &
    PIDS+=($!)
    for ((i = 0; i < 300; i++)); do
        (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null && return
        sleep 0.1
    done
    echo "gateway on :$2 did not start" >&2; cat "$RUN/ab-$2.log" >&2; exit 1
}
start "$A" 18083 19090 "${A_JAVA_OPTS:-}"
start "$B" 18084 19091 "${B_JAVA_OPTS:-}"
bench() { timeout --signal=TERM 90 java -jar "$JAR" bench "$@"; }
declare -A URL=([nginx]=ws://127.0.0.1:18081/echo [A]=ws://127.0.0.1:18083/bench-raw [B]=ws://127.0.0.1:18084/bench-raw)
{
    echo "# A/B raw relay, $(date -u +%FT%TZ)"
    echo
    echo "- A: \`$A\` ${A_JAVA_OPTS:-}($(sha256sum "$A" | cut -c1-12)), B: \`$B\` ${B_JAVA_OPTS:-}($(sha256sum "$B" | cut -c1-12))"
    echo "- 100 connections × $MSGS messages of 128 B, closed loop, 1 in flight; $ROUNDS rounds, order rotates"
    echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
} >"$OUT"
for t in nginx A B; do  # warm-up: JIT of client, echo and relays
    bench load --url "${URL[$t]}" --connections 20 --messages 2000 --size 128 --duration-limit 30s >/dev/null
done
ORDER=(nginx A B)
for ((r = 1; r <= ROUNDS; r++)); do
    for ((k = 0; k < 3; k++)); do
        t=${ORDER[(k + r) % 3]}
        bench load --url "${URL[$t]}" --connections 100 --messages "$MSGS" --size 128 --in-flight 1 \
            --duration-limit 60s --label "$t #$r" --md-append "$TMP/table.md" >/dev/null || echo "$t #$r: errors" >&2
    done
done
cat "$TMP/table.md" >>"$OUT"
python3 - "$TMP/table.md" >>"$OUT" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    c = [x.strip() for x in line.strip().strip('|').split('|')]
    if len(c) > 7 and '#' in c[0]:
        rows.setdefault(c[0].split(' #')[0], []).append((int(c[5]), int(c[6])))
print()
print('| target | median msgs/s | min–max msgs/s | median p50 µs |')
print('|---|---:|---:|---:|')
for t, v in rows.items():
    tp = [a for a, _ in v]
    print(f'| {t} | {statistics.median(tp):.0f} | {min(tp)}–{max(tp)} | {statistics.median([b for _, b in v]):.0f} |')
PY
echo >>"$OUT"
echo "- load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT"
echo "$OUT"
