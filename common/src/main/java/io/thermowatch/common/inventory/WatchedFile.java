package io.thermowatch.common.inventory;

import io.thermowatch.common.runtime.WorkerSupervisor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A configuration file (email-sender's rules, the dashboard's sensor inventory) read again every check interval (with {@link InventoryFile#readText}, so at most
 * {@link InventoryFile#MAX_BYTES} of UTF-8) and handed to a {@link Listener} when its text changed. The text is
 * compared, not the modification time or size: an edit in place, a file replaced by rename (editors, {@code kubectl}
 * config maps), a bind mount whose change events never reach the container and two edits within one timestamp tick
 * all look the same. A file that cannot be read is reported once per problem, and read as new once it is back (even
 * with the text of before). What the text means, and whether it goes into force, is the listener's business.
 *
 * <p>Thread safe: checks run one at a time, and the listener is called inside them, so it needs no lock of its own.
 */
public final class WatchedFile implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WatchedFile.class);

    /** What the owner of the file does with it; called during {@link #check}, one call at a time. */
    public interface Listener {

        /**
         * The file's text differs from the last one read, or the file is readable again after it was not.
         *
         * @return true if the new text is now in force
         */
        boolean changed(String text);

        /** The file cannot be read (gone, too large, not UTF-8): called once per problem while it stays so. */
        void unreadable(String problem);
    }

    private final String subject;
    private final Path path;
    private final Listener listener;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile ScheduledExecutorService timer;

    // guarded by this
    private String lastText;
    private String lastProblem;

    /**
     * @param subject     what the file holds for its owner ({@code "rules"}, {@code "inventory"}): prefixes the log
     *                    line of a failed check and names the checking thread ({@code subject + "-reloader"})
     * @param textInForce the text the owner read at start, so the first check does not hand it over again
     */
    public WatchedFile(String subject, Path path, String textInForce, Listener listener) {
        this.subject = subject;
        this.path = path;
        this.listener = listener;
        this.lastText = textInForce;
    }

    /** Checks every {@code interval} on a named daemon thread. */
    public void start(Duration interval) {
        schedule(newTimer(), interval, UnaryOperator.identity());
    }

    /** As {@link #start(Duration)}; if the checking thread ever dies, {@code workers} learns of it. */
    public void start(Duration interval, WorkerSupervisor workers) {
        schedule(newTimer(), interval, check -> workers.supervised(threadName(), check));
    }

    // The timer is a parameter so that a test can run the scheduled check without waiting for it.
    void schedule(ScheduledExecutorService timer, Duration interval, UnaryOperator<Runnable> wrap) {
        this.timer = timer;
        long millis = interval.toMillis();
        timer.scheduleWithFixedDelay(wrap.apply(this::checkAndGoOn), millis, millis, TimeUnit.MILLISECONDS);
    }

    private ScheduledExecutorService newTimer() {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName());
            t.setDaemon(true);
            return t;
        });
    }

    private String threadName() {
        return subject + "-reloader";
    }

    // A background loop goes on after a failure: the next check may succeed.
    private void checkAndGoOn() {
        try {
            check();
        } catch (RuntimeException e) {
            LOG.error("{} - Checking {} failed", subject, path, e);
        }
    }

    /**
     * One look at the file.
     *
     * @return true if its text had changed and the listener put it into force
     */
    public synchronized boolean check() {
        String text;
        try {
            text = InventoryFile.readText(path);
        } catch (InvalidYaml e) {
            lastText = null; // read it again as new once it is back
            if (!e.getMessage().equals(lastProblem)) { // one report per problem, not one per check
                lastProblem = e.getMessage();
                listener.unreadable(e.getMessage());
            }
            return false;
        }
        lastProblem = null;
        if (text.equals(lastText)) {
            return false;
        }
        lastText = text; // a text the listener refuses is refused once, not at every check
        return listener.changed(text);
    }

    /** Stops checking. Idempotent. */
    @Override
    public void close() {
        ScheduledExecutorService t = timer;
        if (closed.compareAndSet(false, true) && t != null) {
            t.shutdownNow();
        }
    }
}
