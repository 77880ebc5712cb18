package io.thermowatch.emailsender;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.thermowatch.common.inventory.WatchedFile;
import io.thermowatch.common.runtime.WorkerSupervisor;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a changed, valid rules file into force without a restart: a {@link WatchedFile} reads it every
 * {@code ALERT_RULES_CHECK_INTERVAL} and hands over a changed text (an edit in place, a file replaced by rename and a
 * bind mount whose change events never reach the container all look the same). A file that is not valid (or was half
 * written when read) changes nothing: the previous rules stay in force and one WARN line names the problem (once per
 * version of the file, or per problem while it cannot be read). Thread safe.
 */
final class RulesReloader implements AutoCloseable, WatchedFile.Listener {

    private static final Logger log = LoggerFactory.getLogger(RulesReloader.class);

    private final Path path;
    private final AlertRules env;
    private final AlertEngine engine;
    private final Consumer<List<Notification>> ended;
    private final Counter applied;
    private final Counter rejected;
    private final WatchedFile file;

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
        this.applied = Counter.builder("thermowatch.alert.rules.reloads")
                .tag("result", "applied")
                .description("Changes of the rules file put into force")
                .register(registry);
        this.rejected = Counter.builder("thermowatch.alert.rules.reloads")
                .tag("result", "rejected")
                .description("Changes of the rules file refused (not valid): the previous rules stay in force")
                .register(registry);
        this.file = new WatchedFile("rules", path, settings.text(), this);
    }

    /** Checks every {@code settings.checkInterval()} on a named thread; if it ever dies, {@code workers} stops us. */
    void start(RulesFileSettings settings, WorkerSupervisor workers) {
        file.start(settings.checkInterval(), workers);
    }

    /**
     * One look at the file.
     *
     * @return true if it had changed and its new rules are now in force
     */
    boolean check() {
        return file.check();
    }

    @Override
    public boolean changed(String text) {
        RuleSet next;
        try {
            next = RulesFile.parse(text, path.toString(), env);
        } catch (RulesFile.Invalid e) {
            refuse(e.getMessage());
            return false;
        }
        List<Notification> resolved = engine.useRules(next);
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

    @Override
    public void unreadable(String problem) {
        refuse(problem);
    }

    private void refuse(String problem) {
        rejected.increment();
        log.warn("rules - {}: {}; keeping the previous rules", path, problem);
    }

    /** Stops checking. Idempotent. */
    @Override
    public void close() {
        file.close();
    }
}
