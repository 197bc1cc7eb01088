import { expect, it } from 'vitest';
import { quickstart } from './quickstart';

it('tells the quickstart story as the README shows it', async () => {
  const lines = await quickstart(() => {});
  expect(lines).toEqual([
    '#1 "Site is down" opened: new, tags [outage]',
    'Bob replied: open',
    'Waiting on Ann: pending',
    'Ann answered: open',
    'Ann sees 3 messages, Bob sees 4 (one is an internal note)',
    expect.stringMatching(/^The log holds 12 events: TicketOpened, MessagePosted, TagsChanged, Assigned, /),
    'Rated 5/5; status solved',
  ]);
});
