package dev.lbaas.operator.driver.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbaas.api.v1alpha1.LoadBalancer;
import dev.lbaas.api.v1alpha1.Topology;
import dev.lbaas.operator.pki.CertificateAuthority;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LocalProcessDriverTest {

    private final LocalProcessDriver driver = new LocalProcessDriver(
            new LocalProcessDriver.Settings(List.of("true"), Map.of(), Path.of("unused"), "127.100"),
            CertificateAuthority.create("test"));

    @Test
    void vipsAreStableAndNeverShared() {
        LoadBalancer first = loadBalancer("a");
        LoadBalancer second = loadBalancer("b");

        String vip = driver.ensureVip(first, null, Topology.SINGLE, null, Set.of());
        assertThat(vip).matches("127\\.100\\.\\d+\\.\\d+");
        assertThat(driver.ensureVip(first, null, Topology.SINGLE, null, Set.of())).isEqualTo(vip);
        // Allocated but not yet written to status: still not handed to another load balancer.
        assertThat(driver.ensureVip(second, null, Topology.SINGLE, null, Set.of())).isNotEqualTo(vip);
        // An address another load balancer shows in its status is skipped too.
        LoadBalancer third = loadBalancer("c");
        String guess = new LocalProcessDriver(new LocalProcessDriver.Settings(List.of("true"), Map.of(), Path.of("unused"),
                "127.100"), CertificateAuthority.create("t")).ensureVip(third, null, Topology.SINGLE, null, Set.of());
        assertThat(driver.ensureVip(third, null, Topology.SINGLE, null, Set.of(guess))).isNotEqualTo(guess);
    }

    @Test
    void aWantedVipIsKeptAndNeverHandedToAnother() {
        LoadBalancer asked = loadBalancer("a");
        assertThat(driver.ensureVip(asked, null, Topology.SINGLE, "127.100.9.9", Set.of())).isEqualTo("127.100.9.9");
        assertThat(driver.ensureVip(asked, null, Topology.SINGLE, null, Set.of())).isEqualTo("127.100.9.9");
    }

    @Test
    void aDeletedLoadBalancerGivesItsVipBack() {
        LoadBalancer lb = loadBalancer("a");
        String vip = driver.ensureVip(lb, null, Topology.SINGLE, null, Set.of());
        driver.deleteAmphorae(lb);
        LoadBalancer other = loadBalancer("a");
        assertThat(driver.ensureVip(other, null, Topology.SINGLE, null, Set.of())).isEqualTo(vip);
    }

    private static LoadBalancer loadBalancer(String uid) {
        LoadBalancer lb = new LoadBalancer();
        lb.setMetadata(new ObjectMetaBuilder().withName(uid).withNamespace("default").withUid(uid).build());
        return lb;
    }
}
