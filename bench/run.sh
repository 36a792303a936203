#!/usr/bin/env bash
# Policy-server benchmark: the same load generator, on this machine, against
#   dunno    the DUNNO ceiling server (the fastest any Java policy server can be here)
#   postgrey Debian's postgrey (greylisting, --delay=300)
#   postfwd  Debian's postfwd2 with one rate rule (100 requests per client address per hour)
#   sekisho  bin/sekisho serve --config bench/sekisho-bench.yaml (skipped while bin/sekisho is absent)
# and for each at concurrency 1, 8, 64 prints req/s, latency p50/p99/p99.9, the target's CPU per
# request (utime+stime of its whole process tree over the measured period) and its memory
# (VmRSS, PSS and VmHWM summed over the tree: postfwd pre-forks dozens of children that share
# most pages, so their RSS sum overstates it and PSS is the fair figure) as a markdown table.
#
# With FILL_TRIPLETS=N it instead sends each target N requests with distinct greylist triplets
# as fast as it takes them (8 connections, at most FILL_MAX) and reports memory afterwards: the
# "memory per million triplets" measurement.
#
# Everything listens on 127.0.0.1 only; every process started here is stopped on exit.
#
# Settings (environment):
#   TARGETS="dunno postgrey postfwd sekisho"  CONCURRENCY="1 8 64"
#   WARMUP=10s  MEASURE=20s   per cell (generator durations: ms, s, m)
#   SEED=1                    traffic mix
#   SKIP_BUILD=1              use the existing target/sekisho.jar
#   SEKISHO_BENCH_PORT=10045  where bench/sekisho-bench.yaml makes Sekisho listen
#   FILL_TRIPLETS=0  FILL_MAX=10m
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh

TARGETS=${TARGETS:-dunno postgrey postfwd sekisho}
CONCURRENCY=${CONCURRENCY:-1 8 64}
WARMUP=${WARMUP:-10s}
MEASURE=${MEASURE:-20s}
SEED=${SEED:-1}
SEKISHO_BENCH_PORT=${SEKISHO_BENCH_PORT:-10045}
FILL_TRIPLETS=${FILL_TRIPLETS:-0}
FILL_MAX=${FILL_MAX:-10m}

WORK=$(mktemp -d /tmp/sekisho-bench.XXXXXX)
chmod 755 "$WORK" # postgrey and postfwd drop privileges and must reach their files in here
RESULTS="$WORK/results.kv"
: >"$RESULTS"
STARTED_PIDS=()

cleanup() {
    local pid
    for pid in "${STARTED_PIDS[@]}"; do
        stop_tree "$pid"
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() {
    local port
    for port in $(seq $((20000 + RANDOM % 20000)) 45000); do
        port_in_use "$port" || { echo "$port"; return 0; }
    done
    return 1
}

wait_for_port() {
    local port=$1 what=$2
    for _ in $(seq 100); do
        port_in_use "$port" && return 0
        sleep 0.1
    done
    log "$what is not listening on 127.0.0.1:$port after 10 s"
    return 1
}

# key=value pairs: processes, rss_mib, pss_mib, hwm_mib, summed over the process tree.
memory_of_tree() {
    local root=$1 pid processes=0 rss=0 pss=0 hwm=0 value
    for pid in $root $(descendants_of "$root"); do
        processes=$((processes + 1))
        value=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
        rss=$((rss + ${value:-0}))
        value=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
        hwm=$((hwm + ${value:-0}))
        value=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || true)
        pss=$((pss + ${value:-0}))
    done
    echo "processes=$processes rss_mib=$((rss / 1024)) pss_mib=$((pss / 1024)) hwm_mib=$((hwm / 1024))"
}

