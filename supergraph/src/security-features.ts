/** The features whose directives Meridian enforces itself: in the BFFs on the operation, and in every subgraph again. */
const ENFORCED_ELSEWHERE = /(@link\(url: "https:\/\/specs\.apollo\.dev\/(?:authenticated|requiresScopes)\/v[0-9.]+"[^)]*?), for: SECURITY\)/g;

/**
 * The supergraph as `@apollo/gateway` loads it. The gateway refuses a
 * supergraph that links a `for: SECURITY` feature it does not implement, and
 * it implements neither `@authenticated` nor `@requiresScopes` (the Router's).
 * Meridian enforces both itself — each BFF on the whole operation before it is
 * planned, each subgraph on its own fields — so the gateway gets the same SDL
 * with those two links' purpose dropped: it plans exactly as before, serves the
 * same API schema and leaves the directives alone. Any other SECURITY feature
 * still makes it refuse.
 */
export function supergraphForGateway(supergraphSdl: string): string {
  return supergraphSdl.replace(ENFORCED_ELSEWHERE, '$1)');
}
