package io.thermowatch.emailsender;

import dev.failsafe.Execution;
import dev.failsafe.RetryPolicy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.thermowatch.common.amqp.Acknowledger;
import io.thermowatch.common.amqp.DeliveryRef;
import io.thermowatch.common.amqp.Intake;
import io.thermowatch.common.runtime.MonotonicClock;
import io.thermowatch.common.runtime.Retries;
import io.thermowatch.common.runtime.WorkerSupervisor;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Groups notifications for {@code ALERT_GROUP_WAIT}, mails each group, retries with {@link Retries#smtp} back-off
 * (timed on the monotonic clock) while SMTP fails, and acknowledges the AMQP deliveries that caused a group only
 * once SMTP accepted its mail. A group that failed is merged with everything due meanwhile, so an outage ends
 * with one mail, not a burst. A permanent refusal ({@link PermanentSmtpFailure}) is never retried: a mail too large
 * for the server is split in halves, sent one after the other; anything else permanent is dropped with an ERROR
 * line and {@code thermowatch_mails_dropped_total}, and its deliveries acked, so it cannot block later alerts.
 *
 * <p><b>SMTP outage.</b> The first attempt SMTP does not accept (connection refused, timeout, 4xx) suspends the
 * {@link Intake}: the consumer's channel is closed, RabbitMQ requeues every delivery held for a pending mail, and
 * nothing more is taken, so no {@code consumer_timeout} can expire them however long the outage lasts. The pending
 * notifications stay here and keep being retried; the first attempt SMTP answers (accepted, or refused for good)
 * resumes the intake. Their acks went to a closed channel and are void: the requeued messages come back as
 * redeliveries the engine recognises as copies (acked at once, or held with a mail still pending), so nothing is
 * mailed twice; a restart before SMTP answers re-evaluates them from the queue, so nothing is lost.
 *
 * <p>Thread safe: the consumer and the sweeper add; one named thread sends. Shutdown makes one last attempt to
 * send what is pending; what still fails stays unacknowledged and comes back after a restart.
 */
final class AlertDispatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AlertDispatcher.class);

    /** A notification and the deliveries to acknowledge once it is mailed. Guarded by the dispatcher's lock. */
    private static final class Pending {
        final Notification notification;
        final List<DeliveryRef> deliveries = new ArrayList<>(1);

        Pending(Notification notification) {
            this.notification = notification;
        }
    }

    private final Object lock = new Object();
    private final GroupingWindow<Pending> window;
    private final MailComposer composer;
    private final MailSink sink;
    private final Acknowledger acknowledger;
    private final Intake intake;
    private final MailedListener mailedListener;
    private final MonotonicClock clock;
    private final RetryPolicy<Object> smtpRetry;
    private final Counter sent;
    private final Counter failed;
    private final Counter retried;
    private final Counter dropped;
    private final Counter intakeSuspensions;
    private final MeterRegistry registry;
    private volatile Thread sender;
    private final AtomicBoolean closed = new AtomicBoolean();

    // guarded by lock
    private List<Pending> retrying = List.of();
    private List<Pending> inFlight = List.of();
    /**
     * Mails still to send, in order, before anything else: the halves of a mail the server found too large, and the
     * mails for the other recipients of a batch (rules with recipients of their own).
     */
    private final Deque<List<Pending>> parts = new ArrayDeque<>();

    private long nextAttemptNanos;
    private Execution<Object> outage; // null while SMTP accepts
    private boolean failing;
    private boolean intakeSuspended;
    private boolean running = true;

    /** Told, on the sender thread, which notifications SMTP accepted, before their deliveries are acked. */
    @FunctionalInterface
    interface MailedListener {
        void mailed(List<Notification> notifications);

        /**
         * Told, on the sender thread, which notifications SMTP refused for good (their mail is dropped, their
         * deliveries acked after this), with the refusal in one line. Nothing by default: only history records it.
         */
        default void refused(List<Notification> notifications, String reason) {}
    }

    /** @param intake suspended while SMTP does not accept mail, resumed when it answers again */
    AlertDispatcher(
            Duration groupWait,
            MailComposer composer,
            MailSink sink,
            Acknowledger acknowledger,
            Intake intake,
            MailedListener mailedListener,
            MonotonicClock clock,
            Duration maxRetryDelay,
            MeterRegistry registry) {
        this.window = new GroupingWindow<>(groupWait);
        this.composer = composer;
        this.sink = sink;
        this.acknowledger = acknowledger;
        this.intake = intake;
        this.mailedListener = mailedListener;
        this.clock = clock;
        this.smtpRetry = Retries.smtp(maxRetryDelay).build();
        this.registry = registry;
        this.sent = Counter.builder("thermowatch.mails.sent")
                .description("Mails accepted by SMTP")
                .register(registry);
        this.failed = Counter.builder("thermowatch.mails.failed")
                .description("Mail attempts SMTP did not accept")
                .register(registry);
        this.retried = Counter.builder("thermowatch.mails.retried")
                .description("Mail attempts that were retries")
                .register(registry);
        this.dropped = Counter.builder("thermowatch.mails.dropped")
                .description("Mails SMTP refused for good (every recipient refused, or one alert too large)")
                .register(registry);
        this.intakeSuspensions = Counter.builder("thermowatch.intake.suspensions")
                .description("Times consumption was suspended because SMTP did not accept a mail")
                .register(registry);
        registry.gauge("thermowatch.alerts.pending", this, AlertDispatcher::pendingCount);
    }

    /** Starts the sender thread; if it ever dies, {@code workers} stops the service. */
    void start(WorkerSupervisor workers) {
        Thread thread = workers.newThread("alert-dispatcher", this::runSender);
        thread.setDaemon(true);
        sender = thread;
        thread.start();
    }

    /** Queues the notifications caused by one delivery; the delivery is acked once they are all mailed. */
    void add(List<Notification> notifications, DeliveryRef cause) {
        synchronized (lock) {
            long now = clock.nanos();
            for (Notification n : notifications) {
                Pending p = new Pending(n);
                if (cause != null) {
                    p.deliveries.add(cause);
                }
                window.add(p, now);
                registry.counter("thermowatch.alerts", "kind", n.kind().name().toLowerCase(java.util.Locale.ROOT))
                        .increment();
            }
            lock.notifyAll();
        }
    }

    /**
     * Keeps a redelivered message that changed nothing (typically the duplicate of a message whose tag became
     * void on a channel recovery) unacknowledged while a mail about the same sensor is still pending, so a crash
     * before that mail is sent does not lose it.
     *
     * @return true if the delivery is now held and will be acked with that mail
     */
    boolean holdWhilePending(String sensorId, DeliveryRef ref) {
        synchronized (lock) {
            List<List<Pending>> lists = new ArrayList<>(parts);
            lists.addAll(List.of(window.snapshot(), retrying, inFlight));
            for (List<Pending> list : lists) {
                for (Pending p : list) {
                    if (p.notification.sensorId().equals(sensorId)) {
                        p.deliveries.add(ref);
                        return true;
                    }
                }
            }
            return false;
        }
    }

    /** True while the last attempt to mail failed (readiness). */
    boolean isFailing() {
        synchronized (lock) {
            return failing;
        }
    }

    int pendingCount() {
        synchronized (lock) {
            return window.size()
                    + retrying.size()
                    + inFlight.size()
                    + parts.stream().mapToInt(List::size).sum();
        }
    }

    private void runSender() {
        while (true) {
            List<Pending> batch;
            boolean retry;
            synchronized (lock) {
                if (!running) {
                    return;
                }
                if (!parts.isEmpty()) {
                    batch = parts.poll();
                    retry = false;
                } else {
                    long now = clock.nanos();
                    retry = !retrying.isEmpty();
                    Long wakeAt = retry ? Long.valueOf(nextAttemptNanos) : boxed(window.dueAtNanos());
                    if (wakeAt == null || wakeAt - now > 0) {
                        waitUntil(now, wakeAt);
                        continue;
                    }
                    List<Pending> due = new ArrayList<>(retrying);
                    due.addAll(window.takeDue(now));
                    retrying = List.of();
                    // One mail per list of recipients (rules may name their own); the others are sent next.
                    List<List<Pending>> mails = byRecipients(due);
                    batch = mails.get(0);
                    for (int i = mails.size() - 1; i > 0; i--) {
                        parts.addFirst(mails.get(i));
                    }
                }
                inFlight = batch;
            }
            afterAttempt(batch, attempt(batch, retry));
        }
    }

    /** Splits a batch by recipients, in order of first appearance; always at least one (maybe empty) list. */
    private static List<List<Pending>> byRecipients(List<Pending> batch) {
        Map<List<String>, List<Pending>> mails = new LinkedHashMap<>();
        for (Pending p : batch) {
            mails.computeIfAbsent(p.notification.recipients(), to -> new ArrayList<>())
                    .add(p);
        }
        return mails.isEmpty() ? List.of(batch) : new ArrayList<>(mails.values());
    }

    private static Long boxed(java.util.OptionalLong nanos) {
        return nanos.isPresent() ? nanos.getAsLong() : null;
    }

    private void waitUntil(long now, Long wakeAt) {
        try {
            if (wakeAt == null) {
                lock.wait();
            } else {
                lock.wait(Math.max(1, java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(wakeAt - now)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /** Mails the batch once; returns why SMTP did not accept it, or null if it did. */
    private Failure attempt(List<Pending> batch, boolean retry) {
        List<Notification> notifications = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            notifications.add(p.notification);
        }
        ComposedMail mail = composer.compose(notifications);
        if (retry) {
            retried.increment();
        }
        try {
            sink.send(mail);
            sent.increment();
            log.info("mail - Sent '{}' ({} alert(s))", mail.subject(), batch.size());
            return null;
        } catch (Exception e) {
            failed.increment();
            return new Failure(mail.subject(), e);
        }
    }

    private record Failure(String subject, Exception cause) {}

    /** Angus nests causes into multi-line messages; logs are one line per event. */
    private static String oneLine(Exception e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text =
                e.getClass().getSimpleName() + ": " + e.getMessage() + (root != e ? " (cause: " + root + ")" : "");
        return text.replaceAll("\\s*\\R\\s*", " ");
    }

    /** The refusal as recorded in {@code alert_events.mail_error}: what SMTP said (its message carries the reply). */
    private static String refusal(PermanentSmtpFailure failure) {
        return String.valueOf(failure.getMessage()).replaceAll("\\s*\\R\\s*", " ");
    }

    private void afterAttempt(List<Pending> batch, Failure failure) {
        if (failure != null && failure.cause() instanceof PermanentSmtpFailure permanent) {
            afterPermanentFailure(batch, failure.subject(), permanent);
            return;
        }
        boolean ok = failure == null;
        Set<DeliveryRef> toAck = new LinkedHashSet<>();
        Duration delay = Duration.ZERO;
        synchronized (lock) {
            inFlight = List.of();
            if (ok) {
                failing = false;
                outage = null; // the next outage starts again from the first delay
                for (Pending p : batch) {
                    toAck.addAll(p.deliveries);
                }
            } else {
                failing = true;
                // Usually empty here; not when one half of a split mail failed before the other was tried.
                List<Pending> merged = new ArrayList<>(retrying);
                merged.addAll(batch);
                retrying = merged;
                if (outage == null) {
                    outage = Execution.of(smtpRetry);
                }
                outage.recordException(failure.cause());
                delay = outage.getDelay();
                nextAttemptNanos = clock.nanos() + delay.toNanos();
            }
        }
        if (!ok) {
            log.warn(
                    "mail - SMTP did not accept '{}' ({} alert(s)): {}; retrying in {} ms",
                    failure.subject(),
                    batch.size(),
                    oneLine(failure.cause()),
                    delay.toMillis());
            suspendIntake();
            return;
        }
        try {
            mailedListener.mailed(batch.stream().map(p -> p.notification).toList());
        } catch (RuntimeException e) {
            log.error("mail - Recording the mailed state failed", e);
        }
        for (DeliveryRef ref : toAck) {
            acknowledger.ack(ref, false); // void (dropped) for deliveries handed back by a suspension
        }
        resumeIntake();
    }

    /** Never retried as is: split a mail too large in halves, or drop it (acking its deliveries). */
    private void afterPermanentFailure(List<Pending> batch, String subject, PermanentSmtpFailure failure) {
        if (failure.tooLarge() && batch.size() > 1) {
            int half = batch.size() / 2;
            synchronized (lock) {
                inFlight = List.of();
                parts.addFirst(new ArrayList<>(batch.subList(half, batch.size())));
                parts.addFirst(new ArrayList<>(batch.subList(0, half)));
                lock.notifyAll();
            }
            log.warn(
                    "mail - '{}' ({} alert(s)) is {}; sending it as two mails",
                    subject,
                    batch.size(),
                    failure.getMessage());
            return;
        }
        Set<DeliveryRef> toAck = new LinkedHashSet<>();
        synchronized (lock) {
            inFlight = List.of();
            failing = false;
            outage = null;
            for (Pending p : batch) {
                toAck.addAll(p.deliveries);
            }
        }
        dropped.increment();
        log.error(
                "mail - SMTP refused '{}' ({} alert(s)) for good: {}; dropped, not retried",
                subject,
                batch.size(),
                oneLine(failure));
        try {
            mailedListener.refused(batch.stream().map(p -> p.notification).toList(), refusal(failure));
        } catch (RuntimeException e) {
            log.error("mail - Recording the refused mail failed", e);
        }
        for (DeliveryRef ref : toAck) {
            acknowledger.ack(ref, false);
        }
        resumeIntake(); // SMTP answers
    }

    /**
     * SMTP is down: take no more deliveries and hand back the held ones (see the class comment). Once per outage;
     * not during shutdown, where the consumer is closing anyway.
     */
    private void suspendIntake() {
        synchronized (lock) {
            if (intakeSuspended || closed.get()) {
                return;
            }
            intakeSuspended = true;
        }
        intakeSuspensions.increment();
        intake.suspend("SMTP does not accept mail; pending alerts kept and retried");
    }

    /** SMTP answered: consume again (a no-op unless suspended). */
    private void resumeIntake() {
        synchronized (lock) {
            if (!intakeSuspended) {
                return;
            }
            intakeSuspended = false;
        }
        intake.resume();
    }

    /** Stops the sender thread, then tries once to mail whatever is pending (due or not). Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        synchronized (lock) {
            running = false;
            lock.notifyAll();
        }
        try {
            Thread thread = sender;
            if (thread != null) {
                thread.join(Duration.ofSeconds(30).toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Pending> batch;
        synchronized (lock) {
            batch = new ArrayList<>(retrying);
            parts.forEach(batch::addAll);
            parts.clear();
            batch.addAll(window.takeAll());
            retrying = List.of();
            inFlight = batch;
        }
        if (!batch.isEmpty()) {
            log.info("mail - Sending {} pending alert(s) before shutdown", batch.size());
            for (List<Pending> mail : byRecipients(batch)) {
                synchronized (lock) {
                    inFlight = mail;
                }
                afterAttempt(mail, attempt(mail, false));
            }
        }
    }
}
