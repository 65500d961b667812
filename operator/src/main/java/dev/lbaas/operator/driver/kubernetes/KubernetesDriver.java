package dev.lbaas.operator.driver.kubernetes;

import dev.lbaas.amphora.config.AmphoraConfig;
import dev.lbaas.api.v1alpha1.AmphoraInfo;
import dev.lbaas.api.v1alpha1.LoadBalancer;
import dev.lbaas.api.v1alpha1.LoadBalancerClass;
import dev.lbaas.api.v1alpha1.Topology;
import dev.lbaas.api.v1alpha1.VipPort;
import dev.lbaas.operator.config.OperatorConfig;
import dev.lbaas.operator.config.OperatorNamespace;
import dev.lbaas.operator.driver.AmphoraDriver;
import dev.lbaas.operator.driver.AmphoraEndpoint;
import dev.lbaas.operator.events.EventRecorder;
import dev.lbaas.operator.pki.CertificateAuthority;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.readiness.Readiness;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Runs each amphora as a pod owned by its load balancer, with its agent certificate in a Secret,
 * and the VIP as a Service: a SINGLE load balancer's selects its amphora once ready (programmed);
 * an ACTIVE_STANDBY one's selects nothing and reaches the amphora its EndpointSlice lists, which
 * the pair's master writes itself, so that a failover needs neither the operator nor a probe. The CA is
 * kept in a Secret of the operator's namespace ({@link CaSecret}).
 *
 * <p>The data plane does not depend on the operator: pods, Service and certificates stay and serve
 * while no operator runs, and an operator that starts finds them through its informers and adopts
 * them. Amphora ids are derived from the load balancer's uid and an incarnation number, so that an
 * operator killed between creating a pod and seeing it creates the same pod again (and is told it
 * exists), never a second one.
 */
@Singleton
@Named("kubernetes")
public class KubernetesDriver implements AmphoraDriver {

    static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    static final String OPERATOR = "lbaas-operator";
    static final String COMPONENT = "lbaas.dev/component";
    static final String LOAD_BALANCER_UID = "lbaas.dev/loadbalancer-uid";
    static final String AMPHORA_ID = "lbaas.dev/amphora-id";
    static final String ROLE = "lbaas.dev/role";
    private static final Logger LOG = Logger.getLogger(KubernetesDriver.class);

    private final KubernetesClient client;
    private final CertificateAuthority authority;
    private final AmphoraObjects.Defaults defaults;
    private final EventRecorder events;
    private InformerEventSource<Pod, LoadBalancer> pods;
    private InformerEventSource<Service, LoadBalancer> services;
    private InformerEventSource<EndpointSlice, LoadBalancer> vipEndpoints;

    @Inject
    KubernetesDriver(KubernetesClient client, OperatorConfig config) {
        this.client = client;
        this.events = new EventRecorder(client);
        OperatorConfig.Kubernetes settings = config.kubernetes();
        String namespace = OperatorNamespace.resolve(settings.namespace());
        this.authority = CaSecret.loadOrCreate(client, namespace, settings.caSecret());
        this.defaults = new AmphoraObjects.Defaults(settings.amphoraImage().orElseThrow(() -> new IllegalArgumentException(
                "lbaas.kubernetes.amphora-image (LBAAS_KUBERNETES_AMPHORA_IMAGE) must name the amphora image for the "
                        + "kubernetes driver")), settings.amphoraImagePullPolicy().orElse(null));
        LOG.infof("kubernetes driver: amphora image %s, CA in Secret %s/%s", defaults.image(), namespace,
                settings.caSecret());
    }

    @Override
    public CertificateAuthority certificateAuthority() {
        return authority;
    }

