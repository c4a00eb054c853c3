// The payment service's public surface: the one class its callers use and what it takes.
// Preparation, confirmation, refunds, review and the shared steps stay inside this folder.
export { PaymentService } from './payment-service';
export type * from './payment-inputs';
