/** Each migration moves the schema one version on; they run in order, once, under an advisory lock. */
export function migrations(schema: string): string[] {
  const s = `"${schema}"`;
  return [
    `
    CREATE TABLE ${s}.events (
      position BIGSERIAL NOT NULL,
      tx_id XID8 NOT NULL DEFAULT pg_current_xact_id(),
      stream_id TEXT NOT NULL,
      version INTEGER NOT NULL,
      event_id TEXT NOT NULL,
      type TEXT NOT NULL,
      body TEXT NOT NULL,
      PRIMARY KEY (stream_id, version)
    );
    CREATE INDEX events_global ON ${s}.events (tx_id, position);
    CREATE TABLE ${s}.sequences (name TEXT PRIMARY KEY, value BIGINT NOT NULL);
    CREATE TABLE ${s}.tickets (
      id TEXT COLLATE "C" PRIMARY KEY,
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
      tags TEXT[] NOT NULL,
      requester_id TEXT NOT NULL,
      organization TEXT,
      channel TEXT NOT NULL,
      created_at TEXT COLLATE "C" NOT NULL,
      updated_at TEXT COLLATE "C" NOT NULL,
      last_customer_message_at TEXT COLLATE "C",
      awaiting_agent BOOLEAN NOT NULL,
      sla_breached BOOLEAN NOT NULL,
      sla_at_risk BOOLEAN NOT NULL,
      sla_next_deadline TEXT COLLATE "C",
      due_at TEXT COLLATE "C",
      version INTEGER NOT NULL,
      body TEXT NOT NULL
    );
    CREATE INDEX tickets_updated ON ${s}.tickets (updated_at, id);
    CREATE INDEX tickets_created ON ${s}.tickets (created_at, id);
    CREATE INDEX tickets_number ON ${s}.tickets (number, id);
    CREATE INDEX tickets_team ON ${s}.tickets (team, updated_at, id);
    CREATE INDEX tickets_assignee ON ${s}.tickets (assignee, updated_at, id);
    CREATE INDEX tickets_requester ON ${s}.tickets (requester_id);
    CREATE INDEX tickets_organization ON ${s}.tickets (organization);
    CREATE INDEX tickets_tags ON ${s}.tickets USING GIN (tags);
    CREATE INDEX tickets_due ON ${s}.tickets (due_at) WHERE due_at IS NOT NULL;
    CREATE INDEX tickets_sla ON ${s}.tickets (sla_next_deadline) WHERE sla_next_deadline IS NOT NULL;
    CREATE INDEX tickets_priority ON ${s}.tickets (priority_rank, id);
    CREATE TABLE ${s}.checkpoint (id INTEGER PRIMARY KEY CHECK (id = 1), position TEXT);
    CREATE TABLE ${s}.messages (message_id TEXT PRIMARY KEY, ticket_id TEXT NOT NULL);
    CREATE TABLE ${s}.blobs (id TEXT PRIMARY KEY, content_type TEXT NOT NULL, filename TEXT, size INTEGER NOT NULL, bytes BYTEA NOT NULL);
    CREATE FUNCTION ${s}.append(p_stream TEXT, p_expected INTEGER, p_ids TEXT[], p_types TEXT[], p_bodies TEXT[])
    RETURNS TABLE (out_position BIGINT, out_tx TEXT, out_version INTEGER) LANGUAGE plpgsql AS $$
    DECLARE
      current_version INTEGER;
    BEGIN
      SELECT COALESCE(MAX(e.version), 0) INTO current_version FROM ${s}.events e WHERE e.stream_id = p_stream;
      -- p_expected: -1 any, otherwise the version the stream must be at (0: it must not exist)
      IF p_expected >= 0 AND current_version <> p_expected THEN
        RAISE EXCEPTION 'tessera_conflict: stream % is at version %, expected %', p_stream, current_version, p_expected
          USING ERRCODE = 'TS409';
      END IF;
      RETURN QUERY
        INSERT INTO ${s}.events (stream_id, version, event_id, type, body)
        SELECT p_stream, current_version + i, p_ids[i], p_types[i], p_bodies[i]
        FROM generate_subscripts(p_ids, 1) AS i
        ORDER BY i
        RETURNING position, tx_id::text, version;
      PERFORM pg_notify('${schema}_events', p_stream);
    END;
    $$;
    `,
    // 2: tenants on one store. Tickets, checkpoints and Message-IDs are keyed by tenant
    // (tenant_key: '' for no tenant, 't:<id>' for a tenant; NULL cannot be part of a key).
    // Existing rows keep their tenant: a Message-ID takes the tenant of the ticket it names, the
    // one checkpoint becomes the checkpoint of every tenant that has rows (all were folded up to
    // it). Blobs stored before had no tenant and stay without one. The subject is kept as UTF-8
    // bytes, which can hold U+0000 (text cannot), and every other string is written in the store's
    // SQL form (see text.ts): a U+0001 already stored becomes U+0001 U+0002.
    `
    ${escapeExisting(s)}
    ALTER TABLE ${s}.tickets ADD COLUMN tenant_key TEXT COLLATE "C" NOT NULL DEFAULT '';
    UPDATE ${s}.tickets SET tenant_key = 't:' || tenant_id WHERE tenant_id IS NOT NULL;
    ALTER TABLE ${s}.tickets ALTER COLUMN tenant_key DROP DEFAULT;
    ALTER TABLE ${s}.tickets DROP CONSTRAINT tickets_pkey;
    ALTER TABLE ${s}.tickets ADD PRIMARY KEY (tenant_key, id);
    ALTER TABLE ${s}.tickets ALTER COLUMN subject_lc TYPE BYTEA USING convert_to(subject_lc, 'UTF8');
    CREATE INDEX tickets_tenant_updated ON ${s}.tickets (tenant_key, updated_at, id);
    CREATE TABLE ${s}.checkpoints (tenant_key TEXT COLLATE "C" PRIMARY KEY, position TEXT);
    INSERT INTO ${s}.checkpoints (tenant_key, position)
      SELECT k.tenant_key, c.position FROM ${s}.checkpoint c,
        (SELECT '' AS tenant_key UNION SELECT tenant_key FROM ${s}.tickets) k
      WHERE c.position IS NOT NULL;
    DROP TABLE ${s}.checkpoint;
    ALTER TABLE ${s}.checkpoints RENAME TO checkpoint;
    ALTER TABLE ${s}.messages ADD COLUMN tenant_key TEXT COLLATE "C" NOT NULL DEFAULT '';
    UPDATE ${s}.messages m SET tenant_key = t.tenant_key FROM ${s}.tickets t WHERE t.id = m.ticket_id;
    ALTER TABLE ${s}.messages ALTER COLUMN tenant_key DROP DEFAULT;
    ALTER TABLE ${s}.messages DROP CONSTRAINT messages_pkey;
    ALTER TABLE ${s}.messages ADD PRIMARY KEY (tenant_key, message_id);
    ALTER TABLE ${s}.blobs ADD COLUMN tenant_key TEXT COLLATE "C" NOT NULL DEFAULT '';
    ALTER TABLE ${s}.blobs ADD COLUMN tenant_id TEXT;
    ALTER TABLE ${s}.blobs ADD COLUMN owner_kind TEXT;
    ALTER TABLE ${s}.blobs ADD COLUMN owner_id TEXT;
    ALTER TABLE ${s}.blobs ADD COLUMN ticket_id TEXT;
    `,
    // 3: search. Each ticket row's searchable text beside it, keyed like it, with a tsvector per
    // part (GIN-indexed) that the upsert writes in the row's statement. The store fills it for
    // existing rows after this step (backfillSearch), in the same transaction.
    `
    CREATE TABLE ${s}.ticket_search (
      doc_tenant TEXT COLLATE "C" NOT NULL,
      doc_id TEXT COLLATE "C" NOT NULL,
      doc_public TEXT NOT NULL,
      doc_internal TEXT NOT NULL,
      tsv_public TSVECTOR NOT NULL,
      tsv_internal TSVECTOR NOT NULL,
      PRIMARY KEY (doc_tenant, doc_id)
    );
    CREATE INDEX ticket_search_public ON ${s}.ticket_search USING GIN (tsv_public);
    CREATE INDEX ticket_search_internal ON ${s}.ticket_search USING GIN (tsv_internal);
    `,
  ];
}

