package dev.lbaas.e2e;

import dev.lbaas.api.testing.ControlPlane;
import dev.lbaas.api.v1alpha1.Member;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The whole product on one machine: a local control plane and the operator as a process, using
 * the local driver (amphorae are its child processes, VIPs are loopback addresses).
 */
public final class LocalSystem implements AutoCloseable {

    private final ControlPlane controlPlane;
    private final ManagedProcess operator;

    private LocalSystem(ControlPlane controlPlane, ManagedProcess operator) {
        this.controlPlane = controlPlane;
        this.operator = operator;
    }

    public static LocalSystem start(ProjectLayout layout, Path workDirectory, String kubeVersion) {
        ControlPlane controlPlane = ControlPlane.startWithGarbageCollector(workDirectory, kubeVersion);
        try {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ManagedProcess operator = ManagedProcess.start("lbaas-operator",
                    List.of(java, "-Xmx256m", "-jar", layout.operatorJar().toString()),
                    Map.of("KUBECONFIG", controlPlane.kubeconfig().toString(),
                            "LBAAS_LOCAL_AMPHORA_JAR", layout.amphoraJar().toString(),
                            "LBAAS_STATE_DIRECTORY", workDirectory.resolve("operator-state").toString(),
                            // The operator's own HTTP endpoint (health, metrics) on a free port, so it
                            // never takes a port a demo listener wants.
                            "QUARKUS_HTTP_PORT", "0",
                            "QUARKUS_HTTP_HOST", "127.0.0.1"),
                    workDirectory.resolve("operator.log"));
            return new LocalSystem(controlPlane, operator);
        } catch (RuntimeException e) {
            controlPlane.close();
            throw e;
        }
    }

    public KubernetesClient client() {
        return controlPlane.client();
    }

    public Path kubeconfig() {
        return controlPlane.kubeconfig();
    }

    public Path kubectl() {
        return controlPlane.kubectl();
    }

    public ManagedProcess operator() {
        return operator;
    }

    /** The port of the operator's own HTTP endpoint (health, metrics), once it listens; it picks a free one. */
    public int operatorHttpPort(Duration timeout) {
        Pattern listening = Pattern.compile("Listening on: http://[^:]+:(\\d+)");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher matcher = listening.matcher(operator.logText());
            if (matcher.find()) {
                return Integer.parseInt(matcher.group(1));
            }
            if (!operator.isAlive()) {
                break;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new IllegalStateException("the operator does not listen; its log: " + operator.log());
    }

    /**
     * Reads manifests; members get the ports of the given web servers when their names match, so
     * that examples written for fixed ports run on whatever ports are free.
     */
    public static List<HasMetadata> loadManifests(KubernetesClient client, Path file, List<DemoWebServer> servers) {
        try (InputStream in = Files.newInputStream(file)) {
            List<HasMetadata> items = new ArrayList<>(client.load(in).items());
            for (HasMetadata item : items) {
                servers.stream().filter(s -> "Member".equals(item.getKind())
                        && s.name().equals(item.getMetadata().getName())).findFirst()
                        .ifPresent(server -> setMemberPort(item, server.port()));
            }
            return items;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static void setMemberPort(HasMetadata item, int port) {
        if (item instanceof Member member) {
            member.getSpec().setProtocolPort(port);
        } else if (item instanceof GenericKubernetesResource generic) {
            ((Map<String, Object>) generic.getAdditionalProperties().get("spec")).put("protocolPort", port);
        }
    }

    /** Applies objects in the given order into a namespace (server-side apply, as kubectl apply --server-side). */
    public void apply(String namespace, List<HasMetadata> items) {
        for (HasMetadata item : items) {
            // LoadBalancerClass is cluster-scoped; every other kind is applied to the namespace.
            item.getMetadata().setNamespace("LoadBalancerClass".equals(item.getKind()) ? null : namespace);
            client().resource(item).fieldManager("lbaas-quickstart").forceConflicts().serverSideApply();
        }
    }

    @Override
    public void close() {
        operator.close();
        controlPlane.close();
    }
}
