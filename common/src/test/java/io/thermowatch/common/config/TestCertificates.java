package io.thermowatch.common.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates for TLS unit tests, made by the JDK's keytool (no library, no file in the repository): a CA, and a
 * server key store whose certificate that CA signed for given host names.
 */
final class TestCertificates {

    static final char[] PASSWORD = "changeit".toCharArray();

    private final Path dir;

    TestCertificates(Path dir) {
        this.dir = dir;
    }

    /** A new CA: its key store {@code <name>.p12} and its certificate as PEM, {@code <name>.pem} (returned). */
    Path newCa(String name) throws IOException, InterruptedException {
        keytool(
                "-genkeypair",
                "-alias",
                "ca",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-validity",
                "2",
                "-dname",
                "CN=" + name,
                "-ext",
                "bc:c",
                "-keystore",
                store(name));
        Path pem = dir.resolve(name + ".pem");
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", store(name), "-file", pem.toString());
        return pem;
    }

    /** A self-signed certificate that is no CA, as PEM. */
    Path newLeaf(String name) throws IOException, InterruptedException {
        keytool(
                "-genkeypair",
                "-alias",
                "leaf",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-validity",
                "2",
                "-dname",
                "CN=" + name,
                "-keystore",
                store(name));
        Path pem = dir.resolve(name + ".pem");
        keytool("-exportcert", "-rfc", "-alias", "leaf", "-keystore", store(name), "-file", pem.toString());
        return pem;
    }

    /** A key store holding a server key and its certificate signed by CA {@code caName}, for {@code san}. */
    KeyStore newServer(String caName, String name, String san) throws Exception {
        keytool(
                "-genkeypair",
                "-alias",
                "server",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-validity",
                "2",
                "-dname",
                "CN=" + name,
                "-keystore",
                store(name));
        Path csr = dir.resolve(name + ".csr");
        Path signed = dir.resolve(name + ".crt");
        keytool("-certreq", "-alias", "server", "-keystore", store(name), "-file", csr.toString());
        keytool(
                "-gencert",
                "-alias",
                "ca",
                "-keystore",
                store(caName),
                "-infile",
                csr.toString(),
                "-outfile",
                signed.toString(),
                "-rfc",
                "-validity",
                "2",
                "-ext",
                "san=" + san,
                "-ext",
                "eku=serverAuth");
        keytool(
                "-importcert",
                "-noprompt",
                "-alias",
                "ca",
                "-keystore",
                store(name),
                "-file",
                dir.resolve(caName + ".pem").toString());
        keytool("-importcert", "-alias", "server", "-keystore", store(name), "-file", signed.toString());
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(Path.of(store(name)))) {
            keyStore.load(in, PASSWORD);
        }
        return keyStore;
    }

    private String store(String name) {
        return dir.resolve(name + ".p12").toString();
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        command.addAll(List.of("-storetype", "PKCS12", "-storepass", new String(PASSWORD)));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException("keytool " + String.join(" ", args) + " failed: " + output);
        }
    }
}
