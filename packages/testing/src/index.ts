export * from './arbitraries';
export * from './event-store';
export * from './given';
export * from './log-integrity';
export * from './message-index';
export type { Factory, Subject } from './subject';
export * from './ticket-index';
export * from './ticking';
export * from './wait';
