package dev.lbaas.operator.driver;

import dev.lbaas.api.v1alpha1.AmphoraInfo;
import java.net.URI;

/**
 * One amphora as a driver knows it.
 *
 * @param id unique for the life of the amphora: a replacement gets a new id
 * @param role its role in the load balancer as the driver created it: STANDALONE, or in an
 *     ACTIVE_STANDBY pair MASTER for the amphora meant to hold the VIP first and BACKUP for the
 *     other (its priority follows); who holds the VIP now is the amphora's own report
 * @param location where it runs, for people (process id, pod name)
 * @param agent the agent API's address
 * @param adverts where its pair's adverts reach it; null outside a pair, or while not known yet
 */
public record AmphoraEndpoint(String id, AmphoraInfo.Role role, String location, URI agent, Adverts adverts) {

    /** An amphora of a SINGLE load balancer. */
    public AmphoraEndpoint(String id, AmphoraInfo.Role role, String location, URI agent) {
        this(id, role, location, agent, null);
    }

    /** The address and UDP port an amphora of a pair receives its peer's adverts at. */
    public record Adverts(String address, int port) {
    }
}
