package dev.lbaas.e2e;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The local system with the seed's two web servers, web1 and web2 (on free ports), and a namespace
 * for the demo's objects: what the end-to-end tests and the failover benchmark start from.
 */
public final class LocalDemo implements AutoCloseable {

    private final LocalSystem system;
    private final DemoWebServer web1;
    private final DemoWebServer web2;

    private LocalDemo(LocalSystem system, DemoWebServer web1, DemoWebServer web2) {
        this.system = system;
        this.web1 = web1;
        this.web2 = web2;
    }

    /** Starts it all in a new temporary directory named after {@code purpose}. */
    public static LocalDemo start(String purpose, String namespace) throws IOException {
        Path work = Files.createTempDirectory("lbaas-" + purpose + "-");
        LocalSystem system = LocalSystem.start(ProjectLayout.current(), work,
                System.getProperty("lbaas.kube.version", "1.34.4"));
        try {
            LocalDemo demo = new LocalDemo(system, new DemoWebServer("web1", "127.0.0.1", 0).start(),
                    new DemoWebServer("web2", "127.0.0.1", 0).start());
            system.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace)
                    .endMetadata().build()).create();
            return demo;
        } catch (RuntimeException e) {
            system.close();
            throw e;
        }
    }

    public LocalSystem system() {
        return system;
    }

    public KubernetesClient client() {
        return system.client();
    }

    public DemoWebServer web1() {
        return web1;
    }

    public DemoWebServer web2() {
        return web2;
    }

    @Override
    public void close() {
        web1.close();
        web2.close();
        system.close();
    }
}
