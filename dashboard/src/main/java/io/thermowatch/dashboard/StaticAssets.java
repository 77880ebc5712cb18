package io.thermowatch.dashboard;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.zip.GZIPOutputStream;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Serves the page and its browser libraries from the classpath (the jar): a fixed list of files loaded into memory
 * at start, each with an ETag and a gzip variant. Only listed paths are served, so nothing else on the classpath is
 * reachable. The libraries come from Maven webjars (no CDN); their versions are read from the webjars' own
 * {@code pom.properties}.
 */
final class StaticAssets extends Handler.Abstract {

    private record Asset(byte[] body, byte[] gzipped, String contentType, String etag, String cacheControl) {}

    private final Map<String, Asset> assets = new LinkedHashMap<>();

    StaticAssets() {
        var page = "no-cache";
        var library = "public, max-age=86400";
        add("/", "web/index.html", "text/html; charset=utf-8", page);
        add("/index.html", "web/index.html", "text/html; charset=utf-8", page);
        add("/app.js", "web/app.js", "text/javascript; charset=utf-8", page);
        add("/app.css", "web/app.css", "text/css; charset=utf-8", page);
        add("/alerts.js", "web/alerts.js", "text/javascript; charset=utf-8", page);
        add("/alerts.css", "web/alerts.css", "text/css; charset=utf-8", page);
        add("/format.js", "web/format.js", "text/javascript; charset=utf-8", page);
        add("/groups.js", "web/groups.js", "text/javascript; charset=utf-8", page);
        add("/alert-history.js", "web/alert-history.js", "text/javascript; charset=utf-8", page);
        add("/favicon.svg", "web/favicon.svg", "image/svg+xml", page);
        var paho = webjar("paho-mqtt");
        add(
                "/vendor/paho-mqtt.min.js",
                "META-INF/resources/webjars/paho-mqtt/" + paho + "/paho-mqtt-min.js",
                "text/javascript; charset=utf-8",
                library);
        var uplot = webjar("uplot");
        add(
                "/vendor/uPlot.min.js",
                "META-INF/resources/webjars/uplot/" + uplot + "/dist/uPlot.iife.min.js",
                "text/javascript; charset=utf-8",
                library);
        add(
                "/vendor/uPlot.min.css",
                "META-INF/resources/webjars/uplot/" + uplot + "/dist/uPlot.min.css",
                "text/css; charset=utf-8",
                library);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        var asset = assets.get(Request.getPathInContext(request));
        if (asset == null || !(HttpMethod.GET.is(request.getMethod()) || HttpMethod.HEAD.is(request.getMethod()))) {
            return false;
        }
        var headers = response.getHeaders();
        headers.put(HttpHeader.ETAG, asset.etag());
        headers.put(HttpHeader.CACHE_CONTROL, asset.cacheControl());
        headers.put(HttpHeader.VARY, "Accept-Encoding");
        if (asset.etag().equals(request.getHeaders().get(HttpHeader.IF_NONE_MATCH))) {
            response.setStatus(304);
            callback.succeeded();
            return true;
        }
        var accept = request.getHeaders().get(HttpHeader.ACCEPT_ENCODING);
        var gzip = accept != null && accept.contains("gzip");
        var body = gzip ? asset.gzipped() : asset.body();
        if (gzip) {
            headers.put(HttpHeader.CONTENT_ENCODING, "gzip");
        }
        headers.put(HttpHeader.CONTENT_TYPE, asset.contentType());
        headers.put(HttpHeader.CONTENT_LENGTH, body.length);
        response.setStatus(200);
        if (HttpMethod.HEAD.is(request.getMethod())) {
            response.write(true, null, callback);
        } else {
            response.write(true, ByteBuffer.wrap(body), callback);
        }
        return true;
    }

    private void add(String path, String resource, String contentType, String cacheControl) {
        var body = read(resource);
        assets.put(path, new Asset(body, gzip(body), contentType, etag(body), cacheControl));
    }

    private static String webjar(String name) {
        var properties = new Properties();
        var resource = "META-INF/maven/org.webjars.npm/" + name + "/pom.properties";
        try (var in = open(resource)) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties.getProperty("version");
    }

    private static InputStream open(String resource) {
        var in = StaticAssets.class.getClassLoader().getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalStateException("classpath resource missing: " + resource + " (broken build?)");
        }
        return in;
    }

    private static byte[] read(String resource) {
        try (var in = open(resource)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] gzip(byte[] body) {
        var out = new ByteArrayOutputStream(body.length / 3 + 64);
        try (var gz = new GZIPOutputStream(out)) {
            gz.write(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static String etag(byte[] body) {
        try {
            var digest = MessageDigest.getInstance("SHA-256").digest(body);
            return '"' + HexFormat.of().formatHex(digest, 0, 12) + '"';
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
