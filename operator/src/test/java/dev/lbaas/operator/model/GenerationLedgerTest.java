package dev.lbaas.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbaas.amphora.config.AmphoraConfig;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class GenerationLedgerTest {

    @Test
    void mintsAGenerationOnlyWhenTheConfigurationChanges() {
        LoadBalancerTree tree = Fixtures.seedScenario();
        GenerationLedger ledger = new GenerationLedger();
        AmphoraConfig rendered = ConfigRenderer.render(tree, "127.0.0.9", 1).config();

        assertThat(ledger.number(rendered, 0, objects(tree)).generation()).isEqualTo(1);
        assertThat(ledger.number(rendered, 0, objects(tree)).generation()).isEqualTo(1);

        tree.members().get(0).getSpec().setWeight(5);
        tree.members().get(0).getMetadata().setGeneration(2L);
        AmphoraConfig changed = ConfigRenderer.render(tree, "127.0.0.9", 1).config();
        assertThat(ledger.number(changed, 0, objects(tree)).generation()).isEqualTo(2);
        assertThat(ledger.introducedIn()).containsEntry("web1", 2L).containsEntry("web2", 1L);
    }

    @Test
    void continuesAfterThePersistedGenerationWhenStartingAfresh() {
        LoadBalancerTree tree = Fixtures.seedScenario();
        AmphoraConfig rendered = ConfigRenderer.render(tree, "127.0.0.9", 1).config();
        assertThat(new GenerationLedger().number(rendered, 41, objects(tree)).generation()).isEqualTo(42);
    }

    @Test
    void forgetsObjectsThatLeftAndRemembersTheLastConfiguration() {
        LoadBalancerTree tree = Fixtures.seedScenario();
        GenerationLedger ledger = new GenerationLedger();
        assertThat(ledger.last()).isNull();
        AmphoraConfig rendered = ConfigRenderer.render(tree, "127.0.0.9", 1).config();
        AmphoraConfig first = ledger.number(rendered, 0, objects(tree));
        assertThat(ledger.last()).isEqualTo(first);

        LoadBalancerTree smaller = new LoadBalancerTree(tree.loadBalancer(), tree.listeners(), tree.pools(),
                List.of(tree.members().get(1)), tree.healthMonitors());
        ledger.number(ConfigRenderer.render(smaller, "127.0.0.9", 1).config(), 0, objects(smaller));
        assertThat(ledger.introducedIn()).doesNotContainKey("web1").containsEntry("web2", 1L).containsEntry("lb-web", 1L);
        assertThat(ledger.last().generation()).isEqualTo(2);
    }

    @Test
    void aChangeOfThePairAloneMintsAGenerationToo() {
        LoadBalancerTree tree = Fixtures.seedScenario();
        GenerationLedger ledger = new GenerationLedger();
        AmphoraConfig rendered = ConfigRenderer.render(tree, "127.0.0.9", 1).config();

        assertThat(ledger.number(rendered, List.of("a", "b"), 0, objects(tree)).generation()).isEqualTo(1);
        assertThat(ledger.number(rendered, List.of("a", "b"), 0, objects(tree)).generation()).isEqualTo(1);
        // b was replaced by c: the survivor must learn its new peer
        assertThat(ledger.number(rendered, List.of("a", "c"), 0, objects(tree)).generation()).isEqualTo(2);
        assertThat(ledger.introducedIn()).as("no object changed").containsEntry("web1", 1L);
    }

    private static Stream<HasMetadata> objects(LoadBalancerTree tree) {
        return Stream.concat(Stream.of(tree.loadBalancer()), tree.children());
    }
}
