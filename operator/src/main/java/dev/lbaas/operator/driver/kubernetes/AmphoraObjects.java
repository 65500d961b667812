package dev.lbaas.operator.driver.kubernetes;

import dev.lbaas.amphora.config.AmphoraConfig;
import dev.lbaas.amphora.config.FailoverConfig;
import dev.lbaas.amphora.config.ListenerConfig;
import dev.lbaas.amphora.config.ListenerProtocol;
import dev.lbaas.api.v1alpha1.AmphoraInfo;
import dev.lbaas.api.v1alpha1.AmphoraTemplate;
import dev.lbaas.api.v1alpha1.FailoverTimers;
import dev.lbaas.api.v1alpha1.LoadBalancer;
import dev.lbaas.api.v1alpha1.LoadBalancerClass;
import dev.lbaas.api.v1alpha1.Topology;
import dev.lbaas.api.v1alpha1.VipPort;
import dev.lbaas.api.v1alpha1.VipServiceTemplate;
import dev.lbaas.operator.pki.CertificateAuthority;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The Kubernetes objects of one load balancer's amphorae, as pure functions of the load balancer,
 * its class and the operator's settings: the amphora pods, their agent certificates, the VIP
 * Service and the PodDisruptionBudget; for a pair, the VIP's EndpointSlice and the ServiceAccount,
 * Role and RoleBinding with which its master writes it. {@link KubernetesDriver} creates and
 * updates them.
 */
final class AmphoraObjects {

    static final String AGENT_PORT_NAME = "agent";
    static final int AGENT_PORT = 9443;
    static final String PROBE_PORT_NAME = "probes";
    static final int PROBE_PORT = 8404;
    /** Where a pair's amphorae receive each other's adverts (UDP) and session sync (TCP). */
    static final int ADVERT_PORT = 7112;
    static final String ADVERT_PORT_NAME = "adverts";
    static final String SYNC_PORT_NAME = "session-sync";
    /** Marks the VIP EndpointSlice of a pair as the amphorae's: the cluster's controller leaves it alone. */
    static final String SLICE_MANAGED_BY = "endpointslice.kubernetes.io/managed-by";
    static final String SLICE_WRITERS = "amphora.lbaas.dev";
    static final String SERVICE_NAME = "kubernetes.io/service-name";
    /** On the VIP Service: how it reaches a pair's master, WrittenByMaster or Readiness. */
    static final String MASTER_ENDPOINT = "lbaas.dev/master-endpoint";
    private static final String CERTIFICATES = "/etc/lbaas/agent";
    /**
     * How long a deleted amphora pod serves on: a terminating endpoint that still serves keeps
     * getting the VIP's traffic while no other endpoint is ready, so the VIP answers until the
     * replacement is ready, rather than from nowhere in between.
     */
    static final int SHUTDOWN_DELAY_SECONDS = 10;
    /** The image's numeric user (dataplane-image/images): runAsNonRoot can check a number. */
    private static final long AMPHORA_USER = 65532;

    /** What the operator was installed with, for classes that do not say. */
    record Defaults(String image, String imagePullPolicy) {
    }

    private AmphoraObjects() {
    }

