#!/usr/bin/env bash
# Same load and idle runs against the echo server directly, nginx, HAProxy and (optionally) wsgate;
# writes a markdown report to bench/results/<UTC date-time>.md (raw JSON per run beside it).
#
#   bench/compare.sh                                   # direct, nginx, haproxy
#   bench/compare.sh --gateway ws://127.0.0.1:8080/bench-raw --gateway-pid "$(pgrep -f 'wsgate.jar run')" \
#       --gateway-json ws://127.0.0.1:8080/bench-json --gateway-header "Authorization: Bearer $TOKEN" \
#       --gateway-template '{"type":"send-message","room":"r","message":"%s"}'
#
# Options (defaults in brackets): --connections [100] --messages [2000] per connection --size [128]
#   --in-flight [1] --rate [0 = closed loop] --idle [2000] idle connections --hold [20s] --no-idle --no-load
#   --repeat [1]: load rounds, targets interleaved in each round (a noisy box shows as spread)
#   --targets ["direct nginx haproxy"] --out FILE --note TEXT (added to the report)
# --gateway-header applies to the --gateway-json route only (the raw route is public).
# Each relay is restarted before its idle run, so its memory is measured from a fresh process;
# a --gateway-pid is not (it was started by the caller): run wsgate idle-only on a fresh process
# (--no-load) for its cleanest number.
# Every run is bounded: load by --duration-limit 60s, idle by a 60 s connect limit plus the hold,
# each command also by `timeout`; the default set takes about 3-5 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
JAR=${JAR:-$ROOT/target/wsgate.jar}
CLIENT_JAVA_OPTS=${CLIENT_JAVA_OPTS:--Xms256m -Xmx1g -XX:+UseParallelGC}
ulimit -n 20000

CONNS=100 MSGS=2000 SIZE=128 INFLIGHT=1 RATE=0 IDLE=2000 HOLD=20s DO_IDLE=1 DO_LOAD=1 REPEAT=1
TARGETS="direct nginx haproxy" GATEWAY="" GATEWAY_PID="" GATEWAY_JSON="" GATEWAY_TEMPLATE="" NOTE=""
GATEWAY_HEADERS=()
STAMP=$(date -u +%Y-%m-%dT%H%M%SZ)
OUT=""
while (($#)); do
    case $1 in
        --connections) CONNS=$2; shift ;;
        --messages) MSGS=$2; shift ;;
        --size) SIZE=$2; shift ;;
        --in-flight) INFLIGHT=$2; shift ;;
        --rate) RATE=$2; shift ;;
        --idle) IDLE=$2; shift ;;
        --hold) HOLD=$2; shift ;;
        --no-idle) DO_IDLE=0 ;;
        --no-load) DO_LOAD=0 ;;
        --repeat) REPEAT=$2; shift ;;
        --targets) TARGETS=$2; shift ;;
        --gateway) GATEWAY=$2; shift ;;
        --gateway-pid) GATEWAY_PID=$2; shift ;;
        --gateway-json) GATEWAY_JSON=$2; shift ;;
        --gateway-header) GATEWAY_HEADERS+=(--header "$2"); shift ;;
        --gateway-template) GATEWAY_TEMPLATE=$2; shift ;;
        --out) OUT=$2; shift ;;
        --note) NOTE=$2; shift ;;
        -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
        *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
OUT=${OUT:-$ROOT/bench/results/$STAMP.md}
RAW=${OUT%.md}
mkdir -p "$(dirname "$OUT")" "$RAW"
LOAD_MD=$RAW/load.md IDLE_MD=$RAW/idle.md
rm -f "$LOAD_MD" "$IDLE_MD"

bench/run-relays.sh start >/dev/null
RUN=$ROOT/bench/run
url_of() {
    case $1 in
        direct) echo ws://127.0.0.1:18080/echo ;;
        nginx) echo ws://127.0.0.1:18081/echo ;;
        haproxy) echo ws://127.0.0.1:18082/echo ;;
    esac
}
pids_of() {  # comma list of a relay's processes
    case $1 in
        direct) bench/run-relays.sh pids echo ;;
        *) bench/run-relays.sh pids "$1" ;;
    esac | paste -sd, -
}
# shellcheck disable=SC2086
bench() { timeout --signal=TERM 150 java $CLIENT_JAVA_OPTS -jar "$JAR" bench "$@"; }

load() {  # label url [extra args...]
    local label=$1 url=$2
    shift 2
    local suffix=""
    ((REPEAT == 1)) || suffix=" #$ROUND"
    echo "== load: $label ($url)$suffix"
    # Warm-up (JIT of the client, the echo server and a JVM relay) in the first round; not recorded.
    ((ROUND > 1)) || bench load --url "$url" --connections 20 --messages 1000 --size "$SIZE" --duration-limit 30s "$@" >/dev/null || true
    bench load --url "$url" --connections "$CONNS" --messages "$MSGS" --size "$SIZE" --in-flight "$INFLIGHT" \
        --rate "$RATE" --duration-limit 60s --label "$label$suffix" --md-append "$LOAD_MD" \
        --json-out "$RAW/load-${label// /_}-$ROUND.json" "$@" || echo "   ($label: errors or incomplete, see the table)"
}

