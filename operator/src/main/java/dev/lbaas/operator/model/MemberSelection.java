package dev.lbaas.operator.model;

import dev.lbaas.api.v1alpha1.MemberSelector;
import dev.lbaas.api.v1alpha1.Pool;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The members a pool's memberSelector selects: the ready endpoints of its Service, at the port
 * the selected Service port leads to on each endpoint. Pure, like the rest of the model.
 *
 * @param members the members, sorted by name; empty when the Service or its port is missing
 * @param problem why none can be selected (the pool's ResolvedRefs), or null
 */
public record MemberSelection(List<Selected> members, Verdict problem) {

    /** One selected member: the name of the Member object that holds it, and what it holds. */
    public record Selected(String name, String address, int port, int weight, boolean backup) {
    }

    /**
     * @param service the selector's Service, or null when it does not exist
     * @param slices the Service's EndpointSlices (label kubernetes.io/service-name)
     */
    public static MemberSelection of(Pool pool, Service service, Collection<EndpointSlice> slices) {
        MemberSelector selector = pool.getSpec().getMemberSelector();
        String poolName = pool.getMetadata().getName();
        if (service == null) {
            return new MemberSelection(List.of(), Verdict.unresolved("ServiceNotFound", "memberSelector.service: "
                    + "Service \"" + selector.getService() + "\" does not exist; the pool has no members until it does"));
        }
        Optional<ServicePort> servicePort = Objects.requireNonNullElse(service.getSpec().getPorts(),
                List.<ServicePort>of()).stream()
                .filter(port -> selector.getPortName() != null ? selector.getPortName().equals(port.getName())
                        : Objects.equals(selector.getPort(), port.getPort()))
                .findFirst();
        if (servicePort.isEmpty()) {
            String wanted = selector.getPortName() != null ? "memberSelector.portName: Service \"" + selector.getService()
                    + "\" has no port named \"" + selector.getPortName() + "\""
                    : "memberSelector.port: Service \"" + selector.getService() + "\" has no port " + selector.getPort();
            return new MemberSelection(List.of(), Verdict.unresolved("ServicePortNotFound", wanted
                    + "; the pool has no members until it does"));
        }
        // An EndpointSlice names its ports as the Service does (an unnamed port: empty or no name).
        String portName = Objects.requireNonNullElse(servicePort.get().getName(), "");
        TreeMap<String, Selected> members = new TreeMap<>();
        for (EndpointSlice slice : slices) {
            Optional<Integer> port = Objects.requireNonNullElse(slice.getPorts(), List.<EndpointPort>of()).stream()
                    .filter(p -> portName.equals(Objects.requireNonNullElse(p.getName(), "")))
                    .map(EndpointPort::getPort).filter(Objects::nonNull).findFirst();
            if (port.isEmpty()) {
                continue;
            }
            for (Endpoint endpoint : Objects.requireNonNullElse(slice.getEndpoints(), List.<Endpoint>of())) {
                // Ready unless said otherwise (the API's rule for an absent condition).
                boolean ready = endpoint.getConditions() == null
                        || !Boolean.FALSE.equals(endpoint.getConditions().getReady());
                if (!ready || endpoint.getAddresses() == null || endpoint.getAddresses().isEmpty()) {
                    continue;
                }
                String address = endpoint.getAddresses().get(0);
                String name = memberName(poolName, address, port.get());
                members.put(name, new Selected(name, address, port.get(),
                        Objects.requireNonNullElse(selector.getWeight(), 1),
                        Boolean.TRUE.equals(selector.getBackup())));
            }
        }
        return new MemberSelection(new ArrayList<>(members.values()), null);
    }

    /**
     * The name of a selected member's object: the pool's and the endpoint's, as a Kubernetes name
     * (an address has no dash, so the dashes that replace its dots and colons keep names apart);
     * a pool name too long for it is cut and the endpoint kept.
     */
    static String memberName(String poolName, String address, int port) {
        String endpoint = "-" + address.toLowerCase().replace(':', '-').replace('.', '-') + "-" + port;
        String head = poolName.length() + endpoint.length() > 253 ? poolName.substring(0, 253 - endpoint.length())
                : poolName;
        return head + endpoint;
    }
}