# Runs the load (every concurrency, or the triplet fill) against one started target and
# appends a result line per run.
measure_target() {
    local name=$1 port=$2 pid=$3 concurrency line
    if [[ $FILL_TRIPLETS -gt 0 ]]; then
        log "$name: filling $FILL_TRIPLETS distinct triplets over 8 connections (at most $FILL_MAX)"
        line=$("$JAVA" -cp "$CLASSPATH" $BENCH_MAIN load --target "127.0.0.1:$port" --concurrency 8 \
            --fill-triplets "$FILL_TRIPLETS" --duration "$FILL_MAX" --target-pid "$pid" --format kv) || {
            log "$name: the generator reported errors (line kept below)"
        }
        # postgrey keeps its triplets in Berkeley DB files, not in memory: report their size too.
        local disk_mib=0
        [[ -d $WORK/$name ]] && disk_mib=$(du -sm "$WORK/$name" | cut -f1)
        echo "name=$name load=fill-$FILL_TRIPLETS $(memory_of_tree "$pid") disk_mib=$disk_mib $line" | tee -a "$RESULTS" >&2
        return 0
    fi
    for concurrency in $CONCURRENCY; do
        # The kernel writes back what earlier cells left dirty (Sekisho's journal: hundreds of MiB) up to 30 s
        # later, on these same two cores: flush it now, so that no cell pays for another's writes.
        sync
        log "$name: concurrency $concurrency, warm-up $WARMUP, measure $MEASURE"
        line=$("$JAVA" -cp "$CLASSPATH" $BENCH_MAIN load --target "127.0.0.1:$port" --concurrency "$concurrency" \
            --warmup "$WARMUP" --duration "$MEASURE" --seed "$SEED" --target-pid "$pid" --format kv) || {
            log "$name: the generator reported errors (line kept below)"
        }
        echo "name=$name load=mix $(memory_of_tree "$pid") $line" | tee -a "$RESULTS" >&2
    done
}

start_dunno() {
    local port pid
    port=$(free_port)
    "$JAVA" -cp "$CLASSPATH" $BENCH_MAIN dunno-server --listen "127.0.0.1:$port" </dev/null >"$WORK/dunno.log" 2>&1 &
    pid=$!
    STARTED_PIDS+=("$pid")
    wait_for_port "$port" "DUNNO server" && measure_target "dunno" "$port" "$pid"
}

start_postgrey() {
    command -v postgrey >/dev/null || { log "postgrey not installed; skipped"; return 0; }
    local port pid dbdir="$WORK/postgrey" user_options=()
    port=$(free_port)
    mkdir -p "$dbdir"
    if [[ $(id -u) -eq 0 ]]; then
        chown postgrey "$dbdir" # as root postgrey switches to its own user (--user default: postgrey)
    else
        user_options=(--user="$(id -un)" --group="$(id -gn)")
    fi
    # Foreground (no --daemonize) so $! is postgrey itself; its per-request log lines go to a
    # file, as they would go to syslog in production.
    (cd "$WORK" && exec postgrey --inet="127.0.0.1:$port" --dbdir="$dbdir" --delay=300 "${user_options[@]}") \
        </dev/null >"$WORK/postgrey.log" 2>&1 &
    pid=$!
    STARTED_PIDS+=("$pid")
    wait_for_port "$port" "postgrey" && measure_target "postgrey" "$port" "$pid"
}

start_postfwd() {
    command -v postfwd2 >/dev/null || { log "postfwd2 not installed; skipped"; return 0; }
    local port cache_port pidfile="$WORK/postfwd/postfwd.pid" user_options=() pid
    port=$(free_port)
    cache_port=$(free_port)
    [[ $cache_port -eq $port ]] && cache_port=$((port + 1))
    mkdir -p "$WORK/postfwd"
    # postfwd(8): rate(item/max/seconds/action) counts requests per item and answers the
    # action once max is exceeded within the window; otherwise the request falls through to DUNNO.
    cat >"$WORK/postfwd/postfwd.cf" <<'EOF'
id=RATE01; action=rate(client_address/100/3600/DEFER rate limit exceeded)
EOF
    if [[ $(id -u) -eq 0 ]]; then
        user_options=(--user nobody --group nogroup)
        chown nobody "$WORK/postfwd"
    fi
    # rate() needs postfwd2's cache daemon, which runs only in --daemon mode; its socket is
    # TCP on loopback. --nodns: no DNS leaves the machine. --max_servers 80: each of up to 64
    # persistent connections holds one pre-forked child, so fewer children would starve some.
    postfwd2 --daemon --nodns --file "$WORK/postfwd/postfwd.cf" \
        --server_socket "tcp:127.0.0.1:$port" --cache_socket "tcp:127.0.0.1:$cache_port" \
        --pidfile "$pidfile" --max_servers 80 "${user_options[@]}" </dev/null >"$WORK/postfwd.log" 2>&1
    for _ in $(seq 100); do
        [[ -s $pidfile ]] && break
        sleep 0.1
    done
    pid=$(cat "$pidfile" 2>/dev/null || true)
    [[ -n $pid ]] || { log "postfwd2 wrote no pid file"; return 1; }
    STARTED_PIDS+=("$pid")
    wait_for_port "$port" "postfwd2" && measure_target "postfwd" "$port" "$pid"
}

