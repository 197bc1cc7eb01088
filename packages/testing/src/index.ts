export {
  actorArbitrary,
  type CalendarConfigShape,
  calendarArbitrary,
  commandArbitrary,
  type Period,
  workflowArbitrary,
} from './arbitraries';
export { type RunningScript, runScript } from './child-process';
export { deskSearchCases } from './desk-search';
export { deskSearchProperty } from './desk-search-property';
export { eventStoreConformance, sampleEvent } from './event-store';
export {
  emailMessageIds,
  expectConsistentAfterKill,
  expectWriterLog,
  hearWriter,
  indexedSummary,
  type KilledStoreView,
  type WriterSaid,
} from './fault-check';
export { appendBatch, writeUntilKilled } from './fault-writer';
export { type GivenOptions, given } from './given';
export { expectIntactLog, type IntactLogOptions } from './log-integrity';
export {
  type MailTransportHarness,
  type MailTransportScenario,
  mailTransportConformance,
  type ReceivedMail,
} from './mail-transport';
export { blobStoreConformance, messageIndexConformance } from './message-index';
export { rebuildWithEmail, seedRebuildTickets } from './rebuild';
export { sampleSummary } from './sample-summary';
export type { Factory, Subject } from './subject';
export { ticketIndexConformance } from './ticket-index';
export { expectTickedOnce, seedTicking, type TickingTickets, tickingScenario } from './ticking';
export { runTickingProcess, type TickingProcessIo } from './ticking-process';
export { WAIT_LIMIT_MS, waitFor } from './wait';
