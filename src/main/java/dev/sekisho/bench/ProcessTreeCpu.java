package dev.sekisho.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time used so far by a process and all its descendants, from Linux /proc: the sum of
 * utime, stime, cutime and cstime of every live process in the tree. cutime/cstime hold the
 * time of children already reaped, so the sum only grows even when a pre-forking server
 * (postfwd) replaces its children. Used to charge a policy server's CPU per request over
 * exactly the generator's measured period.
 */
public final class ProcessTreeCpu {

    /** /proc reports times in USER_HZ, which Linux fixes at 100 per second for user space. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    private final long rootPid;

    public ProcessTreeCpu(long rootPid) {
        if (rootPid <= 0) throw new IllegalArgumentException("not a process id: " + rootPid);
        this.rootPid = rootPid;
    }

    public Duration cpuTime() throws IOException {
        Map<Long, List<Long>> childrenByParent = new HashMap<>();
        Map<Long, Long> ticksByPid = new HashMap<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            for (Path entry : entries.toList()) {
                String name = entry.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) continue;
                String stat;
                try {
                    stat = Files.readString(entry.resolve("stat"));
                } catch (IOException exited) {
                    continue; // the process ended while we looked
                }
                // "pid (comm) state ppid ...": comm may hold spaces and parentheses; fields follow the last ')'.
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
                long pid = Long.parseLong(name);
                long parent = Long.parseLong(fields[1]);
                long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]) + Long.parseLong(fields[13]) + Long.parseLong(fields[14]);
                childrenByParent.computeIfAbsent(parent, p -> new ArrayList<>()).add(pid);
                ticksByPid.put(pid, ticks);
            }
        }
        if (!ticksByPid.containsKey(rootPid)) throw new IOException("process " + rootPid + " is not running");
        long ticks = 0;
        Deque<Long> toVisit = new ArrayDeque<>(List.of(rootPid));
        while (!toVisit.isEmpty()) {
            long pid = toVisit.pop();
            ticks += ticksByPid.getOrDefault(pid, 0L);
            toVisit.addAll(childrenByParent.getOrDefault(pid, List.of()));
        }
        return Duration.ofNanos(ticks * NANOS_PER_TICK);
    }
}
