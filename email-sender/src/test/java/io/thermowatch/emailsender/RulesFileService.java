package io.thermowatch.emailsender;

import static org.awaitility.Awaitility.await;

import io.thermowatch.testkit.MqttTestClient;
import io.thermowatch.testkit.QueueProbe;
import io.thermowatch.testkit.ServiceEnv;
import io.thermowatch.testkit.ServiceProcess;
import io.thermowatch.testkit.Stack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One email-sender process on the real stack, started with a rules file of the test's own, and a sensor's MQTT client
 * to feed it: the set-up the ITs that start email-sender with a rules file share. {@link #start} purges email-sender's
 * queue (readings other tests left would only add noise), writes the rules to a fresh directory, starts the service
 * mailing {@link #OPS} through the test's SMTP server and waits until it consumes; {@link #close} stops the process
 * and the client. The SMTP server and any database stay the test's: which ones it uses is what it is about. Not
 * thread safe.
 */
final class RulesFileService implements AutoCloseable {

    /** The one {@code EMAIL_TO} address. */
    static final String OPS = "ops@example.com";

    private static final Duration READY = Duration.ofSeconds(60);
    private static final Duration LOGGED = Duration.ofSeconds(15);

    private final Stack stack;
    private final int smtpPort;
    private final Consumer<ServiceEnv> settings;
    private final Path rulesFile;
    private MqttTestClient mqtt;
    private ServiceProcess process;

    private RulesFileService(Stack stack, int smtpPort, Consumer<ServiceEnv> settings, Path rulesFile) {
        this.stack = stack;
        this.smtpPort = smtpPort;
        this.settings = settings;
        this.rulesFile = rulesFile;
    }

    /**
     * Starts email-sender with {@code rules} as its {@code ALERT_RULES_FILE} and waits until it consumes.
     *
     * @param name names the rules file's directory under the stack's work directory (made unique)
     * @param smtpPort the test's SMTP server, on 127.0.0.1
     * @param settings the test's own settings, on top of SMTP, {@code EMAIL_TO}, an SMTP retry of at most 1 s and an
     *     {@code ALERT_GROUP_WAIT} of 100 ms (short, so each test takes seconds)
     */
    static RulesFileService start(String name, String rules, int smtpPort, Consumer<ServiceEnv> settings)
            throws Exception {
        Stack stack = Stack.get();
        try (QueueProbe probe = stack.queueProbe()) {
            probe.purge(Stack.EMAIL_SENDER_QUEUE);
        }
        Path dir = Files.createDirectories(stack.workDir().resolve(name + "-" + UUID.randomUUID()));
        RulesFileService service =
                new RulesFileService(stack, smtpPort, settings, Files.writeString(dir.resolve("alerts.yaml"), rules));
        try {
            service.mqtt = MqttTestClient.connect(stack.mqttUri(), stack.sensor());
            service.process = ServiceProcess.start("email-sender", service.env(service.rulesFile));
            service.process.awaitReady(READY);
            return service;
        } catch (Exception | AssertionError e) {
            service.close(); // a test class whose set-up failed never gets this instance to close
            throw e;
        }
    }

    /** The running process (its output, pid). */
    ServiceProcess process() {
        return process;
    }

    Path rulesFile() {
        return rulesFile;
    }

    /** Publishes {@code value} °C for {@code sensor} as {@link StampedReadings} does. */
    void publish(String sensor, double value) throws Exception {
        StampedReadings.publish(mqtt, sensor, value);
    }

    /** As an editor saves: a new file renamed over the old one, so the service never reads half of it. */
    void replaceRules(String text) throws Exception {
        Path next = Files.writeString(rulesFile.resolveSibling("alerts.yaml.new"), text);
        Files.move(next, rulesFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Starts another email-sender with the same settings (and a health port of its own) but {@code rules}, without
     * waiting for it; the caller closes it.
     */
    ServiceProcess startAnother(Path rules) {
        return ServiceProcess.start("email-sender", env(rules));
    }

    /** How many times the running process has logged {@code text} so far. */
    int timesLogged(String text) {
        Matcher m = Pattern.compile(Pattern.quote(text)).matcher(process.output());
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    /** Waits up to 15 s until the process has logged {@code text} more than {@code timesBefore} times. */
    void awaitLoggedAgain(String text, int timesBefore) {
        await().atMost(LOGGED).until(() -> timesLogged(text) > timesBefore);
    }

    private Map<String, String> env(Path rules) {
        ServiceEnv env = ServiceEnv.forEmailSender(stack)
                .with("SMTP_HOST", "127.0.0.1")
                .with("SMTP_PORT", Integer.toString(smtpPort))
                .with("SMTP_RETRY_MAX_DELAY", "1s")
                .with("EMAIL_TO", OPS)
                .with("ALERT_GROUP_WAIT", "100ms");
        settings.accept(env);
        return env.with("ALERT_RULES_FILE", rules.toString()).build();
    }

    @Override
    public void close() {
        if (process != null) {
            process.close();
        }
        if (mqtt != null) {
            mqtt.close();
        }
    }
}
