import { ROUTER_SUPPORTED_SUPERGRAPH_FEATURES, Supergraph } from '@apollo/federation-internals';
import { printSchema } from 'graphql';
import { loadSupergraphSdl, supergraphForGateway } from '../src';

// @apollo/gateway refuses a supergraph linking SECURITY features it does not implement;
// Meridian enforces @authenticated and @requiresScopes in the BFFs and the subgraphs, and
// hands the gateway the same supergraph with only those two links' purpose dropped.

describe('supergraphForGateway', () => {
  const sdl = loadSupergraphSdl();

  it('loads in the gateway’s own checks, serving exactly the API schema the Router would', () => {
    expect(sdl).toMatch(/@link\(url: "https:\/\/specs\.apollo\.dev\/requiresScopes\/v0\.1", for: SECURITY\)/);
    expect(() => Supergraph.build(sdl)).toThrow(/is for: SECURITY but is unsupported/);
    const forGateway = supergraphForGateway(sdl);
    // Left for SECURITY is only what the gateway implements itself: @inaccessible (kept out of the API schema).
    expect(forGateway.match(/@link\(url: "[^"]+", for: SECURITY\)/g)).toEqual(['@link(url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY)']);
    expect(() => Supergraph.build(forGateway)).not.toThrow();
    // The directives themselves stay where composition put them.
    expect(forGateway.match(/@requiresScopes\(/g)?.length).toBe(sdl.match(/@requiresScopes\(/g)?.length);
    const api = (text: string, features?: Set<string>) => printSchema(Supergraph.build(text, features ? { supportedFeatures: features } : {}).apiSchema().toGraphQLJSSchema());
    expect(api(forGateway)).toBe(api(sdl, ROUTER_SUPPORTED_SUPERGRAPH_FEATURES));
  });

  it('leaves any other SECURITY feature in place, so the gateway still refuses what nobody enforces', () => {
    const withPolicy = sdl.replace(
      '@link(url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY)',
      '@link(url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY)\n  @link(url: "https://specs.apollo.dev/policy/v0.1", for: SECURITY)',
    );
    expect(supergraphForGateway(withPolicy)).toMatch(/policy\/v0\.1", for: SECURITY/);
  });
});
