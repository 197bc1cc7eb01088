import { ConfigError } from '@tessera/core';
import type Database from 'better-sqlite3';

/** Each migration moves the schema one version on; they run in order, once, inside a transaction. */
export const MIGRATIONS: string[] = [
  `
  CREATE TABLE events (
    position INTEGER PRIMARY KEY AUTOINCREMENT,
    stream_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    event_id TEXT NOT NULL,
    type TEXT NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (stream_id, version)
  );
  CREATE TABLE streams (stream_id TEXT PRIMARY KEY, version INTEGER NOT NULL) WITHOUT ROWID;
  CREATE TABLE sequences (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
  CREATE TABLE tickets (
    id TEXT PRIMARY KEY,
    tenant_id TEXT,
    number INTEGER NOT NULL,
    subject_lc TEXT NOT NULL,
    status TEXT NOT NULL,
    category TEXT NOT NULL,
    type TEXT,
    team TEXT,
    assignee TEXT,
    priority TEXT NOT NULL,
    priority_rank INTEGER NOT NULL,
    requester_id TEXT NOT NULL,
    organization TEXT,
    channel TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    last_customer_message_at TEXT,
    awaiting_agent INTEGER NOT NULL,
    sla_breached INTEGER NOT NULL,
    sla_at_risk INTEGER NOT NULL,
    sla_next_deadline TEXT,
    due_at TEXT,
    version INTEGER NOT NULL,
    body TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE ticket_tags (tag TEXT NOT NULL, ticket_id TEXT NOT NULL, PRIMARY KEY (tag, ticket_id)) WITHOUT ROWID;
  CREATE INDEX ticket_tags_by_ticket ON ticket_tags (ticket_id);
  CREATE INDEX tickets_updated ON tickets (updated_at, id);
  CREATE INDEX tickets_created ON tickets (created_at, id);
  CREATE INDEX tickets_number ON tickets (number, id);
  CREATE INDEX tickets_team ON tickets (team, updated_at, id);
  CREATE INDEX tickets_assignee ON tickets (assignee, updated_at, id);
  CREATE INDEX tickets_requester ON tickets (requester_id);
  CREATE INDEX tickets_organization ON tickets (organization);
  CREATE INDEX tickets_due ON tickets (due_at) WHERE due_at IS NOT NULL;
  CREATE INDEX tickets_sla ON tickets (sla_next_deadline) WHERE sla_next_deadline IS NOT NULL;
  CREATE INDEX tickets_priority ON tickets (priority_rank, id);
  CREATE INDEX tickets_customer_message ON tickets (last_customer_message_at);
  CREATE TABLE checkpoint (id INTEGER PRIMARY KEY CHECK (id = 1), position TEXT);
  CREATE TABLE messages (message_id TEXT PRIMARY KEY, ticket_id TEXT NOT NULL) WITHOUT ROWID;
  CREATE TABLE blobs (id TEXT PRIMARY KEY, content_type TEXT NOT NULL, filename TEXT, size INTEGER NOT NULL, bytes BLOB NOT NULL) WITHOUT ROWID;
  `,
  // 2: tenants on one store. Tickets, tags, checkpoints and Message-IDs are keyed by tenant
  // (tenant_key: '' for no tenant, 't:<id>' for a tenant; NULL cannot be part of a key). Existing
  // rows keep their tenant: a Message-ID takes the tenant of the ticket it names, the one
  // checkpoint becomes the checkpoint of every tenant that has rows (they were all folded up to it).
  // Blobs stored before had no tenant and stay without one.
  `
  CREATE TABLE tickets_v2 (
    tenant_key TEXT NOT NULL,
    id TEXT NOT NULL,
    tenant_id TEXT,
    number INTEGER NOT NULL,
    subject_lc TEXT NOT NULL,
    status TEXT NOT NULL,
    category TEXT NOT NULL,
    type TEXT,
    team TEXT,
    assignee TEXT,
    priority TEXT NOT NULL,
    priority_rank INTEGER NOT NULL,
    requester_id TEXT NOT NULL,
    organization TEXT,
    channel TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    last_customer_message_at TEXT,
    awaiting_agent INTEGER NOT NULL,
    sla_breached INTEGER NOT NULL,
    sla_at_risk INTEGER NOT NULL,
    sla_next_deadline TEXT,
    due_at TEXT,
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant_key, id)
  ) WITHOUT ROWID;
  INSERT INTO tickets_v2
    SELECT CASE WHEN tenant_id IS NULL THEN '' ELSE 't:' || tenant_id END, id, tenant_id, number, subject_lc, status,
      category, type, team, assignee, priority, priority_rank, requester_id, organization, channel, created_at, updated_at,
      last_customer_message_at, awaiting_agent, sla_breached, sla_at_risk, sla_next_deadline, due_at, version, body
    FROM tickets;
  CREATE TABLE ticket_tags_v2 (
    tag TEXT NOT NULL, tenant_key TEXT NOT NULL, ticket_id TEXT NOT NULL, PRIMARY KEY (tag, tenant_key, ticket_id)
  ) WITHOUT ROWID;
  INSERT INTO ticket_tags_v2 SELECT g.tag, t.tenant_key, g.ticket_id FROM ticket_tags g JOIN tickets_v2 t ON t.id = g.ticket_id;
  CREATE TABLE checkpoint_v2 (tenant_key TEXT PRIMARY KEY, position TEXT) WITHOUT ROWID;
  INSERT INTO checkpoint_v2
    SELECT k.tenant_key, c.position FROM checkpoint c, (SELECT '' AS tenant_key UNION SELECT tenant_key FROM tickets_v2) k
    WHERE c.position IS NOT NULL;
  CREATE TABLE messages_v2 (
    tenant_key TEXT NOT NULL, message_id TEXT NOT NULL, ticket_id TEXT NOT NULL, PRIMARY KEY (tenant_key, message_id)
  ) WITHOUT ROWID;
  INSERT INTO messages_v2
    SELECT COALESCE((SELECT t.tenant_key FROM tickets_v2 t WHERE t.id = m.ticket_id), ''), m.message_id, m.ticket_id
    FROM messages m;
  DROP TABLE tickets;
  DROP TABLE ticket_tags;
  DROP TABLE checkpoint;
  DROP TABLE messages;
  ALTER TABLE tickets_v2 RENAME TO tickets;
  ALTER TABLE ticket_tags_v2 RENAME TO ticket_tags;
  ALTER TABLE checkpoint_v2 RENAME TO checkpoint;
  ALTER TABLE messages_v2 RENAME TO messages;
  CREATE INDEX ticket_tags_by_ticket ON ticket_tags (tenant_key, ticket_id);
  CREATE INDEX tickets_updated ON tickets (updated_at, id);
  CREATE INDEX tickets_created ON tickets (created_at, id);
  CREATE INDEX tickets_number ON tickets (number, id);
  CREATE INDEX tickets_team ON tickets (team, updated_at, id);
  CREATE INDEX tickets_assignee ON tickets (assignee, updated_at, id);
  CREATE INDEX tickets_requester ON tickets (requester_id);
  CREATE INDEX tickets_organization ON tickets (organization);
  CREATE INDEX tickets_due ON tickets (due_at) WHERE due_at IS NOT NULL;
  CREATE INDEX tickets_sla ON tickets (sla_next_deadline) WHERE sla_next_deadline IS NOT NULL;
  CREATE INDEX tickets_priority ON tickets (priority_rank, id);
  CREATE INDEX tickets_customer_message ON tickets (last_customer_message_at);
  CREATE INDEX tickets_tenant_updated ON tickets (tenant_key, updated_at, id);
  ALTER TABLE blobs ADD COLUMN tenant_key TEXT NOT NULL DEFAULT '';
  ALTER TABLE blobs ADD COLUMN tenant_id TEXT;
  ALTER TABLE blobs ADD COLUMN owner_kind TEXT;
  ALTER TABLE blobs ADD COLUMN owner_id TEXT;
  ALTER TABLE blobs ADD COLUMN ticket_id TEXT;
  `,
  // 3: search. Each ticket row's searchable text in a content table (its own integer rowid, which
  // FTS5 needs and the ticket table, WITHOUT ROWID, has not), indexed by the FTS5 table
  // ticket_fts (external content: the text is stored once). Triggers keep the FTS index in step
  // with the content table inside whatever transaction writes it. Existing rows get the text a
  // row upserted without a document has (number, subject, requester); `desk.rebuild()` adds
  // their messages.
  `
  CREATE TABLE ticket_search (
    rowid INTEGER PRIMARY KEY,
    tenant_key TEXT NOT NULL,
    ticket_id TEXT NOT NULL,
    public TEXT NOT NULL,
    internal TEXT NOT NULL,
    UNIQUE (tenant_key, ticket_id)
  );
  -- From an FTS match (a rowid) to its ticket without reading the text.
  CREATE INDEX ticket_search_rowkey ON ticket_search (rowid, tenant_key, ticket_id);
  CREATE VIRTUAL TABLE ticket_fts USING fts5(
    public, internal, content = 'ticket_search', content_rowid = 'rowid',
    tokenize = 'porter unicode61 remove_diacritics 2'
  );
  CREATE TRIGGER ticket_search_insert AFTER INSERT ON ticket_search BEGIN
    INSERT INTO ticket_fts (rowid, public, internal) VALUES (new.rowid, new.public, new.internal);
  END;
  CREATE TRIGGER ticket_search_delete AFTER DELETE ON ticket_search BEGIN
    INSERT INTO ticket_fts (ticket_fts, rowid, public, internal) VALUES ('delete', old.rowid, old.public, old.internal);
  END;
  CREATE TRIGGER ticket_search_update AFTER UPDATE ON ticket_search BEGIN
    INSERT INTO ticket_fts (ticket_fts, rowid, public, internal) VALUES ('delete', old.rowid, old.public, old.internal);
    INSERT INTO ticket_fts (rowid, public, internal) VALUES (new.rowid, new.public, new.internal);
  END;
  INSERT INTO ticket_search (tenant_key, ticket_id, public, internal)
    SELECT tenant_key, id, replace(
      '#' || number || ' ' || json_extract(body, '$.subject') || ' ' || COALESCE(json_extract(body, '$.requester.name'), '')
        || ' ' || COALESCE(json_extract(body, '$.requester.email'), ''), char(0), ' '), ''
    FROM tickets;
  `,
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Creates or migrates the schema, under a write lock so several processes can open one file at
 * once. A file of a newer schema version is a `ConfigError`, and is left as it is.
 *
 * @example
 * migrate(new Database('helpdesk.db'));
 */
export function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS tessera_schema (version INTEGER NOT NULL)');
  const run = db.transaction(() => {
    const row = db.prepare('SELECT version FROM tessera_schema').get() as { version: number } | undefined;
    const current = row?.version ?? 0;
    if (current > SCHEMA_VERSION) {
      // Not an adapter failure: this code is older than the file, and must not write to it.
      throw new ConfigError([
        {
          path: 'filename',
          message: `the database has schema version ${current}, newer than this @tessera/store-sqlite (${SCHEMA_VERSION})`,
        },
      ]);
    }
    for (let v = current; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v]!);
    if (row === undefined) db.prepare('INSERT INTO tessera_schema (version) VALUES (?)').run(SCHEMA_VERSION);
    else db.prepare('UPDATE tessera_schema SET version = ?').run(SCHEMA_VERSION);
  });
  run.immediate();
}
