package dev.lbaas.operator.model;

import dev.lbaas.api.v1alpha1.LoadBalancer;
import dev.lbaas.api.v1alpha1.LoadBalancerClass;
import dev.lbaas.api.v1alpha1.Topology;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * The LoadBalancerClass a load balancer gets, the topology that follows, and whether that can be
 * served.
 *
 * @param loadBalancerClass the class in effect, or null for the operator's built-in defaults
 * @param topology the load balancer's own topology, else the class's, else SINGLE
 * @param verdict {@link Verdict#OK}, or why the load balancer cannot be served with it
 */
public record ClassChoice(LoadBalancerClass loadBalancerClass, Topology topology, Verdict verdict) {

    /** No class named and none is the default: the built-in defaults, SINGLE. */
    public static final ClassChoice BUILT_IN = new ClassChoice(null, Topology.SINGLE, Verdict.OK);

    /**
     * As IngressClass and StorageClass do: when several classes claim to be the default, the newest
     * wins, so that adding a new default takes effect without first editing the old one.
     */
    private static final Comparator<LoadBalancerClass> NEWEST_FIRST = Comparator
            .comparing((LoadBalancerClass c) -> Objects.requireNonNullElse(c.getMetadata().getCreationTimestamp(), ""))
            .reversed()
            .thenComparing(c -> c.getMetadata().getName());

    /** Chooses the class of a load balancer among the classes that exist, every topology being served. */
    public static ClassChoice of(LoadBalancer lb, Collection<LoadBalancerClass> classes) {
        return of(lb, classes, EnumSet.allOf(Topology.class), null);
    }

    /**
     * Chooses the class of a load balancer among the classes that exist.
     *
     * @param served the topologies the operator's driver runs
     * @param driver the driver's name, for the message when the topology is not among them
     */
    public static ClassChoice of(LoadBalancer lb, Collection<LoadBalancerClass> classes, Set<Topology> served,
            String driver) {
        String named = lb.getSpec().getClassName();
        LoadBalancerClass chosen;
        if (named != null) {
            chosen = classes.stream().filter(c -> named.equals(c.getMetadata().getName())).findFirst().orElse(null);
            if (chosen == null) {
                return new ClassChoice(null, lb.getSpec().getTopology(), Verdict.blockedBy("ClassNotFound",
                        "className: LoadBalancerClass \"" + named + "\" does not exist; this load balancer gets its "
                                + "VIP and amphorae once it is created"));
            }
        } else {
            chosen = classes.stream().filter(LoadBalancerClass::isDefault).min(NEWEST_FIRST).orElse(null);
        }
        Topology ofClass = chosen == null || chosen.getSpec() == null ? null : chosen.getSpec().getTopology();
        // A running load balancer keeps its topology when its class is edited, as it keeps its
        // class: the class shapes new load balancers, and changing a running one's topology would
        // replace its amphorae without a handover.
        Topology running = lb.getStatus() == null ? null : lb.getStatus().getTopology();
        Topology topology = Objects.requireNonNullElse(lb.getSpec().getTopology(),
                Objects.requireNonNullElse(running, Objects.requireNonNullElse(ofClass, Topology.SINGLE)));
        if (!served.contains(topology)) {
            String from = lb.getSpec().getTopology() != null ? "topology"
                    : "the topology of LoadBalancerClass \"" + chosen.getMetadata().getName() + "\"";
            return new ClassChoice(chosen, topology, Verdict.rejected("UnsupportedField", from + ": " + topology
                    + " is not served by the " + driver + " driver yet, so this load balancer gets no amphora; create "
                    + "it again with topology " + served.stream().map(Topology::name).sorted().findFirst().orElseThrow()));
        }
        return new ClassChoice(chosen, topology, Verdict.OK);
    }

    /** The name of the class in effect, or null for the built-in defaults. */
    public String name() {
        return loadBalancerClass == null ? null : loadBalancerClass.getMetadata().getName();
    }
}
