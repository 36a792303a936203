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
# Then (ROUNDS=N, default 3, 0 to skip; needs the dunno and sekisho targets) it measures the ceiling,
# Sekisho and postgrey again in rounds of adjacent windows at the highest concurrency: all three run,
# one is loaded at a time (each round begins one target later than the one before), each window a new
# generator with the full warm-up and begun only once the others are idle. The machine's speed drifts by tens of per cent from one minute to the next, so a
# ratio of two cells measured minutes apart says as much about the drift as about the servers; the
# median of N rounds of adjacent windows says less about it. Sekisho's store is filled to its capacity
# first, as the earlier cells fill it before the main 64-connection cell. Round r sends the mix of seed SEED+r, so
# that no window replays triplets an earlier round made old enough to pass the greylisting.
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
#   ROUNDS=3                  rounds of ceiling, Sekisho and postgrey windows (each WARMUP + MEASURE)
#   GENERATOR_SCHED=batch     the generator's scheduling policy: batch (SCHED_BATCH, with chrt) or normal
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
ROUNDS=${ROUNDS:-3}
GENERATOR_SCHED=${GENERATOR_SCHED:-batch}

WORK=$(mktemp -d /tmp/sekisho-bench.XXXXXX)
chmod 755 "$WORK" # postgrey and postfwd drop privileges and must reach their files in here
RESULTS="$WORK/results.kv"
ROUND_RESULTS="$WORK/rounds.kv"
: >"$RESULTS"
: >"$ROUND_RESULTS"
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
        line=$($GENERATOR -cp "$CLASSPATH" $BENCH_MAIN load --target "127.0.0.1:$port" --concurrency 8 \
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
        line=$($GENERATOR -cp "$CLASSPATH" $BENCH_MAIN load --target "127.0.0.1:$port" --concurrency "$concurrency" \
            --warmup "$WARMUP" --duration "$MEASURE" --seed "$SEED" --target-pid "$pid" --format kv) || {
            log "$name: the generator reported errors (line kept below)"
        }
        echo "name=$name load=mix $(memory_of_tree "$pid") $line" | tee -a "$RESULTS" >&2
    done
}

# launch_<target> starts a target and waits until it listens; it sets LAUNCHED_PORT and LAUNCHED_PID, and
# returns 2 when the target is not installed here.
launch_dunno() {
    LAUNCHED_PORT=$(free_port)
    "$JAVA" -cp "$CLASSPATH" $BENCH_MAIN dunno-server --listen "127.0.0.1:$LAUNCHED_PORT" </dev/null >"$WORK/dunno-$LAUNCHED_PORT.log" 2>&1 &
    LAUNCHED_PID=$!
    STARTED_PIDS+=("$LAUNCHED_PID")
    wait_for_port "$LAUNCHED_PORT" "DUNNO server"
}

# start_<target>: launches it (launch_<target> DIR) and measures its cells; one not installed here is skipped.
launch_and_measure() {
    local name=$1 status=0
    "launch_$name" "${2:-}" || status=$?
    [[ $status -eq 2 ]] && return 0
    [[ $status -eq 0 ]] && measure_target "$name" "$LAUNCHED_PORT" "$LAUNCHED_PID"
}

start_dunno() { launch_and_measure dunno; }

launch_postgrey() {
    command -v postgrey >/dev/null || { log "postgrey not installed; skipped"; return 2; }
    local dbdir=$1 user_options=()
    LAUNCHED_PORT=$(free_port)
    mkdir -p "$dbdir"
    if [[ $(id -u) -eq 0 ]]; then
        chown postgrey "$dbdir" # as root postgrey switches to its own user (--user default: postgrey)
    else
        user_options=(--user="$(id -un)" --group="$(id -gn)")
    fi
    # Foreground (no --daemonize) so $! is postgrey itself; its per-request log lines go to a
    # file, as they would go to syslog in production.
    (cd "$WORK" && exec postgrey --inet="127.0.0.1:$LAUNCHED_PORT" --dbdir="$dbdir" --delay=300 "${user_options[@]}") \
        </dev/null >"$dbdir.log" 2>&1 &
    LAUNCHED_PID=$!
    STARTED_PIDS+=("$LAUNCHED_PID")
    wait_for_port "$LAUNCHED_PORT" "postgrey"
}

