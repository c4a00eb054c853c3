export { loadPaymentsConfig, paymentsConfigSchema, type PaymentsConfig } from './config';
export { createPaymentsServer, paymentsTypeDefs, type PaymentsServer, type PaymentsServerDeps } from './server';
export { createPaymentsDataSource, PAYMENTS_SCHEMA } from './data/data-source';
export { PAYMENTS_STAFF_AUDIT_LOG } from './data/staff-audit';
export { PAYMENTS_EVENTS_TOPIC, PAYMENTS_OUTBOX } from './services/payment-events';
export type { PaymentRecord } from './domain/payment';
export { DEMO_FRIEND, seedDemoPayments, type DemoPaymentParties } from './seed';
export { createSimulatedPaymentProvider, type PaymentProvider, type SimulatedPaymentProvider } from './providers';
export { PAYMENTS_WEBHOOK_PATH } from './providers/open-simulated-provider';
