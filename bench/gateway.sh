#!/usr/bin/env bash
# Bench wsgate beside nginx and HAProxy: starts `wsgate run bench/policies` on 127.0.0.1:18083
# (routes /bench-raw: blind relay, /bench-json: full policy), mints a token for /bench-json,
# checks both routes with a few messages, then runs bench/compare.sh with the gateway slots and
# stops the gateway.
#   bench/gateway.sh [compare.sh options, e.g. --repeat 3 --note "..."]
# Env: GATEWAY_JAVA_OPTS (default -Xms512m -Xmx512m -XX:+AlwaysPreTouch -XX:+UseParallelGC: a pre-touched
#      fixed heap, so ΔRSS in the idle run is off-heap memory and heap B/conn the on-heap part),
#      JAR, WSGATE_BENCH_SECRET.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
JAR=${JAR:-$ROOT/target/wsgate.jar}
RUN=$ROOT/bench/run
GW_PORT=18083
TEMPLATE='{"type":"send-message","room":"r","message":"%s"}'
ulimit -n 20000

bench/run-relays.sh start >/dev/null
if (exec 3<>"/dev/tcp/127.0.0.1/$GW_PORT") 2>/dev/null; then
    echo "127.0.0.1:$GW_PORT is already taken; stop that process first" >&2
    exit 1
fi
WSGATE_BENCH_SECRET=${WSGATE_BENCH_SECRET:-$(head -c 64 /dev/urandom | base64 | tr -d '\n/+=' | head -c 48)}
export WSGATE_BENCH_SECRET
# shellcheck disable=SC2086
java ${GATEWAY_JAVA_OPTS:--Xms512m -Xmx512m -XX:+AlwaysPreTouch -XX:+UseParallelGC} -jar "$JAR" run "$ROOT/bench/policies" \
    >"$RUN/gateway.log" 2>&1 &
GW=$!
trap 'kill "$GW" 2>/dev/null || true' EXIT
for ((i = 0; i < 300; i++)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$GW_PORT") 2>/dev/null && break
    kill -0 "$GW" 2>/dev/null || { echo "wsgate exited:" >&2; cat "$RUN/gateway.log" >&2; exit 1; }
    sleep 0.1
done
TOKEN=$(bench/hs256-token.sh "$WSGATE_BENCH_SECRET" bench user 3600)

check() {  # a handful of messages must come back intact before the real runs
    java -jar "$JAR" bench load --connections 2 --messages 20 --duration-limit 15s "$@" >"$RUN/gateway-check.log" 2>&1 \
        || { echo "route check failed: $*" >&2; cat "$RUN/gateway-check.log" >&2; exit 1; }
}
check --url "ws://127.0.0.1:$GW_PORT/bench-raw"
check --url "ws://127.0.0.1:$GW_PORT/bench-json" --header "Authorization: Bearer $TOKEN" --payload-template "$TEMPLATE"

bench/compare.sh --gateway "ws://127.0.0.1:$GW_PORT/bench-raw" --gateway-pid "$GW" \
    --gateway-json "ws://127.0.0.1:$GW_PORT/bench-json" --gateway-header "Authorization: Bearer $TOKEN" \
    --gateway-template "$TEMPLATE" "$@"
