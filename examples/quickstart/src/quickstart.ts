import { type Actor, createHelpdesk, type Extension, inMemoryStore } from '@tessera/core';

/**
 * The quickstart's story: a customer writes in, an agent answers, the customer confirms, the
 * ticket is solved and rated. Returns what it printed, so a test can check the story holds.
 */
export async function quickstart(print: (line: string) => void = console.log): Promise<string[]> {
  const lines: string[] = [];
  const say = (line: string) => {
    lines.push(line);
    print(line);
  };
  // A tiny extension: tag every ticket that mentions an outage, within the same `execute`.
  // It issues its command through `execute`, the one way extensions act (docs/extensions.md).
  const outageTagger: Extension = {
    name: 'outage-tagger',
    async react({ ticket, events, execute }) {
      if (events.some((e) => e.type === 'TicketOpened') && /outage|down/i.test(ticket.subject)) {
        await execute({
          command: { type: 'tag', ticketId: ticket.id, tags: ['outage'] },
          ruleId: 'outage-tagger',
        });
      }
    },
  };
  const desk = createHelpdesk({ store: inMemoryStore(), extensions: [outageTagger] });
  const ann: Actor = { kind: 'customer', id: 'ann', email: 'ann@example.com', name: 'Ann' };
  const bob: Actor = { kind: 'agent', id: 'bob', name: 'Bob', teams: ['support'] };

  const { ticket } = await desk.execute(
    {
      type: 'openTicket',
      channel: 'portal',
      requester: ann,
      subject: 'Site is down',
      body: 'Our dashboard shows a 502.',
    },
    { actor: ann },
  );
  say(`#${ticket.number} "${ticket.subject}" opened: ${ticket.status}, tags [${ticket.tags.join(', ')}]`);

  await desk.execute(
    { type: 'assign', ticketId: ticket.id, assignee: 'bob', team: 'support' },
    { actor: bob },
  );
  await desk.execute(
    { type: 'postMessage', ticketId: ticket.id, body: 'Looking into it.', visibility: 'internal' },
    { actor: bob },
  );
  let r = await desk.execute(
    {
      type: 'postMessage',
      ticketId: ticket.id,
      body: 'Fixed a bad deploy. Can you check?',
      visibility: 'public',
    },
    { actor: bob },
  );
  say(`Bob replied: ${r.ticket.status}`);
  r = await desk.execute({ type: 'changeStatus', ticketId: ticket.id, status: 'pending' }, { actor: bob });
  say(`Waiting on Ann: ${r.ticket.status}`);
  r = await desk.execute(
    { type: 'postMessage', ticketId: ticket.id, body: 'Works now, thanks!', visibility: 'public' },
    { actor: ann },
  );
  say(`Ann answered: ${r.ticket.status}`);
  await desk.execute({ type: 'changeStatus', ticketId: ticket.id, status: 'solved' }, { actor: bob });
  await desk.execute({ type: 'rate', ticketId: ticket.id, score: 5, comment: 'Quick!' }, { actor: ann });

  const seenByAnn = await desk.get(ticket.id, { actor: ann });
  const seenByBob = await desk.get(ticket.id, { actor: bob });
  say(
    `Ann sees ${seenByAnn.messages.length} messages, Bob sees ${seenByBob.messages.length} (one is an internal note)`,
  );
  const { events } = await desk.history(ticket.id, { actor: bob });
  say(`The log holds ${events.length} events: ${events.map((e) => e.type).join(', ')}`);
  say(`Rated ${seenByBob.rating?.score}/5; status ${seenByBob.status}`);
  return lines;
}
