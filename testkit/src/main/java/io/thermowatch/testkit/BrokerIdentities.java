package io.thermowatch.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Imports the users, permissions and topic permissions of {@code rabbitmq/definitions.template.json}, and the tests'
 * fleet publisher of {@code rabbitmq/test-publisher.template.json} (rendered with {@code .env}), into the running
 * cluster through the management API, as a native node does at boot. The testkit runs it once per JVM because a
 * cluster started by an older checkout (still running, so never booted with these templates) lacks newer identities
 * such as the per-sensor users, and compose's brokers never load the test publisher (a device must never get a
 * credential that may publish for any sensor id). Only identities are imported: queues, policies and bindings are
 * the cluster's own business. Idempotent.
 */
final class BrokerIdentities {

    private static final List<String> SECTIONS = List.of("vhosts", "users", "permissions", "topic_permissions");
    private static final List<String> TEMPLATES =
            List.of("rabbitmq/definitions.template.json", "rabbitmq/test-publisher.template.json");

    private BrokerIdentities() {}

    static void ensure(ManagementClient admin, DotEnv env, Path root) {
        for (String name : TEMPLATES) {
            Path template = root.resolve(name);
            try {
                ObjectMapper json = new ObjectMapper();
                ObjectNode all = (ObjectNode) json.readTree(env.renderJson(Files.readString(template)));
                ObjectNode identities = json.createObjectNode();
                SECTIONS.stream().filter(all::has).forEach(section -> identities.set(section, all.get(section)));
                admin.postJson("/api/definitions", json.writeValueAsString(identities));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + template, e);
            }
        }
    }
}
