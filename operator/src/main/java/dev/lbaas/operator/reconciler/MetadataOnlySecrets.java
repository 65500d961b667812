package dev.lbaas.operator.reconciler;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;

/**
 * The informer's store of Secrets, holding their metadata and type only: the operator watches
 * Secrets to notice renewed certificates, and keeps no key of a Secret that no listener names.
 */
final class MetadataOnlySecrets extends BasicItemStore<Secret> {

    MetadataOnlySecrets() {
        super(Cache::metaNamespaceKeyFunc);
    }

    @Override
    public Secret put(String key, Secret secret) {
        return super.put(key, new SecretBuilder().withMetadata(secret.getMetadata()).withType(secret.getType())
                .build());
    }
}
