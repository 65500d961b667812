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
    private final Map<String, Map<String, AmphoraSession>> sessions = new ConcurrentHashMap<>();

    public AmphoraFleet(AgentClient client, ScheduledExecutorService scheduler) {
        this.client = client;
        this.scheduler = scheduler;
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
                    session.close();
                }
                session = new AmphoraSession(endpoint.id(), endpoint.role(), endpoint.location(), endpoint.agent(),
                        client, scheduler, onChange);
            }
            next.put(endpoint.id(), session);
            ordered.add(session);
        }
        current.values().forEach(AmphoraSession::close);
        sessions.put(loadBalancerUid, next);
        return ordered;
    }

    public List<AmphoraView> views(List<AmphoraSession> ofSessions) {
        return ofSessions.stream().map(AmphoraSession::view).toList();
    }

    public synchronized void remove(String loadBalancerUid) {
        Map<String, AmphoraSession> removed = sessions.remove(loadBalancerUid);
        if (removed != null) {
            removed.values().forEach(AmphoraSession::close);
        }
    }
}
