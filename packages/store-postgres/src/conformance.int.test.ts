import {
  blobStoreConformance,
  eventStoreConformance,
  messageIndexConformance,
  ticketIndexConformance,
} from '@tessera/testing';
import pg from 'pg';
import { inject } from 'vitest';
import { postgresStore } from './store';

let n = 0;
/** A fresh schema per test, dropped afterwards. */
const fresh =
  <K extends 'events' | 'index' | 'messages' | 'blobs'>(key: K) =>
  async () => {
    const schema = `conf_${process.pid}_${Date.now().toString(36)}_${++n}`;
    const store = postgresStore({ connectionString: inject('pgUrl'), schema });
    await store.ready();
    return {
      subject: store[key],
      close: async () => {
        await store.close();
        const admin = new pg.Client({ connectionString: inject('pgUrl') });
        await admin.connect();
        await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
        await admin.end();
      },
    };
  };

eventStoreConformance(fresh('events'));
ticketIndexConformance(fresh('index'), { stems: true, upsertMany: true });
messageIndexConformance(fresh('messages'));
blobStoreConformance(fresh('blobs'));
