/**
 * The {@code lbaas.dev/v1alpha1} API: Octavia's load balancer objects as Kubernetes custom resources.
 *
 * <p>These classes are the source of truth; the CRD YAML (schemas, CEL rules, printer columns) is
 * generated from them at build time. Field names follow Kubernetes conventions; {@code
 * docs/octavia-mapping.md} maps each to its Octavia name. Children name their parent in the same
 * namespace ({@code loadBalancerRef}, {@code listenerRef}, {@code poolRef}) and may be created before
 * it.
 */
package dev.lbaas.api.v1alpha1;
