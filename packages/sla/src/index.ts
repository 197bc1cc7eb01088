export {
  type BusinessCalendar,
  businessCalendar,
  type CalendarConfig,
  type Holiday,
  type Period,
  type Weekday,
} from './calendar';
export {
  type BacktestReport,
  backtestSla,
  evaluateSla,
  evaluateTicketSla,
  type SlaEvaluation,
  type SlaMetric,
  type SlaMetricStatus,
} from './evaluate';
export { type SlaOptions, sla } from './extension';
export {
  type RecordSla,
  recordSla,
  SLA_EVENTS,
  type SlaEventData,
  type SlaMark,
  type SlaState,
  slaMarks,
  slaState,
} from './marks';
export {
  type CompiledPolicy,
  definePolicies,
  policyStatusProblems,
  type SlaMetricName,
  type SlaPolicy,
  type SlaTargets,
  type WorkingTimeCalendar,
} from './policy';
