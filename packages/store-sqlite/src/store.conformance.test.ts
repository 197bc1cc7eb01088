import {
  blobStoreConformance,
  eventStoreConformance,
  messageIndexConformance,
  ticketIndexConformance,
} from '@tessera/testing';
import { sqliteStore } from './store';

const fresh =
  <K extends 'events' | 'index' | 'messages' | 'blobs'>(key: K) =>
  () => {
    const store = sqliteStore({ filename: ':memory:' });
    return { subject: store[key], close: () => store.close() };
  };

eventStoreConformance(fresh('events'));
ticketIndexConformance(fresh('index'), { stems: true, upsertMany: true });
messageIndexConformance(fresh('messages'));
blobStoreConformance(fresh('blobs'));
