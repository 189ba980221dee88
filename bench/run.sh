#!/bin/sh
# make bench: what layerwarp costs, measured, never asserted in tests.
#   1. training time of every gallery scene;
#   2. frame geometry and raster cost (build/frame_bench);
#   3. the latency of a still and of a few frames, on the reference and moons
#      scenes and on large generated scenes (bench/make-scenes.sh); then the reference scene
#      in N pieces under GNU parallel (N = PIECES, default the number of cores)
#      against one process, and the join's cost;
#   4. the reference scene side by side with the Python baselines of
#      ../shared/bench (matplotlib, pycairo + ffmpeg) in one run, then issue
#      #18's table: each row a ratio from that run (bench/ratios.py), the
#      latencies of 3a against their goals.  Needs Debian's python3-matplotlib,
#      python3-cairo and ffmpeg: installed here, not by `make test`.
# Environment: RUNS (default 3) timed runs per case; SHARED (default ../shared);
# BENCH_SKIP_BASELINES=1 to stop after step 3; BENCH_TABLE_ONLY=1 for the
# table alone (steps 3a and 4).
set -eu
BUILD=${1:-build}
LW="$PWD/$BUILD/layerwarp"
RUNS=${RUNS:-3}
SHARED=${SHARED:-../shared}

TABLE_ONLY=${BENCH_TABLE_ONLY:-0}
if [ "$TABLE_ONLY" != 1 ]; then
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
fi

echo
echo "== 3a. what a still or a few frames cost (median wall seconds of $RUNS runs, peak MiB)"
# A still needs the camera of its own frames only (renderer_prepare): the
# latency of step and of one frames --at on the moons scene, and on a scene
# of 60 000 points whose video is 10x as long; hash of one frame and info of
# a 200 000-point, 16-layer scene (bench/make-scenes.sh).
sh scripts/install-deps.sh time
SCENES=$(mktemp -d /tmp/lwscenes.XXXXXX)
sh bench/make-scenes.sh "$SCENES"
cp scenes/moons.scene "$SCENES/moons.scene"
# Each line also goes to $LATENCIES (label, seconds, MiB), for step 4's table.
LATENCIES=$(mktemp /tmp/lwlatency.XXXXXX)
latency() { # LABEL COMMAND...: one line, the median wall seconds of RUNS runs and the peak
    label=$1   # resident MiB (this machine's wall times wander by a third run to run)
    shift
    : >"$SCENES/times"
    run=1
    while [ "$run" -le "$RUNS" ]; do
        if ! /usr/bin/time -f "%e %M" -o "$SCENES/time" "$@" >/dev/null 2>&1; then
            echo "$label: failed"
            printf '%s\tfailed\tfailed\n' "$label" >>"$LATENCIES"
            return 0
        fi
        cat "$SCENES/time" >>"$SCENES/times"
        run=$((run + 1))
    done
    sort -n "$SCENES/times" | awk -v l="$label" -v out="$LATENCIES" '
        { wall[NR] = $1; if ($2 > rss) rss = $2 }
        END { m = wall[int((NR + 1) / 2)];
              printf "%-44s %7.2f s %7.0f MiB\n", l, m, rss / 1024;
              printf "%s\t%s\t%.0f\n", l, m, rss / 1024 >> out }'
}
cp scenes/bench-reference.scene scenes/bench-reference.csv "$SCENES/"
# Trained networks are kept between runs (train_cache.h): a still is timed
# twice, training afresh (--no-cache) and with the network the first run
# stored, as a teacher editing the scene's look meets it.  The cache lives
# and dies with the scenes.
export LAYERWARP_CACHE_DIR="$SCENES/cache"
for s in bench-reference moons long60k; do
    latency "step --layer 1, $s, trained now" "$LW" step "$SCENES/$s.scene" --layer 1 -q \
        -o "$SCENES/step-$s" --no-cache
    "$LW" train "$SCENES/$s.scene" -q >/dev/null
    latency "step --layer 1, $s" "$LW" step "$SCENES/$s.scene" --layer 1 -q -o "$SCENES/step-$s"
    latency "frames --at 2:bias:0.5, $s" "$LW" frames "$SCENES/$s.scene" --at 2:bias:0.5 -q \
        -o "$SCENES/$s-at.png"
