// Typed documents of the web dashboard: each carries its text (sent as `query`)
// and the sha256 of its manifest entry.
export * from './__generated__/web/graphql';
