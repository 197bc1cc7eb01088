export type { IsAvailable } from './assign';
export { classics } from './classics';
export { defineRules } from './definition';
export { type AutomationPeriods, type AutomationTrack, automationPeriods, periodsOf } from './episodes';
export { type ExplainOptions, explain, type Verdict } from './explain';
export { expandCanned, type Notification, type RulesOptions, rules } from './extension';
export { firingKey, isArmed, type RulesState, rulesStateOf } from './firing';
export type {
  Action,
  Automation,
  CompiledRule,
  DefinedRules,
  HoursSince,
  HoursSinceBase,
  Recipient,
  RuleCalendar,
  RulesDefinition,
  TeamConfig,
  Trigger,
} from './rule-model';
export type { SlaSeen } from './sla-view';
export type { ParsedTemplate } from './template';