done
# big200k trains no step, but its report still evaluates the loss and the
# accuracy over every point once: timed afresh too.
latency "hash --frames 0:0, big200k, trained now" "$LW" hash "$SCENES/big200k.scene" \
    --frames 0:0 -q --no-cache
"$LW" train "$SCENES/big200k.scene" -q >/dev/null
latency "hash --frames 0:0, big200k" "$LW" hash "$SCENES/big200k.scene" --frames 0:0 -q
latency "info, big200k" "$LW" info "$SCENES/big200k.scene" -q
rm -rf "$SCENES"

if [ "$TABLE_ONLY" != 1 ]; then
echo
PIECES=${PIECES:-$(nproc)}
echo "== 3b. $PIECES pieces under GNU parallel against one process (reference scene, 720p MP4)"
sh scripts/install-deps.sh parallel >/dev/null
PW=$(mktemp -d /tmp/lwpieces.XXXXXX)
REF="$PWD/scenes/bench-reference.scene"
clock() { date +%s.%N; }
printf '%-4s %9s %9s %8s %9s %8s\n' run one_s pieces_s speedup join_s join/one
r=1
while [ "$r" -le "$RUNS" ]; do
    t0=$(clock); "$LW" render "$REF" -q -o "$PW/one.mp4"; t1=$(clock)
    seq "$PIECES" | parallel --will-cite -j "$PIECES" "$LW" render "$REF" -q -j 1 \
        --piece "{}/$PIECES" -o "$PW/p{}.mp4"
    t2=$(clock)
    # shellcheck disable=SC2046
    "$LW" join -q $(seq -f "$PW/p%g.mp4" "$PIECES") -o "$PW/joined.mp4"; t3=$(clock)
    echo "$t0 $t1 $t2 $t3" | awk -v r="$r" '{one=$2-$1; p=$3-$2; j=$4-$3;
        printf "%-4s %9.2f %9.2f %7.2fx %9.3f %7.2f%%\n", r, one, p, one/p, j, 100*j/one}'
    r=$((r + 1))
done
rm -rf "$PW"
echo "(one: render with every core's thread; pieces: $PIECES processes of -j 1 each;"
echo " every piece builds the show again: stage plans, geometry, the camera path)"
fi

if [ "${BENCH_SKIP_BASELINES:-0}" = 1 ] || [ ! -f "$SHARED/bench/bench.py" ]; then
    [ "${BENCH_SKIP_BASELINES:-0}" = 1 ] || echo "no $SHARED/bench/bench.py: no side-by-side comparison"
    echo
    /usr/bin/python3 bench/ratios.py /nonexistent "$LATENCIES"
    rm -f "$LATENCIES"
    exit 0
fi

