package io.thermowatch.systemtests;

import io.thermowatch.testkit.Stack;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The machine and the stack's versions, described for a report: what the figures were measured on. */
final class Machine {

    private Machine() {}

    /** Markdown bullet lines; a version that cannot be read cheaply is given as "?". */
    static List<String> describe(Stack stack) {
        List<String> lines = new ArrayList<>();
        lines.add("- CPU: " + Runtime.getRuntime().availableProcessors() + " cores, "
                + field(Path.of("/proc/cpuinfo"), "model name")
                + " (a shared machine: other work may have run at the same time)");
        lines.add("- RAM: " + memory());
        lines.add("- OS: " + osName() + ", kernel " + System.getProperty("os.version"));
        lines.add("- Java: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version")
                + " (services: "
                + ("production".equals(System.getProperty("services.jvm"))
                        ? String.join(" ", SystemUnderTest.stackJvmOptions(stack.root()))
                                + " -XX:TieredStopAtLevel=4: the images' options (jvm.options, compose's memory limit), full JIT"
                        : "-Xmx160m -XX:+UseSerialGC -XX:TieredStopAtLevel=1, the tests' quick start")
                + ")");
        lines.add("- Priority: this JVM and the services and browser it starts at nice " + niceOf("self")
                + ", RabbitMQ node 1 at nice " + niceOf(nodePid(stack)) + " (the stack is started outside the bench)");
        lines.add("- RabbitMQ: " + rabbitVersion(stack) + " × " + Stack.NODES + " nodes (quorum queues), HAProxy: "
                + firstLine(List.of("haproxy", "-v")) + ", PostgreSQL: " + postgresVersion(stack));
        return lines;
    }

    private static String memory() {
        String total = field(Path.of("/proc/meminfo"), "MemTotal").replaceAll("[^0-9]", "");
        return total.isEmpty()
                ? "?"
                : String.format(java.util.Locale.ROOT, "%.1f GiB", Long.parseLong(total) / 1024.0 / 1024.0);
    }

    /** Field 19 of /proc/<pid>/stat (after the parenthesised command name): the process's nice value. */
    private static String niceOf(String pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).split(" ")[16];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private static String nodePid(Stack stack) {
        return String.valueOf(ProcessRss.nodePid(stack, 1));
    }

    private static String osName() {
        String pretty = field(Path.of("/etc/os-release"), "PRETTY_NAME").replace("\"", "");
        return pretty.equals("?") ? System.getProperty("os.name") : pretty;
    }

    private static String rabbitVersion(Stack stack) {
        try {
            var overview = stack.management().getJson("/api/overview");
            return overview.path("rabbitmq_version").asText("?") + " (Erlang "
                    + overview.path("erlang_version").asText("?") + ")";
        } catch (RuntimeException e) {
            return "?";
        }
    }

    private static String postgresVersion(Stack stack) {
        StringBuilder version = new StringBuilder();
        try {
            new Rows(stack)
                    .query(
                            "SELECT current_setting('server_version'), "
                                    + "EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb')",
                            List.of(),
                            rs -> version.append(rs.getString(1))
                                    .append(rs.getBoolean(2) ? " with TimescaleDB" : " without TimescaleDB"));
        } catch (RuntimeException e) {
            return "?";
        }
        return version.toString();
    }

    /** The value of the first "key: value" or "key=value" line of a file. */
    private static String field(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(key)) {
                    return line.substring(line.indexOf(line.contains(":") ? ':' : '=') + 1)
                            .trim()
                            .replaceAll("\\s+", " ");
                }
            }
        } catch (IOException e) {
            return "?";
        }
        return "?";
    }

    private static String firstLine(List<String> command) {
        try {
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor(5, TimeUnit.SECONDS);
            String first = out.lines().findFirst().orElse("?");
            return first.replaceAll("^HAProxy version (\\S+).*", "$1");
        } catch (IOException e) {
            return "?";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }
}
