package io.thermowatch.emailsender;

import io.thermowatch.common.runtime.Metrics;
import io.thermowatch.common.runtime.ServiceMain;

/** Reads the configuration from the environment, wires the service, runs until SIGTERM. */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        ServiceMain.run("email-sender", (env, workers) -> {
            EmailSenderConfig config = EmailSenderConfig.fromEnv(env);
            return EmailSenderService.start(config, Metrics.newRegistry("email-sender"), workers);
        });
    }
}
