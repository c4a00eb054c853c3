// Typed documents of the mobile app: each is only the sha256 of its manifest
// entry, so the app ships no query text; createMeridianClient sends the id.
export * from './__generated__/mobile/graphql';
