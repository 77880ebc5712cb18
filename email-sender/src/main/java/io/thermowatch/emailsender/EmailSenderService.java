package io.thermowatch.emailsender;

import com.rabbitmq.client.Connection;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.thermowatch.common.amqp.AckBatcher;
import io.thermowatch.common.amqp.AmqpConsumer;
import io.thermowatch.common.amqp.ConsumerGroup;
import io.thermowatch.common.runtime.ClockSkewMeter;
import io.thermowatch.common.runtime.HealthServer;
import io.thermowatch.common.runtime.MonotonicClock;
import io.thermowatch.common.runtime.PipelineWatch;
import io.thermowatch.common.runtime.WorkerSupervisor;
import io.thermowatch.common.wire.ReadingCodec;
import io.thermowatch.common.wire.Topics;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The running service: consumers, engine, offline sweeper, dispatcher, health endpoint. */
final class EmailSenderService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmailSenderService.class);
    /** The dead-letter queue's window: small, dead letters are rare. */
    static final int DEAD_LETTER_PREFETCH = 200;
    /** The longest a finished delivery waits for its (batched) ack. */
    static final Duration ACK_MAX_DELAY = Duration.ofMillis(100);

    private final Connection connection;
    private final AmqpConsumer consumer;
    private final AmqpConsumer deadLetters;
    private final AckBatcher acks;
    private final AlertDispatcher dispatcher;
    private final ScheduledExecutorService sweeper;
    private final ScheduledExecutorService pipelineWatch;
    private final HealthServer health;
    private final Optional<StateKeeper> stateKeeper;
    private final Optional<RulesReloader> rulesReloader;
    private final Optional<AlertHistoryWriter> history;
    private final Optional<ScheduledExecutorService> mutesPoller;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmailSenderService(
            Connection connection,
            AmqpConsumer consumer,
            AmqpConsumer deadLetters,
            AckBatcher acks,
            AlertDispatcher dispatcher,
            ScheduledExecutorService sweeper,
            ScheduledExecutorService pipelineWatch,
            HealthServer health,
            Optional<StateKeeper> stateKeeper,
            Optional<RulesReloader> rulesReloader,
            Optional<AlertHistoryWriter> history,
            Optional<ScheduledExecutorService> mutesPoller) {
        this.history = history;
        this.mutesPoller = mutesPoller;
        this.connection = connection;
        this.consumer = consumer;
        this.deadLetters = deadLetters;
        this.acks = acks;
        this.dispatcher = dispatcher;
        this.sweeper = sweeper;
        this.pipelineWatch = pipelineWatch;
        this.health = health;
        this.stateKeeper = stateKeeper;
        this.rulesReloader = rulesReloader;
    }

    /** @param workers watches the dispatcher, the sweeper and the consumer's dispatch: one dying stops the service */
    static EmailSenderService start(
            EmailSenderConfig config, PrometheusMeterRegistry registry, WorkerSupervisor workers) throws Exception {
        Clock clock = Clock.systemUTC(); // stamps only; every duration runs on the monotonic clock
        MonotonicClock monotonic = MonotonicClock.system();
        log.info(
                "email-sender - Alert rules: {}, group wait {}, mail: {}",
                config.rules(),
                config.groupWait(),
                config.smtp());
        AlertEngine engine = new AlertEngine(config.rules(), clock, monotonic, config.maxTrackedSensors());
        // Before the state is restored: what was mailed is mapped onto these rules by name.
        config.rulesFile().ifPresent(file -> {
            engine.useRules(file.rules());
            log.info("email-sender - Alert rules from ALERT_RULES_FILE {}", file);
        });
        Optional<StateKeeper> stateKeeper = restoreState(config, engine, clock);
        Optional<AlertHistoryWriter> history = config.database().map(db -> {
            log.info("email-sender - Alert history, silences and acknowledgements in {}", db);
            AlertHistoryWriter writer = new AlertHistoryWriter(db, registry);
            engine.onMuted(writer::record);
            if (stateKeeper.isEmpty()) {
                // Alerts firing before this start are forgotten (no state file): the dashboard's active list too.
                writer.record(List.of(AlertEvent.restarted(clock.instant())));
            }
            writer.start(workers);
            return writer;
        });
        if (config.database().isEmpty()) {
            log.info("email-sender - No DB_HOST: no alert history, silences or acknowledgements");
        }
        AlertDispatcher.MailedListener keepState = stateKeeper.isPresent() ? stateKeeper.get() : mailed -> {};
        AlertDispatcher.MailedListener mailedListener = history.isEmpty()
                ? keepState
                : new AlertDispatcher.MailedListener() {
                    @Override
                    public void mailed(List<Notification> mailed) {
                        keepState.mailed(mailed);
                        history.get().mailed(mailed, clock.instant());
                    }

                    @Override
                    public void refused(List<Notification> refused, String reason) {
                        history.get().refused(refused, reason);
                    }
                };
        Optional<ScheduledExecutorService> mutesPoller = config.database().map(db -> {
            ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "mutes-reader");
                t.setDaemon(true);
                return t;
            });
            MutesReader reader = new MutesReader(db, engine);
            long millis = config.mutesCheckInterval().toMillis();
            // First read at once, on the poller's thread: an unreachable database must not delay the start either.
            poller.scheduleWithFixedDelay(workers.supervised("mutes-reader", reader), 0, millis, TimeUnit.MILLISECONDS);
            return poller;
        });
        MailComposer composer = new MailComposer(config.rules(), engine::ruleSet, config.zone(), config.dashboardUrl());
        AtomicReference<AmqpConsumer> consumerRef = new AtomicReference<>();
        AtomicReference<AlertDispatcher> dispatcherRef = new AtomicReference<>();
        registry.gauge("thermowatch.sensors.firing", engine, e -> e.count(SensorAlert.State.FIRING));
        registry.gauge("thermowatch.sensors.offline", engine, e -> e.count(SensorAlert.State.OFFLINE));
        registry.gauge("thermowatch.sensors.tracked", engine, AlertEngine::trackedCount);
        FunctionCounter.builder("thermowatch.sensors.evicted", engine, AlertEngine::evictedCount)
                .description("Sensors forgotten to stay within MAX_TRACKED_SENSORS")
                .register(registry);

        // Health first: /healthz answers and /readyz says what is missing while the broker is still unreachable.
        HealthServer health = HealthServer.start(
                config.healthPort(),
                registry,
                new HealthServer.Check(
                        "amqp",
                        () -> consumerRef.get() != null && consumerRef.get().isConsuming()),
                new HealthServer.Check(
                        "smtp",
                        () -> dispatcherRef.get() == null
                                || !dispatcherRef.get().isFailing()),
                workers.readiness());
        log.info("email-sender - Health endpoint on port {}", health.port());
        Connection connection;
        try {
            connection = config.amqp().connect("email-sender");
        } catch (InterruptedException e) {
            health.close();
            stateKeeper.ifPresent(StateKeeper::close);
            mutesPoller.ifPresent(ScheduledExecutorService::shutdownNow);
            history.ifPresent(AlertHistoryWriter::close);
            throw e;
        }
        AmqpConsumer consumer =
                new AmqpConsumer(connection, Topics.EMAIL_SENDER_QUEUE, config.prefetch(), clock, workers);
        AmqpConsumer deadLetters = new AmqpConsumer(
                connection, Topics.EMAIL_SENDER_DEAD_LETTER_QUEUE, DEAD_LETTER_PREFETCH, clock, workers);
        // Acks in batches (most readings change nothing); a delivery waiting for its mail holds back the batch after
        // it. A quarter of the prefetch per batch keeps the broker sending while a batch fills. Dead letters are rare:
        // acked one by one.
        AckBatcher acks = new AckBatcher(consumer, Math.max(1, config.prefetch() / 4), ACK_MAX_DELAY);
        // Both consumers are the intake the dispatcher suspends while SMTP is down; each ack goes to the one its
        // delivery came from.
        ConsumerGroup consumers = ConsumerGroup.of(List.of(acks, deadLetters), List.of(consumer, deadLetters));
        AlertDispatcher dispatcher = new AlertDispatcher(
                config.groupWait(),
                composer,
                new SmtpMailer(config.smtp(), registry),
                consumers,
                consumers,
                mailedListener,
                monotonic,
                config.smtp().retryMaxDelay(),
                registry);
        dispatcherRef.set(dispatcher);
        consumerRef.set(consumer);
        dispatcher.start(workers);
        acks.start(workers, "amqp-acks-" + Topics.EMAIL_SENDER_QUEUE);
        consumer.start(new AlertFeed(
                Topics.EMAIL_SENDER_QUEUE,
                engine,
                dispatcher,
                acks,
                new ReadingCodec(clock),
                new ClockSkewMeter(config.clockSkewWarn(), registry),
                registry));
        // Not part of /readyz, subscribed in the background: a broker still running older definitions (no such
        // queue or no read permission yet) delays the drain, not the service; the refusal is logged while it lasts.
        deadLetters.startRetrying(
                new DeadLetterFeed(engine, dispatcher, deadLetters, new ReadingCodec(clock), registry));

        ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "offline-sweeper");
            t.setDaemon(true);
            return t;
        });
        long periodMillis =
                Math.max(100, Math.min(1000, config.rules().offlineAfter().toMillis() / 4));
        sweeper.scheduleWithFixedDelay(
                workers.supervised("offline-sweeper", new OfflineSweep(engine, dispatcher, consumer::isConsuming)),
                periodMillis,
                periodMillis,
                TimeUnit.MILLISECONDS);

        log.info("email-sender - Pipeline watchdog: {}", config.pipeline());
        ScheduledExecutorService pipelineWatch = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pipeline-watchdog");
            t.setDaemon(true);
            return t;
        });
        PipelineWatchdog watchdog = new PipelineWatchdog(
                new ManagementQueues(config.pipeline())::sample,
                new PipelineWatch(config.pipeline().growthFor(), PipelineWatch.MAIL_CONFIRM_FOR),
                clock,
                monotonic,
                registry);
        long watchMillis = config.pipeline().checkInterval().toMillis();
        pipelineWatch.scheduleWithFixedDelay(
                workers.supervised("pipeline-watchdog", new PipelineCheck(watchdog, dispatcher)),
                watchMillis,
                watchMillis,
                TimeUnit.MILLISECONDS);

        Optional<RulesReloader> rulesReloader = config.rulesFile().map(file -> {
            RulesReloader reloader = new RulesReloader(
                    file, config.rules(), engine, resolved -> dispatcher.add(resolved, null), registry);
            reloader.start(file, workers);
            return reloader;
        });

        return new EmailSenderService(
                connection,
                consumer,
                deadLetters,
                acks,
                dispatcher,
                sweeper,
                pipelineWatch,
                health,
                stateKeeper,
                rulesReloader,
                history,
                mutesPoller);
    }

    /**
     * With {@code ALERT_STATE_FILE}: a {@link StateKeeper} that restored what was mailed before the restart and saves
     * it from now on. Without: nothing is kept, state is rebuilt from the stream.
     */
    private static Optional<StateKeeper> restoreState(EmailSenderConfig config, AlertEngine engine, Clock clock) {
        if (config.stateFile().isEmpty()) {
            log.info("email-sender - No ALERT_STATE_FILE: alert state is rebuilt from the stream after a restart");
            return Optional.empty();
        }
        return Optional.of(StateKeeper.open(new StateFile(config.stateFile().get()), engine, clock));
    }

    /**
     * Marks silent sensors offline, only while the consumer consumes (no storm after a broker cut); a background
     * loop that logs and goes on.
     */
    private static final class OfflineSweep implements Runnable {
        private final AlertEngine engine;
        private final AlertDispatcher dispatcher;
        private final BooleanSupplier consuming;

        OfflineSweep(AlertEngine engine, AlertDispatcher dispatcher, BooleanSupplier consuming) {
            this.engine = engine;
            this.dispatcher = dispatcher;
            this.consuming = consuming;
        }

        @Override
        public void run() {
            try {
                List<Notification> offline = engine.sweepSilentSensors(consuming.getAsBoolean());
                if (!offline.isEmpty()) {
                    log.info(
                            "sweeper - {} sensor(s) silent for {}: offline",
                            offline.size(),
                            engine.rules().offlineAfter());
                    dispatcher.add(offline, null);
                }
            } catch (RuntimeException e) {
                log.error("sweeper - Offline sweep failed", e);
            }
        }
    }

    /** One look of the pipeline watchdog; a background loop that logs and goes on. */
    private record PipelineCheck(PipelineWatchdog watchdog, AlertDispatcher dispatcher) implements Runnable {
        @Override
        public void run() {
            try {
                List<Notification> changes = watchdog.check();
                if (!changes.isEmpty()) {
                    dispatcher.add(changes, null);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                log.error("pipeline - Pipeline check failed", e);
            }
        }
    }

    /** Stops consuming, sends what is pending, acks every finished delivery, then disconnects. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        consumer.stopConsuming();
        deadLetters.stopConsuming();
        sweeper.shutdownNow();
        pipelineWatch.shutdownNow();
        rulesReloader.ifPresent(RulesReloader::close);
        mutesPoller.ifPresent(ScheduledExecutorService::shutdownNow);
        dispatcher.close();
        acks.close(); // on the consumer's channel, still open after stopConsuming
        stateKeeper.ifPresent(StateKeeper::close);
        history.ifPresent(AlertHistoryWriter::close); // after the dispatcher's last mails were recorded
        consumer.close();
        deadLetters.close();
        try {
            connection.close((int) Duration.ofSeconds(5).toMillis());
        } catch (Exception e) {
            log.debug("email-sender - Connection close: {}", e.toString());
        }
        try {
            health.close();
        } catch (Exception e) {
            log.debug("email-sender - Health server close: {}", e.toString());
        }
    }
}
