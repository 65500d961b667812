package dev.lbaas.operator.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The namespace of the operator's own objects (the CA Secret, the leader Lease). */
public final class OperatorNamespace {

    private static final Path SERVICE_ACCOUNT_NAMESPACE = Path.of(
            "/var/run/secrets/kubernetes.io/serviceaccount/namespace");

    private OperatorNamespace() {
    }

    /** {@code lbaas.kubernetes.namespace} if set, else the namespace of the operator's pod, from its service account. */
    public static String resolve(Optional<String> configured) {
        return configured.orElseGet(() -> {
            try {
                return Files.readString(SERVICE_ACCOUNT_NAMESPACE, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new IllegalArgumentException("lbaas.kubernetes.namespace must be set when the operator does not "
                        + "run in a pod (" + SERVICE_ACCOUNT_NAMESPACE + " is not readable)", e);
            }
        });
    }
}