start_postgrey() { launch_and_measure postgrey "$WORK/postgrey"; }

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

launch_sekisho() {
    local data_dir=$1
    if [[ ! -x bin/sekisho || ! -f bench/sekisho-bench.yaml ]]; then
        log "sekisho: skipped (bin/sekisho or bench/sekisho-bench.yaml is absent)"
        return 2
    fi
    LAUNCHED_PORT=$SEKISHO_BENCH_PORT
    if port_in_use "$LAUNCHED_PORT"; then
        log "sekisho: 127.0.0.1:$LAUNCHED_PORT is already in use; skipped"
        return 2
    fi
    bin/sekisho serve --config bench/sekisho-bench.yaml --data-dir "$data_dir" </dev/null >"$data_dir.log" 2>&1 &
    LAUNCHED_PID=$!
    STARTED_PIDS+=("$LAUNCHED_PID")
    wait_for_port "$LAUNCHED_PORT" "sekisho"
}

start_sekisho() { launch_and_measure sekisho "$WORK/sekisho-data"; }

# CPU clock ticks a process tree has used so far (utime + stime).
cpu_ticks_of_tree() {
    local root=$1 pid total=0 ticks
    for pid in $root $(descendants_of "$root"); do
        ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || true)
        total=$((total + ${ticks:-0}))
    done
    echo "$total"
}

# Waits (at most 2 min) until a process tree uses under 2 % of a core: half a second with at most one tick.
wait_until_idle() {
    local pid=$1 name=$2 before after
    for _ in $(seq 240); do
        before=$(cpu_ticks_of_tree "$pid")
        sleep 0.5
        after=$(cpu_ticks_of_tree "$pid")
        [[ $((after - before)) -le 1 ]] && return 0
    done
    log "$name: still busy after 2 min; measuring anyway"
}

