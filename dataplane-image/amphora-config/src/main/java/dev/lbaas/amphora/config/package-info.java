/**
 * The typed contract between the operator and the amphora.
 *
 * <p>The operator renders one {@link dev.lbaas.amphora.config.AmphoraConfig} per load balancer from the
 * custom resources and pushes it whole, by generation, over the agent API ({@link
 * dev.lbaas.amphora.config.AgentApi}). The amphora validates it (the compact constructors of these
 * records reject what cannot be served) and answers with the generation it now serves. Health and
 * traffic statistics flow back as {@link dev.lbaas.amphora.config.AmphoraStatus}.
 *
 * <p>Everything here is immutable data with no Netty and no Kubernetes types, so both sides and
 * their tests can share it.
 */
package dev.lbaas.amphora.config;