    @Override
    public List<EventSource<?, LoadBalancer>> eventSources(EventSourceContext<LoadBalancer> context) {
        // Owned by their load balancer: events map to it through the owner reference.
        pods = new InformerEventSource<>(InformerEventSourceConfiguration.from(Pod.class, LoadBalancer.class)
                .withName("amphora-pods")
                .withLabelSelector(MANAGED_BY + "=" + OPERATOR + "," + COMPONENT + "=amphora")
                .build(), context);
        services = new InformerEventSource<>(InformerEventSourceConfiguration.from(Service.class, LoadBalancer.class)
                .withName("vip-services")
                .withLabelSelector(MANAGED_BY + "=" + OPERATOR + "," + COMPONENT + "=vip")
                .build(), context);
        // The endpoint controller copies the VIP Service's labels onto its EndpointSlices, which
        // are owned by the Service: they map to the load balancer through the Service's owner.
        vipEndpoints = new InformerEventSource<>(InformerEventSourceConfiguration.from(EndpointSlice.class,
                        LoadBalancer.class)
                .withName("vip-endpointslices")
                .withLabelSelector(MANAGED_BY + "=" + OPERATOR + "," + COMPONENT + "=vip")
                .withSecondaryToPrimaryMapper(slice -> services.get(new ResourceID(slice.getMetadata().getLabels()
                                .get(AmphoraObjects.SERVICE_NAME), slice.getMetadata().getNamespace()))
                        .map(service -> Mappers.fromOwnerReferences(LoadBalancer.class, false).toPrimaryResourceIDs(
                                service))
                        .orElse(Set.of()))
                .build(), context);
        return List.of(pods, services, vipEndpoints);
    }

    @Override
    public Map<String, String> reservedPorts() {
        return Map.of(
                AmphoraObjects.AGENT_PORT + "/TCP", "its agent API, on the kubernetes driver",
                AmphoraObjects.PROBE_PORT + "/TCP", "the kubelet's probes, on the kubernetes driver",
                AmphoraObjects.ADVERT_PORT + "/UDP", "an ACTIVE_STANDBY pair's adverts, on the kubernetes driver",
                AmphoraObjects.ADVERT_PORT + "/TCP", "an ACTIVE_STANDBY pair's session sync, on the kubernetes driver");
    }

    @Override
    public Set<Topology> topologies() {
        return EnumSet.of(Topology.SINGLE, Topology.ACTIVE_STANDBY);
    }

    @Override
    public String listenAddress(String vipAddress) {
        // Traffic to the Service reaches the pod's own address.
        return vipAddress.contains(":") ? "::" : "0.0.0.0";
    }

    @Override
    public String ensureVip(LoadBalancer lb, LoadBalancerClass lbClass, Topology topology, String wanted,
            Set<String> inUse) {
        Service service = vipService(lb).orElseGet(() -> create(AmphoraObjects.vipService(lb, lbClass, topology, wanted,
                null)));
        List<LoadBalancerIngress> ingress = service.getStatus() == null || service.getStatus().getLoadBalancer() == null
                ? List.of() : Objects.requireNonNullElse(service.getStatus().getLoadBalancer().getIngress(), List.of());
        return ingress.stream().map(LoadBalancerIngress::getIp).filter(Objects::nonNull).findFirst()
                .orElse(service.getSpec().getClusterIP());
    }

