package dev.lbaas.e2e;

import org.junit.jupiter.api.Assumptions;

/**
 * The cluster suite on K3s in a container, where a Docker-compatible engine runs; elsewhere it
 * skips, printing why. {@link KubernetesClusterIT} runs the same suite on the real single-node
 * cluster, which needs no engine.
 */
class K3sClusterIT extends ClusterSuite {

    @Override
    KubernetesCluster cluster() {
        K3sCluster.whyNot().ifPresent(reason -> {
            System.out.println("K3sClusterIT skipped: " + reason);
            Assumptions.abort(reason);
        });
        return K3sCluster.start(System.getProperty("lbaas.kube.version", "1.34.4"),
                SingleNodeCluster.stateDirectory("k3s"));
    }
}