# One window of load at the highest concurrency against a running server (port, pid), with the traffic mix of a
# seed; prints the generator's kv line. Each window is a new generator process, so each has the full warm-up: a
# generator still being compiled costs more CPU a request, and that takes more from the ceiling, whose pace the
# generator sets.
window() {
    local port=$1 pid=$2 seed=$3 concurrency=${CONCURRENCY##* }
    sync
    $GENERATOR -cp "$CLASSPATH" $BENCH_MAIN load --target "127.0.0.1:$port" --concurrency "$concurrency" \
        --warmup "$WARMUP" --duration "$MEASURE" --seed "$seed" --target-pid "$pid" --format kv
}

# ROUNDS rounds of one window each for the ceiling, Sekisho and postgrey (see the header); appends a line a round
# to $ROUND_RESULTS.
measure_rounds() {
    local -A port pid
    local targets="dunno sekisho" target other line round result before started window_ms others_ms status=0
    launch_dunno || return 1
    port[dunno]=$LAUNCHED_PORT pid[dunno]=$LAUNCHED_PID
    launch_sekisho "$WORK/rounds-sekisho-data" || return 1
    port[sekisho]=$LAUNCHED_PORT pid[sekisho]=$LAUNCHED_PID
    launch_postgrey "$WORK/rounds-postgrey" || status=$?
    if [[ $status -eq 0 ]]; then
        port[postgrey]=$LAUNCHED_PORT pid[postgrey]=$LAUNCHED_PID
        targets+=" postgrey"
    fi
    # As in the main cells, where the earlier cells have filled it: every new triplet evicts one.
    log "rounds: filling Sekisho's store with 2,000,000 distinct triplets (its default capacity)"
    $GENERATOR -cp "$CLASSPATH" $BENCH_MAIN load --target "127.0.0.1:${port[sekisho]}" --concurrency 8 \
        --fill-triplets 2000000 --duration "$FILL_MAX" --format kv >/dev/null || log "rounds: the fill reported errors"
    local tick_ms=$((1000 / $(getconf CLK_TCK)))
    local order=$targets
    for round in $(seq "$ROUNDS"); do
        # Each round starts one target later than the last, so that no target always follows the same one.
        log "rounds: round $round of $ROUNDS ($order)"
        line="round=$round cores=$(nproc)"
        for target in $order; do
            # What the idle servers still use during this window (Sekisho's maintenance, a late snapshot) is
            # measured: it takes CPU from the target, so print_rounds charges Sekisho's to Sekisho.
            for other in $targets; do
                [[ $other == "$target" ]] || wait_until_idle "${pid[$other]}" "$other"
            done
            before=$(ticks_of_others "$target")
            started=$(date +%s%3N)
            # A seed of its own for each round, the same for every target in it: a window that replayed an earlier
            # round's requests would find triplets old enough to pass the greylisting (300 s), and measure other work.
            result=$(window "${port[$target]}" "${pid[$target]}" "$((SEED + round))") || log "rounds: the generator reported errors against $target"
            window_ms=$(($(date +%s%3N) - started))
            others_ms=$((($(ticks_of_others "$target") - before) * tick_ms))
            line+=" ${target}_$(kv rps "$result") ${target}_$(kv cpu_us_per_req "$result") ${target}_$(kv p99_us "$result")"
            line+=" ${target}_window_ms=$window_ms ${target}_others_ms=$others_ms ${target}_$(kv actions "$result")"
        done
        echo "$line" | tee -a "$ROUND_RESULTS" >&2
        order="${order#* } ${order%% *}"
    done
}

# CPU clock ticks of every target of measure_rounds but one (its $targets and $pid, seen from inside it).
ticks_of_others() {
    local except=$1 other total=0
    for other in $targets; do
        [[ $other == "$except" ]] || total=$((total + $(cpu_ticks_of_tree "${pid[$other]}")))
    done
    echo "$total"
}

# key=value of one key from a kv line.
kv() {
    tr ' ' '\n' <<<"$2" | grep -m1 "^$1="
}

# A round's ratios are charged with the CPU the idle servers used during the other target's window: that CPU
# was not the target's, so the target is credited with the requests it would have answered with it too (the
# window's wall time x cores is the machine). The idle servers are mostly Sekisho, whose maintenance and
# snapshots are its own cost; the idle ceiling's CPU during Sekisho's window is only reported.
print_rounds() {
    [[ -s $ROUND_RESULTS ]] || return 0
    echo
    echo "Rounds of adjacent windows at concurrency ${CONCURRENCY##* } (each $WARMUP warm-up + $MEASURE measured; the first round ceiling, Sekisho, postgrey, each next one begun a target later):"
    echo
    echo "| round | ceiling req/s | Sekisho req/s | postgrey req/s | Sekisho / ceiling, charged | Sekisho / postgrey, charged | idle servers' CPU in the ceiling's / Sekisho's / postgrey's window | Sekisho CPU µs/req | Sekisho p99 µs |"
    echo "|---:|---:|---:|---:|---:|---:|---|---:|---:|"
    awk '{
        delete v
        for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        printf "| %s | %.0f | %.0f | %s | %.1f %% | %s | %s / %s / %s ms | %s | %s |\n", v["round"], v["dunno_rps"], v["sekisho_rps"],
            ("postgrey_rps" in v ? sprintf("%.0f", v["postgrey_rps"]) : "-"), charged(v, "dunno"),
            ("postgrey_rps" in v ? sprintf("%.1f×", charged(v, "postgrey") / 100) : "-"),
            v["dunno_others_ms"], v["sekisho_others_ms"], ("postgrey_others_ms" in v ? v["postgrey_others_ms"] : "-"),
            v["sekisho_cpu_us_per_req"], v["sekisho_p99_us"]
    }
    '"$ROUND_RATIO_AWK" "$ROUND_RESULTS"
    echo
    awk '{
        delete v
        for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        if (v["dunno_rps"] > 0) c[nc++] = charged(v, "dunno")
        if (v["postgrey_rps"] > 0) p[np++] = charged(v, "postgrey") / 100
    } END {
        mc = median(c, nc)
        mp = median(p, np)
        if (nc > 0) printf "Median of %d rounds, charged: Sekisho answered %.1f %% of the ceiling'"'"'s requests (lowest %.1f %%, highest %.1f %%)", nc, mc, c[0], c[nc - 1]
        if (np > 0) printf " and %.1f times postgrey'"'"'s (lowest %.1f, highest %.1f)", mp, p[0], p[np - 1]
        if (nc > 0) print "."
    }
    '"$ROUND_RATIO_AWK" "$ROUND_RESULTS"
}

