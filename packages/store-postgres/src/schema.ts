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
  ];
}
