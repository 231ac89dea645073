#!/usr/bin/env bash
# Start (or stop) the benchmark targets on 127.0.0.1:
#   :18080 wsgate bench echo-server (the upstream), :18081 nginx, :18082 HAProxy (blind relays to :18080).
# Usage: bench/run-relays.sh [start|stop|status|restart NAME|pids NAME]  (NAME: echo, nginx, haproxy)
# Env: JAR (default target/wsgate.jar, built with mvn -o package -DskipTests when missing),
#      ECHO_THREADS (default 1), JAVA_OPTS for the echo server.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUN=$ROOT/bench/run
JAR=${JAR:-$ROOT/target/wsgate.jar}
ECHO_PORT=18080 NGINX_PORT=18081 HAPROXY_PORT=18082
ulimit -n 20000

alive() { [[ -f $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

terminate() {  # one pid we started: TERM, then KILL after 10 s
    kill "$1" 2>/dev/null || return 0
    for ((i = 0; i < 100; i++)); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
    kill -9 "$1" 2>/dev/null || true
}

wait_port() {  # port, seconds
    for ((i = 0; i < $2 * 10; i++)); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "nothing listens on 127.0.0.1:$1 after $2 s" >&2
    return 1
}

port_free() {
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
        echo "127.0.0.1:$1 is already taken by another process; stop it first" >&2
        exit 1
    fi
}

install_missing() {
    local missing=()
    command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
    command -v haproxy >/dev/null || [[ -x /usr/sbin/haproxy ]] || missing+=(haproxy)
    if ((${#missing[@]})); then
        echo "installing ${missing[*]}"
        DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" \
            || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"; }
        # the packages may start their own default services; the bench does not use them
    fi
}

start() {
    install_missing
    export PATH=$PATH:/usr/sbin
    mkdir -p "$RUN/tmp"
    if [[ ! -f $JAR ]]; then
        (cd "$ROOT" && mvn -o -q -B package -DskipTests)
    fi
    if ! alive "$RUN/echo.pid"; then
        port_free $ECHO_PORT
        # shellcheck disable=SC2086
        nohup java ${JAVA_OPTS:--Xms64m -Xmx512m -XX:+UseParallelGC} -jar "$JAR" bench echo-server \
            --port $ECHO_PORT --threads "${ECHO_THREADS:-1}" >"$RUN/echo.log" 2>&1 &
        echo $! >"$RUN/echo.pid"
    fi
    wait_port $ECHO_PORT 20
    alive "$RUN/echo.pid" || { cat "$RUN/echo.log" >&2; exit 1; }
    if ! alive "$RUN/nginx.pid"; then
        port_free $NGINX_PORT
        nginx -p "$RUN/" -c "$ROOT/bench/nginx.conf"
    fi
    wait_port $NGINX_PORT 10
    if ! alive "$RUN/haproxy.pid"; then
        port_free $HAPROXY_PORT
        haproxy -D -f "$ROOT/bench/haproxy.cfg" -p "$RUN/haproxy.pid"
    fi
    wait_port $HAPROXY_PORT 10
    status
}

stop() {
    for name in haproxy nginx echo; do
        if alive "$RUN/$name.pid"; then
            terminate "$(cat "$RUN/$name.pid")" && echo "stopped $name"
        fi
        rm -f "$RUN/$name.pid"
    done
}

restart() {  # one target, so that its memory is measured from a fresh process
    local name=${1:?name}
    if alive "$RUN/$name.pid"; then
        terminate "$(cat "$RUN/$name.pid")"
    fi
    rm -f "$RUN/$name.pid"
    start >/dev/null
}

status() {
    for name in echo nginx haproxy; do
        if alive "$RUN/$name.pid"; then
            echo "$name: pid $(cat "$RUN/$name.pid") $(pids_of "$name" | tr '\n' ' ')"
        else
            echo "$name: not running"
        fi
    done
}

# Every pid of a target: the master and its children (nginx workers), for summing RSS.
pids_of() {
    local pid
    pid=$(cat "$RUN/$1.pid")
    echo "$pid"
    pgrep -P "$pid" || true
}

case "${1:-start}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    restart) restart "${2:?usage: $0 restart echo|nginx|haproxy}" ;;
    pids) pids_of "${2:?name}" ;;
    *) echo "usage: $0 [start|stop|status|restart NAME|pids NAME]" >&2; exit 2 ;;
esac
