package dev.lbaas.operator.reconciler;

import dev.lbaas.amphora.config.AmphoraConfig;
import dev.lbaas.api.v1alpha1.FailoverTimers;
import dev.lbaas.api.v1alpha1.HealthMonitor;
import dev.lbaas.api.v1alpha1.L7Policy;
import dev.lbaas.api.v1alpha1.L7Rule;
import dev.lbaas.api.v1alpha1.LbaasStatus;
import dev.lbaas.api.v1alpha1.Listener;
import dev.lbaas.api.v1alpha1.LoadBalancer;
import dev.lbaas.api.v1alpha1.LoadBalancerClass;
import dev.lbaas.api.v1alpha1.LoadBalancerStatus;
import dev.lbaas.api.v1alpha1.Member;
import dev.lbaas.api.v1alpha1.Pool;
import dev.lbaas.api.v1alpha1.Topology;
import dev.lbaas.api.v1alpha1.VipPort;
import dev.lbaas.operator.agent.AmphoraAgents;
import dev.lbaas.operator.agent.AmphoraSession;
import dev.lbaas.operator.config.OperatorConfig;
import dev.lbaas.operator.driver.AmphoraDriver;
import dev.lbaas.operator.driver.AmphoraDrivers;
import dev.lbaas.operator.driver.AmphoraEndpoint;
import dev.lbaas.operator.driver.PairPlan;
import dev.lbaas.operator.events.EventRecorder;
import dev.lbaas.operator.model.ClassChoice;
import dev.lbaas.operator.model.ConfigRenderer;
import dev.lbaas.operator.model.GenerationLedger;
import dev.lbaas.operator.model.LoadBalancerTree;
import dev.lbaas.operator.model.TlsSecrets;
import dev.lbaas.operator.model.RenderedConfig;
import dev.lbaas.operator.model.Verdict;
import dev.lbaas.operator.status.Conditions;
import dev.lbaas.operator.status.AmphoraView;
import dev.lbaas.operator.status.Programming;
import dev.lbaas.operator.status.StatusComputer;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Reconciles one load balancer as a whole: every event on it or on any of its children (and every
 * report from its amphorae) leads here, and each reconcile recomputes everything from the current
 * object tree: the amphora configuration, the amphorae themselves, and the status of every object.
 *
 * <p>Nothing here blocks on an amphora: configurations are handed to the agent sessions, which push
 * them and report back through {@link LoadBalancerEvents}.
 *
 * <p>A reconcile that fails (the API server refuses a write, a driver cannot start an amphora) is
 * retried with backoff, without limit; meanwhile the load balancer says so in its Ready condition and
 * an Event, the amphorae keep serving what they have, and other load balancers are not affected.
 */
// Not generation-aware: a failover request is an annotation (LoadBalancerUpdates).
@ControllerConfiguration(name = "loadbalancer", generationAwareEventProcessing = false,
        informer = @Informer(onUpdateFilter = LoadBalancerUpdates.class))
@GradualRetry(maxAttempts = -1, initialInterval = 1_000, intervalMultiplier = 2, maxInterval = 60_000)
public class LoadBalancerReconciler implements Reconciler<LoadBalancer>, Cleaner<LoadBalancer> {

    private static final Logger LOG = Logger.getLogger(LoadBalancerReconciler.class);
    private static final String RECONCILE_FAILED = "ReconcileFailed";

    private final KubernetesClient client;
    private final AmphoraAgents agents;
    private final AmphoraDriver driver;
    private final String driverName;
    private final OperatorConfig config;
    private final EventRecorder events;
    private final Clock clock = Clock.systemUTC();
    private final LoadBalancerEvents amphoraReports = new LoadBalancerEvents();
    private final MemberSelectors memberSelectors;
    private final FailoverRequests failoverRequests;
    private final PairRoles pairRoles = new PairRoles();
    private final Map<String, GenerationLedger> ledgers = new ConcurrentHashMap<>();
    /** The Secrets each load balancer's listeners name, as last read, by load balancer uid. */
    private final Map<String, Map<String, Secret>> secretData = new ConcurrentHashMap<>();

