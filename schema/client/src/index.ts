export * from './create-meridian-client';
export * from './meridian-error';
export * from './idempotency-key';
export * from './second-factor';
