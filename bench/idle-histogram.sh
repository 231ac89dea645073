#!/usr/bin/env bash
# Where an idle proxied connection's memory goes: starts a fresh `wsgate run bench/policies` (pre-touched
# fixed heap, NMT on), opens N idle connections once to grow pools and JIT, then opens N again and diffs
# `jcmd GC.class_histogram` and `VM.native_memory summary` around that second pass.
#   bench/idle-histogram.sh [raw|json] [N=2000] [TOP=40]
# Prints the idle tool's result (RSS, heap after GC), the top classes in bytes and objects per connection,
# and NMT committed deltas per connection (off-heap memory the JVM knows about; RSS also moves with glibc
# arena and JIT churn, so read it with care). Needs 127.0.0.1:18083 free (bench/gateway.sh not running).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ROUTE=${1:-json} N=${2:-2000} TOP=${3:-40}
JAR=${JAR:-$ROOT/target/wsgate.jar}
RUN=$ROOT/bench/run
OUT=$(mktemp -d)
ulimit -n 20000
bench/run-relays.sh start >/dev/null
if (exec 3<>/dev/tcp/127.0.0.1/18083) 2>/dev/null; then
    echo "127.0.0.1:18083 is already taken; stop that process first" >&2
    exit 1
fi
WSGATE_BENCH_SECRET=${WSGATE_BENCH_SECRET:-$(head -c 64 /dev/urandom | base64 | tr -d '\n/+=' | head -c 48)}
export WSGATE_BENCH_SECRET
java -Xms512m -Xmx512m -XX:+AlwaysPreTouch -XX:+UseParallelGC -XX:NativeMemoryTracking=summary \
    -jar "$JAR" run "$ROOT/bench/policies" >"$RUN/idle-histogram-gateway.log" 2>&1 &
GW=$!
trap 'kill "$GW" 2>/dev/null || true; rm -rf "$OUT"' EXIT
for ((i = 0; i < 300; i++)); do
    (exec 3<>/dev/tcp/127.0.0.1/18083) 2>/dev/null && break
    kill -0 "$GW" 2>/dev/null || { cat "$RUN/idle-histogram-gateway.log" >&2; exit 1; }
    sleep 0.1
done
ARGS=(--url ws://127.0.0.1:18083/bench-raw)
if [[ $ROUTE == json ]]; then
    TOKEN=$(bench/hs256-token.sh "$WSGATE_BENCH_SECRET" bench user 3600)
    ARGS=(--url ws://127.0.0.1:18083/bench-json --header "Authorization: Bearer $TOKEN"
        --payload-template '{"type":"send-message","room":"r","message":"%s"}')
fi
bench() { timeout --signal=TERM 150 java -jar "$JAR" bench "$@"; }

bench idle "${ARGS[@]}" --connections "$N" --hold 3s --pid "$GW" >"$OUT/pass1.txt"
sleep 5  # closes and force-close timers of pass 1
jcmd "$GW" GC.class_histogram >"$OUT/h0.txt"
jcmd "$GW" VM.native_memory summary >"$OUT/n0.txt"
fds0=$(ls "/proc/$GW/fd" | wc -l)
bench idle "${ARGS[@]}" --connections "$N" --hold 25s --pid "$GW" --jvm --warmup 0 >"$OUT/pass2.txt" &
IDLE=$!
for ((i = 0; i < 120; i++)); do
    (($(ls "/proc/$GW/fd" | wc -l) >= fds0 + 2 * N - 10)) && break
    sleep 1
done
sleep 10  # handshake timers of the last sockets are gone
jcmd "$GW" GC.class_histogram >"$OUT/h1.txt"
jcmd "$GW" VM.native_memory summary >"$OUT/n1.txt"
wait "$IDLE"
cat "$OUT/pass2.txt"
python3 - "$OUT" "$N" "$TOP" <<'PY'
import re, sys
out, n, top = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])

def histogram(f):
    d = {}
    for line in open(f):
        m = re.match(r'\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)', line)
        if m:
            d[m.group(3)] = (int(m.group(1)), int(m.group(2)))
    return d

def nmt(f):
    d = {}
    for line in open(f):
        m = re.match(r'-\s+(.+?) \(reserved=\d+KB, committed=(\d+)KB', line)
        if m:
            d[m.group(1).strip()] = int(m.group(2))
    return d

a, b = histogram(f'{out}/h0.txt'), histogram(f'{out}/h1.txt')
rows = sorted(((v[1] - a.get(k, (0, 0))[1], v[0] - a.get(k, (0, 0))[0], k) for k, v in b.items()), reverse=True)
print(f"class histogram: {sum(r[0] for r in rows) / n:.0f} B/conn on the heap")
for size, count, name in rows[:top]:
    print(f"{size / n:8.1f} B/conn {count / n:6.2f} obj/conn  {name}")
x, y = nmt(f'{out}/n0.txt'), nmt(f'{out}/n1.txt')
print("NMT committed delta, B/conn:", {k: round((y.get(k, 0) - v) * 1024 / n) for k, v in x.items() if y.get(k, 0) != v})
PY