    private InformerEventSource<Listener, LoadBalancer> listeners;
    private InformerEventSource<Pool, LoadBalancer> pools;
    private InformerEventSource<Member, LoadBalancer> members;
    private InformerEventSource<HealthMonitor, LoadBalancer> monitors;
    private InformerEventSource<L7Policy, LoadBalancer> l7Policies;
    private InformerEventSource<L7Rule, LoadBalancer> l7Rules;
    private InformerEventSource<LoadBalancerClass, LoadBalancer> classes;
    private InformerEventSource<Secret, LoadBalancer> secrets;
    /** The caches' view of the children, for mapping a Secret to the load balancers that name it. */
    private ParentChain.Lookup secretLookup;

    public LoadBalancerReconciler(KubernetesClient client, AmphoraAgents agents, AmphoraDrivers drivers,
            OperatorConfig config) {
        this.client = client;
        this.agents = agents;
        this.driver = drivers.selected();
        this.driverName = drivers.selectedName();
        this.config = config;
        this.events = new EventRecorder(client);
        this.failoverRequests = new FailoverRequests(events::record);
        this.memberSelectors = new MemberSelectors(client);
    }

    @Override
    public List<EventSource<?, LoadBalancer>> prepareEventSources(EventSourceContext<LoadBalancer> context) {
        ParentChain.Lookup cacheLookup = new ParentChain.Lookup() {
            @Override
            public Optional<Pool> pool(String namespace, String name) {
                return pools.get(new ResourceID(name, namespace));
            }

            @Override
            public Optional<Listener> listener(String namespace, String name) {
                return listeners.get(new ResourceID(name, namespace));
            }

            @Override
            public Optional<LoadBalancer> loadBalancer(String namespace, String name) {
                return Optional.empty();
            }

            @Override
            public Optional<L7Policy> l7Policy(String namespace, String name) {
                return l7Policies.get(new ResourceID(name, namespace));
            }
        };
        listeners = informer(Listener.class, context, cacheLookup);
        pools = informer(Pool.class, context, cacheLookup);
        members = informer(Member.class, context, cacheLookup);
        monitors = informer(HealthMonitor.class, context, cacheLookup);
        l7Policies = informer(L7Policy.class, context, cacheLookup);
        l7Rules = informer(L7Rule.class, context, cacheLookup);
        classes = classInformer(context);
        secretLookup = cacheLookup;
        secrets = secretInformer(context);
        List<EventSource<?, LoadBalancer>> sources = new ArrayList<>(List.of(listeners, pools, members, monitors,
                l7Policies, l7Rules, classes, secrets, amphoraReports));
        sources.addAll(memberSelectors.eventSources(context, pools, cacheLookup));
        sources.addAll(driver.eventSources(context));
        return sources;
    }

    /**
     * The cluster's LoadBalancerClasses. A change of one concerns the load balancers naming it and,
     * since any class may become or stop being the default, those naming none.
     */
    private static InformerEventSource<LoadBalancerClass, LoadBalancer> classInformer(
            EventSourceContext<LoadBalancer> context) {
        var configuration = InformerEventSourceConfiguration.from(LoadBalancerClass.class, LoadBalancer.class)
                .withName("loadbalancerclasses")
                .withSecondaryToPrimaryMapper(lbClass -> context.getPrimaryCache().list()
                        .filter(lb -> lb.getSpec().getClassName() == null
                                || lb.getSpec().getClassName().equals(lbClass.getMetadata().getName()))
                        .map(ResourceID::fromResource)
                        .collect(Collectors.toSet()))
                .build();
        return new InformerEventSource<>(configuration, context);
    }

