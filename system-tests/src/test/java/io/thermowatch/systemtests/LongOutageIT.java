package io.thermowatch.systemtests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thermowatch.testkit.Mailbox;
import io.thermowatch.testkit.MqttTestClient;
import io.thermowatch.testkit.ServiceProcess;
import io.thermowatch.testkit.Stack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Outages longer than {@code consumer_timeout}, counted (issue 13): with the timeout lowered to
 * {@code -Doutage.consumer.timeout.seconds} (default 60) on every node, PostgreSQL, then SMTP, stays down well
 * past it while readings keep arriving. Each ends with 0 lost, 0 doubled, both dead-letter queues empty and
 * nothing dead-lettered from email-sender's queue (its queue is drained at once, so its counter says it), and
 * during each the consumer concerned holds no unacknowledged delivery and the broker never closes
 * its channel for a timed-out acknowledgement: nothing an outage of any length could push toward the
 * queues' {@code delivery-limit}.
 *
 * <p>RabbitMQ 3.10 copies {@code consumer_timeout} into each channel when it opens, so the value is lowered
 * before the system starts (every service channel opens afterwards), and checked on the channel tick, so
 * {@code channel_tick_interval} goes from 60 s to 5 s for the run: an expired delivery is caught 60–65 s after
 * it was delivered instead of 60–120 s. Both are restored in {@code @AfterAll} to the values read at start.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LongOutageIT {

    private static final Logger log = LoggerFactory.getLogger(LongOutageIT.class);
    private static final String DEAD_LETTER_QUEUE = "thermowatch.dead-letter";
    private static final Duration COUNT_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration CONSUMER_TIMEOUT =
            Duration.ofSeconds(Long.getLong("outage.consumer.timeout.seconds", 60));
    private static final Duration TICK = Duration.ofSeconds(5);
    /** Past the lowered timeout, one tick, and the management API's few seconds of statistics lag. */
    private static final Duration PAST_THE_TIMEOUT = CONSUMER_TIMEOUT.plus(TICK).plusSeconds(15);
    /**
     * How soon after the outage starts the statistics must show nothing held: the first failed write or mail,
     * then the management API's statistics lag.
     */
    private static final Duration HANDED_BACK_WITHIN = Duration.ofSeconds(30);
    /** What RabbitMQ writes into the channel-close reason when consumer_timeout expires. */
    private static final String TIMED_OUT = "delivery acknowledgement on channel";

    private Stack stack;
    private SystemUnderTest system;
    private Rows rows;
    private Optional<String> originalTimeout;
    private Optional<String> originalTick;
    private boolean lowered;

    @BeforeAll
    void lowerTheConsumerTimeoutThenStartTheSystem() {
        stack = Stack.get();
        stack.awaitClusterComplete(Duration.ofMinutes(3));
        originalTimeout = stack.rabbitSetting(1, "consumer_timeout");
        originalTick = stack.rabbitSetting(1, "channel_tick_interval");
        lowered = true;
        stack.setRabbitSetting("consumer_timeout", Optional.of(Long.toString(CONSUMER_TIMEOUT.toMillis())));
        stack.setRabbitSetting("channel_tick_interval", Optional.of(Long.toString(TICK.toMillis())));
        // offline detection far away: the only mails are the alerts the test causes
        system = SystemUnderTest.start(Duration.ofMinutes(10), Map.of("BATCH_MAX_WAIT", "1s"), Map.of());
        rows = new Rows(stack);
    }

    @AfterAll
    void stopTheSystemAndRestoreTheBroker() {
        try {
            if (system != null) {
                system.close();
            }
        } finally {
            if (lowered) {
                stack.setRabbitSetting("consumer_timeout", originalTimeout);
                stack.setRabbitSetting("channel_tick_interval", originalTick);
            }
        }
    }

    @Test
    @Order(1)
    void a_database_outage_past_consumer_timeout_with_two_db_writer_restarts_loses_doubles_and_dead_letters_nothing()
            throws Exception {
        CountedStream stream = CountedStream.start(stack, system.run, 2, Duration.ofMillis(100), Set.of(1));
        List<ServiceProcess> writers = new ArrayList<>(List.of(system.service("db-writer")));
        HeldDeliveries held = null;
        boolean closed = false;
        try {
            awaitProgress(stream, 20);
            stack.stopPostgres();
            try {
                // From the first failed write on, the outage is db-writer's: measured from there
                writers.get(0).awaitOutput("Cannot write a batch", Duration.ofSeconds(60));
                held = HeldDeliveries.sample(stack, Stack.DB_WRITER_QUEUE);
                awaitOutage(stream, PAST_THE_TIMEOUT, "the first db-writer through a database outage");
                // Two restarts during the outage: SIGTERM, then SIGKILL; each new one waits for the database
                ServiceProcess first = system.service("db-writer");
                first.sigterm();
                assertEquals(0, first.awaitExit(Duration.ofSeconds(30)), "db-writer exit code after SIGTERM");
                ServiceProcess second = system.startService("db-writer");
                writers.add(second);
                second.awaitOutput("Database not reachable", Duration.ofSeconds(60));
                second.sigkill();
                second.awaitExit(Duration.ofSeconds(10));
                writers.add(system.startService("db-writer"));
                awaitOutage(stream, Duration.ofSeconds(20), "the restarted db-writer through the outage");
                held.stop();
            } finally {
                stack.startPostgres();
            }
            system.service("db-writer").awaitReady(SystemUnderTest.READY);
            awaitProgress(stream, 20);
            stream.close();
            closed = true;
            stream.assertExactlyOnce(rows, COUNT_TIMEOUT);
        } finally {
            if (!closed) {
                stream.close();
            }
        }
        long timeouts = writers.stream()
                .mapToLong(w -> occurrences(w.output(), TIMED_OUT))
                .sum();
        log.info(
                "outage - database: {} acknowledged readings stored once each; {}; consumer_timeout closures: {}",
                stream.totalAcknowledged(),
                held,
                timeouts);
        held.assertHandedBackAndNothingHeldAfter(HANDED_BACK_WITHIN, "db-writer");
        assertEquals(0, timeouts, "channels the broker closed for consumer_timeout");
        awaitDeadLetterQueueEmpty();
    }

    @Test
    @Order(2)
    void an_smtp_outage_past_consumer_timeout_mails_every_alert_once_afterwards_and_dead_letters_nothing()
            throws Exception {
        Mailbox mailbox = stack.mailbox();
        List<String> hot = List.of(system.run + "_hot0", system.run + "_hot1", system.run + "_hot2");
        String cooling = hot.get(0); // fires, then resolves, both during the outage
        ServiceProcess sender = system.service("email-sender");
        double deadLettersBefore = deadLettersTakenBy(sender);
        HeldDeliveries held = null;
        try (MqttTestClient client = MqttTestClient.connect(stack.mqttUri(), stack.sensor())) {
            for (String sensor : hot) {
                publish(client, sensor, 20.0); // known and cool: the next hot reading fires
            }
            awaitEmailSenderDrained();
            stack.stopSmtp();
            try {
                for (String sensor : hot) {
                    publish(client, sensor, 31.5);
                }
                // From the first mail SMTP did not accept on, the outage is email-sender's: measured from there
                sender.awaitOutput("SMTP did not accept", Duration.ofSeconds(30));
                held = HeldDeliveries.sample(stack, Stack.EMAIL_SENDER_QUEUE);
                // Hot readings keep arriving through the outage; one sensor cools down in the middle of it
                long start = System.nanoTime();
                AtomicLong published = new AtomicLong();
                // one round of readings per poll, every second: the await is the outage's clock
                await("the SMTP outage lasts " + PAST_THE_TIMEOUT.toSeconds() + " s, hot readings arriving")
                        .pollDelay(Duration.ofSeconds(1))
                        .pollInterval(Duration.ofSeconds(1))
                        .atMost(PAST_THE_TIMEOUT.plusSeconds(30))
                        .until(() -> {
                            boolean cooled = System.nanoTime() - start > PAST_THE_TIMEOUT.toNanos() / 2;
                            for (String sensor : hot) {
                                publish(client, sensor, sensor.equals(cooling) && cooled ? 20.0 : 32.0);
                                published.incrementAndGet();
                            }
                            return System.nanoTime() - start >= PAST_THE_TIMEOUT.toNanos();
                        });
                log.info("outage - SMTP: {} readings published during the outage", published.get());
                held.stop();
            } finally {
                stack.startSmtp();
            }
        }
        // Every alert mailed exactly once: a FIRING per sensor and the RESOLVED of the one that cooled
        await("every alert of the outage mailed")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> events(mailbox, "FIRING", hot) == hot.size()
                        && events(mailbox, "RESOLVED", List.of(cooling)) == 1);
        awaitEmailSenderDrained();
        await("nothing mailed twice")
                .during(Duration.ofSeconds(5))
                .atMost(Duration.ofSeconds(8))
                .until(() -> events(mailbox, "FIRING", hot) == hot.size()
                        && events(mailbox, "RESOLVED", List.of(cooling)) == 1);
        for (String sensor : hot) {
            assertEquals(1, events(mailbox, "FIRING", List.of(sensor)), "FIRING events mailed for " + sensor);
        }
        long timeouts = occurrences(sender.output(), TIMED_OUT);
        log.info(
                "outage - SMTP: {} FIRING + 1 RESOLVED mailed once each; {}; consumer_timeout closures: {}",
                hot.size(),
                held,
                timeouts);
        held.assertHandedBackAndNothingHeldAfter(HANDED_BACK_WITHIN, "email-sender");
        assertEquals(0, timeouts, "channels the broker closed for consumer_timeout");
        assertTrue(sender.isAlive(), "email-sender alive:\n" + sender.tail());
        awaitDeadLetterQueueEmpty();
        assertEquals(deadLettersBefore, deadLettersTakenBy(sender), "dead letters email-sender took from its queue");
    }

    // ------------------------------------------------------------------------------------------------

    /**
     * The unacknowledged count of one queue, read from the management API every second on a thread of its own
     * while the main thread drives the outage: a measurement over the whole outage, judged at the end.
     */
    private static final class HeldDeliveries {
        /**
         * How old the management API's message counts can be: a quorum queue's leader emits them every 5 s and the
         * management plugin collects them every 5 s.
         */
        private static final Duration STATS_LAG = Duration.ofSeconds(10);

        private final String queue;
        private final long startNanos = System.nanoTime();
        private final List<long[]> samples = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "held-deliveries");
            t.setDaemon(true);
            return t;
        });

        private HeldDeliveries(String queue) {
            this.queue = queue;
        }

        static HeldDeliveries sample(Stack stack, String queue) {
            HeldDeliveries held = new HeldDeliveries(queue);
            held.sampler.scheduleWithFixedDelay(
                    () -> {
                        try {
                            long unacked = stack.management().queue(queue).messagesUnacknowledged();
                            held.samples.add(new long[] {System.nanoTime() - held.startNanos, unacked});
                        } catch (RuntimeException | AssertionError e) {
                            log.debug("outage - sample of {} failed: {}", queue, e.toString());
                        }
                    },
                    0,
                    1,
                    TimeUnit.SECONDS);
            return held;
        }

        /** Ends the measurement: the outage is over. */
        void stop() throws InterruptedException {
            sampler.shutdownNow();
            if (!sampler.awaitTermination(10, TimeUnit.SECONDS)) {
                throw new AssertionError("the sampler of " + queue + " did not stop");
            }
        }

        /**
         * Seconds into the outage of the first sample showing nothing unacknowledged, or -1. Samples younger than
         * {@link #STATS_LAG} do not count: the management API's figure can still describe the moment before the first
         * failed write (a CI run saw 0 at 0.0 s, then the 33 deliveries held at the failure, then 0 again).
         */
        double firstZeroSeconds() {
            return samples.stream()
                    .filter(s -> s[0] >= STATS_LAG.toNanos())
                    .filter(s -> s[1] == 0)
                    .mapToDouble(s -> s[0] / 1e9)
                    .findFirst()
                    .orElse(-1);
        }

        /** The largest unacknowledged count sampled from the first zero on (all samples if there was none). */
        long maxAfterFirstZero() {
            double from = Math.max(0, firstZeroSeconds());
            return samples.stream()
                    .filter(s -> s[0] / 1e9 >= from)
                    .mapToLong(s -> s[1])
                    .max()
                    .orElse(-1);
        }

        long max() {
            return samples.stream().mapToLong(s -> s[1]).max().orElse(-1);
        }

        /** Everything held was handed back within {@code within}, and nothing was held again until the end. */
        void assertHandedBackAndNothingHeldAfter(Duration within, String service) {
            double first = firstZeroSeconds();
            assertTrue(
                    first >= 0 && first <= within.toSeconds(),
                    service + " handed back what it held within " + within.toSeconds() + " s of the outage's start: "
                            + this);
            assertEquals(0, maxAfterFirstZero(), service + " held no delivery for the rest of the outage: " + this);
        }

        @Override
        public String toString() {
            return String.format(
                    java.util.Locale.ROOT,
                    "unacknowledged on %s: %d samples over %.0f s, max %d, first 0" + " at %.1f s, max after it %d",
                    queue,
                    samples.size(),
                    samples.isEmpty() ? 0.0 : samples.get(samples.size() - 1)[0] / 1e9,
                    max(),
                    firstZeroSeconds(),
                    maxAfterFirstZero());
        }
    }

    private void awaitOutage(CountedStream stream, Duration length, String what) {
        await(what + " (" + length.toSeconds() + " s), the stream going on")
                .pollDelay(length)
                .atMost(length.plusSeconds(10))
                .until(() -> {
                    stream.assertHealthy();
                    return true;
                });
    }

    private static void awaitProgress(CountedStream stream, int readings) {
        long start = stream.totalAcknowledged();
        await(readings + " more acknowledged readings")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    stream.assertHealthy();
                    return stream.totalAcknowledged() >= start + readings;
                });
    }

    private void awaitEmailSenderDrained() {
        await(Stack.EMAIL_SENDER_QUEUE + " drained")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> stack.management().queue(Stack.EMAIL_SENDER_QUEUE).messages() == 0);
    }

    private void awaitDeadLetterQueueEmpty() {
        for (String queue : List.of(DEAD_LETTER_QUEUE, Stack.EMAIL_SENDER_DEAD_LETTER_QUEUE)) {
            await(queue + " empty")
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> stack.management().queue(queue).messages() == 0);
        }
    }

    /** {@code thermowatch_dead_letters_total} of every outcome, from email-sender's {@code /metrics}. */
    private static double deadLettersTakenBy(ServiceProcess sender) throws Exception {
        String metrics = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sender.healthPort() + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        return metrics.lines()
                .filter(line -> line.startsWith("thermowatch_dead_letters_total{"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    private static void publish(MqttTestClient client, String sensor, double value) {
        client.publishUntilAcknowledged(
                "temperature/" + sensor,
                ("{\"value\": " + value + ", \"timestamp\": " + System.currentTimeMillis() + "}")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8),
                Duration.ofSeconds(30));
    }

    /**
     * Events of {@code kind} about {@code sensors} in every mail to this run's recipient: one text headline
     * ({@code FIRING: temperature/<id>}) per event, grouped mails included.
     */
    private long events(Mailbox mailbox, String kind, List<String> sensors) {
        long n = 0;
        for (Mailbox.Mail mail : mailbox.messages(system.mailTo)) {
            String body = decodeSoftBreaks(mail.body());
            for (String sensor : sensors) {
                n += occurrences(body, "\n" + kind + ": temperature/" + sensor + "\n");
            }
        }
        return n;
    }

    /** Quoted-printable soft line breaks ({@code =} at a line's end) joined: a headline is never split. */
    private static String decodeSoftBreaks(String body) {
        return body.replace("=\n", "");
    }

    private static long occurrences(String text, String part) {
        long n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + part.length())) {
            n++;
        }
        return n;
    }
}
