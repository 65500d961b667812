package dev.lbaas.operator.agent;

import dev.lbaas.operator.driver.AmphoraEndpoint;
import dev.lbaas.operator.status.AmphoraView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;

/** The agent sessions of every load balancer's amphorae, keyed by load balancer uid. */
public final class AmphoraFleet {

    private final AgentClient client;
    private final ScheduledExecutorService scheduler;
    private final AgentIdentities identities;
    private final Map<String, Map<String, AmphoraSession>> sessions = new ConcurrentHashMap<>();

    /**
     * @param identities where the fleet says which amphora to expect at each agent address; the
     *     client's TLS checks against it
     */
    public AmphoraFleet(AgentClient client, ScheduledExecutorService scheduler, AgentIdentities identities) {
        this.client = client;
        this.scheduler = scheduler;
        this.identities = identities;
    }

    /**
     * The sessions for exactly these amphorae of a load balancer: new amphorae get a session (whose
     * changes call {@code onChange}), sessions of amphorae that are gone are closed.
     */
    public synchronized List<AmphoraSession> sync(String loadBalancerUid, List<AmphoraEndpoint> endpoints,
            Runnable onChange) {
        Map<String, AmphoraSession> current = sessions.computeIfAbsent(loadBalancerUid, k -> new HashMap<>());
        Map<String, AmphoraSession> next = new HashMap<>();
        List<AmphoraSession> ordered = new ArrayList<>();
        for (AmphoraEndpoint endpoint : endpoints) {
            AmphoraSession session = current.remove(endpoint.id());
            if (session == null || !session.agent().equals(endpoint.agent())) {
                if (session != null) {
                    close(session);
                }
                identities.expect(endpoint.agent(), endpoint.id());
                session = new AmphoraSession(endpoint.id(), endpoint.role(), endpoint.location(), endpoint.agent(),
                        client, scheduler, onChange);
            }
            next.put(endpoint.id(), session);
            ordered.add(session);
        }
        current.values().forEach(this::close);
        sessions.put(loadBalancerUid, next);
        return ordered;
    }

    public List<AmphoraView> views(List<AmphoraSession> ofSessions) {
        return ofSessions.stream().map(AmphoraSession::view).toList();
    }

    public synchronized void remove(String loadBalancerUid) {
        Map<String, AmphoraSession> removed = sessions.remove(loadBalancerUid);
        if (removed != null) {
            removed.values().forEach(this::close);
        }
    }

    private void close(AmphoraSession session) {
        session.close();
        identities.forget(session.agent(), session.id());
    }
}