    /**
     * Secrets, whose changes concern the load balancers whose TERMINATED_HTTPS listeners name them:
     * a renewed certificate is served to new handshakes as soon as it is written. The informer keeps
     * their metadata only ({@link MetadataOnlySecrets}); the data of the Secrets a listener names is
     * read when their version changes.
     */
    private InformerEventSource<Secret, LoadBalancer> secretInformer(EventSourceContext<LoadBalancer> context) {
        var configuration = InformerEventSourceConfiguration.from(Secret.class, LoadBalancer.class)
                .withName("secrets")
                .withItemStore(new MetadataOnlySecrets())
                .withSecondaryToPrimaryMapper(secret -> {
                    String namespace = secret.getMetadata().getNamespace();
                    String name = secret.getMetadata().getName();
                    Stream<HasMetadata> naming = Stream.concat(
                            listeners.list(namespace, listener -> TlsSecrets.referencedBy(listener).contains(name)),
                            pools.list(namespace, pool -> TlsSecrets.referencedBy(pool).contains(name)));
                    return naming.map(child -> ParentChain.loadBalancerNameOf(child, secretLookup))
                            .flatMap(Optional::stream)
                            .map(lb -> new ResourceID(lb, namespace))
                            .collect(Collectors.toSet());
                })
                .build();
        return new InformerEventSource<>(configuration, context);
    }

    /**
     * The Secrets the tree's listeners and pools name, with their data: read from the API server when the
     * informer has a version of one that this load balancer has not read yet, else as read before.
     */
    private TlsSecrets tlsSecrets(LoadBalancerTree tree, String namespace) {
        Map<String, Secret> known = secretData.getOrDefault(tree.loadBalancer().getMetadata().getUid(), Map.of());
        Map<String, Secret> named = new HashMap<>();
        List<String> referenced = Stream.concat(tree.listeners().stream().map(TlsSecrets::referencedBy),
                tree.pools().stream().map(TlsSecrets::referencedBy)).flatMap(List::stream).toList();
        for (String name : referenced) {
            Secret metadata = secrets.get(new ResourceID(name, namespace)).orElse(null);
            if (metadata == null || named.containsKey(name)) {
                continue;
            }
            Secret read = known.get(name);
            if (read == null || !Objects.equals(read.getMetadata().getResourceVersion(),
                    metadata.getMetadata().getResourceVersion())) {
                read = client.secrets().inNamespace(namespace).withName(name).get();
            }
            if (read != null) {
                named.put(name, read);
            }
        }
        // only what the listeners and pools name now is kept
        secretData.put(tree.loadBalancer().getMetadata().getUid(), Map.copyOf(named));
        return new TlsSecrets(named, clock.instant());
    }

    /**
     * An informer on a child kind whose events map to the child's load balancer. Status-only
     * updates are ignored: the statuses of children are written by this reconciler itself.
     */
    private static <R extends CustomResource<?, LbaasStatus>> InformerEventSource<R, LoadBalancer> informer(
            Class<R> type, EventSourceContext<LoadBalancer> context, ParentChain.Lookup lookup) {
        var configuration = InformerEventSourceConfiguration.from(type, LoadBalancer.class)
                .withName(HasMetadata.getPlural(type))
                .withSecondaryToPrimaryMapper(child -> ParentChain.loadBalancerNameOf(child, lookup)
                        .map(name -> Set.of(new ResourceID(name, child.getMetadata().getNamespace())))
                        .orElse(Set.of()))
                .withOnUpdateFilter((newer, older) -> !Objects.equals(newer.getMetadata().getGeneration(),
                        older.getMetadata().getGeneration())
                        || !Objects.equals(newer.getMetadata().getDeletionTimestamp(),
                                older.getMetadata().getDeletionTimestamp()))
                .build();
        return new InformerEventSource<>(configuration, context);
    }

