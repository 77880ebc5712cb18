package io.thermowatch.testkit;

/**
 * One way of providing the infrastructure {@link Stack} hands to tests: where each part listens and how to stop
 * and start parts. {@link NativeInfra} runs it on this machine through {@code scripts/stack}; {@link ComposeInfra}
 * runs {@code docker-compose.yaml}'s infrastructure services through Testcontainers.
 */
interface Infra {

    /**
     * The ports {@link Stack} asks for: HAProxy's fronts (MQTTS and AMQPS: MQTT and AMQP over TLS) and stats, the
     * database, SMTP and the mail reader's API.
     */
    enum Front {
        MQTT,
        AMQP,
        MQTTS,
        AMQPS,
        MANAGEMENT,
        WEB_MQTT,
        STATS,
        POSTGRES,
        SMTP,
        MAIL_API
    }

    /** A RabbitMQ node's own listeners. */
    enum NodePort {
        MQTT,
        AMQP,
        MANAGEMENT,
        WEB_MQTT
    }

    /** Short name for logs and messages: {@code native} or {@code docker}. */
    String name();

    /** The host every port below is reached on. */
    String host();

    int port(Front front);

    int nodePort(NodePort port, int node);

    /** The Erlang node name of node N, as the management API reports it. */
    String nodeName(int node);

    /**
     * The local CA's certificate (PEM) HAProxy's TLS fronts are signed by, as a file on this machine.
     *
     * @throws AssertionError if the infrastructure has not made it
     */
    java.nio.file.Path tlsCaFile();

    /** Which API the mail reader speaks. */
    Mailbox.Api mailApi();

    /** GreenMail's IMAP port; throws if this provider has none. */
    int imapPort();

    /** True when a running infrastructure may already be there (probe first, start only if needed). */
    boolean mayAlreadyRun();

    /**
     * Brings the infrastructure up; {@link Stack} then waits until its probes pass.
     *
     * @param problems what the probes found not ready (for messages)
     */
    void start(java.util.List<String> problems);

    /** Where to look when {@link #start} returned but the probes never passed. */
    String startLogHint();

    /** How to provide the infrastructure, for failure messages. */
    String howToProvide();

    void stopNode(int node);

    void killNode(int node);

    void startNode(int node);

    void stopPostgres();

    void startPostgres();

    void stopSmtp();

    void startSmtp();

    void restartHaproxy();

    /**
     * Evaluates one Erlang expression on node N ({@code rabbitmqctl eval}) and returns what it printed, trimmed:
     * how a test reads and changes the {@code rabbit} application's runtime settings.
     */
    String evalOnNode(int node, String erlangExpression);
}
