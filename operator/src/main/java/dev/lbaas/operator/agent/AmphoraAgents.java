package dev.lbaas.operator.agent;

import dev.lbaas.operator.driver.AmphoraDrivers;
import dev.lbaas.operator.pki.CertificateAuthority;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The operator's side of the agent API: a client holding the operator's certificate from the
 * driver's CA, and the sessions with every amphora, whichever driver runs them.
 */
@Singleton
public class AmphoraAgents {

    private final ScheduledExecutorService scheduler;
    private final AmphoraFleet fleet;

    public AmphoraAgents(AmphoraDrivers drivers) {
        CertificateAuthority authority = drivers.selected().certificateAuthority();
        var operatorIdentity = authority.issue("lbaas-operator", List.of(), List.of("lbaas-operator"));
        this.scheduler = Executors.newScheduledThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "amphora-agent");
            thread.setDaemon(true);
            return thread;
        });
        AgentIdentities identities = new AgentIdentities();
        this.fleet = new AmphoraFleet(new AgentClient(authority.sslContext(operatorIdentity, identities::check),
                scheduler), scheduler, identities);
    }

    public AmphoraFleet fleet() {
        return fleet;
    }

    @PreDestroy
    void stop() {
        scheduler.shutdownNow();
    }
}
