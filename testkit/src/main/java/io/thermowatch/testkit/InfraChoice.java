package io.thermowatch.testkit;

import java.util.Locale;

/**
 * Which provider brings up the integration tests' infrastructure: pure logic, facts in, one decision out.
 *
 * <p>Order: a forced provider ({@code -Dthermowatch.infra} or {@code THERMOWATCH_INFRA}: {@code docker} or
 * {@code native}) wins; else a reachable Docker engine (Testcontainers on {@code docker-compose.yaml}); else the
 * native stack when its Debian packages are present, or when they can be installed (root on Debian); else
 * nothing, with one message saying what to provide. The facts are asked lazily, in that order, so a cheap
 * answer spares the dearer ones.
 */
final class InfraChoice {

    static final String PROPERTY = "thermowatch.infra";
    static final String VARIABLE = "THERMOWATCH_INFRA";

    enum Provider {
        DOCKER,
        NATIVE
    }

    /** What the machine offers; asked only when the choice depends on it. */
    interface Facts {
        boolean dockerReachable();

        /** Debian, running as root: {@code scripts/stack install} can install the packages. */
        boolean debianRoot();

        /** Every Debian package {@code scripts/stack install} installs is installed. */
        boolean nativePackagesPresent();
    }

    /**
     * The outcome: a provider (and whether the native packages must be installed first) plus the one line to
     * log, or no provider and the failure message.
     */
    record Decision(Provider provider, boolean installFirst, String logLine, String failure) {

        static Decision of(Provider provider, boolean installFirst, String why) {
            String name = provider == Provider.DOCKER
                    ? "docker (Testcontainers: docker-compose.yaml's infrastructure services)"
                    : "native (scripts/stack" + (installFirst ? ", installing its Debian packages first" : "") + ")";
            return new Decision(provider, installFirst, "infrastructure provider: " + name + " - " + why, null);
        }

        static Decision none(String failure) {
            return new Decision(null, false, null, failure);
        }

        boolean chosen() {
            return provider != null;
        }
    }

    static final String WHAT_TO_PROVIDE = "Provide one of: a running Docker engine (DOCKER_HOST or the default "
            + "socket; Testcontainers then runs docker-compose.yaml's infrastructure), or the native stack on "
            + "Debian 12: run the build as root (it installs the packages itself) or run `sudo scripts/stack "
            + "install` once. Force a provider with -D" + PROPERTY + "=docker|native or " + VARIABLE + ".";

    private InfraChoice() {}

    /**
     * @param forced the forced provider's value, or null/blank
     * @param forcedBy where it came from ({@code -Dthermowatch.infra} or {@code THERMOWATCH_INFRA}), for messages
     */
    static Decision decide(String forced, String forcedBy, Facts facts) {
        if (forced != null && !forced.isBlank()) {
            return switch (forced.trim().toLowerCase(Locale.ROOT)) {
                case "docker" -> Decision.of(Provider.DOCKER, false, "forced by " + forcedBy + "=docker");
                case "native" -> {
                    boolean install = !facts.nativePackagesPresent() && facts.debianRoot();
                    yield Decision.of(Provider.NATIVE, install, "forced by " + forcedBy + "=native");
                }
                default -> Decision.none(forcedBy + "='" + forced + "': expected docker or native");
            };
        }
        if (facts.dockerReachable()) {
            return Decision.of(Provider.DOCKER, false, "a Docker engine is reachable");
        }
        if (facts.nativePackagesPresent()) {
            return Decision.of(Provider.NATIVE, false, "no Docker engine reachable; the Debian packages are installed");
        }
        if (facts.debianRoot()) {
            return Decision.of(
                    Provider.NATIVE, true, "no Docker engine reachable; Debian packages missing, running as root");
        }
        return Decision.none("No infrastructure for the integration tests: no Docker engine is reachable and the "
                + "native stack's Debian packages are missing (and cannot be installed: not root on Debian). "
                + WHAT_TO_PROVIDE);
    }
}
