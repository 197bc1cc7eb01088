import { describe, expect, it } from 'vitest';
import { threadMessages } from './thread';

const at = (min: number) => new Date(Date.UTC(2026, 0, 1, 9, min)).toISOString();

describe('threadMessages', () => {
  it('threads a References chain, oldest first', () => {
    expect(
      threadMessages([
        { id: 'c', messageId: '<c@x>', references: ['<a@x>', '<b@x>'], subject: 'Re: Hi', date: at(10) },
        { id: 'a', messageId: '<a@x>', subject: 'Hi', date: at(0) },
        { id: 'b', messageId: '<b@x>', inReplyTo: '<a@x>', subject: 'Re: Hi', date: at(5) },
      ]),
    ).toEqual([{ root: 'a', messages: ['a', 'b', 'c'] }]);
  });

  it('accepts the References header as one string', () => {
    expect(
      threadMessages([
        { id: 'a', messageId: '<a@x>', subject: 'Hi', date: at(0) },
        { id: 'b', messageId: '<b@x>', references: '<a@x>\r\n <zz@x>', subject: 'other', date: at(1) },
      ]),
    ).toEqual([{ root: 'a', messages: ['a', 'b'] }]);
  });

  it('prunes a missing root but keeps its replies together', () => {
    expect(
      threadMessages([
        { id: 'b', messageId: '<b@x>', inReplyTo: '<gone@x>', subject: 'Re: Hi', date: at(5) },
        { id: 'c', messageId: '<c@x>', inReplyTo: '<gone@x>', subject: 'Re: Hi', date: at(6) },
      ]),
    ).toEqual([{ root: 'b', messages: ['b', 'c'] }]);
  });

  it('does not merge header-backed threads by subject, but does attach a header-less reply', () => {
    const threads = threadMessages([
      { id: 'a', messageId: '<a@x>', subject: 'Topic', date: at(0) },
      { id: 'b', messageId: '<b@x>', subject: 'Topic', date: at(30) },
      { id: 'r', messageId: '<r@x>', subject: 'AW: Topic', date: at(40) },
    ]);
    expect(threads).toEqual([
      { root: 'a', messages: ['a'] },
      { root: 'b', messages: ['b', 'r'] },
    ]);
  });

  it('never creates a loop', () => {
    const threads = threadMessages([
      { id: 'a', messageId: '<a@x>', references: ['<b@x>'], subject: 'x', date: at(0) },
      { id: 'b', messageId: '<b@x>', references: ['<a@x>'], subject: 'y', date: at(1) },
      { id: 'c', messageId: '<c@x>', references: ['<c@x>'], subject: 'z', date: at(2) },
    ]);
    expect(threads.flatMap((t) => t.messages).sort()).toEqual(['a', 'b', 'c']);
  });

  it('gives no threads for no mail', () => {
    expect(threadMessages([])).toEqual([]);
  });
});
