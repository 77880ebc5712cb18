package io.thermowatch.dashboard;

import io.thermowatch.common.config.ConfigException;
import java.net.URI;
import java.net.URISyntaxException;

/** Validation of URL-valued variables, with the common one-line error. */
final class Urls {

    private Urls() {}

    static URI httpUrl(String name, String value) {
        return parse(name, value, "an http(s) URL such as http://haproxy:15672", "http", "https");
    }

    static String webSocketUrl(String name, String value) {
        return parse(name, value, "a ws(s) URL such as ws://localhost:15675/ws", "ws", "wss")
                .toString();
    }

    private static URI parse(String name, String value, String expected, String... schemes) {
        try {
            var uri = new URI(value.trim());
            if (uri.getHost() == null || uri.getScheme() == null) {
                throw ConfigException.invalid(name, value, expected);
            }
            for (var scheme : schemes) {
                if (scheme.equalsIgnoreCase(uri.getScheme())) {
                    return uri;
                }
            }
            throw ConfigException.invalid(name, value, expected);
        } catch (URISyntaxException e) {
            throw ConfigException.invalid(name, value, expected);
        }
    }
}
