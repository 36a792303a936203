#!/usr/bin/env bash
# SPF overlap audit benchmark (issue 3: "100,000 customers in minutes, with a bound on DNS load and
# a shared cache"). It
#   1. generates zones for a synthetic hosting provider (hoster.example: an SPF include chain three
#      deep with ip4/ip6 ranges and an a: term, MX and web hosts, a _dmarc record) and N customers
#      (cNNNNNN.test: include of the provider, own ranges partly inside it, unrelated ranges, mx/a
#      terms, redirects, +all, exists macros, no SPF, broken records, names that do not exist), with
#      bench/spf-overlap-zone.py;
#   2. serves them from NSD (Debian's package; installed if absent, its service held back) on
#      127.0.0.1 on a free high port, in the foreground with its own configuration in a temp dir;
#   3. runs, for each concurrency, a fresh
#        bin/sekisho audit spf-overlap --provider hoster.example --customers FILE \
#            --resolver 127.0.0.1:PORT --concurrency C --csv
#      under /usr/bin/time (CSV to a file in the temp dir, which is counted for the verdicts), with
#      NSD's statistics reset before and read after, and
#   4. prints customers, wall seconds, customers per second, queries NSD answered (and per
#      customer), peak RSS of the Sekisho JVM, and the verdict counts next to what the generator
#      expects, as a markdown table.
#
# Everything listens on 127.0.0.1 only; every process started here is stopped on exit.
#
# Settings (environment):
#   CUSTOMERS=100000          customer domains generated
#   CONCURRENCY="8 32 128"    --concurrency values, one fresh Sekisho process each
#   SEED=1                    zone generator seed
#   NSD_SERVERS=1             NSD server processes (the machine has few cores; Sekisho needs them)
#   RUN_TIMEOUT=30m           a run that takes longer is stopped (and reported as such)
#   SKIP_BUILD=1              use the existing target/sekisho.jar
#   SEKISHO_JAVA_OPTS         passed through to bin/sekisho (e.g. -XX:StartFlightRecording=...)
#   KEEP_WORK=1               leave the temp dir (zones, CSV, NSD log) in place and print its path
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh

CUSTOMERS=${CUSTOMERS:-100000}
CONCURRENCY=${CONCURRENCY:-8 32 128}
SEED=${SEED:-1}
NSD_SERVERS=${NSD_SERVERS:-1}
RUN_TIMEOUT=${RUN_TIMEOUT:-30m}
PROVIDER=hoster.example

WORK=$(mktemp -d /tmp/sekisho-spf-overlap.XXXXXX)
chmod 755 "$WORK"
RESULTS="$WORK/results.kv"
: >"$RESULTS"
STARTED_PIDS=()

