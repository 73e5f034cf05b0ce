#!/bin/bash
# The Slurm recipe (examples/slurm) for real: installs slurm-wlm and munge
# when missing (root, Debian), starts munged and a single-node cluster
# (slurmctld and slurmd, CPUs=2) in a temporary directory, submits a shard
# array and its afterok merge over a testdata capture, and requires the
# merged report to equal a single run's. Stops everything it started.
# Exits 77 (skipped) with the reason when no cluster can be started here.
#
#   bash slurm_test.sh TCPSTATE SOURCE_DIR
set -uo pipefail
tcpstate="$(realpath "$1")"
src="$(realpath "$2")"
capture="$src/testdata/flood/syn_burst.pcap"
shards=3
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; for f in "$tmp"/*.log; do echo "== $f"; tail -20 "$f"; done; exit 1; }

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  [ "$(id -u)" = 0 ] || skip "slurm-wlm and munge are not installed and this is not root"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge \
    >/dev/null 2>&1 || skip "cannot install slurm-wlm and munge"
fi
[ "$(id -u)" = 0 ] || skip "slurmd must run as root"

tmp="$(mktemp -d /var/tmp/tcpstate-slurm.XXXXXX)"
chmod 700 "$tmp"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  [ -f "$tmp/munged.pid" ] && kill "$(cat "$tmp/munged.pid")" 2>/dev/null
  sleep 0.5
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT

# munge: a key and a daemon of our own, on our own socket.
mungekey -c -k "$tmp/munge.key" >/dev/null 2>&1 ||
  dd if=/dev/urandom of="$tmp/munge.key" bs=1024 count=1 2>/dev/null
chmod 600 "$tmp/munge.key"
munged --force --key-file="$tmp/munge.key" --socket="$tmp/munge.socket" \
  --pid-file="$tmp/munged.pid" --log-file="$tmp/munged.log" \
  --seed-file="$tmp/munged.seed" >"$tmp/munged.start.log" 2>&1 ||
  skip "munged does not start: $(tail -1 "$tmp/munged.start.log")"
munge -n -S "$tmp/munge.socket" | unmunge -S "$tmp/munge.socket" >/dev/null ||
  fail "munge does not round-trip a credential"

host="$(hostname -s)"
port=$((17000 + RANDOM % 2000))
mkdir -p "$tmp/state" "$tmp/spool" "$tmp/parts"
cat >"$tmp/slurm.conf" <<CONF
ClusterName=tcpstate-test
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
AuthInfo=socket=$tmp/munge.socket
CredType=cred/munge
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
MailProg=/bin/true
NodeName=tcpstate-node NodeHostname=$host NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$tmp/slurm.conf"
slurmctld -D -f "$SLURM_CONF" >"$tmp/slurmctld.out.log" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" -N tcpstate-node >"$tmp/slurmd.out.log" 2>&1 &
pids+=($!)
for _ in $(seq 60); do
  state="$(sinfo -h -o %T 2>/dev/null | head -1)"
  [ "$state" = idle ] && break
  sleep 0.5
done
[ "$state" = idle ] || skip "the cluster did not come up (node state '$state'): $(tail -2 "$tmp/slurmctld.log" 2>/dev/null)"

cd "$tmp"
ids="$(TCPSTATE="$tcpstate" bash "$src/examples/slurm/submit.sh" -n "$shards" \
  -p "$tmp/parts" -R "--format json -o $tmp/merged.json" "$capture")" ||
  fail "submit.sh failed"
read -r array merge <<<"$ids"
echo "array job $array, merge job $merge"
for _ in $(seq 240); do
  merge_state="$(scontrol -o show job "$merge" 2>/dev/null |
    sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p')"
  case "$merge_state" in
    COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY) break ;;
  esac
  sleep 0.5
done
[ "$merge_state" = COMPLETED ] || fail "the merge job ended $merge_state"
for ((k = 0; k < shards; ++k)); do
  [ -s "$tmp/parts/part.$k" ] || fail "array task $k wrote no part"
done
"$tcpstate" --quiet -r "$capture" --format json >"$tmp/single.json"
cmp -s "$tmp/merged.json" "$tmp/single.json" ||
  fail "the merged report differs from a single run"
grep -q '"syn_flood"' "$tmp/merged.json" || fail "no syn_flood finding"
echo "PASS: $shards array tasks and an afterok merge on Slurm equal a single run"