    /** The labels every object of a load balancer's amphorae carries; the selector of its Service and budget. */
    static Map<String, String> selector(LoadBalancer lb) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(KubernetesDriver.COMPONENT, "amphora");
        labels.put(KubernetesDriver.LOAD_BALANCER_UID, lb.getMetadata().getUid());
        return labels;
    }

    private static ObjectMeta metadata(LoadBalancer lb, String name, Map<String, String> extraLabels) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("app.kubernetes.io/name", "lbaas-amphora");
        labels.put(KubernetesDriver.MANAGED_BY, KubernetesDriver.OPERATOR);
        labels.putAll(selector(lb));
        labels.putAll(extraLabels);
        return new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(lb.getMetadata().getNamespace())
                .withLabels(labels)
                .withOwnerReferences(owner(lb))
                .build();
    }

    /** Owned by the load balancer: deleting it deletes them, even while no operator runs. */
    static OwnerReference owner(LoadBalancer lb) {
        return new OwnerReferenceBuilder()
                .withApiVersion(LoadBalancer.GROUP + "/" + LoadBalancer.VERSION)
                .withKind("LoadBalancer")
                .withName(lb.getMetadata().getName())
                .withUid(lb.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build();
    }

    /**
     * A name for an object of this load balancer that fits a DNS label (63 characters, starting
     * with a letter), so that it fits every kind: the load balancer's name where it can, cut and
     * made unique by its uid where it cannot.
     */
    static String name(LoadBalancer lb, String suffix) {
        String base = lb.getMetadata().getName().replace('.', '-');
        String candidate = base + "-" + suffix;
        if (candidate.length() <= 63 && Character.isLetter(candidate.charAt(0))) {
            return candidate;
        }
        String uid = lb.getMetadata().getUid().replace("-", "");
        String unique = "-" + uid.substring(0, Math.min(8, uid.length())) + "-" + suffix;
        String head = ("lb-" + base).substring(0, Math.min(63 - unique.length(), base.length() + 3));
        return head.replaceAll("-+$", "") + unique;
    }

    static String podName(LoadBalancer lb, String amphoraId) {
        return name(lb, amphoraId);
    }

    static String secretName(String podName) {
        return podName;
    }

    static Secret agentSecret(LoadBalancer lb, String amphoraId, String podName, CertificateAuthority authority) {
        CertificateAuthority.IssuedCertificate issued = authority.issue(amphoraId, List.of(), List.of(amphoraId));
        return new SecretBuilder()
                .withMetadata(metadata(lb, secretName(podName), Map.of(KubernetesDriver.AMPHORA_ID, amphoraId)))
                .withType("kubernetes.io/tls")
                .withData(Map.of("tls.crt", CaSecret.base64(issued.certificatePem()),
                        "tls.key", CaSecret.base64(issued.privateKeyPem()),
                        "ca.crt", CaSecret.base64(authority.certificatePem())))
                .build();
    }

    /**
     * An amphora pod. One of a pair (role MASTER or BACKUP) also receives its peer's adverts on
     * {@value #ADVERT_PORT}, and runs under the load balancer's own ServiceAccount, whose only
     * permission is to write its address into the VIP's EndpointSlice while it holds the VIP.
     */
    static Pod pod(LoadBalancer lb, LoadBalancerClass lbClass, String amphoraId, AmphoraInfo.Role role,
            Defaults defaults) {
        return pod(lb, lbClass, amphoraId, role, masterWritesEndpoints(lbClass), defaults);
    }

    /** @param masterWrites how the pair's VIP Service reaches its master (see {@link #masterWrites(Service)}) */
    static Pod pod(LoadBalancer lb, LoadBalancerClass lbClass, String amphoraId, AmphoraInfo.Role role,
            boolean masterWrites, Defaults defaults) {
        String podName = podName(lb, amphoraId);
        boolean paired = role != AmphoraInfo.Role.STANDALONE;
        boolean writesEndpoints = paired && masterWrites;
        List<String> args = new ArrayList<>(List.of("--id", amphoraId, "--agent-address", "0.0.0.0",
                "--agent-port", Integer.toString(AGENT_PORT),
                "--probe-port", Integer.toString(PROBE_PORT),
                "--shutdown-delay-seconds", Integer.toString(SHUTDOWN_DELAY_SECONDS),
                "--tls-cert", CERTIFICATES + "/tls.crt", "--tls-key", CERTIFICATES + "/tls.key",
                "--tls-ca", CERTIFICATES + "/ca.crt"));
        List<ContainerPort> ports = new ArrayList<>(List.of(
                new ContainerPortBuilder().withName(AGENT_PORT_NAME).withContainerPort(AGENT_PORT).build(),
                new ContainerPortBuilder().withName(PROBE_PORT_NAME).withContainerPort(PROBE_PORT).build()));
        List<EnvVar> env = new ArrayList<>();
        if (paired && !writesEndpoints) {
            args.add("--vip-follows-readiness");
        }
        if (writesEndpoints) {
            args.addAll(List.of("--vip-endpoint-slice", lb.getMetadata().getNamespace() + "/" + vipServiceName(lb),
                    "--pod-name", podName, "--pod-ip", "$(POD_IP)"));
            env.add(new EnvVarBuilder().withName("POD_IP").withNewValueFrom().withNewFieldRef()
                    .withFieldPath("status.podIP").endFieldRef().endValueFrom().build());
        }
        if (paired) {
            ports.add(new ContainerPortBuilder().withName(ADVERT_PORT_NAME).withContainerPort(ADVERT_PORT)
                    .withProtocol("UDP").build());
            ports.add(new ContainerPortBuilder().withName(SYNC_PORT_NAME).withContainerPort(ADVERT_PORT)
                    .withProtocol("TCP").build());
        }
        AmphoraTemplate template = lbClass == null || lbClass.getSpec() == null ? null : lbClass.getSpec().getAmphora();
        String image = template != null && template.getImage() != null ? template.getImage() : defaults.image();
        String pullPolicy = template != null && template.getImagePullPolicy() != null ? template.getImagePullPolicy()
                : defaults.imagePullPolicy();
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put(KubernetesDriver.AMPHORA_ID, amphoraId);
        extra.put(KubernetesDriver.ROLE, role.name());
        return new PodBuilder()
                .withMetadata(metadata(lb, podName, extra))
                .withNewSpec()
                    .withServiceAccountName(writesEndpoints ? amphoraAccountName(lb) : null)
                    .withAutomountServiceAccountToken(writesEndpoints)
                    .withEnableServiceLinks(false)
                    // After SIGTERM the amphora serves on for SHUTDOWN_DELAY_SECONDS, then closes;
                    // one of a pair hands the VIP over first.
                    .withTerminationGracePeriodSeconds(gracePeriodSeconds(lbClass, paired, writesEndpoints))
                    .withPriorityClassName(template == null ? null : template.getPriorityClassName())
                    .withNodeSelector(template == null ? null : template.getNodeSelector())
                    .withTolerations(template == null ? null : template.getTolerations())
                    .withNewSecurityContext()
                        .withRunAsNonRoot(true)
                        .withRunAsUser(AMPHORA_USER)
                        .withRunAsGroup(AMPHORA_USER)
                        .withFsGroup(AMPHORA_USER)
                        .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                        // Listeners on ports below 1024 (HTTP on 80) without any capability: a
                        // namespaced sysctl that the restricted Pod Security Standard allows.
                        .addNewSysctl().withName("net.ipv4.ip_unprivileged_port_start").withValue("0").endSysctl()
                    .endSecurityContext()
                    // The two amphorae of a pair on different nodes where there are several.
                    .withNewAffinity().withNewPodAntiAffinity()
                        .addNewPreferredDuringSchedulingIgnoredDuringExecution()
                            .withWeight(100)
                            .withNewPodAffinityTerm()
                                .withTopologyKey("kubernetes.io/hostname")
                                .withLabelSelector(new LabelSelectorBuilder().withMatchLabels(selector(lb)).build())
                            .endPodAffinityTerm()
                        .endPreferredDuringSchedulingIgnoredDuringExecution()
                    .endPodAntiAffinity().endAffinity()
                    .addNewContainer()
                        .withName("amphora")
                        .withImage(image)
                        .withImagePullPolicy(pullPolicy)
                        .withArgs(args)
                        .withEnv(env)
                        .withPorts(ports)
                        // Ready once the operator has programmed it: only then does the VIP send it
                        // traffic; where a pair's VIP follows readiness, only while it is the master.
                        .withNewReadinessProbe()
                            .withNewHttpGet().withPath(paired && !writesEndpoints ? "/readyz/master" : "/readyz")
                                .withPort(new IntOrString(PROBE_PORT_NAME)).endHttpGet()
                            .withPeriodSeconds(1).withFailureThreshold(2).withTimeoutSeconds(1)
                        .endReadinessProbe()
                        .withNewLivenessProbe()
                            .withNewHttpGet().withPath("/healthz").withPort(new IntOrString(PROBE_PORT_NAME)).endHttpGet()
                            .withPeriodSeconds(10).withFailureThreshold(3).withTimeoutSeconds(2)
                        .endLivenessProbe()
                        .withResources(resources(template))
                        .withNewSecurityContext()
                            .withAllowPrivilegeEscalation(false)
                            .withReadOnlyRootFilesystem(true)
                            .withRunAsNonRoot(true)
                            .withNewCapabilities().withDrop("ALL").endCapabilities()
                        .endSecurityContext()
                        .addNewVolumeMount().withName("agent-tls").withMountPath(CERTIFICATES).withReadOnly(true)
                            .endVolumeMount()
                        // The amphora's only writable place: Netty unpacks its native transport there.
                        .addNewVolumeMount().withName("tmp").withMountPath("/tmp").endVolumeMount()
                    .endContainer()
                    .addNewVolume().withName("agent-tls")
                        .withNewSecret().withSecretName(secretName(podName)).withDefaultMode(0440).endSecret()
                    .endVolume()
                    .addNewVolume().withName("tmp")
                        .withNewEmptyDir().withSizeLimit(new Quantity("64Mi")).endEmptyDir()
                    .endVolume()
                .endSpec()
                .build();
    }

    /**
     * The shutdown delay, then for a pair's master the longest handover: a master-down interval
     * (at most four advert intervals) for its successor to take over, one interval more, and the
     * linger while the node proxies follow ({@link FailoverConfig#LINGER_BEHIND_ENDPOINT_SLICE});
     * and 5 s to spare.
     */
    static long gracePeriodSeconds(LoadBalancerClass lbClass, boolean paired, boolean writesEndpoints) {
        long seconds = SHUTDOWN_DELAY_SECONDS + 5;
        if (paired) {
            int interval = FailoverTimers.advertIntervalMillis(lbClass == null || lbClass.getSpec() == null ? null
                    : lbClass.getSpec().getFailover());
            Duration linger = writesEndpoints ? FailoverConfig.LINGER_BEHIND_ENDPOINT_SLICE
                    : FailoverConfig.LINGER_BEHIND_READINESS;
            seconds += (5L * interval + 999) / 1000 + linger.toSeconds();
        }
        return seconds;
    }

    /**
     * The class's resources, else what the amphora's JVM options need (dataplane-image/amphora/
     * jvm.options: a 96 MiB heap at most, 64 MiB of direct buffers).
     */
    static ResourceRequirements resources(AmphoraTemplate template) {
        if (template != null && template.getResources() != null) {
            return template.getResources();
        }
        return new ResourceRequirementsBuilder()
                .addToRequests("cpu", new Quantity("100m"))
                .addToRequests("memory", new Quantity("128Mi"))
                .addToLimits("memory", new Quantity("384Mi"))
                .build();
    }

    /**
     * The VIP: a Service with one port per listener, with the listener's protocol. A SINGLE load
     * balancer's selects its ready amphora; an ACTIVE_STANDBY one's selects nothing, and reaches
     * the amphora its EndpointSlice lists ({@link #vipEndpointSlice}): the master. A Service must
     * have a port, so a load balancer without listeners gets one that no amphora answers
     * ({@value #NO_LISTENER}, port 1), as a VIP without listeners refuses connections.
     */
    static Service vipService(LoadBalancer lb, LoadBalancerClass lbClass, Topology topology, String clusterIp,
            AmphoraConfig config) {
        return vipService(lb, lbClass, topology, masterWritesEndpoints(lbClass), clusterIp, config);
    }

    /**
     * @param masterWrites for a pair, whether its master writes the Service's endpoints (chosen by
     *     the class when the Service is created, then kept: {@link #masterWrites(Service)})
     */
    static Service vipService(LoadBalancer lb, LoadBalancerClass lbClass, Topology topology, boolean masterWrites,
            String clusterIp, AmphoraConfig config) {
        VipServiceTemplate template = lbClass == null || lbClass.getSpec() == null ? null
                : lbClass.getSpec().getVipService();
        String type = template == null || template.getType() == null ? "ClusterIP" : template.getType().name();
        ObjectMeta metadata = metadata(lb, vipServiceName(lb), Map.of());
        metadata.getLabels().remove(KubernetesDriver.COMPONENT);
        metadata.getLabels().put(KubernetesDriver.COMPONENT, "vip");
        metadata.getLabels().put(MASTER_ENDPOINT, (masterWrites ? VipServiceTemplate.MasterEndpoint.WrittenByMaster
                : VipServiceTemplate.MasterEndpoint.Readiness).name());
        if (template != null && template.getAnnotations() != null) {
            metadata.setAnnotations(new LinkedHashMap<>(template.getAnnotations()));
        }
        return new ServiceBuilder()
                .withMetadata(metadata)
                .withNewSpec()
                    .withType(type)
                    .withClusterIP(clusterIp)
                    .withSelector(topology == Topology.ACTIVE_STANDBY && masterWrites ? null : selector(lb))
                    .withPorts(ports(config))
                .endSpec()
                .build();
    }

    static final String NO_LISTENER = "no-listener";

    static List<ServicePort> ports(AmphoraConfig config) {
        List<ServicePort> ports = new ArrayList<>();
        if (config != null) {
            for (ListenerConfig listener : config.listeners()) {
                String protocol = listener.protocol() == ListenerProtocol.UDP ? "UDP" : "TCP";
                ports.add(new ServicePortBuilder()
                        .withName(protocol.toLowerCase() + "-" + listener.protocolPort())
                        .withProtocol(protocol)
                        .withPort(listener.protocolPort())
                        .withTargetPort(new IntOrString(listener.protocolPort()))
                        .build());
            }
        }
        if (ports.isEmpty()) {
            ports.add(new ServicePortBuilder().withName(NO_LISTENER).withProtocol("TCP").withPort(1)
                    .withTargetPort(new IntOrString(1)).build());
        }
        return ports;
    }

    /**
     * The endpoints of an ACTIVE_STANDBY load balancer's VIP Service: created with the Service's
     * ports and no endpoint; the master writes its own address into it, the operator only its
     * ports. Labelled as the VIP Service is, so that the operator's informer sees it.
     *
     * @param addressType IPv4 or IPv6, the family of the Service's cluster IP
     */
    static EndpointSlice vipEndpointSlice(LoadBalancer lb, List<ServicePort> ports, String addressType) {
        ObjectMeta metadata = metadata(lb, vipServiceName(lb), Map.of(SERVICE_NAME, vipServiceName(lb),
                SLICE_MANAGED_BY, SLICE_WRITERS));
        metadata.getLabels().put(KubernetesDriver.COMPONENT, "vip");
        return new EndpointSliceBuilder()
                .withMetadata(metadata)
                .withAddressType(addressType)
                .withPorts(endpointPorts(ports))
                .withEndpoints(List.of())
                .build();
    }

    /** The Service's ports as its EndpointSlice names them: same name, protocol, and the target port. */
    static List<EndpointPort> endpointPorts(List<ServicePort> ports) {
        return ports.stream().map(port -> new EndpointPortBuilder().withName(port.getName())
                .withProtocol(port.getProtocol()).withPort(port.getTargetPort().getIntVal()).build()).toList();
    }

    /**
     * Whether a pair's master writes its address into the VIP's EndpointSlice (the default), rather
     * than the Service selecting both amphorae with only the master ready.
     */
    static boolean masterWritesEndpoints(LoadBalancerClass lbClass) {
        VipServiceTemplate template = lbClass == null || lbClass.getSpec() == null ? null
                : lbClass.getSpec().getVipService();
        return template == null || template.getMasterEndpoint() != VipServiceTemplate.MasterEndpoint.Readiness;
    }

    /**
     * How a running load balancer's VIP Service reaches a pair's master, as chosen when it was
     * created (its label): a running pair keeps it when its class is edited, as it keeps its
     * topology, since its pods and Service were made for it.
     */
    static boolean masterWrites(Service vip) {
        String chosen = vip.getMetadata().getLabels() == null ? null : vip.getMetadata().getLabels().get(MASTER_ENDPOINT);
        return !VipServiceTemplate.MasterEndpoint.Readiness.name().equals(chosen);
    }

    static String amphoraAccountName(LoadBalancer lb) {
        return name(lb, "amphora");
    }

    /** A pair's ServiceAccount, for the token with which the master writes the VIP's endpoints. */
    static ServiceAccount amphoraAccount(LoadBalancer lb) {
        return new ServiceAccountBuilder().withMetadata(metadata(lb, amphoraAccountName(lb), Map.of())).build();
    }

    /** What a pair's amphorae may do: read and patch their VIP's EndpointSlice, that one object only. */
    static Role amphoraRole(LoadBalancer lb) {
        return new RoleBuilder()
                .withMetadata(metadata(lb, amphoraAccountName(lb), Map.of()))
                .addNewRule()
                    .withApiGroups("discovery.k8s.io")
                    .withResources("endpointslices")
                    .withResourceNames(vipServiceName(lb))
                    .withVerbs("get", "patch")
                .endRule()
                .build();
    }

    static RoleBinding amphoraRoleBinding(LoadBalancer lb) {
        return new RoleBindingBuilder()
                .withMetadata(metadata(lb, amphoraAccountName(lb), Map.of()))
                .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("Role")
                    .withName(amphoraAccountName(lb)).endRoleRef()
                .addNewSubject().withKind("ServiceAccount").withName(amphoraAccountName(lb))
                    .withNamespace(lb.getMetadata().getNamespace()).endSubject()
                .build();
    }

    static String vipServiceName(LoadBalancer lb) {
        return name(lb, "vip");
    }

    /**
     * Keeps a node drain from taking away a load balancer's last serving amphora without a person
     * deciding so: one must stay available (a number: pods owned by a load balancer have no scale
     * subresource to compute a percentage from). A SINGLE load balancer's amphora is therefore not
     * evicted by a drain; ACTIVE_STANDBY drains one at a time. An amphora that is not ready may
     * always be evicted, so that a broken one never blocks a drain.
     */
    static PodDisruptionBudget disruptionBudget(LoadBalancer lb) {
        ObjectMeta metadata = metadata(lb, name(lb, "amphorae"), Map.of());
        return new PodDisruptionBudgetBuilder()
                .withMetadata(metadata)
                .withNewSpec()
                    .withMinAvailable(new IntOrString(1))
                    .withUnhealthyPodEvictionPolicy("AlwaysAllow")
                    .withNewSelector().withMatchLabels(selector(lb)).endSelector()
                .endSpec()
                .build();
    }

    /** The node ports of a VIP Service (NodePort and LoadBalancer types), as status shows them. */
    static List<VipPort> nodePorts(Service service) {
        return Objects.requireNonNullElse(service.getSpec().getPorts(), List.<ServicePort>of()).stream()
                .filter(port -> port.getNodePort() != null && !NO_LISTENER.equals(port.getName()))
                .map(port -> new VipPort(port.getProtocol(), port.getPort(), port.getNodePort()))
                .toList();
    }

    /** Whether two port lists say the same (the API server fills in defaults we do not set). */
    static boolean samePorts(List<ServicePort> actual, List<ServicePort> wanted) {
        if (actual.size() != wanted.size()) {
            return false;
        }
        for (int i = 0; i < actual.size(); i++) {
            ServicePort a = actual.get(i);
            ServicePort w = wanted.get(i);
            if (!Objects.equals(a.getName(), w.getName()) || !Objects.equals(a.getPort(), w.getPort())
                    || !Objects.equals(a.getProtocol(), w.getProtocol())
                    || !Objects.equals(a.getTargetPort(), w.getTargetPort())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether a Service's EndpointSlices route each of its listener ports to an endpoint that is
     * ready and one of {@code amphorae}: what kube-proxy (or any Service implementation) programs
     * the VIP from. An endpoint whose readiness is unknown counts as ready, as the API asks its
     * consumers to.
     *
     * @param amphorae the pod addresses of the load balancer's amphorae that serve
     */
    static boolean routesEvery(List<ServicePort> ports, Collection<EndpointSlice> slices, Set<String> amphorae) {
        return ports.stream().filter(port -> !NO_LISTENER.equals(port.getName())).allMatch(port -> slices.stream()
                .filter(slice -> Objects.requireNonNullElse(slice.getPorts(), List.<EndpointPort>of()).stream()
                        .anyMatch(p -> Objects.equals(p.getName(), port.getName())
                                && Objects.equals(p.getProtocol(), port.getProtocol())
                                && Objects.equals(p.getPort(), port.getTargetPort().getIntVal())))
                .flatMap(slice -> Objects.requireNonNullElse(slice.getEndpoints(), List.<Endpoint>of()).stream())
                .filter(endpoint -> endpoint.getConditions() == null
                        || !Boolean.FALSE.equals(endpoint.getConditions().getReady()))
                .anyMatch(endpoint -> Objects.requireNonNullElse(endpoint.getAddresses(), List.<String>of()).stream()
                        .anyMatch(amphorae::contains)));
    }
}
