package io.thermowatch.systemtests;

import io.thermowatch.testkit.Stack;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * CPU time (user + system, {@code utime + stime} of /proc/&lt;pid&gt;/stat: every thread of the process) of each
 * service of a {@link SystemUnderTest}, each RabbitMQ node and the benchmark's own JVM (the publishers), and of the
 * whole machine (/proc/stat, every process: what else ran shows as the difference), to turn two samples and a reading
 * count into CPU milliseconds per 1,000 readings.
 */
final class ProcessCpu {

    /** CPU used by one process so far; {@code pid} -1 (and 0 ms) when it is not running. */
    record Sample(long pid, long cpuMillis) {}

    static final String BENCH = "benchmark JVM (publishers)";
    static final String MACHINE = "whole machine (every process)";
    private static final long TICKS_PER_SECOND = clockTicks();

    private ProcessCpu() {}

    /**
     * Process name → its CPU so far: the services (as in {@link ProcessRss}), rabbit1..3, {@link #BENCH} and
     * {@link #MACHINE}.
     */
    static Map<String, Sample> of(SystemUnderTest system, Stack stack) {
        Map<String, Sample> cpu = new LinkedHashMap<>();
        for (String service : ProcessRss.SERVICES) {
            cpu.put(service, sample(system.service(service).pid()));
        }
        cpu.putAll(withoutServices(stack));
        return cpu;
    }

    /** As {@link #of} while no service runs: rabbit1..3, {@link #BENCH}, {@link #MACHINE}. */
    static Map<String, Sample> withoutServices(Stack stack) {
        Map<String, Sample> cpu = new LinkedHashMap<>();
        for (int n = 1; n <= Stack.NODES; n++) {
            cpu.put("rabbit" + n, sample(ProcessRss.nodePid(stack, n)));
        }
        cpu.put(BENCH, sample(ProcessHandle.current().pid()));
        cpu.put(MACHINE, machine());
        return cpu;
    }

    /** Busy time of every CPU (the first line of /proc/stat: user, nice, system, irq, softirq, steal), pid 0. */
    static Sample machine() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long ticks = 0;
            for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
                ticks += Long.parseLong(f[i]);
            }
            return new Sample(0, ticks * 1000 / TICKS_PER_SECOND);
        } catch (IOException | RuntimeException e) {
            return new Sample(-1, 0);
        }
    }

    /**
     * CPU milliseconds per 1,000 readings between two samples of the same process, or NaN when it was not running
     * at both or was restarted in between (another pid: its CPU restarted from zero).
     */
    static double perThousand(Sample before, Sample after, long readings) {
        if (before == null || after == null || before.pid() < 0 || before.pid() != after.pid() || readings <= 0) {
            return Double.NaN;
        }
        return (after.cpuMillis() - before.cpuMillis()) * 1000.0 / readings;
    }

    static Sample sample(long pid) {
        if (pid < 0) {
            return new Sample(-1, 0);
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"), StandardCharsets.US_ASCII);
            // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime: fields 14 and 15
            return new Sample(pid, ticks * 1000 / TICKS_PER_SECOND);
        } catch (IOException e) {
            return new Sample(-1, 0); // exited
        }
    }

    /** {@code getconf CLK_TCK}: the unit of utime and stime. */
    private static long clockTicks() {
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            if (!getconf.waitFor(10, TimeUnit.SECONDS) || getconf.exitValue() != 0) {
                throw new IllegalStateException("getconf CLK_TCK failed: " + out);
            }
            return Long.parseLong(out);
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("getconf CLK_TCK: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running getconf CLK_TCK", e);
        }
    }
}
