package io.thermowatch.systemtests;

import io.thermowatch.testkit.Stack;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * QoS 1 publishing connections of the benchmarks and the load run: sensor credentials, connection <i>i</i> to node
 * 1 + <i>i</i> mod 3 directly (HAProxy would add a hop that is not the system's), 1,000 publishes in flight each.
 * A reading counts as acknowledged only when its PUBACK arrives (the callback given to {@link #publish}).
 */
final class Publishers {

    static final int MAX_INFLIGHT = 1000;

    private Publishers() {}

    static List<MqttAsyncClient> connect(Stack stack, String prefix, int count) throws MqttException {
        List<MqttAsyncClient> clients = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            MqttAsyncClient client = new MqttAsyncClient(
                    stack.nodeMqttUri(1 + i % Stack.NODES), prefix + "-" + i, new MemoryPersistence());
            MqttConnectOptions options = new MqttConnectOptions();
            options.setCleanSession(true);
            options.setMaxInflight(MAX_INFLIGHT);
            options.setUserName(stack.sensor().username());
            options.setPassword(stack.sensor().password().toCharArray());
            client.connect(options).waitForCompletion(15_000);
            clients.add(client);
        }
        return clients;
    }

    /**
     * Publishes one reading with QoS 1; {@code onAck} runs on its PUBACK.
     *
     * @return false if the client refused it (window full or disconnected): nothing was sent, try again
     */
    static boolean publish(MqttAsyncClient client, String sensor, long timestamp, double value, Runnable onAck) {
        MqttMessage message = new MqttMessage(
                ("{\"value\":" + value + ",\"timestamp\":" + timestamp + "}").getBytes(StandardCharsets.UTF_8));
        message.setQos(1);
        try {
            client.publish("temperature/" + sensor, message, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    onAck.run();
                }

                @Override
                public void onFailure(IMqttToken token, Throwable e) {
                    // not acknowledged: not counted
                }
            });
            return true;
        } catch (MqttException e) {
            // window full (REASON_CODE_MAX_INFLIGHT) or disconnected: back off a little
            LockSupport.parkNanos(200_000L);
            return false;
        }
    }

    /** Waits up to {@code timeoutMillis} for every in-flight publish to be acknowledged; returns how many were not. */
    static int awaitInflight(List<MqttAsyncClient> clients, long timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        int stuck = 0;
        for (MqttAsyncClient client : clients) {
            while (client.getInFlightMessageCount() > 0 && System.nanoTime() < deadline) {
                LockSupport.parkNanos(10_000_000L);
            }
            stuck += client.getInFlightMessageCount();
        }
        return stuck;
    }

    /**
     * Disconnects and closes every client, forcibly if a polite disconnect does not complete in 5 s: a client left
     * open keeps a non-daemon sender thread, and exec:java waits for those before the build ends.
     */
    static void close(List<MqttAsyncClient> clients) {
        for (MqttAsyncClient client : clients) {
            try {
                client.disconnect(1_000).waitForCompletion(5_000);
            } catch (MqttException e) {
                try {
                    client.disconnectForcibly(0, 1_000);
                } catch (MqttException ignored) {
                    // closed below whatever its state
                }
            }
            try {
                client.close(true);
            } catch (MqttException e) {
                // best effort: the run is over for this client
            }
        }
    }
}
