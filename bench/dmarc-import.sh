#!/usr/bin/env bash
# DMARC report import benchmark (issue 4, Performance), enrichment off (none is built):
#   corpus   REPORTS generated aggregate reports holding RECORDS records in total (six in ten gzip,
#            two zip, two plain XML; `sekisho bench dmarc-corpus`, seeded), then
#            import      `sekisho dmarc import CORPUS --db WORK/reports.db` into a fresh SQLite file
#            parse-only  `sekisho dmarc import CORPUS --parse-only`: the same files decompressed and
#                        parsed, nothing stored: the ceiling an import can reach
#   single   one plain XML report of SINGLE_BYTES, imported (and parsed only) with the heap capped
#            at SINGLE_HEAP; the JVM's GC log gives the heap used before and after each collection.
# For each run: wall time (JVM start included), records/s (records from the command's summary over
# the wall time), CPU time (user+sys) and peak RSS from /usr/bin/time, and the heap from the GC log.
# Prints a markdown table. The corpus runs use the launcher's default JVM options (-Xmx768m, G1), and with them the
# options bin/sekisho adds for `dmarc import` alone (C2 thresholds, transparent huge pages), which SEKISHO_JAVA_OPTS does not replace.
#
# Settings (environment):
#   REPORTS=10000  RECORDS=1000000  SEED=1
#   SINGLE_BYTES=1g                 size of the single report (k, m, g); 0 skips it
#   SINGLE_HEAP=256m                -Xmx for the single-report runs
#   RUNS="import parse-only"        which corpus runs (each on a fresh database)
#   ROUNDS=1                        how many times the corpus runs are repeated, back to back (the rate varies
#                                   from run to run on a shared machine: compare import and parse-only of a round)
#   SKIP_BUILD=1                    use the existing target/sekisho.jar
#   KEEP_WORK=1                     leave the work directory (corpus, database, GC logs) behind
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh

REPORTS=${REPORTS:-10000}
RECORDS=${RECORDS:-1000000}
SEED=${SEED:-1}
SINGLE_BYTES=${SINGLE_BYTES:-1g}
SINGLE_HEAP=${SINGLE_HEAP:-256m}
RUNS=${RUNS:-import parse-only}
ROUNDS=${ROUNDS:-1}

WORK=$(mktemp -d /tmp/sekisho-dmarc-bench.XXXXXX)
RESULTS="$WORK/results.kv"
: >"$RESULTS"

cleanup() {
    if [[ ${KEEP_WORK:-0} == 1 ]]; then
        log "work directory kept: $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[[ -x /usr/bin/time ]] || { log "/usr/bin/time (GNU time) is needed for CPU time and peak RSS: apt-get install time"; exit 1; }

if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    log "building: ./mvnw -q -B package -DskipTests"
    ./mvnw -q -B package -DskipTests </dev/null
fi
DEFAULT_OPTS="-Xms256m -Xmx768m -XX:+UseG1GC --enable-native-access=ALL-UNNAMED" # bin/sekisho's defaults

# max_used_mib max_before_gc_mib collections from a -Xlog:gc log ("Pause Young (Normal) (G1 Evacuation Pause) 120M->30M(256M) 5.1ms").
heap_from_gc_log() {
    awk '
        match($0, /[0-9]+M->[0-9]+M\([0-9]+M\)/) {
            split(substr($0, RSTART, RLENGTH), a, /M->|M\(|M\)/)
            if (a[1] + 0 > before) before = a[1] + 0
            if (a[2] + 0 > after) after = a[2] + 0
            n++
        }
        END { printf "heap_after_gc_mib=%d heap_before_gc_mib=%d collections=%d", after, before, n }' "$1"
}

# Runs `bin/sekisho dmarc import ARGS...` under /usr/bin/time and a GC log, appends one result line.
#   measure NAME INPUT_DESCRIPTION JAVA_OPTS ARGS...
measure() {
    local name=$1 input=$2 opts=$3 start end code=0 records gc="$WORK/$1.gc.log"
    shift 3
    log "$name: bin/sekisho dmarc import $* (JVM: $opts)"
    start=$(date +%s.%N)
    SEKISHO_JAVA_OPTS="$opts -Xlog:gc:file=$gc" /usr/bin/time -f "cpu_s=%U+%S peak_rss_kib=%M" -o "$WORK/$name.time" \
        bin/sekisho dmarc import --no-enrich "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || code=$? # enrichment off, as issue 4 asks
    end=$(date +%s.%N)
    cat "$WORK/$name.out" >&2
    grep -q OutOfMemoryError "$WORK/$name.err" && code="$code(OutOfMemoryError)"
    records=$(awk '/^read:/ {for (i = 1; i <= NF; i++) if ($(i + 1) ~ /^records/) {gsub(",", "", $i); print $i; exit}}' "$WORK/$name.out")
    echo "name=$name input=$input exit=$code records=${records:-0} wall_s=$(awk -v s="$start" -v e="$end" 'BEGIN {printf "%.2f", e - s}') $(tail -n 1 "$WORK/$name.time") xmx=$(grep -o -- '-Xmx[0-9]*[kmgKMG]' <<<"$opts" | tail -n 1 | cut -c5-) $(heap_from_gc_log "$gc")" |
        tee -a "$RESULTS" >&2
}

log "corpus: $REPORTS reports, $RECORDS records, seed $SEED"
CORPUS_LINE=$(bin/sekisho bench dmarc-corpus "$WORK/corpus" --reports "$REPORTS" --records "$RECORDS" --seed "$SEED")
CORPUS_MIB=$(awk '{for (i = 1; i <= NF; i++) if ($i ~ /^bytes=/) printf "%.0f", substr($i, 7) / 1048576}' <<<"$CORPUS_LINE")
# The XML the reader parses, decompressed (unzip only when installed).
XML_MIB=$({ find "$WORK/corpus" -name '*.gz' -exec zcat {} +; find "$WORK/corpus" -name '*.xml' -exec cat {} +
    if command -v unzip >/dev/null; then find "$WORK/corpus" -name '*.zip' -exec unzip -p {} \; ; fi; } | wc -c | awk '{printf "%.0f", $1 / 1048576}')
log "corpus: $CORPUS_LINE ($CORPUS_MIB MiB on disk, $XML_MIB MiB of XML decompressed)"
sync
for round in $(seq 1 "$ROUNDS"); do
    suffix=$([[ $ROUNDS == 1 ]] || echo "-$round")
    for run in $RUNS; do
        case $run in
            import) rm -f "$WORK"/reports.db*; measure "import$suffix" "corpus ($REPORTS reports)" "$DEFAULT_OPTS" "$WORK/corpus" --db "$WORK/reports.db" ;;
            parse-only) measure "parse-only$suffix" "corpus ($REPORTS reports)" "$DEFAULT_OPTS" "$WORK/corpus" --parse-only ;;
            *) log "unknown run '$run' (import, parse-only)"; exit 2 ;;
        esac
    done
