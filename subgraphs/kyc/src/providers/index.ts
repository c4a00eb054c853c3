/** The verification-provider port, the simulated provider and Standard Webhooks signing. */
export * from './verification-provider';
export * from './check-request';
export * from './simulated-provider';
