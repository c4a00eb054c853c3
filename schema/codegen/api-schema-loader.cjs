// Codegen schema loader: the API schema clients see, i.e. the composed supergraph
// without its join/federation machinery (the same derivation the gateway serves).
// Plain CommonJS so `graphql-codegen` can require it without a TypeScript loader.
const fs = require('node:fs');
const path = require('node:path');
const { Supergraph, ROUTER_SUPPORTED_SUPERGRAPH_FEATURES } = require('@apollo/federation-internals');

/** @param {string} pointer path of the supergraph SDL, relative to the codegen cwd */
module.exports = function loadApiSchema(pointer, options) {
  const file = path.resolve(options.cwd ?? process.cwd(), pointer);
  // The Router's feature list: it knows @authenticated and @requiresScopes, which the API schema leaves out anyway.
  const supergraph = Supergraph.build(fs.readFileSync(file, 'utf8'), { supportedFeatures: ROUTER_SUPPORTED_SUPERGRAPH_FEATURES });
  return supergraph.apiSchema().toGraphQLJSSchema();
};
