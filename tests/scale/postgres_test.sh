#!/bin/bash
# Results in PostgreSQL for real: starts a PostgreSQL server (initdb +
# pg_ctl) in a temporary directory, creates tools/pg/schema.sql, loads a
# merged --shard result with tools/pg/load.py (json, and again from jsonl),
# checks counts and queries against the JSON (connections by state pair;
# stuck CLOSE_WAIT by server; anomalies; hosts), and stops the server.
# Installs postgresql when missing (root, Debian); exits 77 (skipped) with
# the reason when no server can be started here.
#
#   bash postgres_test.sh TCPSTATE SOURCE_DIR
set -uo pipefail
tcpstate="$(realpath "$1")"
src="$(realpath "$2")"
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; [ -f "$tmp/pg.log" ] && tail -20 "$tmp/pg.log"; exit 1; }

bindir=""
for d in /usr/lib/postgresql/*/bin; do
  [ -x "$d/initdb" ] && bindir="$d"
done
if [ -z "$bindir" ]; then
  [ "$(id -u)" = 0 ] || skip "postgresql is not installed and this is not root"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null 2>&1 ||
    skip "cannot install postgresql"
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && bindir="$d"
  done
fi
[ -n "$bindir" ] || skip "no initdb found"

tmp="$(mktemp -d /var/tmp/tcpstate-pg.XXXXXX)"
as=()
if [ "$(id -u)" = 0 ]; then  # PostgreSQL will not run as root
  id postgres >/dev/null 2>&1 || skip "no postgres user to run the server as"
  chown postgres "$tmp"
  as=(runuser -u postgres --)
fi
port=$((20000 + RANDOM % 20000))
cleanup() {
  "${as[@]}" "$bindir/pg_ctl" -D "$tmp/data" stop -m immediate >/dev/null 2>&1
  rm -rf "$tmp"
}
trap cleanup EXIT
"${as[@]}" "$bindir/initdb" -D "$tmp/data" -U postgres -A trust >"$tmp/initdb.log" 2>&1 ||
  skip "initdb failed: $(tail -1 "$tmp/initdb.log")"
"${as[@]}" "$bindir/pg_ctl" -D "$tmp/data" -l "$tmp/pg.log" -w -t 30 \
  -o "-p $port -k $tmp -c listen_addresses=''" start >/dev/null ||
  skip "the server did not start: $(tail -2 "$tmp/pg.log")"
psql=(psql -X -q -h "$tmp" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1)
"${psql[@]}" -f "$src/tools/pg/schema.sql" >/dev/null || fail "schema.sql"

# A merged result with connections, a stuck CLOSE_WAIT and host findings.
work="$tmp/work"
mkdir -p "$work"
inputs=(-r "$src/testdata/captures/close_wait_idle.pcap"
        -r "$src/testdata/flood/syn_burst.pcap")
for k in 0 1; do
  "$tcpstate" --quiet --shard "$k/2" "${inputs[@]}" --stuck-after 2s \
    -o "$work/part.$k" || fail "--shard $k/2"
done
"$tcpstate" merge "$work/part.0" "$work/part.1" --format json -o "$work/r.json" ||
  fail "merge json"
"$tcpstate" merge "$work/part.0" "$work/part.1" --format jsonl -o "$work/r.jsonl" ||
  fail "merge jsonl"
python3 "$src/tools/pg/load.py" --label json "$work/r.json" | "${psql[@]}" >/dev/null ||
  fail "loading the json report"
python3 "$src/tools/pg/load.py" --label jsonl "$work/r.jsonl" | "${psql[@]}" >/dev/null ||
  fail "loading the jsonl report"

python3 - "$work/r.json" "$tmp" "$port" <<'PY' || fail "the database disagrees with the JSON"
import collections, json, subprocess, sys
doc = json.load(open(sys.argv[1]))
host, port = sys.argv[2], sys.argv[3]

def q(sql):
    out = subprocess.run(["psql", "-X", "-At", "-h", host, "-p", port, "-U",
                          "postgres", "-d", "postgres", "-F", "|", "-c", sql],
                         check=True, stdout=subprocess.PIPE, text=True).stdout
    return sorted(line for line in out.splitlines() if line)

conns = doc["connections"]
pairs = collections.Counter((c["client"]["state"], c["server"]["state"])
                            for c in conns)
stuck = collections.Counter(
    (c["server"]["addr"], c["server"]["port"]) for c in conns
    for a in c["anomalies"]
    if a["kind"] == "close_wait_stuck" and a["endpoint"] == "server")
anomalies = sum(len(c["anomalies"]) for c in conns) + len(doc["anomalies"])
assert stuck, "the capture has no stuck CLOSE_WAIT: the test would prove nothing"
assert any(a["kind"] == "syn_flood" for a in doc["anomalies"])
failures = []
for label in ("json", "jsonl"):
    run = "(SELECT run_id FROM tcpstate_runs WHERE label = '%s')" % label
    def check(what, got, want):
        if got != want:
            failures.append("%s %s: database %s, JSON %s" % (label, what, got, want))
    check("connections", q("SELECT count(*) FROM tcpstate_connections WHERE run_id = " + run),
          [str(len(conns))])
    check("state pairs", q("SELECT client_state, server_state, connections FROM "
                           "tcpstate_state_pairs WHERE run_id = " + run),
          sorted("%s|%s|%d" % (a, b, n) for (a, b), n in pairs.items()))
    check("stuck CLOSE_WAIT by server",
          q("SELECT host(server_addr), server_port, connections FROM "
            "tcpstate_close_wait_stuck WHERE run_id = " + run),
          sorted("%s|%d|%d" % (a, p, n) for (a, p), n in stuck.items()))
    check("anomalies", q("SELECT count(*) FROM tcpstate_anomalies WHERE run_id = " + run),
          [str(anomalies)])
    check("host findings", q("SELECT kind, count(*) FROM tcpstate_anomalies WHERE "
                             "connection_id IS NULL AND run_id = %s GROUP BY kind" % run),
          sorted("%s|%d" % (k, n) for k, n in collections.Counter(
              a["kind"] for a in doc["anomalies"]).items()))
    check("hosts", q("SELECT count(*) FROM tcpstate_hosts WHERE run_id = " + run),
          [str(len(doc["hosts"]))])
    check("packets", q("SELECT packets FROM tcpstate_runs WHERE run_id = " + run),
          [str(doc["summary"]["packets"])])
    check("possible states", q(
        "SELECT count(*) FROM tcpstate_connections WHERE run_id = %s AND "
        "cardinality(server_possible) > 0" % run),
        [str(sum(1 for c in conns if c["server"]["possible_states"]))])
for f in failures:
    print(f)
sys.exit(1 if failures else 0)
PY
echo "PASS: a merged result in PostgreSQL agrees with its JSON (json and jsonl loads)"
