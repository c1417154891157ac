#!/bin/bash
# Run sweeps/tiny.toml through a real one-node SLURM cluster on localhost and check its
# summary: what `gridrnn sweep --emit slurm` promises a lab's cluster. Not part of CI.
#
# Needs root and Debian's packages:  apt-get install -y slurm-wlm munge
# Usage:  cargo build --release && sudo scripts/slurm_test.sh [WORKDIR]
# It writes /etc/slurm/slurm.conf (a previous one is kept as slurm.conf.gridrnn-backup),
# starts munged, slurmctld and slurmd, and stops the two SLURM daemons when it ends.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${GRIDRNN:-$ROOT/target/release/gridrnn}
WORK=${1:-/tmp/gridrnn-slurm-test}
[ -x "$BIN" ] || { echo "build first: cargo build --release (or set GRIDRNN)"; exit 2; }
command -v slurmctld >/dev/null || { echo "install slurm-wlm and munge first"; exit 2; }
rm -rf "$WORK"
mkdir -p "$WORK"

# munge: the authentication SLURM's daemons share.
if [ ! -s /etc/munge/munge.key ]; then
    dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key status=none
fi
chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
mkdir -p /run/munge && chown munge:munge /run/munge
pgrep -x munged >/dev/null || runuser -u munge -- munged --force

# A one-node cluster: this host, all its CPUs, no cgroups (containers often lack them).
HOST=$(hostname -s)
CPUS=$(nproc)
mkdir -p /etc/slurm /var/spool/slurmd /var/spool/slurmctld /var/log/slurm
[ -f /etc/slurm/slurm.conf ] && [ ! -f /etc/slurm/slurm.conf.gridrnn-backup ] &&
    cp /etc/slurm/slurm.conf /etc/slurm/slurm.conf.gridrnn-backup
cat > /etc/slurm/slurm.conf <<CONF
ClusterName=gridrnn-test
SlurmctldHost=$HOST
AuthType=auth/munge
SlurmUser=root
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/builtin
ReturnToService=2
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmdSpoolDir=/var/spool/slurmd
StateSaveLocation=/var/spool/slurmctld
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=$HOST CPUs=$CPUS State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
CONF
cleanup() { pkill -x slurmd || true; pkill -x slurmctld || true; }
trap cleanup EXIT
pkill -x slurmd || true
pkill -x slurmctld || true
slurmctld -c
slurmd -c
for _ in $(seq 60); do
    sinfo -h -o %t 2>/dev/null | grep -q idle && break
    sleep 1
done
sinfo

# The sweep, as a lab would run it: emit, submit, wait, summarise.
cd "$ROOT"
"$BIN" sweep sweeps/tiny.toml --out "$WORK/sweep" --emit slurm --cpus-per-task 1
sbatch --wait "$WORK/sweep/sweep.sbatch"
"$BIN" summary "$WORK/sweep" --out "$WORK/summary.csv"
ROWS=$(($(wc -l < "$WORK/summary.csv") - 1))
TASKS=$(ls "$WORK"/sweep/slurm-*.out | wc -l)
echo "array tasks: $TASKS, summary rows: $ROWS"
[ "$TASKS" -eq 4 ] && [ "$ROWS" -eq 4 ] || { echo "FAILED"; exit 1; }
echo "OK: 4 points run as a SLURM job array and summarised"
