/**
 * Layer 7 routing with Octavia's semantics: a listener's policies, in position order, each with
 * the rules a request must all match; the first policy that matches decides (reject, redirect to a
 * URL or a prefix, or send to another pool), and a request no policy matches goes to the
 * listener's default pool. A policy without rules never matches. Regular expressions are RE2's
 * (matching takes time linear in the input, whatever the pattern), compiled once per
 * configuration generation, so that no pattern a user can admit stalls an event loop.
 */
package dev.lbaas.amphora.l7;
