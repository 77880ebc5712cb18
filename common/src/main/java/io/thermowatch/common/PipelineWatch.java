package io.thermowatch.common;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * The pipeline's own health, judged from the broker's queue statistics (management API): db-writer must have a
 * consumer, its backlog must not keep growing, and nothing may sit in the dead-letter queue. Pure: samples in,
 * active conditions out; email-sender mails the changes, the dashboard shows them as a banner. Times are monotonic
 * nanoseconds ({@link MonotonicClock}). Thread safe.
 *
 * <p>"Growing": the backlog of {@code thermowatch.db-writer} went up and has not gone down since, for at least
 * {@code growthFor}. Any decrease (db-writer acked a batch) or an empty queue ends the streak, so a busy but
 * healthy db-writer, whose backlog goes up and down, never counts as growing.
 */
public final class PipelineWatch {

    /** Default for {@code PIPELINE_BACKLOG_GROWTH_FOR}. */
    public static final Duration DEFAULT_GROWTH_FOR = Duration.ofMinutes(3);

    /** What can be wrong with the pipeline. */
    public enum Condition {
        DB_WRITER_NO_CONSUMER(Topics.DB_WRITER_QUEUE + " has no consumer: readings are not being stored"),
        DB_WRITER_BACKLOG_GROWING(Topics.DB_WRITER_QUEUE + " backlog keeps growing: db-writer is not keeping up"),
        DEAD_LETTERS(DEAD_LETTER_QUEUE + " is not empty: messages were given up on");

        private final String description;

        Condition(String description) {
            this.description = description;
        }

        /** One line for people: mails and the dashboard's banner. */
        public String description() {
            return description;
        }
    }

    /** The queue holding messages given up on (delivery limit reached). */
    public static final String DEAD_LETTER_QUEUE = "thermowatch.dead-letter";

    /**
     * One look at the broker.
     *
     * @param dbWriterConsumers consumers of {@code thermowatch.db-writer} (0 if the queue is missing)
     * @param dbWriterBacklog   its messages, ready and unacknowledged
     * @param deadLetters       messages in {@code thermowatch.dead-letter}
     */
    public record Sample(int dbWriterConsumers, long dbWriterBacklog, long deadLetters) {
    }

    private final Duration growthFor;
    private Long lastBacklog;
    private Long lastSampleNanos;
    private Long growingSinceNanos;
    private EnumSet<Condition> active = EnumSet.noneOf(Condition.class);

    public PipelineWatch(Duration growthFor) {
        if (growthFor.isNegative() || growthFor.isZero()) {
            throw new IllegalArgumentException("PIPELINE_BACKLOG_GROWTH_FOR='" + growthFor
                    + "': expected a positive duration");
        }
        this.growthFor = growthFor;
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
        EnumSet<Condition> now = EnumSet.noneOf(Condition.class);
        if (sample.dbWriterConsumers() == 0) {
            now.add(Condition.DB_WRITER_NO_CONSUMER);
        }
        if (growingSinceNanos != null && nanos - growingSinceNanos >= growthFor.toNanos()) {
            now.add(Condition.DB_WRITER_BACKLOG_GROWING);
        }
        if (sample.deadLetters() > 0) {
            now.add(Condition.DEAD_LETTERS);
        }
        active = now;
        return active();
    }

    /** The conditions of the last sample (none before the first). */
    public synchronized Set<Condition> active() {
        return Collections.unmodifiableSet(EnumSet.copyOf(active));
    }
}
