import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ThreadInput, threadMessages } from './thread';

/**
 * Random mailboxes: unique Message-IDs (RFC 5256 itself lets the first of two equal Message-IDs
 * win, so duplicates are order-dependent by definition), references to earlier, later and missing
 * messages (cycles included), repeated dates, and subjects that collide after normalisation.
 */
const mailbox = fc.integer({ min: 0, max: 12 }).chain((n) =>
  fc
    .tuple(
      ...Array.from({ length: n }, (_, i) =>
        fc
          .record({
            refs: fc.array(fc.integer({ min: 0, max: n + 2 }), { maxLength: 4 }),
            irt: fc.option(fc.integer({ min: 0, max: n + 2 })),
            subject: fc.constantFrom('Plan', 'Re: Plan', 'AW: plan', 'Other', 'Re: Other', '', '[x] Plan'),
            minute: fc.integer({ min: 0, max: 5 }),
            hasId: fc.boolean(),
          })
          .map(
            (r): ThreadInput => ({
              id: `m${i}`,
              messageId: r.hasId || i % 3 ? `<m${i}@x>` : null,
              references: r.refs.map((k) => `<m${k}@x>`),
              inReplyTo: r.irt === null ? null : `<m${r.irt}@x>`,
              subject: r.subject,
              date: new Date(Date.UTC(2026, 0, 1, 9, r.minute)).toISOString(),
            }),
          ),
      ),
    )
    .map((mails) => mails as ThreadInput[]),
);

describe('threadMessages (properties)', () => {
  it('does not depend on arrival order', () => {
    fc.assert(
      fc.property(
        mailbox.chain((mails) =>
          fc.tuple(fc.constant(mails), fc.shuffledSubarray(mails, { minLength: mails.length })),
        ),
        ([mails, shuffled]) => {
          expect(threadMessages(shuffled)).toEqual(threadMessages(mails));
          expect(threadMessages(shuffled, { subjectMerge: false })).toEqual(
            threadMessages(mails, { subjectMerge: false }),
          );
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('puts every message in exactly one thread', () => {
    fc.assert(
      fc.property(mailbox, (mails) => {
        const ids = threadMessages(mails).flatMap((t) => t.messages);
        expect(ids.sort()).toEqual(mails.map((m) => m.id!).sort());
      }),
      { numRuns: 500 },
    );
  });
});
