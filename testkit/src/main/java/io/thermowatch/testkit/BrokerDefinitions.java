package io.thermowatch.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Imports {@code rabbitmq/definitions.template.json} and the tests' fleet publisher of
 * {@code rabbitmq/test-publisher.template.json} (both rendered with {@code .env}) into the running cluster through
 * the management API, as a native node does at boot: users, permissions, topic permissions, policies, queues,
 * exchanges and bindings. The testkit runs it once per JVM because a cluster started by an older checkout (still
 * running, so never booted with these templates) lacks newer identities (e.g. the per-sensor users) and newer
 * topology (e.g. email-sender's dead-letter queue and the policy that routes to it), and compose's brokers never
 * load the test publisher (a device must never get a credential that may publish for any sensor id). An import only
 * adds and updates, as at boot: what older definitions had and these do not stays. Idempotent.
 */
final class BrokerDefinitions {

    private static final List<String> TEMPLATES =
            List.of("rabbitmq/definitions.template.json", "rabbitmq/test-publisher.template.json");

    private BrokerDefinitions() {}

    static void ensure(ManagementClient admin, DotEnv env, Path root) {
        for (String name : TEMPLATES) {
            Path template = root.resolve(name);
            try {
                admin.postJson("/api/definitions", env.renderJson(Files.readString(template)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + template, e);
            }
        }
    }
}
