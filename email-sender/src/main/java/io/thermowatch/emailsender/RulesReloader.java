package io.thermowatch.emailsender;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.thermowatch.common.runtime.WorkerSupervisor;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the rules file and puts a changed, valid file into force without a restart. It reads the file every
 * {@code ALERT_RULES_CHECK_INTERVAL} and compares the text, which works the same for an edit in place, a file
 * replaced by rename (editors, {@code kubectl} config maps) and a bind mount whose change events never reach the
 * container. A file that is not valid (or was half written when read) changes nothing: the previous rules stay in
 * force and one WARN line names the problem (once per version of the file, or per problem while it cannot be
 * read). Thread safe.
 */
final class RulesReloader implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RulesReloader.class);

    private final Path path;
    private final AlertRules env;
    private final AlertEngine engine;
    private final Consumer<List<Notification>> ended;
    private final Counter applied;
    private final Counter rejected;
    private final AtomicBoolean closed = new AtomicBoolean();
    private ScheduledExecutorService timer;

    // guarded by this
    private String lastText;
    private String lastProblem;

    /**
     * @param ended told about the alerts a reload ends (a rule removed, or no longer selecting a sensor): RESOLVED
     *              notifications to mail
     */
    RulesReloader(
            RulesFileSettings settings,
            AlertRules env,
            AlertEngine engine,
            Consumer<List<Notification>> ended,
            MeterRegistry registry) {
        this.path = settings.path();
        this.env = env;
        this.engine = engine;
        this.ended = ended;
        this.lastText = settings.text();
        this.applied = Counter.builder("thermowatch.alert.rules.reloads")
                .tag("result", "applied")
                .description("Changes of the rules file put into force")
                .register(registry);
        this.rejected = Counter.builder("thermowatch.alert.rules.reloads")
                .tag("result", "rejected")
                .description("Changes of the rules file refused (not valid): the previous rules stay in force")
                .register(registry);
    }

    /** Checks every {@code settings.checkInterval()} on a named thread; if it ever dies, {@code workers} stops us. */
    void start(RulesFileSettings settings, WorkerSupervisor workers) {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "rules-reloader");
            t.setDaemon(true);
            return t;
        });
        long millis = settings.checkInterval().toMillis();
        timer.scheduleWithFixedDelay(
                workers.supervised("rules-reloader", this::checkAndGoOn), millis, millis, TimeUnit.MILLISECONDS);
    }

    private void checkAndGoOn() {
        try {
            check();
        } catch (RuntimeException e) {
            log.error("rules - Checking {} failed", path, e);
        }
    }

    /**
     * One look at the file.
     *
     * @return true if it had changed and its new rules are now in force
     */
    synchronized boolean check() {
        String text;
        try {
            text = RulesFile.readText(path);
        } catch (RulesFile.Invalid e) {
            lastText = null; // read it again as new once it is back
            if (!e.getMessage().equals(lastProblem)) { // one line per problem, not one per check
                refuse(e.getMessage());
            }
            return false;
        }
        if (text.equals(lastText)) {
            return false;
        }
        lastText = text;
        RuleSet next;
        try {
            next = RulesFile.parse(text, path.toString(), env);
        } catch (RulesFile.Invalid e) {
            refuse(e.getMessage());
            return false;
        }
        List<Notification> resolved = engine.useRules(next);
        lastProblem = null;
        applied.increment();
        log.info(
                "rules - Reloaded {}: {}{}",
                path,
                next.summary(),
                resolved.isEmpty() ? "" : "; " + resolved.size() + " alert(s) of rules that no longer apply resolved");
        if (!resolved.isEmpty()) {
            ended.accept(resolved);
        }
        return true;
    }

    private void refuse(String problem) {
        lastProblem = problem;
        rejected.increment();
        log.warn("rules - {}: {}; keeping the previous rules", path, problem);
    }

    /** Stops checking. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true) && timer != null) {
            timer.shutdownNow();
        }
    }
}
