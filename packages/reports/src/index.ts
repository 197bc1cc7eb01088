// The reports module: see docs/reports.md.
export { type AgentRow, computeAgents } from './agents';
export { type CalendarOf, computeReport, type FactRow, type Report, type TargetedOf } from './compute';
export {
  type AgentsSpec,
  type AskedBy,
  type Counts,
  type ReportsExtension,
  type ReportsOptions,
  reports,
} from './extension';
export {
  applyFact,
  emptyFacts,
  FACT_EVENTS,
  type ReportFacts,
  rowFacts,
  type Standing,
  standing,
} from './facts';
export {
  type Csat,
  csat,
  type DurationSamples,
  type Durations,
  durations,
  nearestRank,
  type ReportRow,
  type SlaOutcome,
} from './figures';
export {
  checkSpec,
  GROUPS,
  type GroupBy,
  type Period,
  type ReportSpec,
  type TimeBucket,
  timeBuckets,
} from './periods';
