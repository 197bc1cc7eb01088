import {
  inMemoryBlobStore,
  inMemoryEventStore,
  inMemoryMessageIndex,
  inMemoryStore,
  inMemoryTicketIndex,
} from '@tessera/core';
import {
  blobStoreConformance,
  deskSearchCases,
  eventStoreConformance,
  messageIndexConformance,
  ticketIndexConformance,
} from './index';

// The in-memory store from core runs every suite, like any adapter.
eventStoreConformance(() => inMemoryEventStore());
ticketIndexConformance(() => inMemoryTicketIndex());
messageIndexConformance(() => inMemoryMessageIndex());
blobStoreConformance(() => inMemoryBlobStore());
deskSearchCases('memory', () => inMemoryStore());
