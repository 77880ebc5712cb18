package io.thermowatch.testkit;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.TreeSet;

/** A stand-in service for {@link ServiceProcessTest}: serves /readyz on HEALTH_PORT, prints its env names. */
public final class FakeService {

    private FakeService() {}

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(System.getenv("HEALTH_PORT"));
        // The hook before readiness, as a real service must: a SIGTERM right after ready is graceful too.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("Shutdown completed.");
            System.out.flush();
            Runtime.getRuntime().halt(0);
        }));
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/readyz", exchange -> {
            byte[] body = "ready".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        System.out.println("env " + new TreeSet<>(System.getenv().keySet()));
        System.err.println("greeting " + System.getenv("GREETING"));
        Thread.currentThread().join();
    }
}
