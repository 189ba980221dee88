#!/bin/sh
# A frame depends only on the scene and its index (include/render.h): the
# hash lines of `layerwarp hash` must be the same
#   - for -j 1, -j 2 and -j 3 (more workers than cores, frames finish out of
#     order and are put back in order);
#   - for a frame range or list as for the same frames of the full run;
#   - from one run to the next;
# and the PNG files of `layerwarp frames` must be the same for any -j.
# Scenes are small (320x180, a few fps) so this takes seconds.
. tests/lib.sh

SIZE=320x180

# hash_to FILE SCENE ARGS...: the hash lines, or a failure.
hash_to() {
    f=$1; shift
    if ! "$LW" hash "$@" >"$f" 2>"$TMPD/err"; then
        fail "layerwarp hash $*: exited non-zero: $(head -c 300 "$TMPD/err")"
        return 1
    fi
    if [ ! -s "$f" ]; then
        fail "layerwarp hash $*: printed nothing"
        return 1
    fi
}

# same A B WHAT: files A and B are equal.
same() {
    if cmp -s "$1" "$2"; then pass; else fail "$3: $(diff "$1" "$2" | head -4 | tr '\n' ' ')"; fi
}

# The golden short scene (trained, shaded), a 3-D scene with an orbiting
# camera (linked rings), a wide one (6-unit layers on a slow tour) and a
# sigmoid played in element-wise steps (views fitted per axis), and two
# panels side by side (each with its own camera) whose segments are a
# replayed training's checkpoints.
for spec in "tests/golden/short.scene" \
            "scenes/olah/rings-linked.scene --size $SIZE --fps 6" \
            "scenes/wide.scene --size $SIZE --fps 6" \
            "scenes/olah/sigmoid-steps.scene --size $SIZE --fps 6" \
            "scenes/olah/annulus-training.scene --size $SIZE --fps 3"; do
    # shellcheck disable=SC2086
    set -- $spec
    scene=$1
    name=$(basename "$scene" .scene)
    hash_to "$TMPD/$name.j1" "$@" -j 1 || continue
    total=$(wc -l <"$TMPD/$name.j1")

    for j in 2 3; do
        hash_to "$TMPD/$name.j$j" "$@" -j "$j" && same "$TMPD/$name.j1" "$TMPD/$name.j$j" "$name: -j $j differs from -j 1"
    done
    hash_to "$TMPD/$name.again" "$@" -j 2 && same "$TMPD/$name.j2" "$TMPD/$name.again" "$name: a second run differs"

    # Lines are "index label hash" (XXH3-128: 32 hex digits), one per frame 0..total-1, in order.
    if awk '$1 != NR - 1 || NF < 3 || length($NF) != 32 { bad = 1 } END { exit bad }' "$TMPD/$name.j1"; then
        pass
    else
        fail "$name: hash lines are not 'index label xxh3' for frames 0.. in order: $(head -2 "$TMPD/$name.j1")"
    fi

    # Ranges: first frame alone, last frame alone, a middle stretch, the
    # whole run as a range, each with a thread count of its own.
    mid=$((total / 2))
    for r in "0:0" "$((total - 1)):$((total - 1))" "$((mid - 3)):$((mid + 4))" "0:$((total - 1))"; do
        a=${r%:*}; b=${r#*:}
        hash_to "$TMPD/$name.range" "$@" --frames "$r" -j 2 || continue
        sed -n "$((a + 1)),$((b + 1))p" "$TMPD/$name.j1" >"$TMPD/$name.want"
        same "$TMPD/$name.want" "$TMPD/$name.range" "$name: --frames $r differs from those frames of the full run"
    done
    # A list, out of order and with a repeat: lines come in the order asked.
    list="$((total - 1)),3,$mid,3"
    hash_to "$TMPD/$name.list" "$@" --frames "$list" -j 3 || continue
    for f in $(echo "$list" | tr , ' '); do sed -n "$((f + 1))p" "$TMPD/$name.j1"; done >"$TMPD/$name.want"
    same "$TMPD/$name.want" "$TMPD/$name.list" "$name: --frames $list differs from those frames of the full run"
done

# PNG files: the same bytes whatever the number of workers.
for j in 1 3; do
    if "$LW" frames tests/golden/short.scene --frames 20:27 -j "$j" -o "$TMPD/png-j$j" -q 2>"$TMPD/err"; then
        pass
    else
        fail "frames -j $j: $(head -c 300 "$TMPD/err")"
    fi
done
n=0
for f in "$TMPD"/png-j1/frame-*.png; do
    [ -e "$f" ] || continue
    n=$((n + 1))
    same "$f" "$TMPD/png-j3/$(basename "$f")" "frames: $(basename "$f") differs between -j 1 and -j 3"
done
if [ "$n" -eq 8 ]; then pass; else fail "frames --frames 20:27 wrote $n files, expected 8"; fi

done_tests cli_determinism
