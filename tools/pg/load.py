#!/usr/bin/env python3
"""Loads a tcpstate report into PostgreSQL with COPY.

usage: load.py [--label TEXT] REPORT | psql -v ON_ERROR_STOP=1 -d DB

REPORT is `tcpstate --format json` (or `tcpstate merge ... --format json`)
or `--format jsonl` (read line by line); '-' reads standard input. Rows
wait in temporary files, so memory stays small for any report size. Prints one transaction for psql: a tcpstate_runs row (its
run_id in the psql variable run_id), then the connections, anomalies and
hosts through COPY into temporary tables and on into the tables of
tools/pg/schema.sql (create them first). Field meanings: docs in
docs/scaling.md "Results in PostgreSQL" and tools/pg/schema.sql.
"""

import csv
import json
import shutil
import sys
import tempfile
from datetime import datetime, timezone


def ts(seconds):
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, timezone.utc).isoformat()


def array(values):
    # A PostgreSQL array literal; the values are catalogue names (no quoting
    # needed) but are quoted anyway.
    return "{" + ",".join('"%s"' % v.replace('"', '\\"') for v in values) + "}"


class Copy:
    """Rows for one COPY ... FROM STDIN (csv), gathered in a temporary file
    (so memory stays small whatever the report's size)."""

    def __init__(self, table, columns):
        self.table = table
        self.columns = columns
        self.buf = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")
        self.writer = csv.writer(self.buf, lineterminator="\n")

    def row(self, values):
        self.writer.writerow(["" if v is None else
                              ("t" if v is True else "f" if v is False else v)
                              for v in values])

    def emit(self, out):
        cols = ", ".join(self.columns)
        out.write("CREATE TEMP TABLE s_%s AS SELECT %s FROM %s LIMIT 0;\n" %
                  (self.table, cols, self.table))
        out.write("COPY s_%s (%s) FROM STDIN WITH (FORMAT csv);\n" %
                  (self.table, cols))
        self.buf.seek(0)
        shutil.copyfileobj(self.buf, out)
        out.write("\\.\n")
        out.write("INSERT INTO %s (run_id, %s) SELECT :run_id, %s FROM s_%s;\n"
                  % (self.table, cols, cols, self.table))


CONN_COLUMNS = [
    "id", "first_seen", "last_seen", "duration", "handshake_rtt",
    "first_packet", "last_packet",
    "client_addr", "client_port", "client_state", "client_certainty",
    "client_possible", "client_packets", "client_bytes",
    "server_addr", "server_port", "server_state", "server_certainty",
    "server_possible", "server_packets", "server_bytes",
    "conn_state", "history", "mid_stream", "role_rule", "end_reason"]
ANOMALY_COLUMNS = [
    "connection_id", "kind", "severity", "endpoint", "endpoint_addr",
    "first_packet", "last_packet", "t", "duration", "count", "detail"]
HOST_COLUMNS = [
    "addr", "anomalies", "isn_samples", "isn_class", "isn_predictable",
    "isn_difficulty", "isn_next", "ip_id_class", "ts_hz"]


def endpoint(e):
    return [e["addr"], e["port"], e["state"], e["certainty"],
            array([p["state"] for p in e.get("possible_states") or []]),
            e["packets"], e["bytes"]]


def add_anomaly(copy, a, connection_id, addr):
    copy.row([connection_id, a["kind"], a["severity"], a["endpoint"], addr,
              a["first_packet"], a["last_packet"], ts(a["t"]), a["duration"],
              a["count"], a["detail"]])


def add_connection(conns, anomalies, c):
    conns.row([c["id"], ts(c["first_seen"]), ts(c["last_seen"]),
               c["duration"], c.get("handshake_rtt"), c["first_packet"],
               c["last_packet"]] + endpoint(c["client"]) +
              endpoint(c["server"]) +
              [c["conn_state"], c["history"], c["mid_stream"],
               c["role_rule"], c["end_reason"]])
    for a in c.get("anomalies") or []:
        side = c.get(a["endpoint"]) if a["endpoint"] in ("client", "server") else None
        add_anomaly(anomalies, a, c["id"], side["addr"] if side else None)


def add_hosts(hosts, anomalies, doc):
    for h in doc.get("hosts") or []:
        isn = h.get("isn") or {}
        hosts.row([h["addr"], len(h.get("anomalies") or []),
                   isn.get("samples"), isn.get("class"),
                   isn.get("predictable"), isn.get("difficulty"),
                   isn.get("next_predicted"), isn.get("ip_id_class"),
                   isn.get("ts_hz")])
    for a in doc.get("anomalies") or []:
        add_anomaly(anomalies, a, None, a["endpoint"])


def sql_text(v):
    if v is None:
        return "NULL"
    return "'" + str(v).replace("'", "''") + "'"


def run_row(out, doc, label):
    s = doc["summary"]
    inputs = array([i["name"] for i in doc.get("inputs") or []])
    out.write(
        "INSERT INTO tcpstate_runs (label, tcpstate_version, inputs, packets,"
        " tcp_packets, connections, first_packet_time, last_packet_time,"
        " error) VALUES (%s, %s, %s, %d, %d, %d, %s, %s, %s)"
        " RETURNING run_id \\gset\n" %
        (sql_text(label), sql_text(doc.get("tcpstate_version")),
         sql_text(inputs), s["packets"], s["tcp_packets"], s["connections"],
         sql_text(ts(s.get("first_packet_time"))),
         sql_text(ts(s.get("last_packet_time"))), sql_text(doc.get("error"))))


def main():
    args = sys.argv[1:]
    label = None
    if len(args) >= 2 and args[0] == "--label":
        label, args = args[1], args[2:]
    if len(args) != 1:
        sys.exit(__doc__)
    src = sys.stdin if args[0] == "-" else open(args[0], encoding="utf-8")
    conns = Copy("tcpstate_connections", CONN_COLUMNS)
    anomalies = Copy("tcpstate_anomalies", ANOMALY_COLUMNS)
    hosts = Copy("tcpstate_hosts", HOST_COLUMNS)
    first = src.readline()
    doc = None
    if first.lstrip().startswith("{\"type\""):  # jsonl
        line = first
        while line:
            rec = json.loads(line)
            if rec.get("type") == "connection":
                add_connection(conns, anomalies, rec)
            elif rec.get("type") == "summary":
                doc = rec
            line = src.readline()
    else:
        doc = json.loads(first + src.read())
        for c in doc.get("connections") or []:
            add_connection(conns, anomalies, c)
    if doc is None or "summary" not in doc:
        sys.exit("load.py: %s: not a tcpstate json or jsonl report" % args[0])
    add_hosts(hosts, anomalies, doc)
    out = sys.stdout
    out.write("\\set ON_ERROR_STOP 1\nBEGIN;\n")
    run_row(out, doc, label)
    for copy in (conns, anomalies, hosts):
        copy.emit(out)
    out.write("COMMIT;\n")


if __name__ == "__main__":
    main()