cleanup() {
    local pid
    for pid in "${STARTED_PIDS[@]}"; do
        stop_tree "$pid"
    done
    if [[ ${KEEP_WORK:-0} == 1 ]]; then
        log "work directory kept: $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# A port free for TCP and (as far as ss shows) for UDP.
free_port() {
    local port
    for port in $(seq $((20000 + RANDOM % 20000)) 45000); do
        port_in_use "$port" && continue
        ss -Hlun "sport = :$port" 2>/dev/null | grep -q . && continue
        echo "$port"
        return 0
    done
    return 1
}

# NSD from Debian if absent, with invoke-rc.d refusing to start its service (exit 101) during the
# install, as .ci/run does for Postfix; any policy-rc.d already in place is put back afterwards.
ensure_nsd() {
    command -v nsd >/dev/null && command -v nsd-control >/dev/null && return 0
    [[ $(id -u) -eq 0 ]] || { log "nsd is not installed and installing it needs root: apt-get install nsd"; return 1; }
    log "installing nsd (service held back)"
    local policy=/usr/sbin/policy-rc.d saved="" status=0
    if [[ -e $policy ]]; then
        saved=$(mktemp)
        cp -p "$policy" "$saved"
    fi
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    { DEBIAN_FRONTEND=noninteractive apt-get install -y -q nsd </dev/null >"$WORK/apt.log" 2>&1 ||
        { apt-get update -q >>"$WORK/apt.log" 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nsd </dev/null >>"$WORK/apt.log" 2>&1; }; } || status=$?
    if [[ -n $saved ]]; then mv "$saved" "$policy"; else rm -f "$policy"; fi
    [[ $status -eq 0 ]] || { log "apt-get install nsd failed (see below)"; tail -5 "$WORK/apt.log" >&2; return 1; }
}

ensure_time() {
    [[ -x /usr/bin/time ]] && return 0
    [[ $(id -u) -eq 0 ]] || { log "/usr/bin/time is missing: apt-get install time"; return 1; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q time </dev/null >"$WORK/apt-time.log" 2>&1
}

nsd_control() {
    nsd-control -c "$WORK/nsd/nsd.conf" "$@"
}

start_nsd() {
    local dir="$WORK/nsd"
    mkdir -p "$dir"
    NSD_PORT=$(free_port)
    # No privilege drop and no chroot: the server only reads this directory and serves 127.0.0.1.
    # rrl-ratelimit 0: response rate limiting would slip (truncate) answers to a single client
    # address sending thousands of queries a second, which is exactly this benchmark.
    cat >"$dir/nsd.conf" <<EOF
server:
    ip-address: 127.0.0.1
    port: $NSD_PORT
    do-ip6: no
    server-count: $NSD_SERVERS
    username: ""
    chroot: ""
    zonesdir: "$WORK/zones"
    database: ""
    zonelistfile: "$dir/zone.list"
    xfrdfile: "$dir/xfrd.state"
    xfrdir: "$dir"
    pidfile: "$dir/nsd.pid"
    logfile: "$dir/nsd.log"
    verbosity: 1
    hide-version: yes
    rrl-ratelimit: 0
    rrl-whitelist-ratelimit: 0
    tcp-count: 512
remote-control:
    control-enable: yes
    control-interface: "$dir/nsd.ctl"
zone:
    name: example.
    zonefile: example.zone
zone:
    name: test.
    zonefile: test.zone
EOF
    nsd-checkconf "$dir/nsd.conf" || { log "nsd-checkconf rejects the configuration"; return 1; }
    nsd -d -c "$dir/nsd.conf" </dev/null >"$dir/nsd.stdout" 2>&1 &
    NSD_PID=$!
    STARTED_PIDS+=("$NSD_PID")
    # Ready when the control socket answers and both zones are served.
    for _ in $(seq 600); do
        if nsd_control zonestatus test. 2>/dev/null | grep -Eq 'state: (ok|primary|master)' &&
            nsd_control zonestatus example. 2>/dev/null | grep -Eq 'state: (ok|primary|master)'; then
            return 0
        fi
        kill -0 "$NSD_PID" 2>/dev/null || break
        sleep 0.1
    done
    log "nsd did not come up; its log:"
    tail -n 20 "$dir/nsd.log" "$dir/nsd.stdout" >&2 || true
    return 1
}

# key=value of NSD's counters since the last reset: queries, of them over TCP, and answers by rcode.
nsd_stats_reset() {
    nsd_control stats >/dev/null
}

nsd_stats() {
    nsd_control stats_noreset | awk -F= '
        $1 == "num.queries" { q = $2 }
        $1 == "num.tcp" { tcp = $2 }
        $1 == "num.rcode.NOERROR" { ok = $2 }
        $1 == "num.rcode.NXDOMAIN" { nx = $2 }
        $1 == "num.rcode.REFUSED" { refused = $2 }
        $1 == "num.rcode.SERVFAIL" { sf = $2 }
        $1 == "num.truncated" { tc = $2 }
        END { printf "queries=%d tcp=%d noerror=%d nxdomain=%d refused=%d servfail=%d truncated=%d", q, tcp, ok, nx, refused, sf, tc }'
}

run_audit() {
    local concurrency=$1 csv="$WORK/out-$1.csv" timing="$WORK/time-$1.txt" status=0 start end
    log "sekisho audit spf-overlap: $CUSTOMERS customers, concurrency $concurrency"
    nsd_stats_reset
    start=$(date +%s.%N)
    timeout --signal=TERM --kill-after=10s "$RUN_TIMEOUT" \
        /usr/bin/time -f 'wall=%e user=%U sys=%S maxrss_kib=%M' -o "$timing" \
        bin/sekisho audit spf-overlap --provider "$PROVIDER" --customers "$WORK/zones/customers.txt" \
        --resolver "127.0.0.1:$NSD_PORT" --concurrency "$concurrency" --csv \
        </dev/null >"$csv" 2>"$WORK/err-$concurrency.txt" || status=$?
    end=$(date +%s.%N)
    # Exit 1 (some customer overlaps) is the expected outcome; 2 when some could not be checked. A JVM
    # that dies (e.g. OutOfMemoryError) exits 1 too, with no CSV: the table marks that "(no output)".
    [[ $status -le 2 ]] || log "concurrency $concurrency: exit status $status (124: stopped after $RUN_TIMEOUT)"
    local counts
    counts=$(awk -F, 'NR > 1 { v[$3]++ } END { printf "full=%d partial=%d none=%d error=%d", v["full"], v["partial"], v["none"], v["error"] }' "$csv")
    echo "concurrency=$concurrency status=$status elapsed=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }') $(cat "$timing" | grep '^wall=' || echo wall=0 maxrss_kib=0) $(nsd_stats) $counts" |
        tee -a "$RESULTS" >&2
    # The first few stderr lines (domains that could not be checked) show what went wrong, if anything.
    if [[ -s $WORK/err-$concurrency.txt ]]; then
        log "stderr of the run ($(wc -l <"$WORK/err-$concurrency.txt") lines), first 3:"
        head -3 "$WORK/err-$concurrency.txt" >&2
    fi
}

# The verdicts of one run against what the generator says each shape must give; prints mismatches.
check_verdicts() {
    local csv=$1
    awk -F'\t' 'NR == FNR { shape[$1] = $2; want[$1] = $3; next }
        FNR > 1 {
            split($0, f, ","); c = f[1]; got = f[3]
            if (!(c in want)) { print "unexpected customer " c > "/dev/stderr"; bad++; next }
            if (want[c] != "any" && want[c] != got) { if (bad < 5) print "  " c " (" shape[c] "): " got ", expected " want[c] > "/dev/stderr"; bad++ }
        }
        END { print bad + 0 }' "$WORK/zones/expected.tsv" "$csv"
}

print_table() {
    echo
    echo "| concurrency | customers | wall s | customers/s | DNS queries answered | queries/customer | of them TCP | peak RSS MiB | CPU s (user+sys) | full | partial | none | could not check | verdicts not as generated | exit |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    local line concurrency mismatches
    while read -r line; do
        concurrency=$(sed -n 's/.*concurrency=\([0-9]*\).*/\1/p' <<<"$line")
        mismatches=$(check_verdicts "$WORK/out-$concurrency.csv" 2>/dev/null)
        awk -v n="$CUSTOMERS" -v mismatches="$mismatches" '{
            for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
            wall = v["wall"] + 0
            printf "| %s | %d | %.1f | %.0f | %d | %.2f | %d | %d | %.1f | %d | %d | %d | %d | %s | %s |\n",
                v["concurrency"], n, wall, (wall > 0 ? n / wall : 0), v["queries"], v["queries"] / n, v["tcp"],
                v["maxrss_kib"] / 1024, v["user"] + v["sys"], v["full"], v["partial"], v["none"], v["error"], mismatches,
                v["status"] (v["full"] + v["partial"] + v["none"] + v["error"] == 0 ? " (no output)" : "")
        }' <<<"$line"
    done <"$RESULTS"
    echo
    echo "Machine: $(nproc) CPUs ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo);"
    echo "NSD $(nsd -v 2>&1 | awk '/NSD version/ {print $3; exit}') ($NSD_SERVERS server process) and Sekisho on the same machine; JVM options: ${SEKISHO_JAVA_OPTS:-bin/sekisho defaults};"
    echo "$CUSTOMERS customers in the file (plus a comment, a blank line and $(grep -c '^C' "$WORK/zones/customers.txt") upper-case duplicates, which the command skips), seed $SEED; $(date -u +%Y-%m-%d)."
}

ensure_nsd
ensure_time
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    log "building: ./mvnw -q -B package -Dmaven.test.skip=true"
    ./mvnw -q -B package -Dmaven.test.skip=true </dev/null >&2
fi
# bin/sekisho rebuilds when a source is newer than the jar; make sure it will not do so inside a timed run.
[[ -f target/sekisho.jar ]] || { log "target/sekisho.jar is missing (run without SKIP_BUILD=1)"; exit 2; }
touch target/sekisho.jar

mkdir -p "$WORK/zones"
log "generating zones: $CUSTOMERS customers, seed $SEED"
python3 bench/spf-overlap-zone.py --customers "$CUSTOMERS" --seed "$SEED" --out "$WORK/zones"
nsd-checkzone example. "$WORK/zones/example.zone" >&2
nsd-checkzone test. "$WORK/zones/test.zone" >&2
log "zones: $(wc -l <"$WORK/zones/test.zone") lines for the customers; expected verdicts: $(cut -f3 "$WORK/zones/expected.tsv" | sort | uniq -c | awk '{printf "%s %s, ", $2, $1}')"

start_nsd
log "nsd (pid $NSD_PID) serving example. and test. on 127.0.0.1:$NSD_PORT"

for concurrency in $CONCURRENCY; do
    run_audit "$concurrency"
done

print_table