/** The version whose migration is followed by `backfillSearch`. */
export const SEARCH_VERSION = 3;

/**
 * Rewrites the strings already stored into the SQL form of text.ts. Text never held U+0000, so only
 * a U+0001 changes (to U+0001 U+0002); only the rows holding one are touched.
 */
function escapeExisting(s: string): string {
  const one = (column: string) => `replace(${column}, chr(1), chr(1) || chr(2))`;
  const has = (column: string) => `strpos(${column}, chr(1)) > 0`;
  const table = (name: string, columns: string[]) =>
    `UPDATE ${s}.${name} SET ${columns.map((c) => `${c} = ${one(c)}`).join(', ')}
     WHERE ${columns.map(has).join(' OR ')};`;
  return [
    table('events', ['stream_id', 'event_id', 'type']),
    table('sequences', ['name']),
    table('tickets', [
      'id',
      'tenant_id',
      'status',
      'category',
      'type',
      'team',
      'assignee',
      'priority',
      'requester_id',
      'organization',
      'channel',
      'created_at',
      'updated_at',
      'last_customer_message_at',
      'sla_next_deadline',
      'due_at',
    ]),
    `UPDATE ${s}.tickets SET tags = ARRAY(SELECT ${one('t')} FROM unnest(tags) AS t)
     WHERE strpos(array_to_string(tags, ''), chr(1)) > 0;`,
    table('messages', ['message_id', 'ticket_id']),
    table('checkpoint', ['position']),
  ].join('\n');
}