start_sekisho() {
    if [[ ! -x bin/sekisho || ! -f bench/sekisho-bench.yaml ]]; then
        log "sekisho: skipped (bin/sekisho or bench/sekisho-bench.yaml is absent)"
        return 0
    fi
    local port=$SEKISHO_BENCH_PORT pid
    if port_in_use "$port"; then
        log "sekisho: 127.0.0.1:$port is already in use; skipped"
        return 0
    fi
    bin/sekisho serve --config bench/sekisho-bench.yaml --data-dir "$WORK/sekisho-data" </dev/null >"$WORK/sekisho.log" 2>&1 &
    pid=$!
    STARTED_PIDS+=("$pid")
    wait_for_port "$port" "sekisho" && measure_target "sekisho" "$port" "$pid"
}

print_table() {
    echo
    echo "| target | load | conc. | req/s | p50 µs | p99 µs | p99.9 µs | CPU µs/req | procs | RSS MiB | PSS MiB | HWM MiB | disk MiB | errors | replies by action |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    awk '{
        delete v
        for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = substr($i, length(kv[1]) + 2) }
        printf "| %s | %s | %s | %.0f | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
            v["name"], v["load"], v["concurrency"], v["rps"], v["p50_us"], v["p99_us"], v["p999_us"],
            v["cpu_us_per_req"], v["processes"], v["rss_mib"], v["pss_mib"], v["hwm_mib"],
            ("disk_mib" in v ? v["disk_mib"] : "-"), v["errors"], v["actions"]
    }' "$RESULTS"
    echo
    echo "Machine: $(nproc) CPUs ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)); load generator on the same machine;"
    if [[ $FILL_TRIPLETS -gt 0 ]]; then
        echo "fill: $FILL_TRIPLETS distinct triplets over 8 connections, no warm-up, memory read after the fill; $(date -u +%Y-%m-%d)."
    else
        echo "each cell $WARMUP warm-up + $MEASURE measured, closed loop, seed $SEED; $(date -u +%Y-%m-%d)."
    fi
}

if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    log "building: ./mvnw -q -B package -DskipTests"
    ./mvnw -q -B package -DskipTests </dev/null
fi
JAVA=$(find_java)
CLASSPATH="target/sekisho.jar:target/lib/*"
# The generator as 'sekisho bench' once the root command lists it; until then its own main.
if "$JAVA" -cp "$CLASSPATH" dev.sekisho.Sekisho bench load --help 2>/dev/null | grep -q -- --fill-triplets; then
    BENCH_MAIN="dev.sekisho.Sekisho bench"
else
    BENCH_MAIN="dev.sekisho.cli.BenchCommand"
fi
log "java: $JAVA; generator: $BENCH_MAIN; targets: $TARGETS; $([[ $FILL_TRIPLETS -gt 0 ]] && echo "fill $FILL_TRIPLETS triplets" || echo "concurrency: $CONCURRENCY")"

for target in $TARGETS; do
    case $target in
        dunno | postgrey | postfwd | sekisho) "start_$target" || log "$target: failed; going on with the others" ;;
        *) log "unknown target '$target' (dunno, postgrey, postfwd, sekisho)"; exit 2 ;;
    esac
    # Stop this target before the next so they never compete for the two cores.
    for pid in "${STARTED_PIDS[@]}"; do stop_tree "$pid"; done
    STARTED_PIDS=()
done

print_table
