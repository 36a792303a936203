# Shared by the benchmark scripts (sourced from the project root): logging, and stopping every
# process a script started, with all it spawned.

log() {
    printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2
}

# All descendants of a process, deepest last (from ps, so it works for daemonized trees too).
descendants_of() {
    local parent=$1 child
    for child in $(ps -o pid= --ppid "$parent" 2>/dev/null); do
        echo "$child"
        descendants_of "$child"
    done
}

# Stops a process we started and everything it spawned: TERM, then KILL after 5 s.
stop_tree() {
    local root=$1 pids pid
    pids="$root $(descendants_of "$root" | tr '\n' ' ')"
    # shellcheck disable=SC2086 # a list of pids
    kill -TERM $pids 2>/dev/null || true
    for _ in $(seq 50); do
        local alive=""
        for pid in $pids; do
            kill -0 "$pid" 2>/dev/null && alive="$alive $pid"
        done
        [[ -z $alive ]] && return 0
        sleep 0.1
    done
    # shellcheck disable=SC2086
    kill -KILL $alive 2>/dev/null || true
}

# A JDK 21 or later to run the jar (the build's toolchain picks its own): JAVA_HOME's, one under
# /usr/lib/jvm, or the one on PATH.
find_java() {
    local candidate version
    for candidate in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} /usr/lib/jvm/*/bin/java "$(command -v java || true)"; do
        [[ -x $candidate ]] || continue
        version=$("$candidate" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ {print $2}')
        if [[ ${version%%.*} -ge 21 ]]; then
            echo "$candidate"
            return 0
        fi
    done
    echo "no JDK 21 or later found (set JAVA_HOME)" >&2
    return 1
}
