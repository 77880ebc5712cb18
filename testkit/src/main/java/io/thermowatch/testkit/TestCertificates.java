package io.thermowatch.testkit;

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
 * Certificates for TLS tests, made by the JDK's keytool (no library, no file in the repository): CAs, self-signed
 * certificates, and server key stores whose certificate a CA signed for given host names. Everything lives in one
 * directory, each under the name it was given, valid two days.
 */
public final class TestCertificates {

    /** The password of every key store made here. */
    public static final char[] PASSWORD = "changeit".toCharArray();

    private final Path dir;

    /** Certificates in {@code dir} (created if missing). */
    public TestCertificates(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
    }

    /** A new CA named {@code CN=<name>}: its key store {@code <name>.p12} and its certificate as PEM (returned). */
    public Path newCa(String name) throws IOException, InterruptedException {
        newKeyPair(name, "ca", "-ext", "bc:c");
        return exportPem(name, "ca");
    }

    /** A self-signed certificate that is no CA, as PEM. */
    public Path newLeaf(String name) throws IOException, InterruptedException {
        newKeyPair(name, "leaf");
        return exportPem(name, "leaf");
    }

    /** A key store holding a server key and its certificate signed by CA {@code caName}, for {@code san}. */
    public KeyStore newServer(String caName, String name, String san) throws Exception {
        newKeyPair(name, "server");
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

    /** A 2048-bit RSA key pair under {@code alias} in {@code <name>.p12}, certificate {@code CN=<name>}. */
    private void newKeyPair(String name, String alias, String... extensions) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of(
                "-genkeypair",
                "-alias",
                alias,
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-validity",
                "2",
                "-dname",
                "CN=" + name,
                "-keystore",
                store(name)));
        args.addAll(List.of(extensions));
        keytool(args.toArray(String[]::new));
    }

    private Path exportPem(String name, String alias) throws IOException, InterruptedException {
        Path pem = dir.resolve(name + ".pem");
        keytool("-exportcert", "-rfc", "-alias", alias, "-keystore", store(name), "-file", pem.toString());
        return pem;
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
