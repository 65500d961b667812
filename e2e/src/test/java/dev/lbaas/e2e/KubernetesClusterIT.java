package dev.lbaas.e2e;

import org.junit.jupiter.api.Assumptions;

/**
 * The cluster suite on the real single-node cluster this machine runs (root only: kubelet,
 * containerd, iptables; elsewhere skipped with the reason), or, with
 * {@code -Dlbaas.e2e.cluster=kubeconfig}, on the cluster a kubeconfig names ({@link KubeconfigCluster}).
 */
class KubernetesClusterIT extends ClusterSuite {

    @Override
    KubernetesCluster cluster() {
        String kind = System.getProperty("lbaas.e2e.cluster", "single-node");
        if (kind.equals("kubeconfig")) {
            return KubeconfigCluster.fromSettings();
        }
        if (!kind.equals("single-node")) {
            throw new IllegalArgumentException("lbaas.e2e.cluster is single-node or kubeconfig, not " + kind);
        }
        Assumptions.assumeTrue(SingleNodeCluster.canRunHere(),
                "the real single-node cluster needs root on Linux (kubelet, containerd, iptables); run as root");
        return SingleNodeCluster.start(ProjectLayout.current(), SingleNodeCluster.stateDirectory("e2e"));
    }
}