    @Override
    public List<AmphoraEndpoint> ensureAmphorae(LoadBalancer lb, LoadBalancerClass lbClass, Topology topology,
            String vipAddress, AmphoraConfig config) {
        boolean paired = topology == Topology.ACTIVE_STANDBY;
        Service vip = vipService(lb).orElse(null);
        boolean masterWrites = vip == null ? AmphoraObjects.masterWritesEndpoints(lbClass)
                : AmphoraObjects.masterWrites(vip);
        boolean writesEndpoints = paired && masterWrites;
        if (vip != null) {
            syncVipService(lb, lbClass, topology, vip, config);
        }
        ensureDisruptionBudget(lb);
        List<Pod> ofLoadBalancer = podsOf(lb);
        for (Pod pod : ofLoadBalancer) {
            if (finished(pod) && pod.getMetadata().getDeletionTimestamp() == null) {
                // Evicted, or stopped for good: it will not run again. Its replacement starts below.
                events.record(lb, true, "AmphoraFailed", "amphora " + amphoraId(pod) + " (pod " + pod.getMetadata()
                        .getName() + ") " + why(pod) + "; replacing it");
                delete(pod);
            }
        }
        // A SINGLE load balancer's replacement starts while the old pod still serves its shutdown
        // delay, the VIP moving to the first that is ready. A pair's does not: the terminating
        // amphora keeps its place, its peer and its configuration until it is gone, handing the
        // VIP over first if it holds it; a replacement beside it would be a new peer for the
        // survivor while the old master still runs, and two masters.
        // A pod that outlives its deletion deadline by long (its node lost) gives its place up.
        Instant now = Instant.now();
        List<Pod> present = ofLoadBalancer.stream().filter(paired ? pod -> !finished(pod) && !overdue(pod, now)
                : KubernetesDriver::alive).toList();
        // Pods of a role the topology does not have (the load balancer's topology changed while it
        // had no amphora): they would be a third amphora, or a pair's half without its pair.
        List<AmphoraInfo.Role> roles = paired ? PAIR_ROLES : List.of(AmphoraInfo.Role.STANDALONE);
        for (Pod pod : present) {
            if (!roles.contains(role(pod)) && pod.getMetadata().getDeletionTimestamp() == null) {
                events.record(lb, true, "AmphoraReplaced", "amphora " + amphoraId(pod) + " (pod "
                        + pod.getMetadata().getName() + ") is " + role(pod) + " but the load balancer is " + topology
                        + "; deleting it");
                delete(pod);
            }
        }
        List<Pod> alive = present.stream().filter(pod -> roles.contains(role(pod))).toList();
        // A SINGLE load balancer's amphora, or each role of a pair that no pod has.
        Set<AmphoraInfo.Role> held = alive.stream().map(KubernetesDriver::role).collect(Collectors.toSet());
        List<AmphoraInfo.Role> missing = paired
                ? PAIR_ROLES.stream().filter(role -> !held.contains(role)).toList()
                : alive.isEmpty() ? List.of(AmphoraInfo.Role.STANDALONE) : List.of();
        Set<String> taken = ofLoadBalancer.stream().map(pod -> pod.getMetadata().getName())
                .collect(Collectors.toCollection(HashSet::new));
        // Before a pod that needs them, and again while no amphora's address is in the VIP's slice
        // (a Role or RoleBinding deleted by hand keeps the master from writing it).
        if (writesEndpoints && (!missing.isEmpty() || !routedToOneOf(lb, alive))) {
            ensurePairAccess(lb);
        }
        for (AmphoraInfo.Role role : missing) {
            String amphoraId = newAmphoraId(lb, taken);
            taken.add(AmphoraObjects.podName(lb, amphoraId));
            if (!createAmphora(lb, lbClass, amphoraId, role, masterWrites)) {
                // Created by an earlier reconcile (or an earlier operator) and not yet in the cache.
                continue;
            }
            List<String> replaced = ofLoadBalancer.stream().filter(pod -> !alive.contains(pod))
                    .filter(pod -> !paired || role(pod) == role).map(KubernetesDriver::amphoraId).toList();
            boolean first = replaced.isEmpty() && ofLoadBalancer.isEmpty();
            events.record(lb, false, first ? "AmphoraCreated" : "AmphoraReplaced",
                    "amphora " + amphoraId + " (pod " + AmphoraObjects.podName(lb, amphoraId) + ") created"
                            + (paired ? " as " + role : "")
                            + (!replaced.isEmpty() ? " to replace " + String.join(", ", replaced)
                            : first ? "" : " to complete the pair"));
        }
        return alive.stream()
                .filter(pod -> pod.getStatus() != null && pod.getStatus().getPodIP() != null)
                .sorted(Comparator.comparing(KubernetesDriver::role))
                .map(pod -> endpoint(pod, paired))
                .toList();
    }

    /** A pair's amphorae: the one created to hold the VIP first, and its standby. */
    private static final List<AmphoraInfo.Role> PAIR_ROLES = List.of(AmphoraInfo.Role.MASTER, AmphoraInfo.Role.BACKUP);

    private static AmphoraEndpoint endpoint(Pod pod, boolean paired) {
        String ip = pod.getStatus().getPodIP();
        return new AmphoraEndpoint(amphoraId(pod), role(pod), "pod " + pod.getMetadata().getName(),
                URI.create("https://" + hostInUri(ip) + ":" + AmphoraObjects.AGENT_PORT),
                paired ? new AmphoraEndpoint.Adverts(ip, AmphoraObjects.ADVERT_PORT) : null);
    }

