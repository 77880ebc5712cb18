package io.thermowatch.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Imports {@code rabbitmq/definitions.template.json} (rendered with {@code .env}) into the running cluster through
 * the management API, as a node does at boot: users, permissions, topic permissions, policies, queues, exchanges
 * and bindings. The testkit runs it once per JVM because a cluster started by an older checkout (still running, so
 * never booted with this template) lacks newer identities (e.g. the per-sensor users) and newer topology (e.g.
 * email-sender's dead-letter queue and the policy that routes to it). An import only adds and updates, as at boot:
 * what older definitions had and these do not stays. Idempotent.
 */
final class BrokerDefinitions {

    private BrokerDefinitions() {}

    static void ensure(ManagementClient admin, DotEnv env, Path root) {
        Path template = root.resolve("rabbitmq/definitions.template.json");
        try {
            admin.postJson("/api/definitions", env.renderJson(Files.readString(template)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + template, e);
        }
    }
}
