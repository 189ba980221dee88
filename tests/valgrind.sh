#!/bin/sh
# The real binary under Valgrind's Memcheck (`make valgrind`): no invalid
# read or write, no use of uninitialised memory, no leak ("definitely" or
# "possibly" lost), on every command and output kind, on error paths, and
# when a render is interrupted.  Small work (160x90, a few frames, scenes
# that train in milliseconds), since Memcheck runs code some 30 times slower.
#
# Library-internal reports are suppressed by tests/valgrind.supp (fontconfig
# and cairo font caches, x264 SIMD over-reads of its own buffers); each entry
# there says what it hides and why.  The binary must be a plain build (not
# the AddressSanitizer one, which Valgrind cannot run).
. tests/lib.sh

SUPP=tests/valgrind.supp
VG_STATUS=99   # valgrind's status when it found an error, apart from layerwarp's 0/1/2

if ! command -v valgrind >/dev/null 2>&1; then
    echo "valgrind: not installed (apt-get install valgrind)" >&2
    exit 1
fi
case $LW in
    *asan*) echo "valgrind: $LW is a sanitizer build; give a plain one (LW_BIN=build/layerwarp)" >&2; exit 1 ;;
esac

S=tests/golden/short.scene
SMALL="--size 160x90"
n=0

# vg STATUS CMD...: layerwarp CMD under Memcheck must exit STATUS with a
# clean report.  Runs two at a time (Memcheck puts all of a program's
# threads on one core); results are collected by finish.
vg() {
    want=$1; shift
    n=$((n + 1))
    printf '%s\n%s\n' "$want" "$*" >"$TMPD/vg-$n.what"
    valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite,possible \
        --error-exitcode=$VG_STATUS --suppressions="$SUPP" --num-callers=30 \
        --log-file="$TMPD/vg-$n.log" "$LW" "$@" >/dev/null 2>"$TMPD/vg-$n.err" </dev/null &
    echo $! >"$TMPD/vg-$n.pid"
    [ $((n % 2)) -eq 0 ] && finish
    return 0
}

# finish: waits for the runs under way and checks each.
finish() {
    for p in "$TMPD"/vg-*.pid; do
        [ -e "$p" ] || continue
        base=${p%.pid}
        wait "$(cat "$p")"
        got=$?
        rm -f "$p"
        want=$(sed -n 1p "$base.what")
        report "$want" "$got" "$base.log" "$(sed -n 2p "$base.what")" "$base.err"
    done
}

# report WANT GOT LOG WHAT ERRFILE
report() {
    if [ "$2" -eq "$VG_STATUS" ] || grep -q "ERROR SUMMARY: [1-9]" "$3" 2>/dev/null; then
        fail "valgrind: layerwarp $4: Memcheck found errors (log follows)"
        sed 's/^/    /' "$3" | head -80 >&2
    elif [ "$2" -ne "$1" ]; then
        fail "valgrind: layerwarp $4: exited $2, expected $1: $(head -c 300 "$5")"
    else
        pass
    fi
}

# the cache of trained networks stored, then read (train_cache.c); every
# other run trains, so that training is what Memcheck watches there
export LAYERWARP_CACHE_DIR="$TMPD/cache"
vg 0 train $S -q
finish
vg 0 train $S -q
finish
export LAYERWARP_CACHE_DIR=off

# Every output kind: H.264, GIF (two passes through a spool), lossless MKV,
# a PNG sequence; two workers so the threaded paths run too.
vg 0 render "$S" $SMALL --frames 0:5 -j 2 -q -o "$TMPD/a.mp4"
vg 0 render "$S" $SMALL --frames 20:24 -j 2 -q -o "$TMPD/a.gif"
vg 0 render "$S" $SMALL --frames 30:33 -j 1 -q -o "$TMPD/a.mkv"
vg 0 render "$S" $SMALL --frames 40:44 -j 2 -q -o "$TMPD/seq/"
vg 0 frames "$S" $SMALL --at 2:linear:0.5 -q -o "$TMPD/frames"
# a see-through background: halo, straight alpha for PNG and VP9 with alpha
vg 0 render "$S" $SMALL --frames 10:12 -j 2 -q -t -o "$TMPD/t.webm"
vg 0 frames "$S" $SMALL --frames 10 -q -t -o "$TMPD/t.png"
vg 0 step "$S" $SMALL --layer 2 -q -o "$TMPD/step"
# 3-D layers (rings through 3-wide layers) and wide ones (6 units on a tour).
vg 0 hash scenes/olah/rings-unlinked.scene $SMALL --frames 0,60,120,200 -j 2
vg 0 hash scenes/wide.scene $SMALL --frames 40,200,400 -j 2
# shading by the change of area: its mesh, through the steps of an activation too
vg 0 hash "$S" $SMALL --frames 40,60,90 -j 2 --set render.show_shade=no --set render.shade=area \
    --set render.activation_steps=hadamard