    /** Whether the pair's VIP EndpointSlice lists one of these pods. */
    private boolean routedToOneOf(LoadBalancer lb, List<Pod> pods) {
        Set<String> addresses = pods.stream().map(pod -> pod.getStatus() == null ? null : pod.getStatus().getPodIP())
                .filter(Objects::nonNull).collect(Collectors.toSet());
        return vipEndpoints.get(new ResourceID(AmphoraObjects.vipServiceName(lb), lb.getMetadata().getNamespace()))
                .map(slice -> Objects.requireNonNullElse(slice.getEndpoints(), List.<Endpoint>of()).stream()
                        .flatMap(endpoint -> Objects.requireNonNullElse(endpoint.getAddresses(), List.<String>of())
                                .stream())
                        .anyMatch(addresses::contains))
                .orElse(false);
    }

    /**
     * The ServiceAccount, Role and RoleBinding with which a pair's master writes its VIP's
     * EndpointSlice; made before the pods that use them, again whenever one is created.
     */
    private void ensurePairAccess(LoadBalancer lb) {
        createIfAbsent(() -> client.serviceAccounts().resource(AmphoraObjects.amphoraAccount(lb)).create());
        createIfAbsent(() -> client.rbac().roles().resource(AmphoraObjects.amphoraRole(lb)).create());
        createIfAbsent(() -> client.rbac().roleBindings().resource(AmphoraObjects.amphoraRoleBinding(lb)).create());
    }

    @Override
    public List<VipPort> vipPorts(LoadBalancer lb) {
        return vipService(lb).map(AmphoraObjects::nodePorts).orElse(List.of());
    }

    @Override
    public boolean vipReady(LoadBalancer lb, AmphoraConfig config) {
        List<Pod> running = podsOf(lb).stream().filter(pod -> !finished(pod)).toList();
        // A SINGLE load balancer's amphora must be ready; of a pair, the one the VIP reaches
        // (which may be terminating: it serves until it has handed the VIP over).
        boolean paired = running.stream().anyMatch(pod -> role(pod) != AmphoraInfo.Role.STANDALONE);
        List<Pod> alive = paired ? running : running.stream().filter(KubernetesDriver::alive).toList();
        if (alive.isEmpty() || !(paired ? alive.stream().anyMatch(Readiness::isPodReady)
                : alive.stream().allMatch(Readiness::isPodReady))) {
            return false;
        }
        Set<String> serving = alive.stream().filter(Readiness::isPodReady)
                .map(pod -> pod.getStatus().getPodIP()).filter(Objects::nonNull).collect(Collectors.toSet());
        // A listener is reachable once the Service has its port (this reconcile may just have
        // added it) and the endpoint controller has routed that port to a ready amphora.
        Service service = vipService(lb).orElse(null);
        List<ServicePort> wanted = AmphoraObjects.ports(config);
        if (service == null || !AmphoraObjects.samePorts(service.getSpec().getPorts(), wanted)) {
            return false;
        }
        String serviceName = service.getMetadata().getName();
        return AmphoraObjects.routesEvery(wanted, vipEndpoints.list(lb.getMetadata().getNamespace(), slice -> serviceName
                .equals(slice.getMetadata().getLabels().get(AmphoraObjects.SERVICE_NAME))).toList(), serving);
    }

    /** Every amphora pod of the load balancer in the cache, whatever its state. */
    private List<Pod> podsOf(LoadBalancer lb) {
        String uid = lb.getMetadata().getUid();
        return pods.list(lb.getMetadata().getNamespace(),
                pod -> uid.equals(pod.getMetadata().getLabels().get(LOAD_BALANCER_UID))).toList();
    }

    /**
     * Whether a pod is still there well after its deletion deadline (the grace period): its node is
     * gone or unreachable, and it will not run again unless someone removes it.
     */
    private static boolean overdue(Pod pod, Instant now) {
        String deadline = pod.getMetadata().getDeletionTimestamp();
        return deadline != null && Instant.parse(deadline).plus(OVERDUE).isBefore(now);
    }

    /** How long after its deletion deadline a pod is taken for lost. */
    private static final Duration OVERDUE = Duration.ofSeconds(30);

    /** Neither being deleted nor stopped for good: it serves, or will. */
    private static boolean alive(Pod pod) {
        return pod.getMetadata().getDeletionTimestamp() == null && !finished(pod);
    }

