export * from './capturing-logger';
export * from './fake-subgraph';
export { createTestServiceKeys, TEST_SERVICES, type TestServiceKeys } from '@meridian/platform/testing';
export * from './test-supergraph';