    @Override
    public UpdateControl<LoadBalancer> reconcile(LoadBalancer lb, Context<LoadBalancer> context) {
        String namespace = lb.getMetadata().getNamespace();
        LoadBalancerTree tree = LoadBalancerTree.select(lb,
                listeners.list(namespace, x -> true).toList(), pools.list(namespace, x -> true).toList(),
                members.list(namespace, x -> true).toList(), monitors.list(namespace, x -> true).toList(),
                l7Policies.list(namespace, x -> true).toList(), l7Rules.list(namespace, x -> true).toList())
                .withClass(ClassChoice.of(lb, classes.list().toList(), driver.topologies(), driverName))
                .withReservedPorts(driver.reservedPorts());
        tree = tree.withSecrets(tlsSecrets(tree, namespace));
        ensureOwnerReferences(tree);

        GenerationLedger ledger = ledgers.computeIfAbsent(lb.getMetadata().getUid(), k -> new GenerationLedger());
        // A load balancer that is not accepted gets no VIP and no amphora: nothing of it is served.
        String vip = ConfigRenderer.accepted(tree) ? vipAddress(lb, tree, context) : null;
        Map<String, Verdict> selections = memberSelectors.sync(tree);
        RenderedConfig rendered = ConfigRenderer.render(tree, vip == null ? null : driver.listenAddress(vip), 1,
                ledger.last()).withFindings(selections);
        Programming programming;
        String failoverRequest = lb.getStatus() == null ? null : lb.getStatus().getFailoverRequest();
        if (rendered.config() == null) {
            programming = new Programming(0, Map.of(), List.of());
        } else {
            long persisted = lb.getStatus() == null ? 0
                    : Objects.requireNonNullElse(lb.getStatus().getConfigGeneration(), 0L);
            Topology topology = tree.classChoice().topology();
            LoadBalancerClass lbClass = tree.classChoice().loadBalancerClass();
            List<AmphoraEndpoint> endpoints = driver.ensureAmphorae(lb, lbClass, topology, vip, rendered.config());
            PairPlan pair = topology == Topology.ACTIVE_STANDBY ? PairPlan.of(endpoints, failoverTimers(lbClass),
                    driver.certificateAuthority().derivedSecret("failover-key/" + lb.getMetadata().getUid()))
                    : PairPlan.NONE;
            AmphoraConfig desired = ledger.number(rendered.config(), pair, persisted,
                    Stream.concat(Stream.of(lb), tree.children()));
            ResourceID id = ResourceID.fromResource(lb);
            List<AmphoraSession> sessions = agents.fleet().sync(lb.getMetadata().getUid(), endpoints,
                    () -> amphoraReports.trigger(id));
            // A pair's amphorae are configured once both have an address for their adverts.
            if (topology != Topology.ACTIVE_STANDBY || pair.paired()) {
                for (int i = 0; i < sessions.size(); i++) {
                    sessions.get(i).desire(pair.configFor(i, desired));
                }
            }
            List<AmphoraView> views = agents.fleet().views(sessions);
            programming = new Programming(desired.generation(), ledger.introducedIn(), views,
                    driver.vipReady(lb, desired));
            failoverRequest = failoverRequests.handle(lb, topology, (i, timeout) -> sessions.get(i).failover(timeout),
                    views, desired.generation(), failoverTimers(lbClass), () -> amphoraReports.trigger(id));
        }
        StatusComputer.Result result = StatusComputer.compute(tree, rendered, programming, clock.instant());
        result.loadBalancer().setVipAddress(vip);
        result.loadBalancer().setFailoverRequest(failoverRequest);
        List<VipPort> vipPorts = vip == null ? List.of() : driver.vipPorts(lb);
        result.loadBalancer().setVipPorts(vipPorts.isEmpty() ? null : vipPorts);
        writeChildStatuses(tree, result.children());
        result.events().forEach(e -> events.record(e.object(), e.warning(), e.reason(), e.message()));
        pairRoles.changes(lb, tree.classChoice().topology(), result.loadBalancer().getAmphorae())
                .forEach(e -> events.record(e.object(), e.warning(), e.reason(), e.message()));

        if (!Objects.equals(lb.getStatus(), result.loadBalancer())) {
            return UpdateControl.patchStatus(statusPatch(lb, result.loadBalancer()))
                    .rescheduleAfter(config.statsRefresh());
        }
        return UpdateControl.<LoadBalancer>noUpdate().rescheduleAfter(config.statsRefresh());
    }