    @Override
    public void deleteAmphorae(LoadBalancer lb) {
        // Garbage collection through the owner references would do it too, but only after the
        // load balancer is gone; its finalizer runs first and wants them stopped.
        String namespace = lb.getMetadata().getNamespace();
        String uid = lb.getMetadata().getUid();
        client.pods().inNamespace(namespace).withLabel(LOAD_BALANCER_UID, uid).delete();
        client.secrets().inNamespace(namespace).withLabel(LOAD_BALANCER_UID, uid).delete();
        client.services().inNamespace(namespace).withLabel(LOAD_BALANCER_UID, uid).delete();
        client.policy().v1().podDisruptionBudget().inNamespace(namespace).withLabel(LOAD_BALANCER_UID, uid).delete();
        client.discovery().v1().endpointSlices().inNamespace(namespace).withLabel(LOAD_BALANCER_UID, uid).delete();
        client.rbac().roleBindings().inNamespace(namespace).withLabel(LOAD_BALANCER_UID, uid).delete();
        client.rbac().roles().inNamespace(namespace).withLabel(LOAD_BALANCER_UID, uid).delete();
        client.serviceAccounts().inNamespace(namespace).withLabel(LOAD_BALANCER_UID, uid).delete();
    }

    /**
     * The id of the next amphora: from the load balancer's uid and the first incarnation number
     * whose pod does not exist. The same after a restart of the operator, so a pod created by an
     * operator that died before it saw the pod is found again by name, not duplicated.
     */
    static String newAmphoraId(LoadBalancer lb, Set<String> takenPodNames) {
        for (int incarnation = 0; ; incarnation++) {
            String id = "amphora-" + shortHash(lb.getMetadata().getUid() + "/" + incarnation);
            if (!takenPodNames.contains(AmphoraObjects.podName(lb, id))) {
                return id;
            }
        }
    }

    /** Creates the amphora's Secret and pod; false if the pod existed already. */
    private boolean createAmphora(LoadBalancer lb, LoadBalancerClass lbClass, String amphoraId,
            AmphoraInfo.Role role, boolean masterWrites) {
        String podName = AmphoraObjects.podName(lb, amphoraId);
        createIfAbsent(() -> client.secrets().resource(AmphoraObjects.agentSecret(lb, amphoraId, podName, authority))
                .create());
        boolean created = createIfAbsent(() -> client.pods().resource(AmphoraObjects.pod(lb, lbClass, amphoraId,
                role, masterWrites, defaults)).create());
        if (created) {
            LOG.infof("created amphora %s (pod %s/%s, %s)", amphoraId, lb.getMetadata().getNamespace(), podName, role);
        }
        return created;
    }

    private void delete(Pod pod) {
        client.pods().resource(pod).delete();
        client.secrets().inNamespace(pod.getMetadata().getNamespace())
                .withName(AmphoraObjects.secretName(pod.getMetadata().getName())).delete();
    }

    private Optional<Service> vipService(LoadBalancer lb) {
        ResourceID id = new ResourceID(AmphoraObjects.vipServiceName(lb), lb.getMetadata().getNamespace());
        Optional<Service> cached = services.get(id);
        if (cached.isPresent()) {
            return cached;
        }
        // Not in the cache yet (just created): ask, rather than create it twice.
        return Optional.ofNullable(client.services().inNamespace(id.getNamespace().orElseThrow()).withName(id.getName())
                .get());
    }

