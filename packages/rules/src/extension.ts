import {
  automationActor,
  type Command,
  type Committed,
  ConfigError,
  checkOptions,
  type Extension,
  type ExtensionContext,
  type IssuedCommand,
  isTesseraError,
  NotFoundError,
  type StoredEvent,
  type Ticket,
} from '@tessera/core';
import { assignmentPicker, type IsAvailable } from './assign';
import { type AutomationPeriods, periodsOf } from './episodes';
import { conditionView, firingKey, isArmed, type RulesState, rulesState, rulesStateOf } from './firing';
import type { Action, CompiledRule, DefinedRules, Recipient } from './rule-model';
import { readsSla, slaMarksOf } from './sla-view';
import { renderTemplate } from './template';
import { deskStatusProblems } from './vocabulary';

/** A notification a rule asked for, as `rules({ deliver })` hands it to your hook (chat, push…). */
export interface Notification {
  ruleId: string;
  ticketId: string;
  to: Recipient;
  /** Addresses or ids, as far as the ticket knows them. */
  recipients: string[];
  text: string;
}

export interface RulesOptions {
  /**
   * Hands notifications to a channel of yours (chat, push…). Each is recorded on the ticket first,
   * as an internal note with `notify` (which the email channel mails to the addresses among the
   * recipients, with retries — no hook needed for email), and handed over once that note is
   * committed. A hook that throws is reported to `onError`; nothing is retried for it.
   */
  deliver?: (notification: Notification) => void | Promise<void>;
  /** Whether an agent takes tickets now (on top of `available` in the team config). */
  isAvailable?: IsAvailable;
  /**
   * Told about actions the ticket refused (e.g. a status move the workflow does not allow) and
   * `deliver` hooks that threw; the rule's other actions still run, and so does the rest of `tick`.
   */
  onError?: (error: unknown, ruleId: string) => void;
}

/**
 * Whether the command that set the triggers off posted an automatic message: one the email channel
 * classified as anything but `human` (auto-reply, bulk, bounce, loop), or one marked `automatic`.
 * The whole batch counts, so a trigger on `TicketOpened` sees the opening message too.
 */
function automatic(events: readonly StoredEvent[]): boolean {
  return events.some((event) => {
    if (event.type !== 'MessagePosted') return false;
    const data = event.data as typeof event.data & { automatic?: boolean };
    const classification = data.email?.classification;
    return data.automatic === true || (classification !== undefined && classification !== 'human');
  });
}

function templateScope(ticket: Ticket, event: StoredEvent | undefined) {
  const publicMessages = ticket.messages.filter((m) => m.visibility === 'public');
  return {
    ticket,
    requester: ticket.requester,
    message: event?.type === 'MessagePosted' ? event.data : publicMessages.at(-1),
    sla: slaMarksOf(ticket),
    event,
  };
}

/**
 * The rules extension: triggers run after each committed command, in order, each at most once per
 * originating command and each seeing the changes of those before it; automations run from `tick`
 * at the instants their time conditions become true, once per true period.
 *
 * @example
 * const defined = defineRules({
 *   triggers: [{ id: 'outage', on: ['TicketOpened'], when: { field: 'subject', op: 'contains', value: 'outage' },
 *                then: [{ type: 'setPriority', priority: 'urgent' }] }],
 *   automations: [classics.autoCloseSolved({ days: 4 })],
 * });
 * const desk = createHelpdesk({ store: inMemoryStore(), extensions: [rules(defined)] });
 * setInterval(() => desk.tick(), 60_000); // automations fire from tick
 */