vg 0 dump "$S" --layer 2 --stage activation -o "$TMPD/d.csv"
vg 0 train "$S" -q -o "$TMPD/w.weights"
# weights as .npz and safetensors: written, and read (a compressed .npz with
# PyTorch's names too), and refused with a missing tensor
vg 0 train "$S" -q -o "$TMPD/w.npz"
vg 0 train "$S" -q -o "$TMPD/w.safetensors"
for f in xor.npz xor-2logits.npz xor.safetensors bad-missing.safetensors; do
    printf '[dataset]\nkind = xor\npoints = 100\n[network]\nwidths = 2,3,2\n[weights]\nfile = %s/tests/weights/%s\n' \
        "$(pwd)" "$f" >"$TMPD/$f.scene"
done
vg 0 info "$TMPD/xor.npz.scene"
vg 0 hash "$TMPD/xor-2logits.npz.scene" $SMALL --frames 0,300
vg 0 info "$TMPD/xor.safetensors.scene"
vg 2 info "$TMPD/bad-missing.safetensors.scene"
# Standard output: a fragmented MP4 and a GIF on a pipe, the last frame as a
# still, weights on stdout.
vg 0 render "$S" $SMALL --frames 0:3 -j 2 -q -o - --format mp4
vg 0 render "$S" $SMALL --frames 0:3 -j 2 -q -o - --format gif
vg 0 render "$S" $SMALL -s -q -o "$TMPD/still.png"
vg 0 train "$S" -q -o -
# A whole video with its chapters and tags, its page; the scene read back
# from a video (libavformat) and a PNG (libpng); a GIF carries none.
vg 0 render "$S" $SMALL --fps 10 -j 2 -q -o "$TMPD/page/index.html"
vg 0 scene "$TMPD/page/index.webm"
vg 0 scene "$TMPD/still.png" --set train.steps=50
vg 2 scene "$TMPD/a.gif"
# A CSV with a header, extra columns and names as labels, into the legend.
vg 0 hash scenes/iris.scene $SMALL --frames 0 -j 2
# pieces, join, montage, sweep (on a 55-frame scene; the pieces made outside Memcheck)
printf '[dataset]\nkind = moons\npoints = 100\nseed = 5\n[network]\nwidths = 2,2,2\n[weights]\nW1 = 1.2 -0.8 | 0.6 1.1\nb1 = 0.3 -0.2\nW2 = 0.9 1.3 | -1.1 0.7\nb2 = -0.1 0.4\nWout = 1.5 -2.0\nbout = 0.1\n[render]\nwidth = 160\nheight = 90\nfps = 10\nstage_seconds = 0.5\nhold_start = 0\nhold_between = 0\nhold_end = 0\n' >"$TMPD/tiny.scene"
for k in 1 2 3; do "$LW" render "$TMPD/tiny.scene" --piece $k/3 -q -o "$TMPD/p$k.mp4"; done
vg 0 render "$TMPD/tiny.scene" --piece 3/3 -j 2 -q -o "$TMPD/q3.mkv"
vg 0 join -q "$TMPD/p3.mp4" "$TMPD/p1.mp4" "$TMPD/p2.mp4" -o "$TMPD/joined.mp4"
vg 2 join "$TMPD/p1.mp4" "$TMPD/p3.mp4" -o "$TMPD/nojoin.mp4"
vg 0 montage -q "$TMPD/p1.mp4" "$TMPD/p2.mp4" --col a --col b -o "$TMPD/grid.mp4"
vg 0 sweep "$TMPD/tiny.scene" --set dataset.seed=1..3 --set dataset.kind=moons,xor --montage
# Error paths: a bad scene, a bad CSV row, a malformed weights file, a bad
# option after the scene is loaded, an output that cannot be written.
vg 2 info tests/bad-scenes/29-weights-ragged-rows.scene
vg 2 info tests/bad-scenes/50-csv-bad-row.scene
printf 'x,y,label\n0,0,a\n1,1,"b\n' >"$TMPD/open-quote.csv"
printf '[dataset]\nkind = csv\nfile = open-quote.csv\n' >"$TMPD/open-quote.scene"
vg 2 info "$TMPD/open-quote.scene"
vg 2 info tests/bad-scenes/55-weights-file-malformed.scene
vg 2 hash "$S" --frames 0:9999
vg 2 render "$S" --stage bias
vg 2 render "$S" --crf 10 -o "$TMPD/c.gif"
vg 2 render "$S" -t -o "$TMPD/t.mp4"
printf 'x' >"$TMPD/file"
vg 1 render "$S" $SMALL --frames 0:1 -q -o "$TMPD/file/x.mp4"
finish

# Interrupted in the middle of a video: everything freed on the way out.
n=$((n + 1))
log="$TMPD/vg-$n.log"
valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite,possible \
    --error-exitcode=$VG_STATUS --suppressions="$SUPP" --num-callers=30 --log-file="$log" \
    "$LW" render "$S" $SMALL --fps 120 -j 2 -q -o "$TMPD/sig/b.mp4" >/dev/null 2>"$TMPD/sig.err" </dev/null &
pid=$!
i=0
while [ "$i" -lt 600 ] && kill -0 "$pid" 2>/dev/null && [ -z "$(find "$TMPD/sig" -name '*.tmp-*' 2>/dev/null)" ]; do
    sleep 0.1
    i=$((i + 1))
done
sleep 0.5
kill -INT "$pid" 2>/dev/null
wait "$pid"
report 130 $? "$log" "render (SIGINT)" "$TMPD/sig.err"

echo "valgrind: $n runs under Memcheck"
done_tests valgrind