# charged(v, peer): Sekisho's req/s in per cent of the peer's, the peer's req/s scaled up by the share of the machine
# (window wall time x cores) the idle servers took during the peer's window. median(a, n) sorts a.
ROUND_RATIO_AWK='
function charged(v, peer,    share) {
    if (v[peer "_rps"] <= 0) return 0
    share = v[peer "_window_ms"] > 0 ? v[peer "_others_ms"] / (v[peer "_window_ms"] * v["cores"]) : 0
    return 100 * v["sekisho_rps"] * (1 - share) / v[peer "_rps"]
}
function median(a, n,    i, j, t) {
    if (n == 0) return 0
    for (i = 0; i < n; i++) for (j = i + 1; j < n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[int(n / 2)] : (a[n / 2 - 1] + a[n / 2]) / 2
}'

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
# The generator stands in for Postfix's smtpd processes, which on a real MX run beside the policy server rather than on
# its two cores. Here they share the cores, and a generator thread woken by a reply preempted the server in the middle
# of its batch: a context switch each way, and smaller batches on both sides. Under SCHED_BATCH the kernel gives the
# generator the same share of the CPU but does not preempt a running server to wake it; every target is measured so
# (docs/benchmarks.md, session 22).
case $GENERATOR_SCHED in
    batch) GENERATOR="chrt --batch 0 $JAVA" ;;
    normal) GENERATOR=$JAVA ;;
    *) log "GENERATOR_SCHED must be batch or normal, was '$GENERATOR_SCHED'"; exit 2 ;;
esac
# The generator as 'sekisho bench' once the root command lists it; until then its own main.
if "$JAVA" -cp "$CLASSPATH" dev.sekisho.Sekisho bench load --help 2>/dev/null | grep -q -- --fill-triplets; then
    BENCH_MAIN="dev.sekisho.Sekisho bench"
else
    BENCH_MAIN="dev.sekisho.cli.BenchCommand"
fi
log "java: $JAVA; generator: $BENCH_MAIN (scheduling: $GENERATOR_SCHED); targets: $TARGETS; $([[ $FILL_TRIPLETS -gt 0 ]] && echo "fill $FILL_TRIPLETS triplets" || echo "concurrency: $CONCURRENCY")"

for target in $TARGETS; do
    case $target in
        dunno | postgrey | postfwd | sekisho) "start_$target" || log "$target: failed; going on with the others" ;;
        *) log "unknown target '$target' (dunno, postgrey, postfwd, sekisho)"; exit 2 ;;
    esac
    # Stop this target before the next so they never compete for the two cores.
    for pid in "${STARTED_PIDS[@]}"; do stop_tree "$pid"; done
    STARTED_PIDS=()
done

if [[ $FILL_TRIPLETS -eq 0 && $ROUNDS -gt 0 && " $TARGETS " == *" dunno "* && " $TARGETS " == *" sekisho "* ]]; then
    measure_rounds || log "rounds: failed"
    for pid in "${STARTED_PIDS[@]}"; do stop_tree "$pid"; done
    STARTED_PIDS=()
fi

print_table
print_rounds