echo
echo "== 4. side by side with the baselines ($RUNS rounds, every case once a round)"
sh scripts/install-deps.sh python3-numpy python3-matplotlib python3-cairo ffmpeg time
WORK=$(mktemp -d /tmp/lwbench.XXXXXX)
export BENCH_TMP=${BENCH_TMP:-/dev/shm/olah_bench}
cp -r "$SHARED/bench/." "$WORK/"
chmod -R u+w "$WORK"
rm -rf "$WORK/results"
SCENE="$PWD/scenes/bench-reference.scene"
# The 4K cases (slowest) last.  The cases bench.py lacks: matplotlib and the floor at veryfast (layerwarp's
# default preset); x264 alone at veryfast and at medium on the same frames
# already in yuv420p (made by X_yuv_prep_720, which runs first): what no
# drawing can go below, so what no render can beat matplotlib by; and the floor at 4K, where the raw frames (9 GB) would not
# fit beside the others in tmpfs: pycairo pipes them to ffmpeg instead, and
# only the peak memory of that case is used (ffmpeg's, the largest process).
FF="ffmpeg -hide_banner -loglevel error -y -f rawvideo -pix_fmt bgra -r 30"
X264="-c:v libx264 -crf 20 -pix_fmt yuv420p"
YUV="ffmpeg -hide_banner -loglevel error -y -f rawvideo -pix_fmt yuv420p -s 1280x720 -r 30 -i $BENCH_TMP/frames_720.yuv"
# One round runs every case once (bench.py --runs 1, after its warm-up), in
# groups: each layerwarp case right after the baselines it is compared with
# (one bench.py call a group), so a render and its floor are timed seconds
# apart.  RUNS rounds follow each other; ratios.py takes the median of the
# rounds' ratios.  This machine's speed drifts by a third over tens of
# minutes: cases timed RUNS times in a row (bench.py --runs RUNS) compared
# figures from different speeds (once a render 0.7x its own encoder's
# floor), and even in rounds a floor timed minutes before its render slipped
# a row from 0.98x to 1.21x on a busy spell.
together() {
    (cd "$WORK" && /usr/bin/python3 bench.py --runs 1 "$@")
}
bench_round() {
    # the frames in yuv420p that x264 alone encodes; then x264 alone
    together --only X_yuv_prep_720 X_x264_alone_ \
        --case X_yuv_prep_720 \
            "ffmpeg -hide_banner -loglevel error -y -f rawvideo -pix_fmt bgra -s 1280x720 -r 30 -i $BENCH_TMP/frames_720.raw -f rawvideo -pix_fmt yuv420p $BENCH_TMP/frames_720.yuv" \
        --case X_x264_alone_veryfast_720 \
            "$YUV -c:v libx264 -preset veryfast -crf 20 $BENCH_TMP/x264_vf_720.mp4" \
        --case X_x264_alone_medium_720 "$YUV -c:v libx264 -preset medium -crf 20 $BENCH_TMP/x264_md_720.mp4"
    # veryfast: the floor, matplotlib, the render
    together --only C_encode_veryfast_720 X_mpl_loop_veryfast_720 X_layerwarp_render_veryfast_720 \
        --case X_mpl_loop_veryfast_720 \
            "/usr/bin/python3 baseline_mpl.py --mode loop --preset veryfast --out $BENCH_TMP/a_loop_vf_720.mp4" \
        --case X_layerwarp_render_veryfast_720 \
            "$LW render $SCENE -q --preset veryfast -o $BENCH_TMP/lw_vf_720.mp4"
    # medium: the floor, matplotlib, the render
    together --only C_encode_medium_720 A_mpl_loop_720 X_layerwarp_render_720 \
        --case X_layerwarp_render_720 "$LW render $SCENE -q -o $BENCH_TMP/lw_720.mp4"
    # hash against matplotlib drawing alone
    together --only A_mpl_noenc_720 X_layerwarp_hash_720 \
        --case X_layerwarp_hash_720 "$LW hash $SCENE > /dev/null"
    # peak memory at 1080p and 4K against the floor's
    together --only C_encode_medium_1080 X_layerwarp_render_1080 \
        --case X_layerwarp_render_1080 "$LW render $SCENE -q --size 1920x1080 -o $BENCH_TMP/lw_1080.mp4"
    together --only X_layerwarp_render_veryfast_2160 X_floor_veryfast_2160 \
        --case X_layerwarp_render_veryfast_2160 \
            "$LW render $SCENE -q --size 3840x2160 --preset veryfast -o $BENCH_TMP/lw_vf_2160.mp4" \
        --case X_floor_veryfast_2160 \
            "/usr/bin/python3 baseline_pycairo.py --size 3840x2160 --dump-raw /dev/stdout | $FF -s 3840x2160 -i - $X264 -preset veryfast $BENCH_TMP/c_veryfast_2160.mp4"
}
mkdir "$WORK/rounds"
r=1
while [ "$r" -le "$RUNS" ]; do
    echo "-- round $r of $RUNS"
    bench_round
    mv "$WORK/results" "$WORK/rounds/round-$r"
    r=$((r + 1))
done
echo
/usr/bin/python3 bench/ratios.py "$WORK/rounds" "$LATENCIES"
rm -f "$LATENCIES"
echo "(raw results: $WORK/rounds; frames in $BENCH_TMP take 3.2 GB of RAM: rm -rf $BENCH_TMP)"
