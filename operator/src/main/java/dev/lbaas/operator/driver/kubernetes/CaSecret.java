package dev.lbaas.operator.driver.kubernetes;

import dev.lbaas.operator.pki.CertificateAuthority;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * The amphora CA kept in a Secret of the operator's namespace: created by the first operator that
 * needs it, read by every later one (a restart, another replica), so that amphorae that outlive an
 * operator take configuration from the next. Two replicas starting at once both try to create it;
 * the API server lets one win and the other reads the winner's.
 */
final class CaSecret {

    static final String CERTIFICATE = "ca.crt";
    static final String KEY = "ca.key";

    private CaSecret() {
    }

    static CertificateAuthority loadOrCreate(KubernetesClient client, String namespace, String name) {
        Secret existing = client.secrets().inNamespace(namespace).withName(name).get();
        if (existing != null) {
            return read(existing, namespace, name);
        }
        CertificateAuthority created = CertificateAuthority.create("lbaas-operator amphora CA");
        Secret secret = new SecretBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace)
                .withLabels(Map.of(KubernetesDriver.MANAGED_BY, KubernetesDriver.OPERATOR))
                .endMetadata()
                .withType("Opaque")
                .withData(Map.of(CERTIFICATE, base64(created.certificatePem()), KEY, base64(created.privateKeyPem())))
                .build();
        try {
            client.secrets().inNamespace(namespace).resource(secret).create();
            return created;
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            return read(client.secrets().inNamespace(namespace).withName(name).get(), namespace, name);
        }
    }

    private static CertificateAuthority read(Secret secret, String namespace, String name) {
        Map<String, String> data = secret.getData();
        if (data == null || !data.containsKey(CERTIFICATE) || !data.containsKey(KEY)) {
            throw new IllegalStateException("Secret " + namespace + "/" + name + " must hold " + CERTIFICATE + " and "
                    + KEY + " (the amphora CA); to start over with a new CA, delete it and every amphora pod");
        }
        return CertificateAuthority.fromPem(decode(data.get(CERTIFICATE)), decode(data.get(KEY)));
    }

    static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }
}