idle() {  # label url pids [extra args...]
    local label=$1 url=$2 pids=$3
    shift 3
    echo "== idle: $label ($url, pids $pids)"
    bench idle --url "$url" --connections "$IDLE" --hold "$HOLD" --connect-limit 60s --pid "$pids" \
        --label "$label" --md-append "$IDLE_MD" --json-out "$RAW/idle-${label// /_}.json" "$@" \
        || echo "   ($label: errors, see the table)"
}

for ((ROUND = 1; DO_LOAD && ROUND <= REPEAT; ROUND++)); do
    for t in $TARGETS; do load "$t" "$(url_of "$t")"; done
    if [[ -n $GATEWAY ]]; then load "wsgate raw" "$GATEWAY"; fi
    if [[ -n $GATEWAY_JSON ]]; then
        load "wsgate json" "$GATEWAY_JSON" "${GATEWAY_HEADERS[@]}" ${GATEWAY_TEMPLATE:+--payload-template "$GATEWAY_TEMPLATE"}
    fi
done

if ((DO_IDLE)); then
    for t in $TARGETS; do
        extra=()
        [[ $t == direct ]] && extra=(--jvm)
        bench/run-relays.sh restart "$( [[ $t == direct ]] && echo echo || echo "$t")"
        idle "$t" "$(url_of "$t")" "$(pids_of "$t")" "${extra[@]}"
    done
    if [[ -n $GATEWAY && -n $GATEWAY_PID ]]; then
        fds_before=$(ls "/proc/$GATEWAY_PID/fd" 2>/dev/null | wc -l)
        idle "wsgate raw" "$GATEWAY" "$GATEWAY_PID" --jvm
        # the json run's "before" sample must not count raw sockets still closing (same process)
        for ((i = 0; i < 40; i++)); do
            (($(ls "/proc/$GATEWAY_PID/fd" 2>/dev/null | wc -l) <= fds_before + 10)) && break
            sleep 0.5
        done
        sleep 4  # close handshakes (force-close after 3 s) release their state
    fi
    if [[ -n $GATEWAY_JSON && -n $GATEWAY_PID ]]; then
        idle "wsgate json" "$GATEWAY_JSON" "$GATEWAY_PID" --jvm "${GATEWAY_HEADERS[@]}" \
            ${GATEWAY_TEMPLATE:+--payload-template "$GATEWAY_TEMPLATE"}
    fi
fi

{
    echo "# wsgate relay comparison, $STAMP"
    echo
    echo "Box: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(uname -sr);" \
         "load average before the report: $(cut -d' ' -f1-3 /proc/loadavg)."
    echo "Relays: $(/usr/sbin/nginx -v 2>&1 | sed 's/.*: //') (bench/nginx.conf, 2 workers)," \
         "$(/usr/sbin/haproxy -v 2>/dev/null | head -1 | awk '{print "HAProxy " $3}') (bench/haproxy.cfg, 2 threads)," \
         "echo upstream: wsgate bench echo-server (1 event loop); client: wsgate bench, 1 event loop, $CLIENT_JAVA_OPTS;" \
         "$(java -version 2>&1 | head -1)."
    echo "Everything (client, relay, upstream) shares the same cores; numbers are only comparable within one report."
    [[ -n $NOTE ]] && { echo; echo "$NOTE"; }
    echo
    if ((DO_LOAD)); then
        echo "## Load: $CONNS connections × $MSGS messages of $SIZE B, $([[ $RATE == 0 ]] && echo "closed loop, $INFLIGHT in flight per connection" || echo "open loop at $RATE msgs/s (latency from the intended send time)")"
        echo
        echo "Round trip client → relay → echo → relay → client. Each target gets a 20 × 1000 warm-up first;"
        echo "with --repeat the targets are interleaved round by round. \"box load 1m\": /proc/loadavg after the run."
        echo
        cat "$LOAD_MD" 2>/dev/null || echo "(no load results)"
        echo
    fi
    if ((DO_IDLE)); then
        echo "## Idle: $IDLE connections held $HOLD"
        echo
        echo "VmRSS summed over the target's processes (nginx: master + workers) before opening and after the hold;"
        echo "nginx, HAProxy and the echo server are restarted first, so \"before\" is a fresh process."
        echo "\"direct\" is the echo server's own memory (a Netty JVM; JVM heap used after a forced GC via jcmd)."
        echo "For a JVM, RSS B/conn counts only heap pages touched for the first time; with -Xms=-Xmx and"
        echo "-XX:+AlwaysPreTouch (bench/gateway.sh) it is the off-heap part and heap B/conn the on-heap part."
        echo "\"echoed at end\": connections that still relayed a message after the hold."
        echo
        cat "$IDLE_MD" 2>/dev/null || echo "(no idle results)"
        echo
    fi
    echo "Raw JSON per run: $(basename "$RAW")/."
} >"$OUT"
echo
cat "$OUT"
