package io.thermowatch.systemtests;

import io.thermowatch.testkit.Stack;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Resident memory (VmRSS from /proc, in kB) of each service of a {@link SystemUnderTest} and each RabbitMQ node. */
final class ProcessRss {

    static final List<String> SERVICES = List.of("db-writer", "email-sender", "dashboard");

    private ProcessRss() {}

    /** Process name → RSS in kB (0 if it is not running); services first, then rabbit1..3. */
    static Map<String, Long> of(SystemUnderTest system, Stack stack) {
        Map<String, Long> rss = new LinkedHashMap<>();
        for (String service : SERVICES) {
            rss.put(service, kilobytes(system.service(service).pid()));
        }
        for (int n = 1; n <= Stack.NODES; n++) {
            rss.put("rabbit" + n, kilobytes(nodePid(stack, n)));
        }
        return rss;
    }

    /** The node's beam.smp pid, -1 if unknown: RabbitMQ writes it into scripts/stack's state directory. */
    static long nodePid(Stack stack, int node) {
        String stateDir = System.getenv("THERMOWATCH_STACK_DIR"); // as scripts/stack finds its state directory
        Path state = stateDir == null || stateDir.isBlank() ? stack.root().resolve(".stack") : Path.of(stateDir);
        try {
            return Long.parseLong(Files.readString(state.resolve("rabbitmq/rabbit" + node + ".pid"))
                    .trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    static long kilobytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return 0;
    }
}
