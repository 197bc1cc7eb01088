export type { IsAvailable } from './assign';
export { classics } from './classics';
export {
  type Action,
  type Automation,
  type CompiledRule,
  type DefinedRules,
  defineRules,
  type HoursSince,
  type HoursSinceBase,
  type Recipient,
  type RuleCalendar,
  type RulesDefinition,
  type TeamConfig,
  type Trigger,
} from './definition';
export { type AutomationPeriods, type AutomationTrack, automationPeriods, periodsOf } from './episodes';
export { type ExplainOptions, explain, type Verdict } from './explain';
export { expandCanned, type Notification, type RulesOptions, rules } from './extension';
export { firingKey, isArmed, type RulesState, rulesStateOf } from './firing';
export type { SlaSeen } from './sla-view';
export type { ParsedTemplate } from './template';
