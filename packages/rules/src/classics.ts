import type { Automation, Trigger } from './rule-model';

/**
 * Ready-made rules from the help desks in our field.
 *
 * @example
 * defineRules({ automations: [classics.autoCloseSolved({ days: 4 })], triggers: [classics.escalateOnBreach()] });
 */
export const classics = {
  /** Odoo's auto-close: solved tickets (only in these statuses, if given) close after N days without a reply. */
  autoCloseSolved({
    days,
    statuses,
    closeTo = 'closed',
    id = 'auto-close-solved',
  }: {
    days: number;
    statuses?: string[];
    closeTo?: string;
    /** To use it twice (say, per ticket type) under different ids. */
    id?: string;
  }): Automation {
    return {
      id,
      when: {
        all: [
          { field: 'category', op: 'is', value: 'solved' },
          ...(statuses ? [{ field: 'status', op: 'in' as const, value: statuses }] : []),
          { hoursSince: 'solved', gte: days * 24 },
        ],
      },
      then: [{ type: 'setStatus', status: closeTo }],
    };
  },
  /** A note (and a reply to the customer, if a template is given) when a ticket has waited on the customer too long. */
  pendingReminder({
    hours,
    note,
    reply,
    id = 'pending-reminder',
  }: {
    hours: number;
    note: string;
    reply?: string;
    id?: string;
  }): Automation {
    return {
      id,
      when: {
        all: [
          { field: 'category', op: 'is', value: 'pending' },
          { hoursSince: 'statusChanged', gte: hours },
        ],
      },
      then: [
        { type: 'note', template: note },
        ...(reply ? [{ type: 'reply' as const, template: reply }] : []),
      ],
    };
  },
  /** Escalation when an SLA is breached: raise the priority, tag it, and hand it to a team if given. */
  escalateOnBreach({ team, id = 'escalate-on-breach' }: { team?: string; id?: string } = {}): Trigger {
    return {
      id,
      on: ['SlaBreached'],
      then: [
        { type: 'setPriority', priority: 'urgent' },
        { type: 'addTags', tags: ['escalated'] },
        ...(team ? [{ type: 'assign' as const, team }] : []),
      ],
    };
  },
};
