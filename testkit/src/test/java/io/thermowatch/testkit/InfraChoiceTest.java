package io.thermowatch.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thermowatch.testkit.InfraChoice.Decision;
import io.thermowatch.testkit.InfraChoice.Provider;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which provider {@link InfraChoice} picks from the machine's facts, and what it says. */
class InfraChoiceTest {

    /** Fixed answers that record which facts were asked. */
    private static final class Facts implements InfraChoice.Facts {
        final boolean docker;
        final boolean debianRoot;
        final boolean packages;
        final List<String> asked = new ArrayList<>();

        Facts(boolean docker, boolean debianRoot, boolean packages) {
            this.docker = docker;
            this.debianRoot = debianRoot;
            this.packages = packages;
        }

        @Override
        public boolean dockerReachable() {
            asked.add("docker");
            return docker;
        }

        @Override
        public boolean debianRoot() {
            asked.add("debianRoot");
            return debianRoot;
        }

        @Override
        public boolean nativePackagesPresent() {
            asked.add("packages");
            return packages;
        }
    }

    private static Decision decide(String forced, Facts facts) {
        return InfraChoice.decide(forced, "-Dthermowatch.infra", facts);
    }

    @Test
    void a_reachable_docker_engine_wins_and_the_native_facts_are_not_asked() {
        // Given
        Facts facts = new Facts(true, true, true);

        // When
        Decision decision = decide(null, facts);

        // Then
        assertEquals(Provider.DOCKER, decision.provider());
        assertEquals(
                "infrastructure provider: docker (Testcontainers: docker-compose.yaml's infrastructure services)"
                        + " - a Docker engine is reachable",
                decision.logLine());
        assertEquals(List.of("docker"), facts.asked);
    }

    @Test
    void without_docker_installed_packages_give_the_native_stack_without_install() {
        // When
        Decision decision = decide("", new Facts(false, false, true));

        // Then
        assertEquals(Provider.NATIVE, decision.provider());
        assertFalse(decision.installFirst());
        assertEquals(
                "infrastructure provider: native (scripts/stack) - no Docker engine reachable; the Debian "
                        + "packages are installed",
                decision.logLine());
    }

    @Test
    void without_docker_or_packages_root_on_debian_installs_them_first() {
        // When
        Decision decision = decide(null, new Facts(false, true, false));

        // Then
        assertEquals(Provider.NATIVE, decision.provider());
        assertTrue(decision.installFirst());
        assertTrue(
                decision.logLine().contains("native (scripts/stack, installing its Debian packages first)"),
                decision.logLine());
    }

    @Test
    void without_docker_packages_or_root_on_debian_nothing_is_chosen_and_the_message_says_what_to_provide() {
        // When
        Decision decision = decide(null, new Facts(false, false, false));

        // Then
        assertFalse(decision.chosen());
        assertNull(decision.logLine());
        assertTrue(decision.failure().contains("no Docker engine is reachable"), decision.failure());
        assertTrue(decision.failure().contains("a running Docker engine"), decision.failure());
        assertTrue(decision.failure().contains("sudo scripts/stack install"), decision.failure());
        assertTrue(decision.failure().contains("-Dthermowatch.infra=docker|native"), decision.failure());
    }

    @Test
    void forced_docker_is_chosen_without_probing_for_an_engine() {
        // Given
        Facts facts = new Facts(false, true, true);

        // When
        Decision decision = decide("Docker", facts);

        // Then: Testcontainers' own detection decides whether it works
        assertEquals(Provider.DOCKER, decision.provider());
        assertTrue(decision.logLine().endsWith("forced by -Dthermowatch.infra=docker"), decision.logLine());
        assertEquals(List.of(), facts.asked);
    }

    @Test
    void forced_native_is_chosen_even_where_docker_answers_and_installs_when_it_can() {
        // Given
        Facts facts = new Facts(true, true, false);

        // When
        Decision decision = InfraChoice.decide(" native ", "THERMOWATCH_INFRA", facts);

        // Then
        assertEquals(Provider.NATIVE, decision.provider());
        assertTrue(decision.installFirst());
        assertTrue(decision.logLine().endsWith("forced by THERMOWATCH_INFRA=native"), decision.logLine());
        assertFalse(facts.asked.contains("docker"));
    }

    @Test
    void forced_native_without_packages_and_without_root_still_uses_the_native_stack_without_install() {
        // When: a stack someone else started may be running; if not, scripts/stack infra says what is missing
        Decision decision = decide("native", new Facts(false, false, false));

        // Then
        assertEquals(Provider.NATIVE, decision.provider());
        assertFalse(decision.installFirst());
    }

    @Test
    void an_unknown_forced_value_is_refused_naming_the_setting() {
        // When
        Decision decision = decide("podman", new Facts(true, true, true));

        // Then
        assertFalse(decision.chosen());
        assertEquals("-Dthermowatch.infra='podman': expected docker or native", decision.failure());
    }
}