export function rules(defined: DefinedRules, options: RulesOptions = {}): Extension<RulesState> {
  checkOptions(options, ['deliver', 'isAvailable', 'onError'], 'rules');
  const hooks = (['deliver', 'isAvailable', 'onError'] as const).filter(
    (key) => options[key] !== undefined && typeof options[key] !== 'function',
  );
  if (hooks.length > 0)
    throw new ConfigError(hooks.map((key) => ({ path: `rules.${key}`, message: 'must be a function' })));
  if (!(defined?.templates instanceof Map))
    throw new ConfigError([
      { path: 'rules', message: 'takes the result of defineRules({ triggers, automations… })' },
    ]);
  const pick = assignmentPicker(defined.teams, options.isAvailable);
  // Agents are known by id; a team member's `email` is where a notification reaches them.
  const addresses = new Map<string, string>();
  for (const team of Object.values(defined.teams))
    for (const m of team.members) if (m.email && !addresses.has(m.id)) addresses.set(m.id, m.email);
  const agentAddress = (id: string) => addresses.get(id) ?? id;
  // Conditions on `sla.*` read a view of the ticket's SLA records, built once per evaluation.
  const slaRead = readsSla([...defined.triggers, ...defined.automations]);
  const view = conditionView(slaRead);
  /** The notification each `notify` note stands for, delivered after the note is committed. */
  const notificationOf = new WeakMap<Command, Notification>();
  let context: ExtensionContext | undefined;

  async function commandsFor(
    rule: CompiledRule,
    ticket: Ticket,
    event: StoredEvent | undefined,
    ctx: ExtensionContext,
    /** The originating command posted an automatic message: no reply, no notification. */
    quiet = false,
  ): Promise<Command[]> {
    const out: Command[] = [];
    const ticketId = ticket.id;
    // A template that fails at run time (a partial that does not exist, a render over its limits)
    // skips its action and is reported, like a refused command.
    const render = (template: string): string | undefined => {
      try {
        return renderTemplate(defined.templates.get(template)!, templateScope(ticket, event));
      } catch (error) {
        options.onError?.(error, rule.id);
        return undefined;
      }
    };
    for (const action of rule.then as Action[]) {
      switch (action.type) {
        case 'setStatus':
          out.push({ type: 'changeStatus', ticketId, status: action.status });
          break;
        case 'setPriority':
          out.push({ type: 'setPriority', ticketId, priority: action.priority });
          break;
        case 'setType':
          out.push({ type: 'setType', ticketId, ticketType: action.ticketType });
          break;
        case 'assign': {
          const strategy =
            action.strategy ?? (action.team ? defined.teams[action.team]?.strategy : undefined) ?? 'manual';
          if (action.assignee === undefined && action.team && strategy !== 'manual') {
            const assignee = await pick(action.team, strategy, ctx);
            out.push({
              type: 'assign',
              ticketId,
              team: action.team,
              strategy,
              ...(assignee ? { assignee } : {}),
            });
          } else {
            out.push({
              type: 'assign',
              ticketId,
              strategy: 'manual',
              ...(action.assignee ? { assignee: action.assignee } : {}),
              ...(action.team ? { team: action.team } : {}),
            });
          }
          break;
        }
        case 'unassign':
          out.push({ type: 'unassign', ticketId, ...(action.team ? { team: true } : {}) });
          break;
        case 'addTags':
          out.push({ type: 'tag', ticketId, tags: action.tags });
          break;
        case 'removeTags':
          out.push({ type: 'untag', ticketId, tags: action.tags });
          break;
        case 'setFields':
          out.push({ type: 'setFields', ticketId, fields: action.fields });
          break;
        case 'addFollower':
          out.push({ type: 'addFollower', ticketId, follower: action.follower });
          break;
        case 'reply':
        case 'note': {
          // Never answer an automatic message: that is how auto-replies ping-pong.
          if (action.type === 'reply' && quiet) break;
          const body = render(action.template);
          if (body)
            out.push({
              type: 'postMessage',
              ticketId,
              body,
              visibility: action.type === 'reply' ? 'public' : 'internal',
            });
          break;
        }
        case 'notify': {
          if (quiet) break;
          const text = render(action.template);
          const recipients =
            action.to === 'requester'
              ? [ticket.requester.email ?? ticket.requester.id]
              : action.to === 'assignee'
                ? ticket.assignee
                  ? [agentAddress(ticket.assignee)]
                  : []
                : action.to === 'followers'
                  ? ticket.followers.map((f) => f.email ?? f.id)
                  : action.to === 'team'
                    ? (defined.teams[ticket.team ?? '']?.members ?? []).map((m) => m.email ?? m.id)
                    : [action.address!];
          if (recipients.length === 0 || !text) break;
          const note: Command = {
            type: 'postMessage',
            ticketId,
            body: `Notified ${action.to} (${recipients.join(', ')}): ${text}`,
            visibility: 'internal',
            // The email channel mails it to the addresses among them, from the log, with retries.
            notify: { to: recipients, text },
          };
          // Delivered once the note is in the log (see run and react), never for a note that failed.
          notificationOf.set(note, { ruleId: rule.id, ticketId, to: action.to, recipients, text });
          out.push(note);
          break;
        }
      }
    }
    return out;
  }

  /**
   * A command retried with its idempotency key is answered from the log, and core runs reactions
   * for it again. The triggers that fired the first time are in the log after it, caused by its
   * last event: count them as fired, so a retry never sends a second auto-reply.
   */
  async function alreadyFired(committed: Committed, ctx: ExtensionContext, fired: Set<string>) {
    const last = committed.events.at(-1);
    if (!last || (last as { idempotencyKey?: string }).idempotencyKey === undefined) return;
    if (committed.ticket.version <= last.version) return;
    for (const e of await ctx.history(committed.ticket.id))
      if (e.version > last.version && e.ruleId !== undefined && e.causationId === last.eventId)
        fired.add(e.ruleId);
  }

  const run = async (
    commands: Command[],
    ruleId: string,
    exec: (c: IssuedCommand, index: number) => Promise<{ events: readonly unknown[]; replayed?: true }>,
  ) => {
    for (const [index, command] of commands.entries()) {
      try {
        const result = await exec({ command, ruleId }, index);
        const notification = notificationOf.get(command);
        // Only the process whose append it was delivers: one answered from the log (another
        // process appended the same firing first) did not post the note.
        if (notification && result.events.length > 0 && !result.replayed && options.deliver) {
          // The note is committed; a hook that fails is reported, and fails neither the command
          // that triggered the rule nor the rule's other actions.
          try {
            await options.deliver(notification);
          } catch (error) {
            options.onError?.(error, ruleId);
          }
        }
      } catch (error) {
        // A refused action (say, a move the workflow does not allow) skips that action, not the rest.
        if (isTesseraError(error) && error.code !== 'config' && error.code !== 'adapter')
          options.onError?.(error, ruleId);
        else throw error;
      }
    }
  };

  // A trigger that answers a new ticket in public is the desk's acknowledgement: core refuses a
  // second extension that provides one (the email channel's autoReply), so only one is sent.
  const acknowledges = defined.triggers.some(
    (t) => t.on?.has('TicketOpened') && t.then.some((a) => a.type === 'reply'),
  );

  return {
    name: 'rules',
    // Its firings are a slice of each ticket; it has no events of its own (events carry `ruleId`).
    // Only automations and conditions on SLA need it: triggers alone keep nothing per ticket.
    ...(defined.automations.length > 0 || slaRead ? { state: rulesState(defined, slaRead) } : {}),
    ...(acknowledges ? { provides: ['acknowledgement'] } : {}),
    init(ctx) {
      // Statuses are checked against the desk's own workflows, also when defineRules had none.
      const problems = deskStatusProblems(defined, ctx.workflows);
      if (problems.length > 0) throw new ConfigError(problems);
      context = ctx;
    },
    async react(committed, ctx) {
      // Zendesk's trigger cycle: walk the triggers in order; when one fires, run its actions and start
      // again from the top with the changed ticket. Each trigger fires at most once per originating
      // command, so the cycle ends. Commands the triggers issue do not start cycles of their own.
      const scratch = committed.origin.scratch;
      if (scratch.get('rules:active') === true) return;
      const fired = (scratch.get('rules:fired') as Set<string> | undefined) ?? new Set<string>();
      scratch.set('rules:fired', fired);
      await alreadyFired(committed, ctx, fired);
      // Once the cascade has carried an automatic message, nothing in it answers or notifies.
      const quiet = scratch.get('rules:quiet') === true || automatic(committed.events);
      scratch.set('rules:quiet', quiet);
      scratch.set('rules:active', true);
      try {
        const now = ctx.now();
        const previous = committed.previous;
        for (let pass = 0; pass <= defined.triggers.length; pass++) {
          // The ticket changes only when a trigger fires, and then the pass starts over: the first
          // pass reads the committed ticket (the desk has just read it), each later one reads it
          // again, and the walk over the triggers is synchronous.
          const ticket =
            pass === 0 ? committed.ticket : ((await ctx.load(committed.ticket.id)) ?? committed.ticket);
          const seen = view(ticket);
          const before = previous ? view(previous) : undefined;
          const subjects = committed.events.map((event) => ({
            ticket: seen,
            event,
            now,
            ...(before ? { previous: before } : {}),
          }));
          let firing: { rule: CompiledRule; event: StoredEvent } | undefined;
          for (const rule of defined.triggers) {
            if (fired.has(rule.id)) continue;
            const hit = subjects.find((s) => (!rule.on || rule.on.has(s.event.type)) && rule.test(s));
            if (hit) {
              firing = { rule, event: hit.event };
              break;
            }
          }
          if (!firing) break;
          const { rule, event } = firing;
          fired.add(rule.id);
          await run(await commandsFor(rule, ticket, event, ctx, quiet), rule.id, (c) => committed.execute(c));
        }
      } finally {
        scratch.set('rules:active', false);
      }
    },
    due(ticket) {
      if (defined.automations.length === 0 || ticket.category === 'closed' || ticket.category === 'merged')
        return undefined;
      const now = context?.now();
      const nowMs = now?.getTime() ?? Number.NEGATIVE_INFINITY;
      const seen = view(ticket);
      const state = rulesStateOf(ticket);
      let next: number | undefined;
      const consider = (at: number) => {
        if (next === undefined || at < next) next = at;
      };
      for (const rule of defined.automations) {
        const ran = state.runs[rule.id];
        const armed = isArmed(rule, ticket);
        const firedAt = ran === undefined ? Number.NEGATIVE_INFINITY : Date.parse(ran);
        const holds = now !== undefined && rule.test({ ticket: seen, now });
        // Instants at which a time condition changes, after the rule last fired: a future one is when
        // to look again; a past one is due now if the condition holds (onDue checks it is armed).
        for (const threshold of rule.thresholds) {
          const at = threshold(ticket);
          if (at === undefined || at <= firedAt) continue;
          if (at > nowMs) consider(at);
          else if (holds && armed) consider(nowMs);
        }
        // Due now when it holds and is armed: it never fired, or its condition was false at a change
        // since it did (the slice knows, also of a change in the same millisecond).
        if (holds && armed) consider(nowMs);
      }
      return next === undefined ? undefined : new Date(next);
    },
    async onDue(ticket, now, ctx) {
      const seen = view(ticket);
      let periods: AutomationPeriods | undefined;
      for (const rule of defined.automations) {
        if (!rule.test({ ticket: seen, now }) || !isArmed(rule, ticket)) continue;
        // The key names the firing — rule, ticket, the true period of its condition — worked out
        // from the ticket's history up to the version decided on: another process that decided the
        // same firing on another version finds the same period, and the desk appends it once.
        periods ??= await periodsOf(ctx, defined.automations, slaRead, ticket);
        const episode = periods.episode(rule, ticket, now);
        // Run here rather than returned to tick: an action the ticket refuses (a status its workflow
        // lacks) goes to onError instead of failing this and every later tick.
        await run(await commandsFor(rule, ticket, undefined, ctx), rule.id, (c, index) =>
          ctx.execute(c.command, {
            actor: automationActor,
            ruleId: rule.id,
            idempotencyKey: firingKey(rule.id, ticket.id, episode, index),
          }),
        );
      }
    },
  };
}

/**
 * Expands a canned response (a named template) for a ticket: the text an agent's shortcut inserts.
 * `scope` adds to what templates see (ticket, requester, message, sla), e.g. the agent writing.
 * An unknown shortcut is a `NotFoundError` naming the known ones.
 *
 * @example
 * const defined = defineRules({
 *   templates: {
 *     ack: 'Hi {{ ticket.requester.name }}, we got your request #{{ ticket.number }}.',
 *     signoff: 'Best, {{ agent.name }}, Billing team',
 *   },
 * });
 * expandCanned(defined, 'ack', ticket); // → 'Hi Ann, we got your request #42.'
 * expandCanned(defined, 'signoff', ticket, { agent: { name: 'Maria' } }); // → 'Best, Maria, Billing team'
 */
export function expandCanned(
  defined: DefinedRules,
  shortcut: string,
  ticket: Ticket,
  scope: Record<string, unknown> = {},
): string {
  const template = defined.templates.get(shortcut);
  if (!template)
    throw new NotFoundError(
      `no canned response ${JSON.stringify(shortcut)}; known: ${[...defined.templates.keys()].join(', ') || 'none'}`,
      { details: { shortcut } },
    );
  return renderTemplate(template, { ...templateScope(ticket, undefined), ...scope });
}
