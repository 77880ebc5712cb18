package io.thermowatch.systemtests.compose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docker compose cannot run on the build machines (no Docker engine), so the deployment files are checked
 * against each other and against the services' code statically: docker-compose.yaml, .env, the Dockerfiles,
 * haproxy/haproxy.cfg, rabbitmq/rabbitmq.conf, scripts/stack and each module's configuration classes. Each rule
 * is one test; a failure names every offending item. A unit test (Surefire): no network, no stack.
 */
class ComposeConsistencyTest {

    /** The original system's host ports, plus HAProxy's stats page (README, issue 7). */
    private static final Set<Integer> ORIGINAL_HOST_PORTS = Set.of(8080, 8025, 1883, 5672, 15672, 15675, 5432, 8404);
    /** Set by Docker or the JVM, not read by the services' configuration. */
    private static final Set<String> PLATFORM_VARIABLES = Set.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "TZ");
    /** Hosts that mean "the user's machine": allowed only in URLs handed to a browser or a mail reader. */
    private static final Set<String> USER_MACHINE_HOSTS = Set.of("localhost", "127.0.0.1");

    private static final Pattern URI = Pattern.compile("([a-z][a-z0-9+.-]*)://([^/:\\s]+)(?::(\\d+))?(/.*)?");
    private static final Pattern HOST_PORT = Pattern.compile("([A-Za-z][A-Za-z0-9_.-]*):(\\d{1,5})");
    /** A sensor's own identity: one per sensor service (compose) or the first one (scripts/stack), by design. */
    private static final Set<String> SENSOR_IDENTITY_VARIABLES = Set.of("MQTT_USERNAME", "MQTT_PASSWORD", "SENSOR_ID");

    private static final Pattern HEALTHCHECK_PORT =
            Pattern.compile("/dev/tcp/127\\.0\\.0\\.1/\\$\\{([A-Z_][A-Z0-9_]*)}");

    private static ComposeProject project;

    @BeforeAll
    static void load() {
        project = ComposeProject.load();
    }

    // --- variables -----------------------------------------------------------------------------------------

    @Test
    void every_variable_a_service_requires_is_set() {
        // Given every service built from a module, and the variables its code requires (requiredString)
        List<String> problems = new ArrayList<>();
        for (String service : javaServices()) {
            String module = project.moduleOf(service).orElseThrow();
            Map<String, String> env = project.environment(service);
            // When the compose environment is compared with them
            project.envReadsOf(module).values().stream()
                    .filter(read -> read.method().equals("requiredString"))
                    .filter(read -> env.getOrDefault(read.name(), "").isBlank())
                    .forEach(read ->
                            problems.add(service + ": " + read.name() + " (required by " + read.source() + ")"));
        }
        // Then none is missing
        assertNoProblems("required variables not set in docker-compose.yaml", problems);
    }

    @Test
    void every_credential_a_service_reads_comes_from_the_env_file() {
        // Given every secret a service reads whose fallback is a built-in demo credential
        List<String> problems = new ArrayList<>();
        for (String service : javaServices()) {
            Map<String, String> raw = project.rawEnvironment(service);
            for (ComposeProject.EnvRead read :
                    project.envReadsOf(project.moduleOf(service).orElseThrow()).values()) {
                if (!read.isCredentialWithDemoDefault()) {
                    continue;
                }
                // When its compose value is looked at
                String value = raw.get(read.name());
                // Then it is set, as a reference to a variable of .env (changing .env changes every service)
                if (value == null) {
                    problems.add(service + ": " + read.name() + " not set (the service would fall back to its built-in "
                            + "default " + read.defaultText().orElse("?") + ", a demo credential, ignoring .env)");
                } else if (!value.matches("\\$\\{[A-Za-z_][A-Za-z0-9_]*}")) {
                    problems.add(service + ": " + read.name() + "=" + value + " is a literal, not a ${VAR} of .env");
                }
            }
        }
        assertNoProblems("credentials not taken from .env", problems);
    }

    @Test
    void every_variable_set_on_a_service_is_one_it_reads() {
        // Given what each service's code reads (its module, the common classes it uses, logback.xml)
        List<String> problems = new ArrayList<>();
        for (String service : javaServices()) {
            Set<String> known =
                    project.envReadsOf(project.moduleOf(service).orElseThrow()).keySet();
            // When the variables compose sets are compared with it
            project.rawEnvironment(service).keySet().stream()
                    .filter(name -> !known.contains(name) && !PLATFORM_VARIABLES.contains(name))
                    // Then each one is read (a misspelt name would be silently ignored)
                    .forEach(name -> problems.add(service + ": " + name));
        }
        assertNoProblems("variables set in docker-compose.yaml that the service never reads (typo?)", problems);
    }

    @Test
    void every_variable_compose_interpolates_is_defined_in_the_env_file() {
        // Given the ${VAR} references of docker-compose.yaml that have no default of their own
        Set<String> used = project.interpolatedVariablesWithoutDefault();
        // When they are looked up in .env
        List<String> problems =
                used.stream().filter(name -> !project.dotEnv.containsKey(name)).toList();
        // Then every one is defined (Compose would otherwise substitute an empty string, with only a warning)
        assertNoProblems("variables used in docker-compose.yaml but not defined in .env", problems);
        assertTrue(
                !used.isEmpty(), "docker-compose.yaml interpolates no ${VAR} at all: credentials must come from .env");
    }

    @Test
    void the_database_role_setup_gets_every_role_credential_it_requires_from_the_env_file() throws Exception {
        // Given the variables postgres/setup-roles refuses to run without (one login role per service that uses
        // the database: db-writer, dashboard, email-sender, the dashboard's operator API)
        String script = java.nio.file.Files.readString(project.root.resolve("postgres/setup-roles"));
        Matcher loop = Pattern.compile("for var in ([A-Z0-9_\\s\\\\]+); do").matcher(script);
        assertTrue(loop.find(), "postgres/setup-roles: no `for var in ...; do` list of required variables");
        List<String> required = List.of(loop.group(1).replace("\\", " ").trim().split("\\s+"));
        Map<String, String> raw = project.rawEnvironment("timescaledb");
        List<String> problems = new ArrayList<>();
        for (String name : required) {
            // When compose's database service and .env are looked at
            // Then compose hands each one to the database container from .env (its first start runs the script)
            if (!("${" + name + "}").equals(raw.get(name))) {
                problems.add("timescaledb: " + name + "=" + raw.get(name) + ", expected ${" + name + "}");
            }
            if (!project.dotEnv.containsKey(name)) {
                problems.add(".env: " + name + " missing (scripts/stack runs setup-roles with .env)");
            }
        }
        assertTrue(required.size() >= 8, "setup-roles requires " + required);
        assertNoProblems("role credentials postgres/setup-roles needs", problems);
    }

    @Test
    void compose_gives_each_service_the_same_credentials_as_scripts_stack() {
        // Given what scripts/stack up hands each module from .env (e.g. AMQP_USERNAME=$AMQP_DBWRITER_USER)
        List<String> problems = new ArrayList<>();
        Pattern reference = Pattern.compile("\\$\\{?([A-Z][A-Z0-9_]*)}?");
        for (String service : javaServices()) {
            String module = project.moduleOf(service).orElseThrow();
            Map<String, String> raw = project.rawEnvironment(service);
            Set<String> reads = project.envReadsOf(module).keySet();
            project.stackEnvironment(module).forEach((name, stackValue) -> {
                Matcher m = reference.matcher(stackValue);
                if (!reads.contains(name)) {
                    return; // scripts/stack hands some variables to every module; only those it reads matter
                }
                if (module.equals("sensor") && SENSOR_IDENTITY_VARIABLES.contains(name)) {
                    return; // each sensor its own identity: every_sensor_authenticates_as_itself checks them
                }
                if (!m.matches() || !project.dotEnv.containsKey(m.group(1))) {
                    return; // a port or an address: differs between the two layouts by design
                }
                // When compose's value of the same variable is compared
                String expected = "${" + m.group(1) + "}";
                // Then it names the same .env variable (the same role, the same user)
                if (!expected.equals(raw.get(name))) {
                    problems.add(service + ": " + name + "=" + raw.get(name) + ", scripts/stack gives " + module + " "
                            + name + "=" + stackValue);
                }
            });
        }
        assertNoProblems("docker-compose.yaml and scripts/stack disagree on credentials", problems);
    }

    @Test
    void every_sensor_authenticates_as_itself_with_credentials_of_its_own() {
        // Given every sensor service, and the users of the broker's definitions with the per-sensor topic permission
        String definitions = project.read(project.root.resolve("rabbitmq/definitions.template.json"));
        Pattern ownTopics =
                Pattern.compile("\\{\"user\": \"@([A-Z0-9_]+)@\", \"vhost\": \"/\", \"exchange\": \"amq\\.topic\",\\s*"
                        + "\"write\": \""
                        + Pattern.quote("^(temperature\\\\.{username}|sensors\\\\.{username}\\\\.status)$") + "\"");
        Set<String> ownTopicUsers = new java.util.HashSet<>();
        Matcher own = ownTopics.matcher(definitions);
        while (own.find()) {
            ownTopicUsers.add(own.group(1));
        }
        Pattern reference = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)}");
        List<String> problems = new ArrayList<>();
        Map<String, String> userVariables = new LinkedHashMap<>();
        Set<String> passwordVariables = new java.util.HashSet<>();
        for (String service : javaServices()) {
            if (!project.moduleOf(service).orElseThrow().equals("sensor")) {
                continue;
            }
            Map<String, String> raw = project.rawEnvironment(service);
            Matcher user = reference.matcher(raw.getOrDefault("MQTT_USERNAME", ""));
            Matcher pass = reference.matcher(raw.getOrDefault("MQTT_PASSWORD", ""));
            // When its user, password and topic are read
            if (!user.matches() || !pass.matches()) {
                problems.add(service + ": MQTT_USERNAME/MQTT_PASSWORD are not ${VAR}s of .env");
                continue;
            }
            String id =
                    project.environment(service).getOrDefault("MQTT_TOPIC", "").replaceFirst("^temperature/", "");
            // Then the user is the sensor's own (named after its id), with the per-sensor topic permission
            if (!id.equals(project.dotEnv.get(user.group(1)))) {
                problems.add(service + ": user " + user.group(1) + "=" + project.dotEnv.get(user.group(1))
                        + " is not named after its sensor id " + id + " (the broker would refuse its publishes)");
            }
            if (!ownTopicUsers.contains(user.group(1))) {
                problems.add(service + ": rabbitmq/definitions.template.json gives @" + user.group(1)
                        + "@ no topic permission limited to {username}'s own topics");
            }
            // And no two sensors share a user or a password variable
            String previous = userVariables.put(user.group(1), service);
            if (previous != null) {
                problems.add(service + " and " + previous + " share the user " + user.group(1));
            }
            if (!passwordVariables.add(pass.group(1))) {
                problems.add(service + ": password " + pass.group(1) + " shared with another sensor");
            }
        }
        if (userVariables.isEmpty()) {
            problems.add("no sensor service found");
        }
        assertNoProblems("sensors without an identity of their own", problems);
    }

    @Test
    void compose_brokers_give_no_user_the_right_to_publish_for_any_sensor_id() {
        // Given the definitions compose's brokers load, and the tests' fleet publisher (native stack only)
        String definitions = project.read(project.root.resolve("rabbitmq/definitions.template.json"));
        String testPublisher = project.read(project.root.resolve("rabbitmq/test-publisher.template.json"));
        Pattern anySensorWrite = Pattern.compile("\"write\": \"\\^\\(temperature\\|sensors\\)");

        // Then only the test publisher's template has the any-id topic permission, and no broker service is even
        // given that user's variables (render-definitions renders what the template names)
        List<String> problems = new ArrayList<>();
        if (anySensorWrite.matcher(definitions).find()) {
            problems.add("rabbitmq/definitions.template.json lets a user publish for any sensor id");
        }
        if (!anySensorWrite.matcher(testPublisher).find()) {
            problems.add("rabbitmq/test-publisher.template.json no longer holds the fleet test publisher");
        }
        for (String service : project.services.keySet()) {
            Map<String, String> raw = project.rawEnvironment(service);
            if (raw.containsKey("MQTT_SENSOR_USER") || raw.containsKey("MQTT_SENSOR_PASS")) {
                problems.add(service + ": gets the fleet test publisher's MQTT_SENSOR_USER/PASS");
            }
        }
        assertNoProblems("the fleet test publisher reaches compose", problems);
    }

    @Test
    void every_quorum_queue_gets_an_explicit_delivery_limit_from_its_policy() throws Exception {
        // Given the quorum queues and policies compose's brokers and the native nodes load
        com.fasterxml.jackson.databind.JsonNode definitions = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(project.read(project.root.resolve("rabbitmq/definitions.template.json")));
        List<String> problems = new ArrayList<>();
        for (com.fasterxml.jackson.databind.JsonNode queue : definitions.path("queues")) {
            if (!"quorum".equals(queue.path("arguments").path("x-queue-type").asText())) {
                continue;
            }
            String name = queue.path("name").asText();
            // When the policy RabbitMQ applies to it is found (the matching one of highest priority)
            com.fasterxml.jackson.databind.JsonNode applied = null;
            for (com.fasterxml.jackson.databind.JsonNode policy : definitions.path("policies")) {
                if (Pattern.compile(policy.path("pattern").asText())
                                .matcher(name)
                                .find()
                        && (applied == null
                                || policy.path("priority").asInt()
                                        > applied.path("priority").asInt())) {
                    applied = policy;
                }
            }
            // Then it names a delivery-limit: 4.x defaults to 20 returns and then drops a message from a queue
            // without a dead-letter exchange of its own (seen on 4.0.5 for the dead-letter queues)
            if (applied == null || !applied.path("definition").has("delivery-limit")) {
                problems.add(name + ": no delivery-limit in "
                        + (applied == null
                                ? "any policy"
                                : "policy " + applied.path("name").asText()));
            }
        }
        assertNoProblems("quorum queues left to RabbitMQ 4's default delivery limit", problems);
    }

    @Test
    void services_sharing_a_threshold_agree_on_it() {
        // Given the services that read TEMPERATURE_THRESHOLD (the email-sender alerts, the dashboard colours)
        Map<String, String> values = new LinkedHashMap<>();
        for (String service : javaServices()) {
            if (project.envReadsOf(project.moduleOf(service).orElseThrow()).containsKey("TEMPERATURE_THRESHOLD")) {
                values.put(
                        service,
                        project.effectiveValue(service, "TEMPERATURE_THRESHOLD").orElse("?"));
            }
        }
        // When their effective values are compared, then they are one number
        Set<Double> distinct = values.values().stream().map(Double::valueOf).collect(Collectors.toSet());
        assertEquals(1, distinct.size(), "TEMPERATURE_THRESHOLD differs between services: " + values);
    }

    @Test
    void the_dashboard_reads_its_sensor_labels_from_the_rules_file_email_sender_reads() {
        // Given the file email-sender reads its rules (and inventory) from, and the one the dashboard reads labels from
        List<String> problems = new ArrayList<>();
        String rules = project.rawEnvironment("email-sender").getOrDefault("ALERT_RULES_FILE", "");
        String inventory = project.rawEnvironment("dashboard").getOrDefault("SENSOR_INVENTORY_FILE", "");
        // When each is traced through its service's bind mounts to a file of this repository
        Optional<Path> rulesOnHost = boundHostFile("email-sender", rules, problems);
        Optional<Path> inventoryOnHost = boundHostFile("dashboard", inventory, problems);
        // Then both are the same file, and scripts/stack gives the natively started dashboard that file too
        if (rulesOnHost.isPresent() && inventoryOnHost.isPresent()) {
            if (!rulesOnHost.equals(inventoryOnHost)) {
                problems.add("email-sender reads " + rulesOnHost.get() + ", the dashboard " + inventoryOnHost.get());
            } else if (!Files.isRegularFile(project.root.resolve(rulesOnHost.get()))) {
                problems.add(rulesOnHost.get() + ": no such file in the repository");
            }
            String stack = project.stackEnvironment("dashboard").getOrDefault("SENSOR_INVENTORY_FILE", "");
            if (!stack.equals("$ROOT/" + rulesOnHost.get())) {
                problems.add("scripts/stack gives the dashboard SENSOR_INVENTORY_FILE=" + stack + ", not $ROOT/"
                        + rulesOnHost.get());
            }
        }
        assertNoProblems("the sensor inventory's file", problems);
    }

    /** The repository file (relative path) a bind mount of {@code service} puts at {@code containerPath}. */
    private static Optional<Path> boundHostFile(String service, String containerPath, List<String> problems) {
        if (containerPath.isBlank()) {
            problems.add(service + ": no file set");
            return Optional.empty();
        }
        Object volumes = project.service(service).get("volumes");
        if (volumes instanceof List<?> items) {
            for (Object item : items) {
                String[] parts = String.valueOf(item).split(":");
                if (parts.length >= 2 && parts[0].startsWith("./") && containerPath.startsWith(parts[1] + "/")) {
                    if (parts.length < 3 || !parts[2].equals("ro")) {
                        problems.add(service + ": " + item + " is not mounted read-only (:ro)");
                    }
                    return Optional.of(Path.of(parts[0] + containerPath.substring(parts[1].length()))
                            .normalize());
                }
            }
        }
        problems.add(service + ": no bind mount of a repository folder holds " + containerPath);
        return Optional.empty();
    }

    // --- hosts and ports -------------------------------------------------------------------------------------

    @Test
    void every_host_a_service_or_haproxy_names_is_a_compose_service() {
        // Given every address in the services' effective configuration and HAProxy's default server addresses
        List<String> problems = new ArrayList<>();
        for (Address address : addresses()) {
            // When its host is looked up among the compose services
            boolean userFacing = USER_MACHINE_HOSTS.contains(address.host());
            if (userFacing) {
                // Then a URL for the user's browser points at a port published on the user's machine
                if (!publishedHostPorts().containsKey(address.port())) {
                    problems.add(address + ": port " + address.port() + " is not published on the host");
                }
            } else if (!project.services.containsKey(address.host())) {
                // Then anything else is a service name Compose's DNS resolves
                problems.add(address + ": no compose service named " + address.host());
            }
        }
        assertNoProblems("hosts that are not compose services", problems);
    }

    @Test
    void every_port_a_service_or_haproxy_connects_to_is_one_its_target_listens_on() {
        // Given every host:port the services and HAProxy connect to inside the compose network
        List<String> problems = new ArrayList<>();
        for (Address address : addresses()) {
            if (USER_MACHINE_HOSTS.contains(address.host())
                    || !project.services.containsKey(address.host())
                    || address.port() < 0) {
                continue; // reported by the host rule
            }
            // When the target's listening ports are derived from its own configuration
            Set<Integer> listening = listeningPorts(address.host());
            // Then the port is among them
            if (!listening.contains(address.port())) {
                problems.add(address + ": " + address.host() + " listens on " + listening);
            }
        }
        assertNoProblems("ports nobody listens on", problems);
    }

    @Test
    void every_published_port_is_one_the_service_listens_on() {
        // Given the ports: of every compose service
        List<String> problems = new ArrayList<>();
        for (String service : project.services.keySet()) {
            for (int[] port : project.publishedPorts(service)) {
                // When the container side is compared with what the service listens on
                Set<Integer> listening = listeningPorts(service);
                // Then it is one of them
                if (!listening.contains(port[1])) {
                    problems.add(service + ": publishes " + port[0] + ":" + port[1] + " but listens on " + listening);
                }
            }
        }
        assertNoProblems("published ports that lead nowhere", problems);
    }

    @Test
    void every_published_port_is_bound_to_127_0_0_1_unless_bind_address_says_otherwise() {
        // Given every ports: entry of every service, as written and as Compose interpolates it with .env
        List<String> problems = new ArrayList<>();
        for (String service : project.services.keySet()) {
            Object list = project.services.get(service).get("ports");
            if (!(list instanceof List<?> items)) {
                continue;
            }
            for (Object item : items) {
                String raw = String.valueOf(item);
                // When its host address is read, then it is the one documented variable, defaulting to 127.0.0.1
                if (!raw.startsWith("${BIND_ADDRESS:-127.0.0.1}:")) {
                    problems.add(
                            service + ": \"" + raw + "\" (expected \"${BIND_ADDRESS:-127.0.0.1}:HOST:CONTAINER\")");
                } else if (!project.interpolate(raw).startsWith("127.0.0.1:")) {
                    problems.add(service + ": \"" + raw + "\" binds " + project.interpolate(raw)
                            + " with .env (BIND_ADDRESS must stay unset there: exposing is the user's choice)");
                }
            }
        }
        assertNoProblems("ports published on every interface by default", problems);
    }

    @Test
    void no_health_or_metrics_port_is_published() {
        // Given each service's HEALTH_PORT (/healthz, /readyz, /metrics: the internals)
        List<String> problems = new ArrayList<>();
        for (String service : javaServices()) {
            String health = project.effectiveValue(service, "HEALTH_PORT").orElse("");
            // When the published container ports are compared with it, then it is not among them
            for (int[] port : project.publishedPorts(service)) {
                if (Integer.toString(port[1]).equals(health)) {
                    problems.add(service + ": publishes its HEALTH_PORT " + health + " (/metrics)");
                }
            }
        }
        assertNoProblems("health/metrics ports published on the host", problems);
    }

    @Test
    void the_original_host_ports_are_published() {
        // Given the host ports of the original system (and HAProxy's stats page)
        Map<Integer, String> published = publishedHostPorts();
        // When they are looked up among the published ports, then every one is there, each once
        List<String> problems = ORIGINAL_HOST_PORTS.stream()
                .sorted()
                .filter(port -> !published.containsKey(port))
                .map(port -> "host port " + port)
                .toList();
        assertNoProblems("host ports of the original system not published", problems);
    }

    // --- Dockerfiles -----------------------------------------------------------------------------------------

    @Test
    void every_dockerfile_copies_the_jar_its_module_builds() {
        // Given each service Dockerfile, and the jar its module's build produces (<module>/target/<artifactId>.jar,
        // the shade plugin's finalName in the parent pom)
        List<String> problems = new ArrayList<>();
        String parentPom = project.read(project.root.resolve("pom.xml"));
        if (!parentPom.contains("<finalName>${project.artifactId}</finalName>")) {
            problems.add(
                    "pom.xml: the shade plugin no longer names the jar <finalName>${project.artifactId}</finalName>");
        }
        for (String service : javaServices()) {
            String module = project.moduleOf(service).orElseThrow();
            Path dockerfilePath = project.relative(project.dockerfileOf(service).orElseThrow());
            Dockerfile dockerfile = project.dockerfileFor(service);
            String artifactId =
                    artifactIdOf(project.read(project.root.resolve(module).resolve("pom.xml")));
            // When its COPY --from lines are read
            List<Dockerfile.Copy> fromBuild =
                    dockerfile.copies.stream().filter(c -> c.from().isPresent()).toList();
            if (fromBuild.isEmpty()) {
                problems.add(dockerfilePath + ": no COPY --from=<build stage> of the jar");
                continue;
            }
            for (Dockerfile.Copy copy : fromBuild) {
                String stage = copy.from().get();
                String workdir = workdirOf(project.root.resolve(dockerfilePath), stage);
                String expected = workdir + "/" + module + "/target/" + artifactId + ".jar";
                // Then each copies exactly that jar, and the entrypoint runs what was copied
                if (!copy.sources().equals(List.of(expected))) {
                    problems.add(dockerfilePath + " (" + service + "): '" + copy.text() + "' but the build produces "
                            + expected);
                }
                String entrypoint = dockerfile.runtime.getOrDefault("ENTRYPOINT", "");
                if (!entrypoint.contains(copy.destination())) {
                    problems.add(dockerfilePath + ": ENTRYPOINT " + entrypoint + " does not run " + copy.destination());
                }
            }
            Pattern buildsModule = Pattern.compile("-pl\\s+\"?" + Pattern.quote(module) + "\"?(\\s|$)");
            boolean builds = dockerfile.runs.stream()
                    .anyMatch(run ->
                            run.contains("mvn") && buildsModule.matcher(run).find() && run.contains("package"));
            if (!builds) {
                problems.add(dockerfilePath + ": no RUN mvn ... -pl " + module + " ... package");
            }
        }
        assertNoProblems("Dockerfiles that do not copy the jar their build produces", problems);
    }

    @Test
    void every_dockerfile_copies_the_pom_of_every_reactor_module() {
        // Given the parent pom's <modules>: Maven refuses to read the reactor if one of their poms is missing
        List<String> problems = new ArrayList<>();
        for (String service : javaServices()) {
            Path dockerfilePath = project.relative(project.dockerfileOf(service).orElseThrow());
            Dockerfile dockerfile = project.dockerfileFor(service);
            // When the sources of its COPY lines from the build context are collected
            Set<String> copied = dockerfile.copies.stream()
                    .filter(c -> c.from().isEmpty())
                    .flatMap(c -> c.sources().stream())
                    .map(s -> s.replaceAll("^\\./", ""))
                    .collect(Collectors.toSet());
            // Then the parent pom and every module's pom are among them
            if (!copied.contains("pom.xml")) {
                problems.add(dockerfilePath + ": pom.xml");
            }
            project.reactorModules.stream()
                    .map(m -> m + "/pom.xml")
                    .filter(pom -> !copied.contains(pom))
                    .forEach(pom -> problems.add(dockerfilePath + ": " + pom));
        }
        assertNoProblems(
                "module poms not copied before the Maven build (\"Child module ... does not exist\")", problems);
    }

    @Test
    void every_dockerfile_copy_source_exists_in_its_build_context() {
        // Given every COPY from the build context, in every Dockerfile compose builds
        List<String> problems = new ArrayList<>();
        List<String> ignored = dockerignore();
        // (per service that builds: one Dockerfile builds several images, each with its own build arguments)
        for (String builder : project.services.keySet().stream()
                .filter(s -> project.service(s).get("build") != null)
                .toList()) {
            Map.Entry<Path, String> entry =
                    Map.entry(project.dockerfileOf(builder).orElseThrow(), builder);
            Path context = project.buildContextOf(entry.getValue()).orElseThrow();
            for (Dockerfile.Copy copy : project.dockerfileFor(builder).copies) {
                if (copy.from().isPresent()) {
                    continue;
                }
                for (String source : copy.sources()) {
                    // When the source is resolved against the build context
                    Path path = context.resolve(source).normalize();
                    // Then it exists, and .dockerignore (of the repository root context) does not exclude it
                    if (!Files.exists(path)) {
                        problems.add(project.relative(entry.getKey()) + ": '" + copy.text() + "': " + source
                                + " not found in the build context " + project.relative(context));
                    } else if (context.equals(project.root) && isIgnored(source, ignored)) {
                        problems.add(project.relative(entry.getKey()) + ": '" + copy.text() + "': " + source
                                + " is excluded by .dockerignore");
                    }
                }
            }
        }
        assertNoProblems("COPY sources missing from the build context", problems);
    }

    @Test
    void every_rabbitmq_file_the_native_stack_uses_is_copied_into_the_rabbitmq_image() {
        // Given the files of rabbitmq/ that scripts/stack hands to its nodes ("$ROOT/rabbitmq/<file>")
        Set<String> usedNatively = new TreeSet<>();
        Matcher m = Pattern.compile("\\$ROOT/rabbitmq/([A-Za-z0-9._-]+)").matcher(project.stackScript);
        while (m.find()) {
            usedNatively.add(m.group(1));
        }
        // When the rabbitmq image's COPY sources are listed
        Set<String> copied = new TreeSet<>();
        project.dockerfile(project.root.resolve("rabbitmq/Dockerfile"))
                .copies
                .forEach(copy -> copied.addAll(copy.sources()));
        // Then every one of them is in the image too: compose's nodes run the configuration the tests exercised.
        // The one exception is the tests' fleet publisher, which must never reach a deployment.
        List<String> problems = usedNatively.stream()
                .filter(file -> !copied.contains(file))
                .filter(file -> !file.equals("test-publisher.template.json"))
                .map(file -> "rabbitmq/" + file + " is used by scripts/stack but not copied by rabbitmq/Dockerfile")
                .toList();
        assertTrue(
                usedNatively.contains("rabbitmq.conf"),
                "scripts/stack no longer names rabbitmq/rabbitmq.conf: " + usedNatively);
        assertNoProblems("native-only RabbitMQ configuration", problems);
    }

    @Test
    void every_image_tag_is_pinned() {
        // Given every image compose pulls and every FROM of every Dockerfile it builds
        List<String> problems = new ArrayList<>();
        for (String service : project.services.keySet()) {
            Object image = project.service(service).get("image");
            boolean built = project.dockerfileOf(service).isPresent();
            if (image == null && !built) {
                problems.add(service + ": neither image nor build");
            } else if (image != null && !isPinned(String.valueOf(image), built)) {
                problems.add(service + ": image " + image);
            }
        }
        for (Path path : project.dockerfiles().keySet()) {
            Dockerfile dockerfile = project.dockerfile(path);
            Set<String> stageNames =
                    dockerfile.stages.stream().flatMap(s -> s.name().stream()).collect(Collectors.toSet());
            for (Dockerfile.Stage stage : dockerfile.stages) {
                // When the tag is read, then it names a version (no tag, latest, or a floating word are not)
                if (!stageNames.contains(stage.image()) && !isPinned(stage.image(), false)) {
                    problems.add(project.relative(path) + ": FROM " + stage.image());
                }
            }
        }
        assertNoProblems("images not pinned to a version", problems);
    }

    @Test
    void every_image_built_here_is_built_by_exactly_one_service_and_never_pulled_by_the_others() {
        // Given the services grouped by the image they run
        Map<String, List<String>> servicesByImage = new TreeMap<>();
        project.services.forEach((service, definition) -> {
            Object image = definition.get("image");
            servicesByImage
                    .computeIfAbsent(
                            image == null ? "(" + service + ", no image:)" : String.valueOf(image),
                            key -> new ArrayList<>())
                    .add(service);
        });
        List<String> problems = new ArrayList<>();
        servicesByImage.forEach((image, services) -> {
            // When the services with build: are counted
            List<String> builders = services.stream()
                    .filter(s -> project.service(s).get("build") != null)
                    .toList();
            if (builders.isEmpty()) {
                if (image.startsWith("thermowatch/")) {
                    problems.add(image + ": run by " + services + " but built by no service");
                }
                return;
            }
            // Then one service builds it (Compose builds one target per service: several would build it at once,
            // which fails intermittently with the containerd image store), and the others never look for it in a
            // registry (anyone may publish that name there)
            if (builders.size() > 1) {
                problems.add(image + ": built by " + builders + " (keep build: on one, image: only on the others)");
            }
            services.stream()
                    .filter(s -> !builders.contains(s))
                    .filter(s -> !"never".equals(project.service(s).get("pull_policy")))
                    .forEach(s -> problems.add(
                            s + ": runs " + image + ", built by " + builders + ", without pull_policy: never"));
        });
        assertNoProblems("images built more than once or pulled instead of built", problems);
    }

    @Test
    void the_database_healthcheck_asks_the_server_over_tcp() {
        // Given the PostgreSQL/TimescaleDB services
        List<String> databases = project.services.keySet().stream()
                .filter(s ->
                        String.valueOf(project.service(s).get("image")).matches("(timescale/timescaledb|postgres):.*"))
                .toList();
        assertTrue(!databases.isEmpty(), "no timescale/timescaledb or postgres service in docker-compose.yaml");
        List<String> problems = new ArrayList<>();
        for (String service : databases) {
            // When its healthcheck command is read
            String test = healthcheckCommand(service);
            // Then pg_isready connects over TCP (-h HOST, not a socket directory): on the first start the image
            // runs a temporary server for initdb and the init scripts that listens only on its Unix socket
            if (!test.contains("pg_isready")) {
                problems.add(service + ": healthcheck does not run pg_isready: " + test);
            } else if (!Pattern.compile("(?:^|\\s)(?:-h\\s*|--host[=\\s])[\"']?(?![/\"'])\\S")
                    .matcher(test)
                    .find()) {
                problems.add(service + ": pg_isready without -h <host> checks the Unix socket: " + test);
            }
        }
        assertNoProblems("database healthchecks that pass before the real server listens", problems);
    }

    @Test
    void every_pulled_image_names_an_exact_release() {
        // Given every image compose pulls and every FROM of the Dockerfiles it builds
        Map<String, String> pulled = new LinkedHashMap<>();
        project.services.forEach((service, definition) -> {
            if (project.imageBuilderOf(service).isEmpty() && definition.get("image") != null) {
                pulled.put(service, String.valueOf(definition.get("image")));
            }
        });
        for (Path path : project.dockerfiles().keySet()) {
            Dockerfile dockerfile = project.dockerfile(path);
            Set<String> stageNames =
                    dockerfile.stages.stream().flatMap(s -> s.name().stream()).collect(Collectors.toSet());
            dockerfile.stages.stream()
                    .map(Dockerfile.Stage::image)
                    .filter(image -> !stageNames.contains(image))
                    .forEach(image -> pulled.put(project.relative(path) + " FROM", image));
        }
        List<String> problems = new ArrayList<>();
        pulled.forEach((where, image) -> {
            // When its tag is read
            String name = image.split("@", 2)[0];
            int colon = name.lastIndexOf(':');
            String repository = colon > name.lastIndexOf('/') ? name.substring(0, colon) : name;
            String tag = colon > name.lastIndexOf('/') ? name.substring(colon + 1) : "";
            // Then it names one release: a full X.Y.Z (a moving X.Y or latest changes under the same file);
            // HAProxy stays on the 2.6 LTS branch of the native stack's Debian package, at a full patch release
            if (!tag.matches("v?\\d+\\.\\d+\\.\\d+([-_.].*)?")) {
                problems.add(where + ": " + image + " (no full X.Y.Z release in the tag)");
            } else if (repository.equals("haproxy") && !tag.matches("2\\.6\\.\\d+(-.*)?")) {
                problems.add(where + ": " + image + " (HAProxy must be a 2.6.N patch release, as the native stack's)");
            } else if (repository.equals("axllent/mailpit") && !tag.matches("v\\d+\\.\\d+\\.\\d+")) {
                problems.add(where + ": " + image + " (Mailpit publishes exact releases as vX.Y.Z)");
            }
        });
        assertNoProblems("images not pinned to an exact release", problems);
    }

    // --- line endings ------------------------------------------------------------------------------------------

    @Test
    void gitattributes_keeps_lf_for_every_script_and_configuration_file() throws java.io.IOException {
        // Given .gitattributes and the files that sh, RabbitMQ, HAProxy, PostgreSQL or Docker read on Linux
        GitAttributes attributes = GitAttributes.read(project.root.resolve(".gitattributes"));
        List<String> problems = new ArrayList<>();
        for (String file : lfFiles()) {
            // When the eol a checkout gives each is resolved, then it is LF (never the platform's CRLF)
            Optional<String> eol = attributes.eolOf(file);
            if (!eol.equals(Optional.of("lf"))) {
                problems.add(file + ": eol " + eol.orElse("unset (platform default: CRLF on Windows)"));
            }
        }
        // And the Windows wrapper keeps the CRLF cmd.exe expects
        if (!attributes.eolOf("mvnw.cmd").equals(Optional.of("crlf"))) {
            problems.add("mvnw.cmd: eol " + attributes.eolOf("mvnw.cmd").orElse("unset") + ", expected crlf");
        }
        assertNoProblems(".gitattributes does not keep these files LF", problems);
    }

    @Test
    void no_script_or_configuration_file_contains_a_carriage_return() throws java.io.IOException {
        // Given the scripts and configuration files of the repository
        List<String> problems = new ArrayList<>();
        for (String file : lfFiles()) {
            // When their bytes are read, then none is a CR ("#!/bin/sh\r" is not an interpreter)
            byte[] bytes = Files.readAllBytes(project.root.resolve(file));
            for (int i = 0, line = 1; i < bytes.length; i++) {
                if (bytes[i] == '\n') {
                    line++;
                } else if (bytes[i] == '\r') {
                    problems.add(file + ":" + line);
                    break;
                }
            }
        }
        assertNoProblems("CR in scripts or configuration (check out with .gitattributes, or run dos2unix)", problems);
    }

    @Test
    void every_service_image_runs_as_non_root_with_exec_form_entrypoint_and_a_readiness_healthcheck() {
        // Given the runtime stage of every service Dockerfile
        List<String> problems = new ArrayList<>();
        for (String service : javaServices()) {
            Path path = project.relative(project.dockerfileOf(service).orElseThrow());
            Dockerfile dockerfile = project.dockerfileFor(service);
            Map<String, String> runtime = dockerfile.runtime;
            // When its USER, ENTRYPOINT, STOPSIGNAL, HEALTHCHECK and JVM flags are read, then they are as the issue
            // asks
            String user = runtime.getOrDefault("USER", "");
            if (user.isEmpty() || user.matches("(root|0)(:.*)?")) {
                problems.add(path + ": runs as root (USER '" + user + "')");
            }
            if (!runtime.getOrDefault("ENTRYPOINT", "").startsWith("[")) {
                problems.add(path + ": ENTRYPOINT is not in exec form (SIGTERM would reach a shell, not the JVM)");
            }
            if (!runtime.getOrDefault("STOPSIGNAL", "SIGTERM").equals("SIGTERM")) {
                problems.add(path + ": STOPSIGNAL " + runtime.get("STOPSIGNAL"));
            }
            String healthcheck = runtime.getOrDefault("HEALTHCHECK", "");
            if (!healthcheck.contains("/readyz")) {
                problems.add(path + ": HEALTHCHECK does not ask /readyz");
            }
            Matcher port = HEALTHCHECK_PORT.matcher(healthcheck);
            if (!port.find() || !dockerfile.runtimeEnv.containsKey(port.group(1))) {
                problems.add(path + ": HEALTHCHECK port is not a variable the image's ENV defines");
            } else if (!project.envReadsOf(project.moduleOf(service).orElseThrow())
                    .containsKey(port.group(1))) {
                problems.add(path + ": HEALTHCHECK uses ${" + port.group(1) + "}, which the service does not read");
            }
            if (healthcheck.contains("curl") || healthcheck.contains("wget")) {
                problems.add(path + ": HEALTHCHECK uses a tool the eclipse-temurin JRE image does not have");
            }
            String jvmOptions = runtime.getOrDefault("ENTRYPOINT", "")
                    + dockerfile.runtimeEnv.getOrDefault("JAVA_TOOL_OPTIONS", "")
                    + argumentFilesOf(dockerfile).values().stream()
                            .map(project::read)
                            .collect(Collectors.joining("\n"));
            if (!jvmOptions.contains("-XX:MaxRAMPercentage")) {
                problems.add(path + ": no -XX:MaxRAMPercentage in ENTRYPOINT, its argument files or JAVA_TOOL_OPTIONS "
                        + "(the heap would ignore the container's memory limit)");
            }
        }
        assertNoProblems("service images", problems);
    }

    @Test
    void the_java_services_are_built_from_one_dockerfile_with_arguments_it_declares() {
        // Given every service built from a module, and the Dockerfiles they are built from
        List<String> problems = new ArrayList<>();
        Set<Path> dockerfiles = new TreeSet<>();
        for (String service : javaServices()) {
            Path path = project.relative(project.dockerfileOf(service).orElseThrow());
            dockerfiles.add(path);
            Dockerfile dockerfile = project.dockerfileFor(service);
            Map<String, String> args = project.buildArgs(service);
            // When its build arguments are compared with the ARGs of its Dockerfile
            // Then each one is declared there (a misspelt name would be ignored by Docker, with only a warning)
            args.keySet().stream()
                    .filter(name -> !dockerfile.args.containsKey(name))
                    .forEach(name -> problems.add(service + ": build argument " + name + " is no ARG of " + path));
            // And every ARG without a default is given a value
            dockerfile.requiredArgs.stream()
                    .filter(name -> args.getOrDefault(name, "").isBlank())
                    .forEach(name ->
                            problems.add(service + ": no build argument " + name + " (required by " + path + ")"));
            // And MODULE names a reactor module
            String module = project.moduleOf(service).orElseThrow();
            if (!project.reactorModules.contains(module)) {
                problems.add(service + ": MODULE=" + module + " is not a module of the parent pom");
            }
        }
        // And the four services share one Dockerfile: one pattern, nothing to keep in step by hand
        if (dockerfiles.size() != 1) {
            problems.add("the Java services are built from " + dockerfiles + ", expected one shared Dockerfile");
        }
        // And no service is built from that Dockerfile without a MODULE (it would drop out of every check here)
        for (String service : project.services.keySet()) {
            if (project.dockerfileOf(service)
                            .map(project::relative)
                            .filter(dockerfiles::contains)
                            .isPresent()
                    && project.moduleOf(service).isEmpty()) {
                problems.add(service + ": built from " + dockerfiles + " without a MODULE of the reactor");
            }
        }
        assertNoProblems("service image builds", problems);
    }

    @Test
    void scripts_stack_starts_the_services_with_the_jvm_options_of_the_images() throws Exception {
        // Given the argument files each image's ENTRYPOINT hands to java, and the repository files copied there
        List<String> problems = new ArrayList<>();
        Set<Path> imageOptionFiles = new TreeSet<>();
        for (String service : javaServices()) {
            Map<String, Path> argumentFiles = argumentFilesOf(project.dockerfileFor(service));
            if (argumentFiles.isEmpty()) {
                problems.add(service + ": its ENTRYPOINT reads no @argument file copied from the repository");
            }
            imageOptionFiles.addAll(argumentFiles.values());
        }
        // When scripts/stack says what it starts every service with (the same function `up` uses)
        List<String> stackOptions = stackJvmOptions();
        // Then it reads the very files the images read, and nothing else but the container's memory limit
        Set<Path> stackOptionFiles = stackOptions.stream()
                .filter(option -> option.startsWith("@"))
                .map(option -> Path.of(option.substring(1)).normalize())
                .collect(Collectors.toCollection(TreeSet::new));
        if (!stackOptionFiles.equals(imageOptionFiles)) {
            problems.add("scripts/stack jvm-options reads " + stackOptionFiles + ", the images " + imageOptionFiles);
        }
        // And that limit is compose's mem_limit of every Java service, as the images' heap percentage applies to it
        List<String> maxRam = stackOptions.stream()
                .filter(option -> option.startsWith("-XX:MaxRAM="))
                .toList();
        if (maxRam.size() != 1) {
            problems.add("scripts/stack jvm-options gives " + maxRam.size() + " -XX:MaxRAM= options: " + stackOptions);
        } else {
            String limit = maxRam.get(0).substring("-XX:MaxRAM=".length());
            for (String service : javaServices()) {
                String memLimit = String.valueOf(project.service(service).get("mem_limit"));
                if (!limit.equalsIgnoreCase(memLimit)) {
                    problems.add(service + ": mem_limit " + memLimit + ", but scripts/stack starts it with -XX:MaxRAM="
                            + limit + " (x-java-service's)");
                }
            }
        }
        stackOptions.stream()
                .filter(option -> !option.startsWith("@") && !option.startsWith("-XX:MaxRAM="))
                .forEach(option -> problems.add("scripts/stack jvm-options gives " + option
                        + ", which the images do not: put it in the shared options file"));
        assertNoProblems("native start and images disagree on JVM options", problems);
    }

    // --- startup order and the sensors ------------------------------------------------------------------------

    @Test
    void depends_on_waits_for_health_where_the_dependency_has_a_healthcheck() {
        // Given every depends_on entry
        List<String> problems = new ArrayList<>();
        for (String service : project.services.keySet()) {
            project.dependsOn(service).forEach((target, condition) -> {
                // When the target has a healthcheck (compose's or its image's)
                if (!project.services.containsKey(target)) {
                    problems.add(service + " depends on unknown service " + target);
                } else if (project.hasHealthcheck(target) && !condition.equals("service_healthy")) {
                    // Then the dependant waits for it to be healthy, not merely started
                    problems.add(service + " -> " + target + ": condition " + condition);
                }
            });
        }
        assertNoProblems("depends_on not waiting for health", problems);
    }

    @Test
    void services_that_need_the_broker_database_or_smtp_wait_for_them() {
        // Given the infrastructure each Java service connects to (every host in its configuration)
        List<String> problems = new ArrayList<>();
        for (Address address : addresses()) {
            if (address.service().equals("haproxy")
                    || !project.services.containsKey(address.host())
                    || !project.hasHealthcheck(address.host())) {
                continue;
            }
            // When its depends_on is read
            Map<String, String> deps = project.dependsOn(address.service());
            boolean waitsForTarget = "service_healthy".equals(deps.get(address.host()));
            boolean waitsForBalancer =
                    address.host().startsWith("rabbitmq") && "service_healthy".equals(deps.get("haproxy"));
            // Then it waits for that dependency's health (for the nodes: for HAProxy, which waits for all three)
            if (!waitsForTarget && !waitsForBalancer && !isFallback(address)) {
                problems.add(address.service() + " connects to " + address.host() + " (" + address.variable()
                        + ") without depends_on " + address.host() + ": {condition: service_healthy}");
            }
        }
        assertNoProblems("services starting before what they need", problems);
    }

    @Test
    void sensors_publish_the_seed_topics_over_tls_through_haproxy() {
        // Given the sensor services, and the ports HAProxy terminates TLS on
        Map<String, String> expectedTopic = Map.of(
                "sensor1", "temperature/data_center_a1",
                "sensor2", "temperature/data_center_b1",
                "sensor3", "temperature/data_center_c1");
        Set<Integer> tlsPorts = haproxyTlsBinds().keySet();
        List<String> problems = new ArrayList<>();
        Set<Object> sensorImages = new LinkedHashSet<>();
        expectedTopic.forEach((service, topic) -> {
            if (!project.services.containsKey(service)) {
                problems.add(service + ": missing");
                return;
            }
            Map<String, String> env = project.environment(service);
            // When their topic and broker list are read, then each has its own seed topic
            if (!topic.equals(env.get("MQTT_TOPIC"))) {
                problems.add(service + ": MQTT_TOPIC=" + env.get("MQTT_TOPIC") + ", expected " + topic);
            }
            // And reaches the broker only through HAProxy's TLS front (a tcp:// URI would bypass it in plain text)
            List<String> uris = List.of(env.getOrDefault("MQTT_URIS", "").split(","));
            for (String uri : uris) {
                Matcher m = URI.matcher(uri.strip());
                if (!m.matches()
                        || !m.group(1).equals("ssl")
                        || !m.group(2).equals("haproxy")
                        || m.group(3) == null
                        || !tlsPorts.contains(Integer.parseInt(m.group(3)))) {
                    problems.add(service + ": MQTT_URIS item '" + uri + "' is not ssl://haproxy:<a TLS port of "
                            + "haproxy.cfg " + tlsPorts + ">");
                }
            }
            sensorImages.add(project.service(service).get("image"));
        });
        if (sensorImages.size() != 1 || sensorImages.contains(null)) {
            problems.add("sensors do not share one image name (built once): " + sensorImages);
        }
        assertNoProblems("sensor services", problems);
    }

    @Test
    void the_local_ca_is_made_before_haproxy_starts_and_reaches_haproxy_and_every_sensor() {
        List<String> problems = new ArrayList<>();
        // Given HAProxy's TLS binds (MQTT 8883, AMQP 5671) and the certificate file they name
        Map<Integer, String> binds = haproxyTlsBinds();
        for (int port : List.of(8883, 5671)) {
            if (!binds.containsKey(port)) {
                problems.add("haproxy.cfg: no bind ... :" + port + " ssl crt \"${VAR-file}\"");
            }
        }
        Set<String> certificates = new TreeSet<>(binds.values());
        if (certificates.size() != 1) {
            assertNoProblems("HAProxy's TLS binds", List.of("expected one certificate file, found " + certificates));
        }
        String certificate = certificates.iterator().next();
        // When the volume holding it in the haproxy service is looked up
        Optional<String> volume = namedVolumeAt("haproxy", parentOf(certificate));
        if (volume.isEmpty()) {
            assertNoProblems("TLS wiring", List.of("haproxy mounts no named volume at " + parentOf(certificate)));
        }
        // Then a one-shot service runs haproxy/make-certs.sh into that volume, and HAProxy waits for it to complete
        List<String> makers = project.services.keySet().stream()
                .filter(s -> String.valueOf(project.service(s).get("entrypoint"))
                                .contains("make-certs.sh")
                        || String.valueOf(project.service(s).get("command")).contains("make-certs.sh"))
                .toList();
        if (makers.size() != 1) {
            problems.add("expected one service running haproxy/make-certs.sh, found " + makers);
        } else {
            String maker = makers.get(0);
            Object volumes = project.service(maker).get("volumes");
            String mounts = String.valueOf(volumes);
            Optional<String> target = mountTargetOf(maker, volume.get());
            String entrypoint = String.valueOf(project.service(maker).get("entrypoint"))
                    + project.service(maker).get("command");
            if (target.isEmpty() || !entrypoint.contains(target.get())) {
                problems.add(maker + ": does not write into the volume " + volume.get() + " (mounts " + mounts + ")");
            }
            if (!mounts.contains("./haproxy/make-certs.sh:")) {
                problems.add(maker + ": does not mount ./haproxy/make-certs.sh (mounts " + mounts + ")");
            }
            if (!"service_completed_successfully"
                    .equals(project.dependsOn("haproxy").get(maker))) {
                problems.add("haproxy -> " + maker + ": not condition service_completed_successfully");
            }
            // (an image another service already runs: nothing more to build or pull for a one-shot step)
            Object image = project.service(maker).get("image");
            boolean shared = project.service(maker).get("build") == null
                    && project.services.entrySet().stream()
                            .anyMatch(e -> !e.getKey().equals(maker)
                                    && Objects.equals(e.getValue().get("image"), image));
            if (!shared) {
                problems.add(maker + ": runs " + image + ", which no other service runs");
            }
        }
        // And every sensor trusts the CA of that volume (MQTT_TLS_CA), mounted read-only
        for (String service : javaServices()) {
            if (!project.moduleOf(service).orElseThrow().equals("sensor")) {
                continue;
            }
            String ca = project.environment(service).getOrDefault("MQTT_TLS_CA", "");
            Optional<String> mounted = namedVolumeAt(service, parentOf(ca));
            if (ca.isBlank()) {
                problems.add(service + ": no MQTT_TLS_CA (it would not verify HAProxy's certificate)");
            } else if (!ca.endsWith("/ca.pem") || !mounted.equals(volume)) {
                problems.add(service + ": MQTT_TLS_CA=" + ca + " is not ca.pem of the volume " + volume.get());
            }
        }
        assertNoProblems("TLS wiring", problems);
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    /** HAProxy's TLS binds: port (compose default) → certificate file (default of its {@code ${VAR-file}}). */
    private static Map<Integer, String> haproxyTlsBinds() {
        Map<Integer, String> binds = new TreeMap<>();
        Matcher bind = Pattern.compile(
                        "(?m)^\\s*bind\\s+\"[^\"]*:\\$\\{\\w+-(\\d+)}\"\\s+ssl\\s+crt\\s+\"\\$\\{\\w+-([^}]+)}\"")
                .matcher(project.haproxyCfg);
        while (bind.find()) {
            binds.put(Integer.parseInt(bind.group(1)), bind.group(2));
        }
        return binds;
    }

    private static String parentOf(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? path : path.substring(0, slash);
    }

    /** The named volume a service mounts at {@code directory} ({@code volume:dir[:mode]}), if any. */
    private static Optional<String> namedVolumeAt(String service, String directory) {
        Object volumes = project.service(service).get("volumes");
        if (!(volumes instanceof List<?> items)) {
            return Optional.empty();
        }
        for (Object item : items) {
            String[] parts = String.valueOf(item).split(":");
            if (parts.length >= 2
                    && !parts[0].startsWith(".")
                    && !parts[0].startsWith("/")
                    && parts[1].equals(directory)) {
                return Optional.of(parts[0]);
            }
        }
        return Optional.empty();
    }

    /** Where a service mounts the named volume {@code volume}. */
    private static Optional<String> mountTargetOf(String service, String volume) {
        Object volumes = project.service(service).get("volumes");
        if (!(volumes instanceof List<?> items)) {
            return Optional.empty();
        }
        return items.stream()
                .map(String::valueOf)
                .map(v -> v.split(":"))
                .filter(parts -> parts.length >= 2 && parts[0].equals(volume))
                .map(parts -> parts[1])
                .findFirst();
    }

    /** An address a service (or HAProxy) connects to: where it was found, the host and the port (-1 = none). */
    private record Address(String service, String variable, String host, int port) {
        @Override
        public String toString() {
            return service + " " + variable + " -> " + host + (port >= 0 ? ":" + port : "");
        }
    }

    /**
     * The java launcher argument files ({@code @/path}) of the image's ENTRYPOINT: the path in the image → the
     * repository file a {@code COPY} from the build context put there.
     */
    private static Map<String, Path> argumentFilesOf(Dockerfile dockerfile) {
        Map<String, Path> files = new TreeMap<>();
        Matcher m = Pattern.compile("\"@([^\"]+)\"").matcher(dockerfile.runtime.getOrDefault("ENTRYPOINT", ""));
        while (m.find()) {
            String inImage = m.group(1);
            dockerfile.copies.stream()
                    .filter(copy -> copy.from().isEmpty() && copy.stage() == dockerfile.stages.size() - 1)
                    .filter(copy ->
                            copy.destination().equals(inImage) && copy.sources().size() == 1)
                    .reduce((first, second) -> second)
                    .ifPresent(copy -> files.put(
                            inImage, project.root.resolve(copy.sources().get(0)).normalize()));
        }
        return files;
    }

    /** {@code scripts/stack jvm-options}: what it starts every service with, one option a line. */
    private static List<String> stackJvmOptions() throws java.io.IOException, InterruptedException {
        Process process = new ProcessBuilder(
                        "bash", project.root.resolve("scripts/stack").toString(), "jvm-options")
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            fail("scripts/stack jvm-options failed: " + output);
        }
        return output.lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
    }

    private static List<String> javaServices() {
        List<String> services = project.services.keySet().stream()
                .filter(s -> project.moduleOf(s).isPresent())
                .toList();
        assertTrue(services.size() >= 4, "expected the service containers in docker-compose.yaml, found " + services);
        return services;
    }

    /** Every address in the Java services' effective configuration, and HAProxy's default server addresses. */
    private static List<Address> addresses() {
        List<Address> addresses = new ArrayList<>();
        for (String service : javaServices()) {
            Set<String> names = new TreeSet<>(
                    project.envReadsOf(project.moduleOf(service).orElseThrow()).keySet());
            names.addAll(project.environment(service).keySet());
            for (String name : names) {
                Optional<String> value = project.effectiveValue(service, name);
                if (value.isEmpty() || value.get().isBlank()) {
                    continue;
                }
                if (usesMqttUrisInstead(service, name)) {
                    continue;
                }
                for (String item : value.get().split(",")) {
                    parseAddress(service, name, item.strip()).ifPresent(addresses::add);
                }
            }
        }
        String haproxy = project.services.keySet().stream()
                .filter(s -> String.valueOf(project.service(s).get("image")).startsWith("haproxy:"))
                .findFirst()
                .orElse("haproxy");
        Map<String, String> haproxyEnv =
                project.services.containsKey(haproxy) ? project.environment(haproxy) : Map.of();
        Matcher server = Pattern.compile(
                        "(?m)^\\s*server\\s+\\S+\\s+\"\\$\\{(\\w+)-([^}]*)}:\\$\\{(\\w+)-(\\d+)}\"(?:.*check port \"\\$\\{(\\w+)-(\\d+)}\")?")
                .matcher(project.haproxyCfg);
        while (server.find()) {
            String host = haproxyEnv.getOrDefault(server.group(1), server.group(2));
            int port = Integer.parseInt(haproxyEnv.getOrDefault(server.group(3), server.group(4)));
            addresses.add(new Address("haproxy", "haproxy.cfg " + server.group(1), host, port));
            if (server.group(5) != null) {
                int checkPort = Integer.parseInt(haproxyEnv.getOrDefault(server.group(5), server.group(6)));
                addresses.add(new Address("haproxy", "haproxy.cfg " + server.group(5), host, checkPort));
            }
        }
        return addresses;
    }

    /** MQTT_HOST/MQTT_PORT are ignored when MQTT_URIS is set (common's MqttSettings). */
    private static boolean usesMqttUrisInstead(String service, String name) {
        return (name.equals("MQTT_HOST") || name.equals("MQTT_PORT"))
                && !project.effectiveValue(service, "MQTT_URIS").orElse("").isBlank();
    }

    private static Optional<Address> parseAddress(String service, String variable, String item) {
        Matcher uri = URI.matcher(item);
        if (uri.matches()) {
            int port = uri.group(3) != null ? Integer.parseInt(uri.group(3)) : defaultPort(uri.group(1));
            return Optional.of(new Address(service, variable, uri.group(2), port));
        }
        Matcher hostPort = HOST_PORT.matcher(item);
        if (hostPort.matches()) {
            return Optional.of(new Address(service, variable, hostPort.group(1), Integer.parseInt(hostPort.group(2))));
        }
        if (variable.endsWith("_HOST")) {
            String portVariable = variable.substring(0, variable.length() - "_HOST".length()) + "_PORT";
            int port = project.effectiveValue(service, portVariable)
                    .map(Integer::parseInt)
                    .orElse(-1);
            return Optional.of(new Address(service, variable + "/" + portVariable, item, port));
        }
        return Optional.empty();
    }

    private static int defaultPort(String scheme) {
        return switch (scheme) {
            case "http", "ws" -> 80;
            case "https", "wss" -> 443;
            default -> -1;
        };
    }

    /** A node listed after HAProxy in an address list is a fallback: waiting for HAProxy covers it. */
    private static boolean isFallback(Address address) {
        return address.host().startsWith("rabbitmq")
                && "service_healthy".equals(project.dependsOn(address.service()).get("haproxy"));
    }

    /** What a compose service listens on, from its own configuration. */
    private static Set<Integer> listeningPorts(String service) {
        Set<Integer> ports = new TreeSet<>();
        Optional<String> module = project.moduleOf(service);
        String image = String.valueOf(project.service(service).get("image"));
        Optional<Path> dockerfile = project.dockerfileOf(service);
        if (module.isPresent()) {
            // A Java service: the port its image's HEALTHCHECK asks (HEALTH_PORT), and the dashboard's page port.
            Matcher m = HEALTHCHECK_PORT.matcher(
                    project.dockerfile(dockerfile.orElseThrow()).runtime.getOrDefault("HEALTHCHECK", ""));
            if (m.find()) {
                project.effectiveValue(service, m.group(1))
                        .map(Integer::parseInt)
                        .ifPresent(ports::add);
            }
            if (project.envReadsOf(module.get()).containsKey("DASHBOARD_PORT")) {
                project.effectiveValue(service, "DASHBOARD_PORT")
                        .map(Integer::parseInt)
                        .ifPresent(ports::add);
            }
        } else if (dockerfile.isPresent() && dockerfile.get().startsWith(project.root.resolve("rabbitmq"))) {
            for (String key : List.of(
                    "listeners.tcp.default",
                    "mqtt.listeners.tcp.default",
                    "web_mqtt.tcp.port",
                    "management.tcp.port")) {
                project.rabbitmqConf(key)
                        .map(v -> v.substring(v.lastIndexOf(':') + 1))
                        .map(Integer::parseInt)
                        .ifPresent(ports::add);
            }
        } else if (image.startsWith("haproxy:")) {
            Map<String, String> env = project.environment(service);
            Matcher bind = Pattern.compile("(?m)^\\s*bind\\s+\"[^\"]*:\\$\\{(\\w+)-(\\d+)}\"")
                    .matcher(project.haproxyCfg);
            while (bind.find()) {
                ports.add(Integer.parseInt(env.getOrDefault(bind.group(1), bind.group(2))));
            }
        } else if (image.startsWith("timescale/timescaledb:") || image.startsWith("postgres:")) {
            ports.add(5432); // the image's PostgreSQL default
        } else if (image.startsWith("axllent/mailpit:")) {
            ports.addAll(List.of(1025, 8025)); // Mailpit's defaults: SMTP, web UI and API
        } else {
            fail("do not know what compose service " + service + " (" + image + ") listens on: teach "
                    + "ComposeConsistencyTest.listeningPorts");
        }
        return ports;
    }

    /** A service's healthcheck command as one string (list or string form of {@code test:}). */
    private static String healthcheckCommand(String service) {
        Object healthcheck = project.service(service).get("healthcheck");
        Object test = healthcheck instanceof Map<?, ?> map ? map.get("test") : null;
        if (test instanceof List<?> list) {
            return list.stream().map(String::valueOf).collect(Collectors.joining(" "));
        }
        return test == null ? "" : String.valueOf(test);
    }

    /**
     * Files that must keep LF (relative, '/'-separated): scripts (a shebang, *.sh, mvnw), everything in rabbitmq/,
     * scripts/ and .ci/, and *.conf, *.cfg, *.env, .env, Dockerfiles, .dockerignore, *.sql, *.yaml, *.yml.
     */
    private static List<String> lfFiles() throws java.io.IOException {
        Pattern byName =
                Pattern.compile("(.*\\.(sh|conf|cfg|env|sql|ya?ml|Dockerfile)|\\.env|Dockerfile|\\.dockerignore|mvnw)");
        Set<String> skipped = Set.of(".git", "target", "node_modules", ".stack", ".idea", ".vscode");
        List<String> files = new ArrayList<>();
        try (var walk = Files.walk(project.root)) {
            for (Path path : (Iterable<Path>) walk::iterator) {
                Path relative = project.root.relativize(path);
                boolean inSkipped = false;
                for (Path part : relative) {
                    inSkipped |= skipped.contains(part.toString());
                }
                if (inSkipped || !Files.isRegularFile(path)) {
                    continue;
                }
                String name = path.getFileName().toString();
                String top = relative.getNameCount() > 1 ? relative.getName(0).toString() : "";
                if (byName.matcher(name).matches()
                        || Set.of("rabbitmq", "scripts", ".ci").contains(top)
                        || startsWithShebang(path)) {
                    files.add(relative.toString().replace('\\', '/'));
                }
            }
        }
        assertTrue(
                files.containsAll(List.of(
                        "rabbitmq/thermowatch-entrypoint",
                        "rabbitmq/rabbitmq-env.conf",
                        "mvnw",
                        "docker-compose.yaml",
                        ".env")),
                "the line-ending rules no longer see the known scripts: " + files);
        return files;
    }

    private static boolean startsWithShebang(Path file) throws java.io.IOException {
        try (var in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(2);
            return head.length == 2 && head[0] == '#' && head[1] == '!';
        }
    }

    /** Published host port → service. */
    private static Map<Integer, String> publishedHostPorts() {
        Map<Integer, String> published = new LinkedHashMap<>();
        for (String service : project.services.keySet()) {
            for (int[] port : project.publishedPorts(service)) {
                String previous = published.put(port[0], service);
                if (previous != null) {
                    fail("host port " + port[0] + " published twice: " + previous + " and " + service);
                }
            }
        }
        return published;
    }

    private static boolean isPinned(String image, boolean builtHere) {
        String withoutDigest = image.split("@", 2)[0];
        int slash = withoutDigest.lastIndexOf('/');
        int colon = withoutDigest.lastIndexOf(':');
        if (image.contains("@sha256:")) {
            return true;
        }
        if (colon <= slash) {
            return false;
        }
        String tag = withoutDigest.substring(colon + 1);
        if (tag.equals("latest")) {
            return false;
        }
        // An image built from this repository carries a local tag; a pulled one must name a version.
        return builtHere || tag.matches(".*\\d.*");
    }

    private static String artifactIdOf(String pom) {
        String withoutParent = pom.replaceAll("(?s)<parent>.*?</parent>", "");
        Matcher m = Pattern.compile("<artifactId>([^<]+)</artifactId>").matcher(withoutParent);
        if (!m.find()) {
            fail("no artifactId in pom");
        }
        return m.group(1);
    }

    private static String workdirOf(Path dockerfile, String stage) {
        try {
            return Dockerfile.workdirOf(dockerfile, stage).orElse("");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<String> dockerignore() {
        Path file = project.root.resolve(".dockerignore");
        if (!Files.exists(file)) {
            return List.of();
        }
        return project.read(file)
                .lines()
                .map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                .toList();
    }

    /** .dockerignore's patterns as Docker reads them: relative to the context root, ** for any directories. */
    private static boolean isIgnored(String source, List<String> patterns) {
        String path = source.replaceAll("^\\./", "").replaceAll("/$", "");
        boolean ignored = false;
        for (String pattern : patterns) {
            boolean negate = pattern.startsWith("!");
            String glob = (negate ? pattern.substring(1) : pattern)
                    .replaceAll("^/", "")
                    .replaceAll("/$", "");
            String regex = globToRegex(glob);
            // A pattern matching a directory excludes everything under it.
            if (path.matches(regex + "(/.*)?")) {
                ignored = !negate;
            }
        }
        return ignored;
    }

    private static String globToRegex(String glob) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (glob.startsWith("**/", i)) {
                regex.append("(?:.*/)?");
                i += 2;
            } else if (glob.startsWith("**", i)) {
                regex.append(".*");
                i += 1;
            } else if (c == '*') {
                regex.append("[^/]*");
            } else if (c == '?') {
                regex.append("[^/]");
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return regex.toString();
    }

    private static void assertNoProblems(String what, List<String> problems) {
        if (!problems.isEmpty()) {
            // Services sharing an image (sensor1..3) report a Dockerfile's problem once.
            fail(what + ":\n  " + String.join("\n  ", new LinkedHashSet<>(problems)));
        }
    }
}
