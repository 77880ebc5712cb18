# syntax=docker/dockerfile:1
# The image of every Java service: sensor, db-writer, email-sender and dashboard. One file, built once per
# service with build arguments (docker-compose.yaml: build: {context: ., args: {MODULE: ..., HEALTH_PORT: ...}});
# why one file with arguments rather than four generated copies: docs/compose.md. Build context: the repository
# root; .dockerignore keeps target/, .stack/ and .git out.
#   MODULE       the Maven module built and run (its jar: <MODULE>/target/<MODULE>.jar)
#   HEALTH_PORT  the service's /healthz, /readyz and /metrics port: the image's default and its HEALTHCHECK's
#   EXTRA_PORTS  any other port it listens on, documentation only (EXPOSE): the dashboard's page, 8080

FROM maven:3.9.11-eclipse-temurin-17 AS build
ARG MODULE
WORKDIR /src
# Without MODULE the steps below would build the whole reactor and fail later on a missing jar: stop here.
RUN test -n "$MODULE" || { echo "build argument MODULE is required (sensor, db-writer, email-sender or dashboard)" >&2; exit 1; }
# POMs first: the dependency download below is its own layer, rebuilt only when a POM changes.
# EVERY module listed in the parent pom's <modules> needs its pom here, or Maven refuses to read the
# reactor ("Child module ... does not exist"); ComposeConsistencyTest checks that this list is complete.
COPY pom.xml ./
COPY common/pom.xml common/
COPY testkit/pom.xml testkit/
COPY sensor/pom.xml sensor/
COPY db-writer/pom.xml db-writer/
COPY email-sender/pom.xml email-sender/
COPY dashboard/pom.xml dashboard/
COPY system-tests/pom.xml system-tests/
# A build of the POMs alone (no sources yet: empty jars) downloads every dependency and every plugin the real
# build below uses. (dependency:resolve cannot: it needs common's jar, which no repository has; go-offline
# resolves a different, larger graph.) Its empty outputs are removed.
RUN mvn -B -q -pl "$MODULE" -am package -Dmaven.test.skip=true && rm -rf ./*/target
# Only the sources this module is built from (-am: common, and testkit, a test-scoped dependency).
COPY common/src common/src
COPY testkit/src testkit/src
COPY ${MODULE}/src ${MODULE}/src
RUN mvn -B -q -pl "$MODULE" -am package -Dmaven.test.skip=true

FROM eclipse-temurin:17.0.15_6-jre-noble
ARG MODULE
ARG HEALTH_PORT
ARG EXTRA_PORTS=""
# A fixed, unprivileged uid/gid (numeric USER below, so "runAsNonRoot" checks can verify it), and a state
# directory it owns, /var/lib/<module>: a named volume mounted there starts with this owner (email-sender's
# ALERT_STATE_FILE, docker-compose.yaml); the other services leave theirs empty.
RUN test -n "$HEALTH_PORT" || { echo "build argument HEALTH_PORT is required" >&2; exit 1; }; \
    groupadd --system --gid 10001 thermowatch \
    && useradd --system --uid 10001 --gid thermowatch --no-create-home --shell /usr/sbin/nologin thermowatch \
    && mkdir -p "/var/lib/$MODULE" && chown thermowatch:thermowatch "/var/lib/$MODULE"
COPY --from=build /src/${MODULE}/target/${MODULE}.jar /app/service.jar
COPY jvm.options /app/jvm.options
USER 10001:10001
ENV HEALTH_PORT=${HEALTH_PORT}
# HEALTH_PORT (/healthz, /readyz, /metrics) is for the compose network only.
EXPOSE ${HEALTH_PORT} ${EXTRA_PORTS}
# Readiness through bash's /dev/tcp: the JRE image has bash but neither curl nor wget.
# ${HEALTH_PORT} is expanded by bash at check time, so an override in compose is honoured.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${HEALTH_PORT} && printf 'GET /readyz HTTP/1.0\\r\\n\\r\\n' >&3 && head -n1 <&3 | grep -q ' 200 '"]
STOPSIGNAL SIGTERM
# Exec form: java is PID 1 itself (no shell in between), so docker stop's SIGTERM reaches the JVM's
# shutdown hook (graceful close), and its exit code is the container's. The JVM options come from the
# repository's jvm.options (a java launcher argument file), the same file the native start reads: the heap is
# sized from the container's memory limit, an OutOfMemoryError ends the process. Options there rather than in
# JAVA_TOOL_OPTIONS, whose "Picked up ..." line would precede the service's one-line configuration error on
# stderr; more can still be given through JDK_JAVA_OPTIONS.
ENTRYPOINT ["java", "@/app/jvm.options", "-jar", "/app/service.jar"]
