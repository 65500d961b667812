package dev.lbaas.operator.model;

import dev.lbaas.amphora.config.AmphoraConfig;
import dev.lbaas.amphora.config.HealthMonitorConfig;
import dev.lbaas.amphora.config.L7PolicyConfig;
import dev.lbaas.amphora.config.LbAlgorithm;
import dev.lbaas.amphora.config.ListenerConfig;
import dev.lbaas.amphora.config.ListenerTlsConfig;
import dev.lbaas.amphora.config.ListenerTimeouts;
import dev.lbaas.amphora.config.MemberConfig;
import dev.lbaas.amphora.config.MonitorType;
import dev.lbaas.amphora.config.PoolConfig;
import dev.lbaas.amphora.config.PoolProtocol;
import dev.lbaas.amphora.config.PoolTlsConfig;
import dev.lbaas.amphora.config.SessionPersistenceConfig;
import dev.lbaas.api.v1alpha1.HealthMonitor;
import dev.lbaas.api.v1alpha1.HealthMonitorSpec;
import dev.lbaas.api.v1alpha1.InsertHeader;
import dev.lbaas.api.v1alpha1.Listener;
import dev.lbaas.api.v1alpha1.ListenerSpec;
import dev.lbaas.api.v1alpha1.LoadBalancer;
import dev.lbaas.api.v1alpha1.Member;
import dev.lbaas.api.v1alpha1.Pool;
import dev.lbaas.api.v1alpha1.SessionPersistence;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Turns the object tree of one load balancer into the {@link AmphoraConfig} its amphorae serve,
 * applying Octavia's cross-object rules. Pure: no I/O, the same tree (and the same previous
 * configuration) always gives the same result.
 *
 * <p>Every object gets a verdict, and a problem stays with the object that made it:
 *
 * <ul>
 *   <li>An object whose own spec cannot be served is left out; if the last configuration served an
 *       earlier spec of it, that one keeps being served, so an edit can never take service away.
 *   <li>Where two objects compete for one thing (a port, a pool's monitor, a listener's default
 *       pool, a member's address), the one that already has it in the last configuration keeps it,
 *       then the oldest: a newcomer never displaces an incumbent.
 *   <li>A reference that cannot be used blames the referrer: a listener naming a pool it cannot use
 *       is in error and keeps its previous pool; the pool, which may serve others, is not touched.
 *       A pool whose changed session persistence no longer fits a listener that uses it keeps its
 *       previous persistence and is in error.
 * </ul>
 *
 * <p>Identities on the wire are Kubernetes uids, so a renamed or re-created object is a new object
 * for the amphora.
 */
public final class ConfigRenderer {

    /**
     * Why an object's own spec is not served.
     *
     * @param unresolved it names something that does not exist (yet): it waits rather than being wrong
     */
    private record Refusal(String reason, String message, boolean unresolved) {
        Refusal(String reason, String message) {
            this(reason, message, false);
        }

        /** A Secret's problem, which a missing Secret makes a wait. */
        Refusal(TlsSecrets.Problem problem) {
            this(problem.reason(), problem.getMessage(), problem.unresolved());
        }
    }

    private final LoadBalancerTree tree;
    private final AmphoraConfig previous;
    private final Map<String, Verdict> verdicts = new HashMap<>();

    /** Records of the objects that will be served, by uid, before they are linked to each other. */
    private final Map<String, ListenerConfig> listenerRecords = new LinkedHashMap<>();
    private final Map<String, PoolConfig> poolRecords = new LinkedHashMap<>();
    private final Map<String, MemberConfig> memberRecords = new LinkedHashMap<>();
    private final Map<String, HealthMonitorConfig> monitorRecords = new LinkedHashMap<>();

    /** The links: a listener's default pool, a pool's monitor and members, by uid. */
    private final Map<String, String> defaultPools = new HashMap<>();
    private final Map<String, String> poolMonitors = new HashMap<>();
    private final Map<String, List<String>> poolMembers = new HashMap<>();
    /** Each re-encrypting pool's TLS to its members, read from its Secrets, by uid. */
    private final Map<String, PoolTlsConfig> poolTls = new HashMap<>();
    /** Each TERMINATED_HTTPS listener's TLS, read from its Secrets, by uid. */
    private final Map<String, ListenerTlsConfig> tlsConfigs = new HashMap<>();
    /** Each served listener's L7 policies, by uid. */
    private final Map<String, List<L7PolicyConfig>> l7Policies = new HashMap<>();

    private ConfigRenderer(LoadBalancerTree tree, AmphoraConfig previous) {
        this.tree = tree;
        this.previous = previous;
    }

    /** Renders the tree with nothing served before. */
    public static RenderedConfig render(LoadBalancerTree tree, String vipAddress, long generation) {
        return render(tree, vipAddress, generation, null);
    }

    /**
     * Renders the tree.
     *
     * @param previous the configuration served so far, or null: incumbents keep what they hold, and
     *     an object whose new spec cannot be served keeps its previous one
     * @return the configuration, or a null configuration when the load balancer itself is not
     *     accepted; and a verdict for the load balancer and every child
     */
    public static RenderedConfig render(LoadBalancerTree tree, String vipAddress, long generation,
            AmphoraConfig previous) {
        return new ConfigRenderer(tree, previous).render(vipAddress, generation);
    }

    private RenderedConfig render(String vipAddress, long generation) {
        LoadBalancer lb = tree.loadBalancer();
        Verdict lbVerdict = tree.classChoice().verdict();
        if (!lbVerdict.served()) {
            verdicts.put(uid(lb), lbVerdict);
            Verdict blocked = lbVerdict.accepted()
                    ? Verdict.blockedBy("LoadBalancerNotServed", "load balancer " + name(lb) + " has no amphora yet: "
                            + lbVerdict.message())
                    : Verdict.blockedBy("LoadBalancerNotAccepted", "load balancer " + name(lb)
                            + " is not accepted (see its conditions)");
            tree.children().forEach(child -> verdicts.put(uid(child), blocked));
            return new RenderedConfig(null, verdicts);
        }
        for (Listener listener : tree.listeners()) {
            put(listenerRecords, listener, own(listener, () -> firstOf(notServedYet(listener),
                    reservedByTheAmphora(listener), cidrsBesideTheVip(listener, vipAddress), tlsProblem(listener)),
                    () -> listenerConfig(listener, tlsConfigs.get(uid(listener))), previousListener(uid(listener))));
        }
        for (Pool pool : tree.pools()) {
            put(poolRecords, pool, own(pool, () -> firstOf(notServedYet(pool), tlsProblem(pool)),
                    () -> poolConfig(pool, poolTls.get(uid(pool))), previousPool(uid(pool))));
        }
        for (Member member : tree.members()) {
            put(memberRecords, member, own(member, () -> writtenBesideASelector(member), () -> memberConfig(member),
                    previousMember(uid(member))));
        }
        for (HealthMonitor monitor : tree.healthMonitors()) {
            put(monitorRecords, monitor, own(monitor, () -> notServedYet(monitor), () -> monitorConfig(monitor),
                    previousMonitor(uid(monitor))));
        }
        assignPorts();
        attachMonitors();
        attachMembers();
        for (Listener listener : tree.listeners()) {
            if (listenerRecords.containsKey(uid(listener))) {
                linkDefaultPool(listener);
            }
        }
        l7Policies.putAll(new L7Rendering(tree, previous, verdicts, listenerRecords, poolRecords,
                ConfigRenderer::problemLinking).render());
        return new RenderedConfig(assemble(vipAddress, generation), verdicts);
    }

    // ---- what this release does not serve -------------------------------------------------------

    /**
     * Whether the load balancer itself can be served with its class (then it gets a VIP and
     * amphorae): its class exists and its topology is served.
     */
    public static boolean accepted(LoadBalancerTree tree) {
        return tree.classChoice().verdict().served();
    }

    private static Refusal notServedYet(Listener listener) {
        ListenerSpec spec = listener.getSpec();
        if (!ProtocolRules.SERVED_LISTENER_PROTOCOLS.contains(spec.getProtocol())) {
            return new Refusal("UnsupportedProtocol", "protocol " + spec.getProtocol() + " is not served by this "
                    + "amphora release yet; served: " + ApiSpelling.of(ProtocolRules.SERVED_LISTENER_PROTOCOLS));
        }
        if (spec.getTimeouts() != null && Durations.toMillis(spec.getTimeouts().getTcpInspect(), 0) > 0) {
            return new Refusal("UnsupportedField", "timeouts.tcpInspect: the amphora inspects no TCP content (HTTP "
                    + "listeners read whole request heads, within timeouts.httpRequest); remove it or set it to 0s");
        }
        return null;
    }

    private static Refusal firstOf(Refusal... refusals) {
        for (Refusal refusal : refusals) {
            if (refusal != null) {
                return refusal;
            }
        }
        return null;
    }

    /** A listener on a port the amphora listens on itself (its agent, its probes, its pair): it would take it or fail. */
    /**
     * What keeps a TERMINATED_HTTPS listener's certificates from being served: a Secret that is
     * missing or invalid, a certificate that is expired. Its TLS configuration is kept for the record.
     */
    private Refusal tlsProblem(Listener listener) {
        try {
            tlsConfigs.put(uid(listener), tree.secrets().configFor(listener));
            return null;
        } catch (TlsSecrets.Problem problem) {
            return new Refusal(problem);
        }
    }

    /** What keeps a pool's TLS to its members from being served: a Secret missing or invalid. */
    private Refusal tlsProblem(Pool pool) {
        try {
            poolTls.put(uid(pool), tree.secrets().configFor(pool));
            return null;
        } catch (TlsSecrets.Problem problem) {
            return new Refusal(problem);
        }
    }

    private Refusal reservedByTheAmphora(Listener listener) {
        ListenerSpec spec = listener.getSpec();
        if (spec.getProtocol() == null || spec.getProtocolPort() == null) {
            return null;
        }
        String transport = dev.lbaas.amphora.config.ListenerProtocol.valueOf(spec.getProtocol().name()).transport()
                .toUpperCase();
        String use = tree.reservedPorts().get(spec.getProtocolPort() + "/" + transport);
        return use == null ? null : new Refusal("PortReserved", "protocolPort: " + spec.getProtocolPort() + "/"
                + transport + " is where the amphora itself listens (" + use + "); choose another port");
    }

    /**
     * Octavia's rule that an allowed network must be of the VIP's IP version: a client of the other
     * version never reaches the listener, so such an entry would silently allow no one.
     */
    private static Refusal cidrsBesideTheVip(Listener listener, String vipAddress) {
        List<String> cidrs = Objects.requireNonNullElse(listener.getSpec().getAllowedCidrs(), List.of());
        boolean ipv6Vip = vipAddress != null && vipAddress.contains(":");
        for (int i = 0; i < cidrs.size(); i++) {
            if (vipAddress != null && cidrs.get(i).contains(":") != ipv6Vip) {
                return new Refusal("IncompatibleAllowedCidrs", "allowedCidrs[" + i + "]: " + cidrs.get(i) + " is "
                        + (ipv6Vip ? "IPv4" : "IPv6") + " but the VIP " + vipAddress + " is " + (ipv6Vip ? "IPv6" : "IPv4")
                        + ", so no client could ever match it");
            }
        }
        return null;
    }

    private static Refusal notServedYet(Pool pool) {
        if (!ProtocolRules.SERVED_POOL_PROTOCOLS.contains(pool.getSpec().getProtocol())) {
            return new Refusal("UnsupportedProtocol", "protocol " + pool.getSpec().getProtocol() + " is not served by "
                    + "this amphora release yet; served: " + ApiSpelling.of(ProtocolRules.SERVED_POOL_PROTOCOLS));
        }
        return null;
    }

    /**
     * A member written by hand in a pool whose members come from a Service: the two are not mixed,
     * so that the Service alone says what the pool serves.
     */
    private Refusal writtenBesideASelector(Member member) {
        String poolName = member.getSpec().getPoolRef();
        return tree.pools().stream()
                .filter(pool -> pool.getMetadata().getName().equals(poolName) && pool.getSpec().getMemberSelector() != null)
                .filter(pool -> !poolName.equals(member.getMetadata().getLabels().get(Member.SELECTED_BY)))
                .findFirst()
                .map(pool -> new Refusal("MemberSelectorConflict", "poolRef: pool " + poolName + " takes its members "
                        + "from Service " + pool.getSpec().getMemberSelector().getService() + " (memberSelector); "
                        + "a member written by hand is not served in it"))
                .orElse(null);
    }

    private static Refusal notServedYet(HealthMonitor monitor) {
        if (!ProtocolRules.SERVED_MONITOR_TYPES.contains(monitor.getSpec().getType())) {
            return new Refusal("UnsupportedType", "type " + ApiSpelling.of(monitor.getSpec().getType()) + " is not "
                    + "served by this amphora release yet; served: " + ApiSpelling.of(ProtocolRules.SERVED_MONITOR_TYPES));
        }
        return null;
    }

    // ---- each object's own record ----------------------------------------------------------------

    /**
     * The object's own record, or its previous one when its spec cannot be served, or null. Admission
     * keeps every value the records refuse out of the cluster; should one get through anyway, only
     * this object pays for it.
     */
    private <R> R own(HasMetadata object, Supplier<Refusal> notServedYet, Supplier<R> build, R previousRecord) {
        Refusal refusal;
        try {
            refusal = notServedYet.get();
            if (refusal == null) {
                return build.get();
            }
        } catch (RuntimeException e) {
            refusal = new Refusal("InvalidSpec", "the amphora cannot serve this spec: " + e.getMessage());
        }
        return refuse(object, refusal, previousRecord);
    }

    private <R> R refuse(HasMetadata object, Refusal refusal, R previousRecord) {
        if (refusal.unresolved()) {
            verdicts.put(uid(object), new Verdict(true, false, false, previousRecord == null ? Verdict.Serving.NONE
                    : Verdict.Serving.PREVIOUS, refusal.reason(), refusal.message() + (previousRecord == null ? ""
                    : "; its previous spec keeps being served")));
            return previousRecord;
        }
        if (previousRecord != null) {
            verdicts.put(uid(object), Verdict.rejectedKeepingPrevious(refusal.reason(),
                    refusal.message() + "; its previous spec keeps being served"));
            return previousRecord;
        }
        verdicts.put(uid(object), Verdict.rejected(refusal.reason(), refusal.message()));
        return null;
    }

    /** Refuses an object whose record was taken: its fallback (or nothing) takes the record's place. */
    private <R> R refuseInPlace(Map<String, R> records, HasMetadata object, Refusal refusal, R fallback) {
        R kept = refuse(object, refusal, fallback);
        if (kept == null) {
            records.remove(uid(object));
        } else {
            records.put(uid(object), kept);
        }
        return kept;
    }

    private static <R> void put(Map<String, R> records, HasMetadata object, R record) {
        if (record != null) {
            records.put(uid(object), record);
        }
    }

    private boolean servesPrevious(HasMetadata object) {
        Verdict verdict = verdicts.get(uid(object));
        return verdict != null && verdict.serving() == Verdict.Serving.PREVIOUS;
    }

    // ---- contested things: incumbents first ------------------------------------------------------

    /** The objects in tree order (oldest first), those that {@code incumbent} holds moved to the front. */
    private static <T extends HasMetadata> List<T> incumbentsFirst(List<T> objects, Predicate<T> incumbent) {
        List<T> ordered = new ArrayList<>(objects);
        ordered.sort(Comparator.comparing(object -> !incumbent.test(object)));
        return ordered;
    }

    private void assignPorts() {
        Map<String, String> owners = new HashMap<>();
        List<Listener> ordered = incumbentsFirst(tree.listeners(), listener -> {
            ListenerConfig before = previousListener(uid(listener));
            ListenerConfig now = listenerRecords.get(uid(listener));
            return before != null && now != null && portKey(before).equals(portKey(now));
        });
        for (Listener listener : ordered) {
            ListenerConfig record = listenerRecords.get(uid(listener));
            if (record == null) {
                continue;
            }
            String owner = owners.get(portKey(record));
            if (owner != null) {
                ListenerConfig before = servesPrevious(listener) ? null : previousListener(uid(listener));
                record = refuseInPlace(listenerRecords, listener, new Refusal("PortConflict", "port " + portKey(record)
                        + " is already used by listener " + owner), before != null && !owners.containsKey(portKey(before))
                        ? before : null);
                if (record == null) {
                    continue;
                }
            }
            owners.put(portKey(record), name(listener));
        }
    }

    private static String portKey(ListenerConfig listener) {
        return listener.protocolPort() + "/" + listener.protocol().transport().toUpperCase();
    }

    private void attachMonitors() {
        List<HealthMonitor> ordered = incumbentsFirst(tree.healthMonitors(), monitor -> {
            String poolUid = poolUid(monitor.getSpec().getPoolRef());
            PoolConfig before = previous == null || poolUid == null ? null : previous.pool(poolUid);
            return before != null && before.healthMonitor() != null && before.healthMonitor().id().equals(uid(monitor));
        });
        for (HealthMonitor monitor : ordered) {
            HealthMonitorConfig record = monitorRecords.get(uid(monitor));
            if (record == null) {
                continue;
            }
            Pool pool = pool(monitor.getSpec().getPoolRef());
            if (pool == null || !poolRecords.containsKey(uid(pool))) {
                monitorRecords.remove(uid(monitor));
                verdicts.put(uid(monitor), Verdict.blockedBy("PoolNotAccepted", "pool " + monitor.getSpec().getPoolRef()
                        + " is not accepted (see its conditions)"));
                continue;
            }
            String holder = poolMonitors.get(uid(pool));
            if (holder != null) {
                refuseInPlace(monitorRecords, monitor, new Refusal("MonitorConflict", "pool " + name(pool)
                        + " already has health monitor " + nameOf(tree.healthMonitors(), holder)
                        + "; a pool has one monitor"), null);
                continue;
            }
            HealthMonitorSpec.Type type = HealthMonitorSpec.Type.valueOf(record.type().name());
            if (!ProtocolRules.monitorAllowedFor(pool.getSpec().getProtocol(), type)) {
                HealthMonitorConfig before = previousMonitor(uid(monitor));
                record = refuseInPlace(monitorRecords, monitor, new Refusal("IncompatibleType", "type "
                        + ApiSpelling.of(type) + " cannot check the members of " + pool.getSpec().getProtocol()
                        + " pool " + name(pool) + "; allowed: "
                        + ApiSpelling.of(ProtocolRules.monitorsAllowedFor(pool.getSpec().getProtocol()))),
                        before != null && ProtocolRules.monitorAllowedFor(pool.getSpec().getProtocol(),
                                HealthMonitorSpec.Type.valueOf(before.type().name())) ? before : null);
                if (record == null) {
                    continue;
                }
            }
            poolMonitors.put(uid(pool), uid(monitor));
        }
    }

    private void attachMembers() {
        Map<String, String> addressOwners = new HashMap<>();
        List<Member> ordered = incumbentsFirst(tree.members(), member -> {
            MemberConfig before = previousMember(uid(member));
            MemberConfig now = memberRecords.get(uid(member));
            return before != null && now != null && endpoint(before).equals(endpoint(now));
        });
        for (Member member : ordered) {
            MemberConfig record = memberRecords.get(uid(member));
            if (record == null) {
                continue;
            }
            Pool pool = pool(member.getSpec().getPoolRef());
            if (pool == null || !poolRecords.containsKey(uid(pool))) {
                memberRecords.remove(uid(member));
                verdicts.put(uid(member), Verdict.blockedBy("PoolNotAccepted", "pool " + member.getSpec().getPoolRef()
                        + " is not accepted (see its conditions)"));
                continue;
            }
            String owner = addressOwners.get(uid(pool) + " " + endpoint(record));
            if (owner != null) {
                MemberConfig before = servesPrevious(member) ? null : previousMember(uid(member));
                record = refuseInPlace(memberRecords, member, new Refusal("DuplicateMember", "member " + owner
                        + " of pool " + name(pool) + " already has address " + endpoint(record)
                        + "; a pool has one member per address and port"),
                        before != null && !addressOwners.containsKey(uid(pool) + " " + endpoint(before)) ? before : null);
                if (record == null) {
                    continue;
                }
            }
            addressOwners.put(uid(pool) + " " + endpoint(record), name(member));
            poolMembers.computeIfAbsent(uid(pool), k -> new ArrayList<>()).add(uid(member));
        }
    }

    private static String endpoint(MemberConfig member) {
        return member.address().contains(":") ? "[" + member.address() + "]:" + member.protocolPort()
                : member.address() + ":" + member.protocolPort();
    }

    // ---- a listener's default pool ---------------------------------------------------------------

    /**
     * Links a listener to its default pool: the one its defaultPoolRef names, or else the oldest
     * pool whose listenerRef names it. A link that cannot be made leaves the listener with the pool
     * it had, when that one still fits, and blames whichever object made the reference.
     */
    private void linkDefaultPool(Listener listener) {
        ListenerConfig record = listenerRecords.get(uid(listener));
        ListenerConfig before = previousListener(uid(listener));
        String previousPoolId = before == null ? null : before.defaultPoolId();
        if (servesPrevious(listener)) {
            // The listener's current spec is refused: it keeps its previous pool, if that still fits.
            if (previousPoolId != null && poolRecords.containsKey(previousPoolId)
                    && problemLinking(record, poolRecords.get(previousPoolId)) == null) {
                defaultPools.put(uid(listener), previousPoolId);
            }
            return;
        }
        String named = listener.getSpec().getDefaultPoolRef();
        List<Pool> claimants = incumbentsFirst(tree.pools().stream()
                .filter(p -> name(listener).equals(p.getSpec().getListenerRef())).toList(),
                p -> uid(p).equals(previousPoolId));
        Pool target;
        if (named != null) {
            target = pool(named);
            for (Pool claimant : claimants) {
                if (!claimant.getMetadata().getName().equals(named)) {
                    flag(claimant, "DefaultPoolConflict", "listenerRef: listener " + name(listener) + " takes pool "
                            + named + " as its default pool (its defaultPoolRef), so this pool gets no traffic from it");
                }
            }
            if (target == null) {
                verdicts.put(uid(listener), Verdict.unresolved("PoolNotFound", "defaultPoolRef: Pool " + named
                        + " does not exist in namespace " + listener.getMetadata().getNamespace()
                        + " (or belongs to another load balancer); the listener has no pool meanwhile"));
                return;
            }
        } else if (!claimants.isEmpty()) {
            target = claimants.get(0);
            for (Pool other : claimants.subList(1, claimants.size())) {
                flag(other, "DefaultPoolConflict", "listenerRef: listener " + name(listener) + " already has default "
                        + "pool " + name(target) + ", which named it first, so this pool gets no traffic from it");
            }
        } else {
            return;
        }

        PoolConfig pool = poolRecords.get(uid(target));
        if (pool == null) {
            verdicts.put(uid(listener), Verdict.unresolved("PoolNotAccepted", (named != null ? "defaultPoolRef: " : "")
                    + "pool " + name(target) + " is not accepted (see its conditions); "
                    + fallBack(listener, record, previousPoolId, uid(target))));
            return;
        }
        String problem = problemLinking(record, pool);
        if (problem != null && problem.startsWith("sessionPersistence") && uid(target).equals(previousPoolId)) {
            // The pool, which this listener already used, changed its persistence: the pool keeps its previous one.
            PoolConfig poolBefore = previousPool(uid(target));
            SessionPersistenceConfig persistenceBefore = poolBefore == null ? null : poolBefore.sessionPersistence();
            if (problemLinking(record, pool.withSessionPersistence(persistenceBefore)) == null) {
                poolRecords.put(uid(target), pool.withSessionPersistence(persistenceBefore));
                flagKeepingPrevious(target, "IncompatibleListener", "sessionPersistence: "
                        + pool.sessionPersistence().type() + " needs HTTP listeners, but " + listener.getSpec()
                        .getProtocol() + " listener " + name(listener) + " uses this pool and sees no cookies; the "
                        + "previous sessionPersistence keeps being served");
                defaultPools.put(uid(listener), uid(target));
                return;
            }
        }
        if (problem == null) {
            defaultPools.put(uid(listener), uid(target));
        } else if (named != null) {
            verdicts.put(uid(listener), Verdict.misreferenced("IncompatiblePool", "defaultPoolRef: pool "
                    + name(target) + " cannot serve this listener: " + problem + "; "
                    + fallBack(listener, record, previousPoolId, uid(target))));
        } else {
            flag(target, "IncompatibleListener", "listenerRef: this pool cannot serve listener " + name(listener) + ": "
                    + problem);
            verdicts.put(uid(listener), Verdict.unresolved("PoolNotAccepted", "pool " + name(target)
                    + " names this listener (listenerRef) but cannot serve it (see its conditions); "
                    + fallBack(listener, record, previousPoolId, uid(target))));
        }
    }

    /** Why a listener cannot use a pool (Octavia's protocol table, cookies), or null. */
    private static String problemLinking(ListenerConfig listener, PoolConfig pool) {
        var listenerProtocol = dev.lbaas.api.v1alpha1.ListenerProtocol.valueOf(listener.protocol().name());
        var poolProtocol = dev.lbaas.api.v1alpha1.PoolProtocol.valueOf(pool.protocol().name());
        if (!ProtocolRules.poolAllowedBehind(listenerProtocol, poolProtocol)) {
            return "a " + listenerProtocol + " listener takes " + ApiSpelling.of(
                    ProtocolRules.poolsAllowedBehind(listenerProtocol)).replace(" and ", " or ") + " pools, not "
                    + poolProtocol;
        }
        SessionPersistenceConfig persistence = pool.sessionPersistence();
        if (persistence != null && persistence.type() != SessionPersistenceConfig.Type.SOURCE_IP
                && !listener.protocol().readsHttp()) {
            return "sessionPersistence " + persistence.type() + " needs an HTTP listener: cookies are not seen on a "
                    + listenerProtocol + " listener";
        }
        return null;
    }

    /** Links the listener to its previous pool when that still fits, and says what the listener serves meanwhile. */
    private String fallBack(Listener listener, ListenerConfig record, String previousPoolId, String refusedPoolId) {
        PoolConfig pool = previousPoolId == null || previousPoolId.equals(refusedPoolId) ? null
                : poolRecords.get(previousPoolId);
        if (pool != null && problemLinking(record, pool) == null) {
            defaultPools.put(uid(listener), previousPoolId);
            return "the listener keeps serving its previous pool " + pool.name();
        }
        return "the listener has no pool meanwhile";
    }

    /** Marks a served pool as at fault; it keeps being served. */
    private void flag(Pool pool, String reason, String message) {
        Verdict existing = verdicts.get(uid(pool));
        if (existing == null) {
            verdicts.put(uid(pool), Verdict.misreferenced(reason, message));
        } else if (existing.served()) {
            verdicts.put(uid(pool), new Verdict(existing.accepted(), false, true, existing.serving(),
                    existing.reason(), existing.message() + "; " + message));
        }
    }

    private void flagKeepingPrevious(Pool pool, String reason, String message) {
        Verdict existing = verdicts.get(uid(pool));
        verdicts.put(uid(pool), existing == null ? Verdict.rejectedKeepingPrevious(reason, message)
                : new Verdict(false, existing.resolvedRefs(), true, Verdict.Serving.PREVIOUS, existing.reason(),
                        existing.message() + "; " + message));
    }

    // ---- the whole configuration -----------------------------------------------------------------

    private AmphoraConfig assemble(String vipAddress, long generation) {
        List<PoolConfig> pools = new ArrayList<>();
        for (Map.Entry<String, PoolConfig> entry : poolRecords.entrySet()) {
            List<MemberConfig> members = poolMembers.getOrDefault(entry.getKey(), List.of()).stream()
                    .map(memberRecords::get).toList();
            String monitor = poolMonitors.get(entry.getKey());
            pools.add(entry.getValue().withMembers(members, monitor == null ? null : monitorRecords.get(monitor)));
        }
        List<ListenerConfig> listeners = new ArrayList<>();
        for (Map.Entry<String, ListenerConfig> entry : listenerRecords.entrySet()) {
            listeners.add(entry.getValue().withDefaultPool(defaultPools.get(entry.getKey()))
                    .withL7Policies(l7Policies.get(entry.getKey())));
        }
        LoadBalancer lb = tree.loadBalancer();
        return new AmphoraConfig(generation, uid(lb), vipAddress, !Boolean.FALSE.equals(lb.getSpec().getAdminStateUp()),
                listeners, pools);
    }

    // ---- spec to record --------------------------------------------------------------------------

    private static ListenerConfig listenerConfig(Listener listener, ListenerTlsConfig tls) {
        ListenerSpec spec = listener.getSpec();
        ListenerTimeouts defaults = ListenerTimeouts.DEFAULTS;
        ListenerTimeouts timeouts = spec.getTimeouts() == null ? defaults : new ListenerTimeouts(
                Durations.toMillis(spec.getTimeouts().getClientData(), defaults.clientDataMillis()),
                Durations.toMillis(spec.getTimeouts().getMemberConnect(), defaults.memberConnectMillis()),
                Durations.toMillis(spec.getTimeouts().getMemberData(), defaults.memberDataMillis()),
                Durations.toMillis(spec.getTimeouts().getTcpInspect(), defaults.tcpInspectMillis()),
                Durations.toMillis(spec.getTimeouts().getHttpRequest(), defaults.httpRequestMillis()));
        Set<String> headers = new HashSet<>();
        List<String> insertHeaders = new ArrayList<>();
        for (InsertHeader header : Objects.requireNonNullElse(spec.getInsertHeaders(), List.<InsertHeader>of())) {
            if (headers.add(ApiSpelling.of(header))) {
                insertHeaders.add(ApiSpelling.of(header));
            }
        }
        return new ListenerConfig(uid(listener), name(listener),
                dev.lbaas.amphora.config.ListenerProtocol.valueOf(spec.getProtocol().name()),
                spec.getProtocolPort(), Objects.requireNonNullElse(spec.getConnectionLimit(), -1),
                !Boolean.FALSE.equals(spec.getAdminStateUp()), null, timeouts, spec.getAllowedCidrs(), insertHeaders,
                null, tls, Boolean.TRUE.equals(spec.getH2cPriorKnowledge()));
    }

    private static PoolConfig poolConfig(Pool pool, PoolTlsConfig tls) {
        return new PoolConfig(uid(pool), name(pool), PoolProtocol.valueOf(pool.getSpec().getProtocol().name()),
                LbAlgorithm.valueOf(pool.getSpec().getLbAlgorithm().name()),
                !Boolean.FALSE.equals(pool.getSpec().getAdminStateUp()), List.of(), null,
                persistenceConfig(pool.getSpec().getSessionPersistence()), tls,
                Boolean.TRUE.equals(pool.getSpec().getHttp2()));
    }

    private static SessionPersistenceConfig persistenceConfig(SessionPersistence persistence) {
        if (persistence == null) {
            return null;
        }
        return new SessionPersistenceConfig(SessionPersistenceConfig.Type.valueOf(persistence.getType().name()),
                persistence.getCookieName(),
                persistence.getPersistenceTimeout() == null ? null : persistence.getPersistenceTimeout() * 1000L,
                persistence.getPersistenceGranularity());
    }

    private static MemberConfig memberConfig(Member member) {
        var spec = member.getSpec();
        return new MemberConfig(uid(member), name(member), spec.getAddress(), spec.getProtocolPort(),
                Objects.requireNonNullElse(spec.getWeight(), 1), Boolean.TRUE.equals(spec.getBackup()),
                !Boolean.FALSE.equals(spec.getAdminStateUp()), spec.getMonitorAddress(), spec.getMonitorPort());
    }

    private static HealthMonitorConfig monitorConfig(HealthMonitor monitor) {
        HealthMonitorSpec spec = monitor.getSpec();
        return new HealthMonitorConfig(uid(monitor), MonitorType.valueOf(spec.getType().name()),
                spec.getDelaySeconds() * 1000L, spec.getTimeoutSeconds() * 1000L, spec.getMaxRetries(),
                Objects.requireNonNullElse(spec.getMaxRetriesDown(), 3),
                spec.getHttpMethod() == null ? null : spec.getHttpMethod().name(), spec.getUrlPath(),
                spec.getExpectedCodes(), spec.getHttpVersion(), spec.getDomainName(),
                !Boolean.FALSE.equals(spec.getAdminStateUp()));
    }

    // ---- lookups ---------------------------------------------------------------------------------

    private Pool pool(String name) {
        return tree.pools().stream().filter(p -> name(p).equals(name)).findFirst().orElse(null);
    }

    private String poolUid(String name) {
        Pool pool = pool(name);
        return pool == null ? null : uid(pool);
    }

    private static String nameOf(List<? extends HasMetadata> objects, String uid) {
        return objects.stream().filter(o -> uid(o).equals(uid)).map(ConfigRenderer::name).findFirst().orElse(uid);
    }

    /** The listener's record in the previous configuration, without its pool, or null. */
    private ListenerConfig previousListener(String uid) {
        if (previous == null) {
            return null;
        }
        return previous.listeners().stream().filter(l -> l.id().equals(uid)).findFirst().orElse(null);
    }

    /** The pool's record in the previous configuration, without members and monitor, or null. */
    private PoolConfig previousPool(String uid) {
        PoolConfig pool = previous == null || uid == null ? null : previous.pool(uid);
        return pool == null ? null : pool.withMembers(List.of(), null);
    }

    private MemberConfig previousMember(String uid) {
        if (previous == null) {
            return null;
        }
        return previous.pools().stream().flatMap(p -> p.members().stream()).filter(m -> m.id().equals(uid))
                .findFirst().orElse(null);
    }

    private HealthMonitorConfig previousMonitor(String uid) {
        if (previous == null) {
            return null;
        }
        return previous.pools().stream().map(PoolConfig::healthMonitor).filter(Objects::nonNull)
                .filter(m -> m.id().equals(uid)).findFirst().orElse(null);
    }

    static String uid(HasMetadata object) {
        return object.getMetadata().getUid();
    }

    static String name(HasMetadata object) {
        return object.getMetadata().getName();
    }
}
