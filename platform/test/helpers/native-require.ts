import nodeModule from 'node:module';

/**
 * `require` through Node's own loader rather than Jest's module registry.
 *
 * PGlite loads its WebAssembly with `import()`, which Jest's VM only runs under
 * `node --experimental-vm-modules` (`npm test` passes it; a bare `npx jest` does not),
 * so a test file that starts PGlite maps the package onto the natively loaded one:
 *
 *   jest.mock('@electric-sql/pglite', () => require('../helpers/native-require').nativeRequire('@electric-sql/pglite'));
 *
 * It is the same package and code, loaded once per worker by Node instead of by Jest.
 */
export function nativeRequire(id: string): unknown {
  // Jest hands test code a subclass of Node's Module whose createRequire stays inside Jest;
  // its parent class is Node's own, with the real createRequire.
  const hostModule = Object.getPrototypeOf(nodeModule.Module) as typeof nodeModule;
  return hostModule.createRequire(__filename)(id);
}
