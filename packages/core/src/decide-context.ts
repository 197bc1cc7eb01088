// What a decision is made with. Its own file: the deciders and the events they build read it, and
// decide.ts (which calls them) re-exports it, so none of them imports decide.ts back.
import type { Actor } from './model';
import type { Policy } from './policy';
import type { Limits } from './validate';
import type { WorkflowSet } from './workflow-set';

/** Generates ids; no domain code calls Math.random(). */
export interface IdGenerator {
  next(): string;
}

export interface DecideContext {
  actor: Actor;
  /** ISO time of the decision, from the injected clock. */
  now: string;
  ids: IdGenerator;
  workflows: WorkflowSet;
  policy: Policy;
  limits?: Limits;
  /** For openTicket: the ticket's id and its number, allocated by the service. */
  ticketId?: string;
  number?: number;
  tenantId?: string;
  /**
   * Related tickets (the one a ticket was merged into) the actor may see; an error names only
   * those. Without it, staff are told and customers are not.
   */
  visibleRelated?: ReadonlySet<string>;
}
