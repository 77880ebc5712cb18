package io.thermowatch.systemtests;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The load run's verdict. PASS only if every rule holds:
 * <ol>
 *   <li>lost = 0 (every acknowledged reading is a row);</li>
 *   <li>the publishers kept up: acknowledged msg/s ≥ 95 % of the target (else the load was not what was asked);</li>
 *   <li>queue depth bounded: the maximum depth of either queue, read every second, under 10 s of the target rate;</li>
 *   <li>no backlog building up: the last minute's maximum depth at most the first minute's + 1 s of the target;</li>
 *   <li>RSS flat: each service and node at the last sample at most 20 % above its first sample after a 2-minute
 *       warm-up.</li>
 * </ol>
 */
record Verdict(boolean passed, List<String> lines, List<String> failures) {

    static final long WARM_UP_SECONDS = 120;
    static final double RSS_GROWTH_LIMIT = 0.20;

    static Verdict judge(
            double targetRate,
            double ackedRate,
            long lost,
            List<LoadRun.Depth> depths,
            List<LoadRun.Sample> samples,
            int minutes) {
        List<String> lines = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        check(lost == 0, "lost = " + lost + " (rule: 0)", lines, failures);
        check(
                ackedRate >= 0.95 * targetRate,
                "publishers kept up: " + fmt(ackedRate) + " of " + fmt(targetRate)
                        + " msg/s acknowledged (rule: ≥ 95 %)",
                lines,
                failures);

        long maxDepth = depths.stream().mapToLong(LoadRun.Depth::depth).max().orElse(0);
        long bound = (long) (10 * targetRate);
        check(
                maxDepth < bound,
                "max queue depth " + maxDepth + " ready messages (rule: < 10 s of the target = " + bound + ")",
                lines,
                failures);
        long end = minutes * 60L;
        long firstMinute = maxDepth(depths, 0, 60);
        long lastMinute = maxDepth(depths, end - 60, end);
        long tolerance = (long) targetRate;
        check(
                lastMinute <= firstMinute + tolerance,
                "max depth in the last minute " + lastMinute + " vs the first " + firstMinute
                        + " (rule: last ≤ first + 1 s of the target = " + (firstMinute + tolerance) + ")",
                lines,
                failures);

        LoadRun.Sample warm = samples.stream()
                .filter(s -> s.elapsedSeconds() >= WARM_UP_SECONDS)
                .findFirst()
                .orElse(null);
        LoadRun.Sample last = samples.isEmpty() ? null : samples.get(samples.size() - 1);
        if (warm == null || last == null) {
            check(false, "RSS: no sample after the warm-up", lines, failures);
        } else {
            StringBuilder growth = new StringBuilder();
            boolean flat = true;
            for (Map.Entry<String, Long> e : warm.rssKb().entrySet()) {
                long before = e.getValue();
                long after = last.rssKb().getOrDefault(e.getKey(), 0L);
                double ratio = before == 0 ? Double.NaN : (after - before) / (double) before;
                flat &= before > 0 && ratio < RSS_GROWTH_LIMIT;
                growth.append(growth.isEmpty() ? "" : ", ")
                        .append(e.getKey())
                        .append(' ')
                        .append(before / 1024)
                        .append(" → ")
                        .append(after / 1024)
                        .append(" MB (")
                        .append(String.format(Locale.ROOT, "%+.0f %%", 100 * ratio))
                        .append(')');
            }
            check(
                    flat,
                    "RSS from " + warm.elapsedSeconds() + " s (first sample after the " + WARM_UP_SECONDS
                            + " s warm-up) to " + last.elapsedSeconds() + " s: " + growth + " (rule: each < +"
                            + Math.round(100 * RSS_GROWTH_LIMIT) + " %)",
                    lines,
                    failures);
        }
        return new Verdict(failures.isEmpty(), List.copyOf(lines), List.copyOf(failures));
    }

    private static long maxDepth(List<LoadRun.Depth> depths, long fromSecond, long toSecond) {
        return depths.stream()
                .filter(d -> d.elapsedSeconds() >= fromSecond && d.elapsedSeconds() < toSecond)
                .mapToLong(LoadRun.Depth::depth)
                .max()
                .orElse(0);
    }

    private static void check(boolean ok, String line, List<String> lines, List<String> failures) {
        lines.add((ok ? "ok: " : "**FAILED**: ") + line);
        if (!ok) {
            failures.add(line);
        }
    }

    private static String fmt(double d) {
        return String.format(Locale.ROOT, "%,.1f", d);
    }
}