    @Override
    public DeleteControl cleanup(LoadBalancer lb, Context<LoadBalancer> context) {
        String uid = lb.getMetadata().getUid();
        agents.fleet().remove(uid);
        driver.deleteAmphorae(lb);
        ledgers.remove(uid);
        secretData.remove(uid);
        failoverRequests.forget(uid);
        pairRoles.forget(uid);
        LOG.infof("load balancer %s/%s deleted; its amphorae are stopped", lb.getMetadata().getNamespace(),
                lb.getMetadata().getName());
        return DeleteControl.defaultDelete();
    }

    /** The class's failover timers; null (the defaults) without a class or without timers in it. */
    private static FailoverTimers failoverTimers(LoadBalancerClass lbClass) {
        return lbClass == null || lbClass.getSpec() == null ? null : lbClass.getSpec().getFailover();
    }

    private String vipAddress(LoadBalancer lb, LoadBalancerTree tree, Context<LoadBalancer> context) {
        String wanted = lb.getStatus() != null && lb.getStatus().getVipAddress() != null
                ? lb.getStatus().getVipAddress() : lb.getSpec().getVipAddress();
        Set<String> inUse = context.getPrimaryCache().list()
                .filter(other -> !other.getMetadata().getUid().equals(lb.getMetadata().getUid()))
                .map(LoadBalancer::getStatus).filter(Objects::nonNull)
                .map(LoadBalancerStatus::getVipAddress).filter(Objects::nonNull)
                .collect(Collectors.toSet());
        return driver.ensureVip(lb, tree.classChoice().loadBalancerClass(), tree.classChoice().topology(), wanted,
                inUse);
    }

    /**
     * Children are owned by their parent so that deleting a load balancer deletes its tree
     * (Octavia's cascade delete) through Kubernetes garbage collection.
     */
    private void ensureOwnerReferences(LoadBalancerTree tree) {
        Map<String, Pool> poolsByName = tree.pools().stream()
                .collect(Collectors.toMap(p -> p.getMetadata().getName(), p -> p));
        tree.listeners().forEach(listener -> ensureOwner(listener, tree.loadBalancer()));
        tree.pools().forEach(pool -> ensureOwner(pool, tree.loadBalancer()));
        tree.members().forEach(member -> ensureOwner(member, poolsByName.get(member.getSpec().getPoolRef())));
        tree.healthMonitors().forEach(monitor -> ensureOwner(monitor, poolsByName.get(monitor.getSpec().getPoolRef())));
        Map<String, Listener> listenersByName = tree.listeners().stream()
                .collect(Collectors.toMap(l -> l.getMetadata().getName(), l -> l));
        tree.l7Policies().forEach(policy -> ensureOwner(policy, listenersByName.get(policy.getSpec().getListenerRef())));
        Map<String, L7Policy> policiesByName = tree.l7Policies().stream()
                .collect(Collectors.toMap(p -> p.getMetadata().getName(), p -> p));
        tree.l7Rules().forEach(rule -> ensureOwner(rule, policiesByName.get(rule.getSpec().getL7PolicyRef())));
    }

    /** The reference that makes an object of the tree a child of {@code owner}, for garbage collection. */
    static OwnerReference ownedBy(HasMetadata owner) {
        return new OwnerReferenceBuilder()
                .withApiVersion(owner.getApiVersion())
                .withKind(owner.getKind())
                .withName(owner.getMetadata().getName())
                .withUid(owner.getMetadata().getUid())
                .build();
    }

