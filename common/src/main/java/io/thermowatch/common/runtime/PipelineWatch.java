package io.thermowatch.common.runtime;

import io.thermowatch.common.wire.Topics;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Set;

/**
 * The pipeline's own health, judged from the broker's queue statistics (management API): db-writer must have a
 * consumer, its backlog must not keep growing, and nothing may sit in a dead-letter queue (db-writer's and
 * email-sender's, each drained by its service). Pure: samples in,
 * active conditions out; email-sender mails the changes, the dashboard shows them as a banner. Times are monotonic
 * nanoseconds ({@link MonotonicClock}). Thread safe.
 *
 * <p>"Growing": the backlog of {@code thermowatch.db-writer} went up and has not gone down since, for at least
 * {@code growthFor}, and it rose in each half of the last {@code growthFor}. Any decrease (db-writer acked a
 * batch) or an empty queue ends the streak, so a busy but healthy db-writer, whose backlog goes up and down, never
 * counts as growing; nor does a backlog that sits flat (the management API can repeat one figure for a long time
 * while db-writer is healthy: seen on the native stack) and then moves up by one.
 *
 * <p>"No consumer" and the dead-letter conditions count once seen on every sample for {@code confirmFor}: the management API's
 * figures can be a statistics interval old (5 s by default), so a service starting next to db-writer first sees
 * "no consumer" for a few seconds while db-writer already consumes (seen on the native stack). email-sender, which
 * mails, confirms; the dashboard's banner shows each sample as it is.
 */
public final class PipelineWatch {

    /** Default for {@code PIPELINE_BACKLOG_GROWTH_FOR}. */
    public static final Duration DEFAULT_GROWTH_FOR = Duration.ofMinutes(3);

    /**
     * How long email-sender waits before a "no consumer" or a dead-letter sample counts: twice RabbitMQ's default
     * {@code collect_statistics_interval} (5 s), so one stale figure is never mailed.
     */
    public static final Duration MAIL_CONFIRM_FOR = Duration.ofSeconds(10);

    /** What can be wrong with the pipeline. */
    public enum Condition {
        DB_WRITER_NO_CONSUMER(Topics.DB_WRITER_QUEUE + " has no consumer: readings are not being stored"),
        DB_WRITER_BACKLOG_GROWING(Topics.DB_WRITER_QUEUE + " backlog keeps growing: db-writer is not keeping up"),
        DEAD_LETTERS(DEAD_LETTER_QUEUE + " is not empty: messages were given up on"),
        EMAIL_SENDER_DEAD_LETTERS(
                Topics.EMAIL_SENDER_DEAD_LETTER_QUEUE + " is not empty: alert messages were given up on");

        private final String description;

        Condition(String description) {
            this.description = description;
        }

        /** One line for people: mails and the dashboard's banner. */
        public String description() {
            return description;
        }
    }

    /** The queue holding messages of db-writer's queue given up on (delivery limit reached). */
    public static final String DEAD_LETTER_QUEUE = "thermowatch.dead-letter";

    /**
     * One look at the broker.
     *
     * @param dbWriterConsumers consumers of {@code thermowatch.db-writer} (0 if the queue is missing)
     * @param dbWriterBacklog   its messages, ready and unacknowledged
     * @param deadLetters       messages in {@code thermowatch.dead-letter}
     * @param emailSenderDeadLetters messages in {@code thermowatch.email-sender.dead-letter}
     */
    public record Sample(int dbWriterConsumers, long dbWriterBacklog, long deadLetters, long emailSenderDeadLetters) {}

    private final Duration growthFor;
    private final Duration confirmFor;
    /** (monotonic nanos, backlog) of the samples of the last {@code growthFor}, oldest first. */
    private final ArrayDeque<long[]> recent = new ArrayDeque<>();
    /** Since when each single-sample condition has been seen on every sample. */
    private final EnumMap<Condition, Long> seenSinceNanos = new EnumMap<>(Condition.class);

    private Long lastBacklog;
    private Long lastSampleNanos;
    private Long growingSinceNanos;
    private EnumSet<Condition> active = EnumSet.noneOf(Condition.class);

    /** Every sample counts as it is (the dashboard's banner). */
    public PipelineWatch(Duration growthFor) {
        this(growthFor, Duration.ZERO);
    }

    /** @param confirmFor how long "no consumer" and "dead letters" must be seen before they count */
    public PipelineWatch(Duration growthFor, Duration confirmFor) {
        if (growthFor.isNegative() || growthFor.isZero()) {
            throw new IllegalArgumentException(
                    "PIPELINE_BACKLOG_GROWTH_FOR='" + growthFor + "': expected a positive duration");
        }
        if (confirmFor.isNegative()) {
            throw new IllegalArgumentException("confirmFor='" + confirmFor + "': expected zero or more");
        }
        this.growthFor = growthFor;
        this.confirmFor = confirmFor;
    }

    /** Applies a sample taken at {@code nanos}; returns the conditions active now (a copy). */
    public synchronized Set<Condition> update(Sample sample, long nanos) {
        long backlog = sample.dbWriterBacklog();
        if (lastBacklog == null || backlog < lastBacklog || backlog == 0) {
            growingSinceNanos = null;
        } else if (backlog > lastBacklog && growingSinceNanos == null) {
            growingSinceNanos = lastSampleNanos; // it was already growing between the two samples
        }
        lastBacklog = backlog;
        lastSampleNanos = nanos;
        long windowStart = nanos - growthFor.toNanos();
        while (recent.size() > 1 && recent.stream().skip(1).findFirst().orElseThrow()[0] <= windowStart) {
            recent.removeFirst(); // one sample older than the window is enough
        }
        long[] reference = oldestSince(windowStart);
        long[] middle = oldestSince(nanos - growthFor.toNanos() / 2);
        recent.addLast(new long[] {nanos, backlog});
        EnumSet<Condition> now = EnumSet.noneOf(Condition.class);
        if (confirmed(Condition.DB_WRITER_NO_CONSUMER, sample.dbWriterConsumers() == 0, nanos)) {
            now.add(Condition.DB_WRITER_NO_CONSUMER);
        }
        if (growingSinceNanos != null
                && nanos - growingSinceNanos >= growthFor.toNanos()
                && reference != null
                && backlog > middle[1]
                && (middle == reference || middle[1] > reference[1])) {
            now.add(Condition.DB_WRITER_BACKLOG_GROWING);
        }
        if (confirmed(Condition.DEAD_LETTERS, sample.deadLetters() > 0, nanos)) {
            now.add(Condition.DEAD_LETTERS);
        }
        if (confirmed(Condition.EMAIL_SENDER_DEAD_LETTERS, sample.emailSenderDeadLetters() > 0, nanos)) {
            now.add(Condition.EMAIL_SENDER_DEAD_LETTERS);
        }
        active = now;
        return active();
    }

    /**
     * The oldest earlier sample taken at or after {@code from}, or, if none is (looks further apart than that), the
     * last one before; null before the first.
     */
    private long[] oldestSince(long from) {
        long[] before = null;
        for (long[] sample : recent) {
            if (sample[0] >= from) {
                return sample;
            }
            before = sample;
        }
        return before;
    }

    private boolean confirmed(Condition condition, boolean seen, long nanos) {
        if (!seen) {
            seenSinceNanos.remove(condition);
            return false;
        }
        long since = seenSinceNanos.computeIfAbsent(condition, c -> nanos);
        return nanos - since >= confirmFor.toNanos();
    }

    /** The conditions of the last sample (none before the first). */
    public synchronized Set<Condition> active() {
        return Collections.unmodifiableSet(EnumSet.copyOf(active));
    }
}
