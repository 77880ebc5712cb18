package io.thermowatch.systemtests;

import static org.awaitility.Awaitility.await;

import io.thermowatch.testkit.ManagementClient;
import io.thermowatch.testkit.Stack;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the chaos tests do to the stack and check after each step. */
final class Chaos {

    private static final Logger log = LoggerFactory.getLogger(Chaos.class);

    private final Stack stack;

    Chaos(Stack stack) {
        this.stack = stack;
    }

    /** The node number (1..3) leading quorum queue {@code queue}, as Raft reports it. */
    int leaderOf(String queue) {
        return stack.nodeNumber(stack.quorumMembership(queue).leader());
    }

    /**
     * Within 30 s, no queue without a consumer keeps growing: two samples of the management API 5 s apart (its
     * statistics lag by about that) show no zero-consumer queue with more messages than before. The service
     * queues are included: they have no consumer only if a service failed to come back.
     */
    void assertNoOrphanedGrowingQueue() {
        ManagementClient management = stack.management();
        Map<String, Long> previous = new HashMap<>();
        AtomicInteger samples = new AtomicInteger();
        await("no queue without a consumer keeps growing")
                .atMost(Duration.ofSeconds(40))
                .pollDelay(Duration.ZERO) // the first sample at once, the second 5 s later
                .pollInterval(Duration.ofSeconds(5))
                .until(() -> {
                    Map<String, Long> now = new HashMap<>();
                    for (ManagementClient.QueueInfo q : management.queues()) {
                        if (q.consumers() == 0) {
                            now.put(q.name(), q.messages());
                        }
                    }
                    List<String> growing = now.entrySet().stream()
                            .filter(e -> previous.containsKey(e.getKey()) && e.getValue() > previous.get(e.getKey()))
                            .map(e -> e.getKey() + " " + previous.get(e.getKey()) + "→" + e.getValue())
                            .toList();
                    previous.clear();
                    previous.putAll(now);
                    if (!growing.isEmpty()) {
                        log.info("chaos - queues without consumer growing: {}", growing);
                    }
                    return samples.incrementAndGet() >= 2 && growing.isEmpty();
                });
    }

    /** Restarts HAProxy through the test infrastructure (native or containers) and waits until every backend is UP. */
    void restartHaproxy() {
        log.info("chaos - restarting HAProxy");
        stack.restartHaproxy();
    }
}
