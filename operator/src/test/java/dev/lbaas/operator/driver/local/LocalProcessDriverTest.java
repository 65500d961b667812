package dev.lbaas.operator.driver.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbaas.api.v1alpha1.LoadBalancer;
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

        String vip = driver.allocateVip(first, Set.of());
        assertThat(vip).matches("127\\.100\\.\\d+\\.\\d+");
        assertThat(driver.allocateVip(first, Set.of())).isEqualTo(vip);
        // Allocated but not yet written to status: still not handed to another load balancer.
        assertThat(driver.allocateVip(second, Set.of())).isNotEqualTo(vip);
        // An address another load balancer shows in its status is skipped too.
        LoadBalancer third = loadBalancer("c");
        String guess = new LocalProcessDriver(new LocalProcessDriver.Settings(List.of("true"), Map.of(), Path.of("unused"),
                "127.100"), CertificateAuthority.create("t")).allocateVip(third, Set.of());
        assertThat(driver.allocateVip(third, Set.of(guess))).isNotEqualTo(guess);
    }

    @Test
    void aDeletedLoadBalancerGivesItsVipBack() {
        LoadBalancer lb = loadBalancer("a");
        String vip = driver.allocateVip(lb, Set.of());
        driver.deleteAmphorae("a");
        LoadBalancer other = loadBalancer("a");
        assertThat(driver.allocateVip(other, Set.of())).isEqualTo(vip);
    }

    private static LoadBalancer loadBalancer(String uid) {
        LoadBalancer lb = new LoadBalancer();
        lb.setMetadata(new ObjectMetaBuilder().withName(uid).withNamespace("default").withUid(uid).build());
        return lb;
    }
}
