#!/bin/sh
# make bench: what layerwarp costs, measured, never asserted in tests.
#   1. training time of every gallery scene;
#   2. frame geometry and raster cost (build/frame_bench);
#   3. the reference scene side by side with the Python baselines of
#      ../shared/bench (matplotlib, pycairo + ffmpeg) in one run, with the
#      ratios the project targets.  Needs Debian's python3-matplotlib,
#      python3-cairo and ffmpeg: installed here, not by `make test`.
# Environment: RUNS (default 3) timed runs per case; SHARED (default ../shared);
# BENCH_SKIP_BASELINES=1 to stop after step 2.
set -eu
BUILD=${1:-build}
LW="$PWD/$BUILD/layerwarp"
RUNS=${RUNS:-3}
SHARED=${SHARED:-../shared}

echo "== 1. training time (CPU seconds, from 'layerwarp train')"
printf '%-32s %8s %8s %9s\n' scene steps seconds accuracy
for s in scenes/*.scene scenes/olah/*.scene; do
    grep -q '^\[weights\]' "$s" && continue   # fixed weights: nothing to train
    line=$("$LW" train "$s" -q)
    steps=$(echo "$line" | sed 's/.*steps=\([0-9]*\).*/\1/')
    secs=$(echo "$line" | sed 's/.*seconds=\([0-9.]*\).*/\1/')
    acc=$(echo "$line" | sed 's/.*accuracy=\([0-9.]*\).*/\1/')
    printf '%-32s %8s %8s %9s\n' "$s" "$steps" "$secs" "$acc"
done

echo
echo "== 2. frame cost (one thread, no encoding or hashing)"
"$BUILD/frame_bench"

[ "${BENCH_SKIP_BASELINES:-0}" = 1 ] && exit 0
if [ ! -f "$SHARED/bench/bench.py" ]; then
    echo "no $SHARED/bench/bench.py: skipping the side-by-side comparison"
    exit 0
fi

echo
echo "== 3. side by side with the baselines ($RUNS runs per case)"
sh scripts/install-deps.sh python3-numpy python3-matplotlib python3-cairo ffmpeg time
WORK=$(mktemp -d /tmp/lwbench.XXXXXX)
export BENCH_TMP=${BENCH_TMP:-/dev/shm/olah_bench}
cp -r "$SHARED/bench/." "$WORK/"
chmod -R u+w "$WORK"
rm -rf "$WORK/results"
SCENE="$PWD/scenes/bench-reference.scene"
(cd "$WORK" && /usr/bin/python3 bench.py --runs "$RUNS" \
    --only C_encode_medium_720 C_encode_medium_1080 A_mpl_loop_720 A_mpl_loop_1080 \
           A_mpl_noenc_720 X_ \
    --case X_layerwarp_render_720 "$LW render $SCENE -q -o $BENCH_TMP/lw_720.mp4" \
    --case X_layerwarp_render_1080 "$LW render $SCENE -q --size 1920x1080 -o $BENCH_TMP/lw_1080.mp4" \
    --case X_layerwarp_hash_720 "$LW hash $SCENE > /dev/null")
echo
/usr/bin/python3 bench/ratios.py "$WORK/results"
echo "(raw results: $WORK/results; frames in $BENCH_TMP take 3.2 GB of RAM: rm -rf $BENCH_TMP)"
