package dev.lbaas.operator.driver;

import dev.lbaas.api.v1alpha1.AmphoraInfo;
import java.net.URI;

/**
 * One amphora as a driver knows it.
 *
 * @param id unique for the life of the amphora: a replacement gets a new id
 * @param role its role in the load balancer
 * @param location where it runs, for people (process id, pod name)
 * @param agent the agent API's address
 */
public record AmphoraEndpoint(String id, AmphoraInfo.Role role, String location, URI agent) {
}
