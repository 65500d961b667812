package dev.lbaas.e2e;

import dev.lbaas.api.v1alpha1.LoadBalancer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The quickstart: starts the whole system on this machine, builds the seed walkthrough's load
 * balancer, shows it working, and keeps running for exploration with kubectl until Ctrl-C. With
 * {@code --kubernetes} (root only), on the real single-node cluster: the chart installed with helm,
 * amphorae and web servers as pods, the VIP a Service.
 */
public final class Quickstart {

    private static final String NAMESPACE = "default";

    private Quickstart() {
    }

    public static void main(String[] args) throws Exception {
        ProjectLayout layout = ProjectLayout.current();
        String kubeVersion = System.getProperty("lbaas.kube.version", "1.34.4");
        if (List.of(args).contains("--kubernetes")) {
            onTheCluster(layout, kubeVersion);
            return;
        }
        Path work = Files.createDirectories(layout.root().resolve(".lbaas/quickstart"));

        say("starting a local control plane (kube-apiserver, etcd, kube-controller-manager)");
        LocalSystem system = LocalSystem.start(layout, work, kubeVersion);
        DemoWebServer web1 = new DemoWebServer("web1", "127.0.0.1", 8081).start();
        DemoWebServer web2 = new DemoWebServer("web2", "127.0.0.1", 8082).start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            say("stopping: web servers, operator (and its amphorae), control plane");
            web1.close();
            web2.close();
            system.close();
            stopped.countDown();
        }, "quickstart-shutdown"));

        say("web1 and web2 answer on 127.0.0.1:8081 and 127.0.0.1:8082; the operator runs (log: "
                + system.operator().log() + ")");
        system.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE)
                .endMetadata().build()).serverSideApply();
        Path manifests = layout.examples().resolve("seed-scenario.yaml");
        List<HasMetadata> items = LocalSystem.loadManifests(system.client(), manifests, List.of(web1, web2));
        say("kubectl apply -f " + layout.root().relativize(manifests));
        system.apply(NAMESPACE, items);

        LoadBalancer lb = system.client().resources(LoadBalancer.class).inNamespace(NAMESPACE).withName("lb-web")
                .waitUntilCondition(Quickstart::ready, 120, TimeUnit.SECONDS);
        String vip = lb.getStatus().getVipAddress();
        say("lb-web is Ready with VIP " + vip + "; six requests to http://" + vip + ":8080/ :");
        for (int i = 0; i < 6; i++) {
            System.out.print("    $ curl http://" + vip + ":8080/   ->   " + Curl.get(vip, 8080, "/").body());
        }
        say("kubectl get lbaas:");
        kubectl(system, "get", "lbaas", "-n", NAMESPACE);
        say("The system keeps running. Explore it with:\n\n    export KUBECONFIG=" + system.kubeconfig()
                + "\n    export PATH=" + system.kubectl().getParent() + ":$PATH   # if kubectl is not installed"
                + "\n    kubectl get lbaas\n    curl http://" + vip + ":8080/\n\nPress Ctrl-C to stop everything.");
        stopped.await();
    }

    private static void onTheCluster(ProjectLayout layout, String kubeVersion) throws Exception {
        if (!SingleNodeCluster.canRunHere()) {
            throw new IllegalStateException("quickstart.sh --kubernetes runs a kubelet, containerd and kube-proxy on "
                    + "this machine: run it as root");
        }
        say("starting a single-node cluster (kube-apiserver with RBAC, kubelet with containerd, kube-proxy) and "
                + "installing the chart with helm");
        ClusterDemo demo = ClusterDemo.start(layout, SingleNodeCluster.stateDirectory("quickstart"), kubeVersion);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            say("stopping the cluster and cleaning the host");
            demo.close();
            say("stopped: no process, mount, bridge, iptables rule or cgroup of it is left");
            stopped.countDown();
        }, "quickstart-shutdown"));
        say("helm install done in " + demo.installMillis() + " ms");
        demo.createNamespace(NAMESPACE);
        say("kubectl apply -f examples/kubernetes/seed-scenario.yaml (web1 and web2 as pods behind the Service "
                + "\"web\"; the pool's members selected from it)");
        demo.apply(NAMESPACE, demo.seedScenario());
        // Ready, and ONLINE: its members were selected and their health checked.
        LoadBalancer lb = demo.client().resources(LoadBalancer.class).inNamespace(NAMESPACE).withName("lb-web")
                .waitUntilCondition(candidate -> ready(candidate) && candidate.getStatus().getOperatingStatus()
                        == dev.lbaas.api.v1alpha1.OperatingStatus.ONLINE, 120, TimeUnit.SECONDS);
        String vip = lb.getStatus().getVipAddress();
        say("lb-web is Ready; its VIP " + vip + " is the ClusterIP of Service lb-web-vip. Six requests:");
        for (int i = 0; i < 6; i++) {
            System.out.print("    $ curl http://" + vip + "/   ->   " + firstAnswer(vip).body());
        }
        say("kubectl get lbaas,pods,services:");
        System.out.print(demo.kubectl("get", "lbaas,pods,services", "-n", NAMESPACE, "-o", "wide"));
        say("The cluster keeps running. Explore it with:\n\n    export KUBECONFIG=" + demo.kubeconfig()
                + "\n    export PATH=" + demo.kubectl().getParent() + ":$PATH   # if kubectl is not installed"
                + "\n    kubectl get lbaas\n    kubectl -n lbaas-system logs deploy/lbaas\n    curl http://" + vip
                + "/\n\nPress Ctrl-C to stop the cluster; it leaves nothing behind.");
        stopped.await();
    }

    /** The VIP's answer; kube-proxy writes its rule a moment after the amphora is ready. */
    private static Curl.Response firstAnswer(String vip) throws Exception {
        for (int attempt = 0; ; attempt++) {
            try {
                return Curl.get(vip, 80, "/");
            } catch (IOException e) {
                if (attempt == 50) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private static boolean ready(LoadBalancer lb) {
        return lb != null && lb.getStatus() != null && lb.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /**
     * Runs kubectl and prints what it prints. The API server publishes a new CRD's category in its
     * discovery document a moment after the CRD is established, so a failure is retried briefly.
     */
    private static void kubectl(LocalSystem system, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(system.kubectl().toString(), "--kubeconfig",
                system.kubeconfig().toString()));
        command.addAll(List.of(args));
        String output = "";
        for (int attempt = 0; attempt < 20; attempt++) {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            output = new String(process.getInputStream().readAllBytes());
            if (process.waitFor() == 0) {
                break;
            }
            Thread.sleep(500);
        }
        System.out.print(output);
    }

    private static void say(String text) {
        System.out.println("==> " + text);
    }
}
