import { createHelpdesk } from '@tessera/core';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { emailChannel } from './channel';

const ADMIN = { kind: 'admin', id: 'admin' } as const;

const mail = (n: number, replyTo?: number) =>
  [
    'From: ann@example.org',
    'To: support@example.com',
    `Subject: ${replyTo === undefined ? `Question ${n}` : 'Re: Question 0'}`,
    `Message-ID: <m${n}@example.org>`,
    ...(replyTo === undefined ? [] : [`In-Reply-To: <m${replyTo}@example.org>`]),
    '',
    `Text ${n}`,
    '',
  ].join('\r\n');

it('each Message-ID is filed once, whatever the order, repetition and concurrency of deliveries', async () => {
  await fc.assert(
    fc.asyncProperty(
      // Mail 0 opens a ticket; mails 1–3 reply to it; each is delivered 1–3 times, in batches.
      fc.array(fc.constantFrom(1, 2, 3), { maxLength: 9 }),
      fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 4 }),
      async (repeats, batchSizes) => {
        const channel = emailChannel({
          address: 'support@example.com',
          secret: 'prop-secret',
          autoReply: false,
          transport: { send: async (m) => ({ accepted: m.to, rejected: [] }) },
        });
        const desk = createHelpdesk({ extensions: [channel] });
        await channel.ingest(mail(0));
        const deliveries = [mail(0), ...repeats.map((n) => mail(n, 0)), ...repeats.map((n) => mail(n, 0))];
        let i = 0;
        for (let b = 0; i < deliveries.length && b < 100; b++) {
          const size = batchSizes[b % batchSizes.length]!;
          await Promise.all(deliveries.slice(i, i + size).map((raw) => channel.ingest(raw)));
          i += size;
        }
        const tickets = (await desk.query({}, { actor: ADMIN })).items;
        expect(tickets).toHaveLength(1);
        const ticket = await desk.get(tickets[0]!.id, { actor: ADMIN });
        const ids = ticket.messages.map((m) => m.email?.messageId);
        expect(ids).toEqual([...new Set(ids)]);
        expect(new Set(ids)).toEqual(
          new Set(['<m0@example.org>', ...repeats.map((n) => `<m${n}@example.org>`)]),
        );
      },
    ),
    { numRuns: 40 },
  );
});
