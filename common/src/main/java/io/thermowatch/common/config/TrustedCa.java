package io.thermowatch.common.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A CA certificate file (PEM) and a TLS context that trusts that CA and nothing else: not the JVM's public CAs,
 * so a server certificate from anywhere but the local CA is refused. Host names are checked by the client
 * (MQTT: {@link MqttSettings}, AMQP: {@link AmqpSettings}), not here. Immutable and thread safe.
 *
 * @param file       the PEM file the CA was read from
 * @param sslContext a TLS client context whose only trust anchors are the file's certificates
 */
public record TrustedCa(Path file, SSLContext sslContext) {

    /**
     * Reads the CA certificate(s) of {@code file}.
     *
     * @param variable the variable that named the file, for the error message
     * @throws ConfigException (one line naming {@code variable}) if the file is missing, unreadable or holds no
     *                         CA certificate
     */
    public static TrustedCa load(String variable, Path file) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw ConfigException.invalid(variable, file.toString(), "a readable PEM file with the CA certificate");
        }
        List<X509Certificate> certificates;
        try (InputStream in = Files.newInputStream(file)) {
            Collection<? extends Certificate> read =
                    CertificateFactory.getInstance("X.509").generateCertificates(in);
            certificates = read.stream()
                    .filter(X509Certificate.class::isInstance)
                    .map(X509Certificate.class::cast)
                    .toList();
        } catch (IOException | GeneralSecurityException e) {
            throw ConfigException.invalid(
                    variable, file.toString(), "a PEM file with the CA certificate (" + e.getMessage() + ")");
        }
        // A server certificate given by mistake would be "trusted" only for itself: name the mistake instead.
        if (certificates.isEmpty() || certificates.stream().anyMatch(c -> c.getBasicConstraints() < 0)) {
            throw ConfigException.invalid(variable, file.toString(), "a PEM file holding only CA certificates");
        }
        try {
            KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
            anchors.load(null, null);
            for (int i = 0; i < certificates.size(); i++) {
                anchors.setCertificateEntry("ca-" + i, certificates.get(i));
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(anchors);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return new TrustedCa(file, context);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a TLS context trusting " + file, e);
        }
    }

    @Override
    public String toString() {
        return "TrustedCa[" + file + "]";
    }
}
