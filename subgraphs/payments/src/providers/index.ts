/** The payment-provider port, its request and webhook validation, and the simulated provider. */
export * from './payment-provider';
export * from './provider-requests';
export * from './provider-webhook';
export * from './simulated-provider';