    private void ensureOwner(HasMetadata child, HasMetadata owner) {
        String ownerUid = owner.getMetadata().getUid();
        if (child.getMetadata().getOwnerReferences().stream().anyMatch(ref -> ownerUid.equals(ref.getUid()))) {
            return;
        }
        OwnerReference reference = ownedBy(owner);
        try {
            client.resource(child).edit(current -> {
                current.getMetadata().getOwnerReferences().add(reference);
                return current;
            });
        } catch (KubernetesClientException e) {
            // Deleted meanwhile, or changed: the next reconcile sees the new state and tries again.
            LOG.debugf("could not set the owner of %s %s: %s", child.getKind(), child.getMetadata().getName(),
                    e.getMessage());
        }
    }

    @Override
    public ErrorStatusUpdateControl<LoadBalancer> updateErrorStatus(LoadBalancer lb, Context<LoadBalancer> context,
            Exception e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            // the framework wraps what the reconcile threw
            cause = cause.getCause();
        }
        if (cause instanceof KubernetesClientException conflict && conflict.getCode() == 409) {
            // Another writer was first: routine, and the retry reads the newer object. Nothing to tell.
            return ErrorStatusUpdateControl.noStatusUpdate();
        }
        String message = "the operator could not reconcile this load balancer and retries with backoff: "
                + Objects.requireNonNullElse(cause.getMessage(), cause.getClass().getName());
        LOG.errorf(e, "reconciling load balancer %s/%s failed", lb.getMetadata().getNamespace(),
                lb.getMetadata().getName());
        LoadBalancerStatus status = Objects.requireNonNullElseGet(lb.getStatus(), LoadBalancerStatus::new);
        List<Condition> before = status.getConditions();
        boolean alreadySaid = before.stream().anyMatch(c -> Conditions.READY.equals(c.getType())
                && RECONCILE_FAILED.equals(c.getReason()) && message.equals(c.getMessage()));
        if (!alreadySaid) {
            events.record(lb, true, RECONCILE_FAILED, message);
        }
        List<Condition> conditions = new ArrayList<>(before.stream()
                .filter(c -> !Conditions.READY.equals(c.getType())).toList());
        conditions.add(Conditions.condition(before, Conditions.READY, false, RECONCILE_FAILED, message,
                lb.getMetadata().getGeneration(), clock.instant()));
        status.setConditions(conditions);
        return ErrorStatusUpdateControl.patchStatus(statusPatch(lb, status));
    }

    /**
     * A status patch by name, without the resourceVersion: the status is the operator's alone, so
     * an edit of the spec made meanwhile must not make it fail (409) and be retried.
     */
    private static LoadBalancer statusPatch(LoadBalancer lb, LoadBalancerStatus status) {
        LoadBalancer patch = new LoadBalancer();
        patch.setMetadata(new ObjectMetaBuilder().withName(lb.getMetadata().getName())
                .withNamespace(lb.getMetadata().getNamespace()).build());
        patch.setStatus(status);
        return patch;
    }

    /**
     * Writes every child's status; one that cannot be written does not keep the others from being
     * written, and fails the reconcile afterwards so that it is retried.
     */
    private void writeChildStatuses(LoadBalancerTree tree, Map<String, LbaasStatus> statuses) {
        List<String> failures = new ArrayList<>();
        tree.children().forEach(child -> {
            try {
                StatusWriter.write(client, (CustomResource<?, LbaasStatus>) child,
                        statuses.get(child.getMetadata().getUid()));
            } catch (KubernetesClientException e) {
                failures.add("the status of " + child.getKind() + " " + child.getMetadata().getName()
                        + " could not be written (" + e.getCode() + " " + Objects.requireNonNullElse(
                        e.getStatus() == null ? null : e.getStatus().getMessage(), e.getMessage()) + ")");
            }
        });
        if (!failures.isEmpty()) {
            throw new IllegalStateException(String.join("; ", failures));
        }
    }
}
