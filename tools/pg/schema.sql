-- tcpstate results in PostgreSQL (15 or later): one row per run, per
-- connection (both endpoints: state, certainty, the other possible
-- states), per anomaly (of a connection, or host-level), per host that
-- chose ISNs. Load a report with tools/pg/load.py (COPY); every run gets
-- its own run_id, so runs can be compared in SQL.
--
--   psql -d DB -f tools/pg/schema.sql
--   python3 tools/pg/load.py report.json | psql -v ON_ERROR_STOP=1 -d DB

CREATE TABLE IF NOT EXISTS tcpstate_runs (
  run_id            serial PRIMARY KEY,
  label             text,            -- load.py --label
  loaded_at         timestamptz NOT NULL DEFAULT now(),
  tcpstate_version  text NOT NULL,
  inputs            text[] NOT NULL, -- the capture files, in order
  packets           bigint NOT NULL,
  tcp_packets       bigint NOT NULL,
  connections       bigint NOT NULL,
  first_packet_time timestamptz,
  last_packet_time  timestamptz,
  error             text             -- the input stopped on damage
);

CREATE TABLE IF NOT EXISTS tcpstate_connections (
  run_id            integer NOT NULL REFERENCES tcpstate_runs ON DELETE CASCADE,
  id                bigint NOT NULL, -- the report's connection id
  first_seen        timestamptz NOT NULL,
  last_seen         timestamptz NOT NULL,
  duration          double precision NOT NULL,    -- seconds
  handshake_rtt     double precision,             -- seconds
  first_packet      bigint NOT NULL,
  last_packet       bigint NOT NULL,
  client_addr       inet NOT NULL,
  client_port       integer NOT NULL,
  client_state      text NOT NULL,   -- RFC 9293 state, e.g. CLOSE_WAIT
  client_certainty  text NOT NULL,   -- confirmed, inferred, unknown
  client_possible   text[] NOT NULL, -- the other states the capture allows
  client_packets    bigint NOT NULL,
  client_bytes      bigint NOT NULL,
  server_addr       inet NOT NULL,
  server_port       integer NOT NULL,
  server_state      text NOT NULL,
  server_certainty  text NOT NULL,
  server_possible   text[] NOT NULL,
  server_packets    bigint NOT NULL,
  server_bytes      bigint NOT NULL,
  conn_state        text NOT NULL,   -- Zeek conn_state
  history           text NOT NULL,   -- Zeek history
  mid_stream        boolean NOT NULL,
  role_rule         text NOT NULL,
  end_reason        text NOT NULL,
  PRIMARY KEY (run_id, id)
);

CREATE TABLE IF NOT EXISTS tcpstate_anomalies (
  run_id            integer NOT NULL REFERENCES tcpstate_runs ON DELETE CASCADE,
  connection_id     bigint,          -- NULL: a host-level finding
  kind              text NOT NULL,   -- the catalogue's snake_case id
  severity          text NOT NULL,   -- info, warning, error
  endpoint          text NOT NULL,   -- client, server, or a host address
  endpoint_addr     inet,            -- that endpoint's (or host's) address
  first_packet      bigint NOT NULL,
  last_packet       bigint NOT NULL,
  t                 timestamptz NOT NULL,
  duration          double precision NOT NULL,
  count             bigint NOT NULL,
  detail            text NOT NULL
);

CREATE TABLE IF NOT EXISTS tcpstate_hosts (
  run_id            integer NOT NULL REFERENCES tcpstate_runs ON DELETE CASCADE,
  addr              inet NOT NULL,
  anomalies         integer NOT NULL,
  isn_samples       bigint,
  isn_class         text,            -- random, constant, fixed_increment, ...
  isn_predictable   boolean,
  isn_difficulty    text,            -- Nmap's label
  isn_next          bigint,          -- the predicted next ISN
  ip_id_class       text,
  ts_hz             integer,
  PRIMARY KEY (run_id, addr)
);

CREATE INDEX IF NOT EXISTS tcpstate_connections_states
  ON tcpstate_connections (run_id, client_state, server_state);
CREATE INDEX IF NOT EXISTS tcpstate_anomalies_kind
  ON tcpstate_anomalies (run_id, kind);

-- Connections by the pair of endpoint states.
CREATE OR REPLACE VIEW tcpstate_state_pairs AS
  SELECT run_id, client_state, server_state, count(*) AS connections
  FROM tcpstate_connections
  GROUP BY run_id, client_state, server_state;

-- Stuck CLOSE_WAIT by the server that holds it (the application never
-- closed its socket).
CREATE OR REPLACE VIEW tcpstate_close_wait_stuck AS
  SELECT a.run_id, c.server_addr, c.server_port, count(*) AS connections
  FROM tcpstate_anomalies a
  JOIN tcpstate_connections c
    ON c.run_id = a.run_id AND c.id = a.connection_id
  WHERE a.kind = 'close_wait_stuck' AND a.endpoint = 'server'
  GROUP BY a.run_id, c.server_addr, c.server_port;
