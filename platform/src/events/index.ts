export * from './event-bus';
export * from './memory-event-bus';
export * from './redis-event-bus';
export * from './open-event-bus';
export * from './outbox-relay';
export * from './event-metrics';
