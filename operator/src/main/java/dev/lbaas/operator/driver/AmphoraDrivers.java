package dev.lbaas.operator.driver;

import dev.lbaas.operator.config.OperatorConfig;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.literal.NamedLiteral;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.TreeSet;
import org.jboss.logging.Logger;

/**
 * The driver this operator runs amphorae with: the bean named by {@code lbaas.driver}. Each driver
 * package holds its own bean and wiring, so adding a driver adds a package and edits nothing here.
 * Only the selected driver is ever created.
 */
@Singleton
public class AmphoraDrivers {

    private static final Logger LOG = Logger.getLogger(AmphoraDrivers.class);

    private final AmphoraDriver selected;
    private final String selectedName;

    public AmphoraDrivers(OperatorConfig config, @Any Instance<AmphoraDriver> drivers) {
        String name = config.driver().orElseGet(() -> defaultDriver(System.getenv()));
        Instance<AmphoraDriver> named = drivers.select(NamedLiteral.of(name));
        if (!named.isResolvable()) {
            TreeSet<String> known = new TreeSet<>();
            for (Instance.Handle<AmphoraDriver> handle : drivers.handles()) {
                handle.getBean().getQualifiers().stream()
                        .filter(Named.class::isInstance).map(q -> ((Named) q).value()).forEach(known::add);
            }
            throw new IllegalArgumentException("lbaas.driver: unknown driver '" + name + "'; this release has: "
                    + String.join(", ", known));
        }
        this.selected = named.get();
        this.selectedName = name;
        LOG.infof("amphora driver: %s", name);
    }

    /**
     * {@code kubernetes} inside a pod (Kubernetes sets {@code KUBERNETES_SERVICE_HOST} in every
     * container), {@code local} anywhere else.
     */
    static String defaultDriver(Map<String, String> environment) {
        return environment.containsKey("KUBERNETES_SERVICE_HOST") ? "kubernetes" : "local";
    }

    public AmphoraDriver selected() {
        return selected;
    }

    /** The selected driver's name, as {@code lbaas.driver} gives it. */
    public String selectedName() {
        return selectedName;
    }

    @PreDestroy
    void stop() {
        selected.shutdown();
    }
}