done
DB_MIB=$( [[ -f $WORK/reports.db ]] && du -sm "$WORK/reports.db" | cut -f1 || echo 0)

SINGLE_LINE=""
if [[ $SINGLE_BYTES != 0 ]]; then
    rm -rf "$WORK/corpus" # room on disk for the big one
    log "single report: at least $SINGLE_BYTES"
    SINGLE_LINE=$(bin/sekisho bench dmarc-corpus "$WORK/single" --single-report-bytes "$SINGLE_BYTES" --seed "$SEED")
    log "single report: $SINGLE_LINE"
    SINGLE_OPTS="-Xms64m -Xmx$SINGLE_HEAP -XX:+UseG1GC --enable-native-access=ALL-UNNAMED"
    rm -f "$WORK"/single.db*
    measure single-import "one report, $SINGLE_BYTES XML" "$SINGLE_OPTS" "$WORK/single/single-report.xml" --db "$WORK/single.db"
    measure single-parse-only "one report, $SINGLE_BYTES XML" "$SINGLE_OPTS" "$WORK/single/single-report.xml" --parse-only
fi

echo
echo "| run | input | records | wall s | records/s | CPU s (user+sys) | peak RSS MiB | -Xmx | max heap after GC MiB | max heap before GC MiB | GCs | exit |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
awk '{
    delete v
    for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = substr($i, length(kv[1]) + 2) }
    split(v["cpu_s"], cpu, "+")
    input = $0; sub(/.*input=/, "", input); sub(/ exit=.*/, "", input)
    printf "| %s | %s | %d | %.1f | %.0f | %.1f (%.1f+%.1f) | %.0f | %s | %s | %s | %s | %s |\n",
        v["name"], input, v["records"], v["wall_s"], v["records"] / v["wall_s"], cpu[1] + cpu[2], cpu[1], cpu[2],
        v["peak_rss_kib"] / 1024, v["xmx"], v["heap_after_gc_mib"], v["heap_before_gc_mib"], v["collections"], v["exit"]
}' "$RESULTS"
# Import over parse-only, per round and for the single report: how close the import comes to its ceiling.
awk '{
    delete v
    for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = substr($i, length(kv[1]) + 2) }
    key = v["name"]; sub(/^(single-)?(import|parse-only)/, "", key); key = (v["name"] ~ /^single/ ? "single" : "corpus") key
    if (v["name"] ~ /import/) imp[key] = v["records"] / v["wall_s"]; else par[key] = v["records"] / v["wall_s"]
    if (!(key in seen)) { seen[key] = 1; order[++n] = key }
} END {
    for (i = 1; i <= n; i++) if ((order[i] in imp) && (order[i] in par))
        printf "%s: import %.0f records/s, parse-only %.0f records/s, import/parse-only %.2f\n", order[i], imp[order[i]], par[order[i]], imp[order[i]] / par[order[i]]
}' "$RESULTS"
echo
echo "Corpus: $CORPUS_LINE ($CORPUS_MIB MiB on disk, $XML_MIB MiB of XML decompressed, seed $SEED); SQLite file after the import: $DB_MIB MiB."
[[ -n $SINGLE_LINE ]] && echo "Single report: $SINGLE_LINE."
echo "Machine: $(nproc) CPUs ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)); $(bin/sekisho --version 2>/dev/null | head -n 1 || true); $(date -u +%Y-%m-%d)."