    private Service create(Service service) {
        try {
            return client.services().resource(service).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return client.services().resource(service).get();
            }
            throw e;
        }
    }

    private void syncVipService(LoadBalancer lb, LoadBalancerClass lbClass, Topology topology, Service current,
            AmphoraConfig config) {
        boolean masterWrites = AmphoraObjects.masterWrites(current);
        Service wanted = AmphoraObjects.vipService(lb, lbClass, topology, masterWrites, current.getSpec().getClusterIP(),
                config);
        boolean same = AmphoraObjects.samePorts(current.getSpec().getPorts(), wanted.getSpec().getPorts())
                && Objects.equals(current.getSpec().getType(), wanted.getSpec().getType())
                && Objects.equals(selector(current), selector(wanted))
                && Objects.equals(annotations(current), annotations(wanted));
        if (!same) {
            boolean selectorRemoved = !selector(current).isEmpty() && selector(wanted).isEmpty();
            client.services().resource(current).edit(service -> {
                service.getSpec().setType(wanted.getSpec().getType());
                service.getSpec().setPorts(wanted.getSpec().getPorts());
                service.getSpec().setSelector(wanted.getSpec().getSelector());
                service.getMetadata().setAnnotations(wanted.getMetadata().getAnnotations());
                return service;
            });
            if (selectorRemoved) {
                // The cluster's controller leaves the slices it made for a selector that is gone.
                client.discovery().v1().endpointSlices().inNamespace(lb.getMetadata().getNamespace())
                        .withLabel(AmphoraObjects.SERVICE_NAME, current.getMetadata().getName())
                        .withLabel(AmphoraObjects.SLICE_MANAGED_BY, "endpointslice-controller.k8s.io").delete();
            }
        }
        if (topology == Topology.ACTIVE_STANDBY && masterWrites) {
            syncVipEndpointSlice(lb, current, wanted.getSpec().getPorts());
        }
    }

    /**
     * A pair's VIP EndpointSlice: created without endpoints, its ports kept those of the Service.
     * Its endpoints are the master's to write; a merge patch of the ports leaves them alone.
     */
    private void syncVipEndpointSlice(LoadBalancer lb, Service service, List<ServicePort> ports) {
        ResourceID id = new ResourceID(service.getMetadata().getName(), lb.getMetadata().getNamespace());
        EndpointSlice current = vipEndpoints.get(id).orElse(null);
        if (current == null) {
            String family = service.getSpec().getClusterIP() != null && service.getSpec().getClusterIP().contains(":")
                    ? "IPv6" : "IPv4";
            createIfAbsent(() -> client.discovery().v1().endpointSlices()
                    .resource(AmphoraObjects.vipEndpointSlice(lb, ports, family)).create());
        } else if (!Objects.equals(current.getPorts(), AmphoraObjects.endpointPorts(ports))) {
            EndpointSlice patch = new EndpointSlice();
            patch.setPorts(AmphoraObjects.endpointPorts(ports));
            client.discovery().v1().endpointSlices().inNamespace(id.getNamespace().orElseThrow())
                    .withName(id.getName()).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
        }
    }

    private static Map<String, String> selector(Service service) {
        return Objects.requireNonNullElse(service.getSpec().getSelector(), Map.of());
    }

    private static Map<String, String> annotations(Service service) {
        return Objects.requireNonNullElse(service.getMetadata().getAnnotations(), Map.of());
    }

    private void ensureDisruptionBudget(LoadBalancer lb) {
        PodDisruptionBudget budget = AmphoraObjects.disruptionBudget(lb);
        if (client.policy().v1().podDisruptionBudget().inNamespace(lb.getMetadata().getNamespace())
                .withName(budget.getMetadata().getName()).get() == null) {
            createIfAbsent(() -> client.policy().v1().podDisruptionBudget().resource(budget).create());
        }
    }

    /** Creates an object; false if it existed already. */
    private static boolean createIfAbsent(Runnable create) {
        try {
            create.run();
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            return false;
        }
    }

    private static boolean finished(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Failed".equals(phase) || "Succeeded".equals(phase);
    }

    private static String why(Pod pod) {
        String reason = pod.getStatus().getReason();
        String message = pod.getStatus().getMessage();
        return "stopped (" + pod.getStatus().getPhase() + (reason == null ? "" : ", " + reason)
                + (message == null ? "" : ": " + message) + ")";
    }

    private static String amphoraId(Pod pod) {
        return pod.getMetadata().getLabels().getOrDefault(AMPHORA_ID, pod.getMetadata().getName());
    }

    private static AmphoraInfo.Role role(Pod pod) {
        String role = pod.getMetadata().getLabels().get(ROLE);
        try {
            return role == null ? AmphoraInfo.Role.STANDALONE : AmphoraInfo.Role.valueOf(role);
        } catch (IllegalArgumentException e) {
            return AmphoraInfo.Role.STANDALONE;
        }
    }

    private static String hostInUri(String ip) {
        return ip.contains(":") ? "[" + ip + "]" : ip;
    }

    private static String shortHash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
