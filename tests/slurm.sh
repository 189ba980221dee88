#!/bin/sh
# make test-slurm: a one-node Slurm cluster on loopback from Debian's
# packages (munge, slurmctld, slurmd; tests/slurm/slurm.conf.in), the piece
# array of scripts/slurm/render-pieces.sbatch and the dependent join of
# scripts/slurm/join-pieces.sbatch, then the joined video checked frame by
# frame against the one-process render (build/tests/test_pieces SCENE VIDEO).
# Everything it starts is stopped again and its folder removed.
# Exit 0 passed, 1 failed, 77 the daemons could not be started (said plainly).
set -u
BUILD=${1:-build}
LW=$(realpath "$BUILD/layerwarp")
CHECK=$(realpath "$BUILD/tests/test_pieces")
TESTS=$(cd "$(dirname "$0")" && pwd)
SCRIPTS=$(cd "$TESTS/../scripts/slurm" && pwd)
DIR=$(mktemp -d /tmp/lw-slurm.XXXXXX)
chmod 755 "$DIR"
export SLURM_CONF="$DIR/slurm.conf"

stop_all() {
    for f in slurmd slurmctld munged; do
        [ -s "$DIR/$f.pid" ] && kill "$(cat "$DIR/$f.pid")" 2>/dev/null
    done
    sleep 1
    for f in slurmd slurmctld munged; do
        [ -s "$DIR/$f.pid" ] && kill -9 "$(cat "$DIR/$f.pid")" 2>/dev/null
    done
    rm -rf "$DIR"
}
trap stop_all EXIT
trap 'exit 1' INT TERM

skip() {
    echo "test-slurm: SKIPPED: $* (see the logs above); the Slurm recipe was not tested" >&2
    for f in munged.log slurmctld.log slurmd.log; do
        [ -f "$DIR/$f" ] && { echo "--- $f"; tail -5 "$DIR/$f"; } >&2
    done
    exit 77
}

for p in munged slurmctld slurmd sbatch squeue; do
    command -v "$p" >/dev/null || skip "$p is not installed (scripts/install-deps.sh munge slurmctld slurmd slurm-client)"
done

# ports of our own, so a Slurm already on this machine is left alone
base=$((20000 + $$ % 20000))
mkdir -p "$DIR/state" "$DIR/spool" "$DIR/out"
sed -e "s|@DIR@|$DIR|g" -e "s|@HOST@|$(hostname -s)|g" -e "s|@CTLD_PORT@|$base|g" \
    -e "s|@SLURMD_PORT@|$((base + 1))|g" -e "s|@CPUS@|$(nproc)|g" \
    "$TESTS/slurm/slurm.conf.in" >"$SLURM_CONF"

dd if=/dev/urandom of="$DIR/munge.key" bs=1024 count=1 2>/dev/null
chmod 400 "$DIR/munge.key"
munged --force --key-file="$DIR/munge.key" --socket="$DIR/munge.sock" \
    --pid-file="$DIR/munged.pid" --log-file="$DIR/munged.log" \
    --seed-file="$DIR/munge.seed" || skip "munged did not start"
slurmctld -f "$SLURM_CONF" || skip "slurmctld did not start"
slurmd -f "$SLURM_CONF" -N lwnode || skip "slurmd did not start"

# the node comes up within seconds
up=0
for _ in $(seq 60); do
    if sinfo -h -N -o '%T' 2>/dev/null | grep -Eq '^(idle|mixed|allocated)'; then up=1; break; fi
    sleep 0.5
done
[ "$up" = 1 ] || skip "the Slurm node did not come up: $(sinfo -h -N -o '%T %E' 2>&1)"
echo "test-slurm: one-node cluster up ($(sinfo -h -o '%P %D %T'))"

# the work: from here on, a failure is a failure
printf '[dataset]\nkind = moons\npoints = 200\nseed = 5\n[network]\nwidths = 2,2,2\n[weights]\nW1 = 1.2 -0.8 | 0.6 1.1\nb1 = 0.3 -0.2\nW2 = 0.9 1.3 | -1.1 0.7\nb2 = -0.1 0.4\nWout = 1.5 -2.0\nbout = 0.1\n[render]\nwidth = 320\nheight = 180\nfps = 25\nstage_seconds = 0.24\nhold_start = 0\nhold_between = 0\nhold_end = 0\n' >"$DIR/short.scene"
cd "$DIR/out" || exit 1
export LAYERWARP="$LW"
pieces=$(sbatch --parsable --array=0-2 "$SCRIPTS/render-pieces.sbatch" "$DIR/short.scene" "$DIR/out" mkv) ||
    { echo "test-slurm: FAIL: sbatch of the piece array" >&2; exit 1; }
joined=$(sbatch --parsable --dependency=afterok:"$pieces" "$SCRIPTS/join-pieces.sbatch" "$DIR/out" "$DIR/out/joined.mkv") ||
    { echo "test-slurm: FAIL: sbatch of the join" >&2; exit 1; }
echo "test-slurm: submitted array $pieces (3 pieces) and join $joined (afterok)"
done=0
for _ in $(seq 180); do
    if [ -z "$(squeue -h -j "$pieces,$joined" 2>/dev/null)" ]; then done=1; break; fi
    sleep 0.5
done
if [ "$done" != 1 ]; then
    echo "test-slurm: FAIL: jobs still queued after 90 s: $(squeue -h 2>&1)" >&2
    exit 1
fi
if [ ! -f "$DIR/out/joined.mkv" ]; then
    echo "test-slurm: FAIL: no joined video; job logs:" >&2
    tail -n 5 "$DIR"/out/*.log >&2
    exit 1
fi
"$CHECK" "$DIR/short.scene" "$DIR/out/joined.mkv" || { echo "test-slurm: FAIL" >&2; exit 1; }
echo "test-slurm: passed"
