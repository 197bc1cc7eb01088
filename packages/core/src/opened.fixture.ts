/**
 * The data of a plain TicketOpened (ticket T1, portal, default workflow, no tags or fields), new
 * for each call, for tests that write a stream by hand. Not part of the package's exports.
 */
export const openedT1 = () => ({
  ticketId: 'T1',
  number: 1,
  subject: 's',
  channel: 'portal',
  requester: { id: 'c' },
  workflowId: 'default',
  status: 'new',
  category: 'new',
  priority: 'normal',
  tags: [],
  fields: {},
});
