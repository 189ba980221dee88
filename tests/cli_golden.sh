#!/bin/sh
# Golden frame hashes: every tests/golden/*.hashes is hashed again with the
# scene, arguments and hash (XXH3-128 or SHA-256) its header names, and each
# line "index label hash" must come back the same.  The hashes pin the exact pixels Cairo and pixman
# draw on this Debian release (see tests/golden/README.md); what the frames
# mean (geometry = the forward pass) is tested in tests/test_geometry.c.
#
# On a mismatch the details go to out/test-failures/golden/NAME/:
#   expected.txt, actual.txt, diff.txt   the hash lines
#   actual/frame-NNNNN.png               each frame that changed, as drawn now
#   expected/frame-NNNNN.png             the same frame from a reference build
#   diff/frame-NNNNN.png                 ImageMagick `compare` of the two
# The reference build is $LW_GOLDEN_REF_BIN when set, else the commit that
# last wrote tests/golden/, built into a temporary folder (a few seconds),
# when the code has changed since; it is used only if it reproduces the
# golden hashes.  Without ImageMagick there is no diff image.
# After an intended change of the pictures: `make golden`, then review
# `git diff tests/golden/`.
. tests/lib.sh

DIR=tests/golden
FAILDIR=out/test-failures/golden
rm -rf "$FAILDIR"
checked=0
frames=0
REF=""        # the reference binary, once looked for
REF_ROOT=""   # the reference commit's files (its scenes), when built from git
REF_TRIED=0

# find_ref: sets REF to a binary that draws the golden frames, or says why not.
find_ref() {
    [ "$REF_TRIED" -eq 1 ] && return
    REF_TRIED=1
    if [ -n "${LW_GOLDEN_REF_BIN:-}" ]; then
        REF=$LW_GOLDEN_REF_BIN
        return
    fi
    if ! command -v git >/dev/null 2>&1 || ! git rev-parse --verify -q HEAD >/dev/null 2>&1; then
        echo "cli_golden: no git checkout, so no reference build for expected frames" >&2
        return
    fi
    commit=$(git log -1 --format=%H -- "$DIR" 2>/dev/null)
    if [ -z "$commit" ]; then
        echo "cli_golden: the goldens are not committed yet, so no reference build" >&2
        return
    fi
    if git diff --quiet "$commit" -- src include Makefile scenes "$DIR"/*.scene 2>/dev/null; then
        echo "cli_golden: the code is as it was when the goldens were made (commit ${commit%"${commit#???????}"}):" \
             "this machine draws differently (Cairo/pixman/fonts?), or the goldens were made from uncommitted code" >&2
        return
    fi
    echo "cli_golden: building commit ${commit%"${commit#???????}"} (the goldens' code) for the expected frames" >&2
    mkdir -p "$TMPD/ref"
    if git archive "$commit" | tar -x -C "$TMPD/ref" &&
        make -C "$TMPD/ref" BUILD="$TMPD/ref/build" "$TMPD/ref/build/layerwarp" >"$TMPD/ref.log" 2>&1; then
        REF="$TMPD/ref/build/layerwarp"
        REF_ROOT="$TMPD/ref"
    else
        echo "cli_golden: the reference build failed: $(tail -3 "$TMPD/ref.log")" >&2
    fi
}

# explain NAME SCENE ARGS: writes the failure details and names them on stderr.
explain() {
    name=$1; scene=$2; args=$3
    d="$FAILDIR/$name"
    mkdir -p "$d"
    grep -v '^#' "$DIR/$name.hashes" >"$d/expected.txt"
    cp "$TMPD/actual" "$d/actual.txt"
    diff "$d/expected.txt" "$d/actual.txt" >"$d/diff.txt"
    size=$(printf '%s\n' "$args" | awk '{for (i = 1; i < NF; i++) if ($i == "--size") print "--size", $(i + 1)}')
    # frames whose line changed (or is missing)
    awk 'FILENAME == ARGV[1] { want[$1] = $0; next } { act[$1] = $0 }
         END { for (k in want) if (want[k] != act[k]) print k }' \
        "$d/expected.txt" "$d/actual.txt" | sort -n >"$TMPD/changed"
    n_changed=$(wc -l <"$TMPD/changed")
    list=$(head -20 "$TMPD/changed" | paste -sd, -)   # pictures of the first 20 at most
    [ "$n_changed" -gt 20 ] && list_note=" (first 20 of $n_changed)" || list_note=""
    fail "$name: frames ${list:-?}$list_note differ from $DIR/$name.hashes (layerwarp hash $scene $args)"
    echo "      hashes: $d/expected.txt, $d/actual.txt, $d/diff.txt" >&2
    [ -n "$list" ] || return
    # shellcheck disable=SC2086
    if "$LW" frames "$scene" $size --frames "$list" -o "$d/actual" -q >/dev/null 2>"$TMPD/ferr"; then
        echo "      actual frames: $d/actual/" >&2
    else
        echo "      could not write the actual frames: $(head -c 300 "$TMPD/ferr")" >&2
    fi
    find_ref
    [ -n "$REF" ] || return
    # the scene as it was at the reference commit, if it existed then
    ref_scene=$scene
    [ -n "$REF_ROOT" ] && [ -f "$REF_ROOT/$scene" ] && ref_scene="$REF_ROOT/$scene"
    # shellcheck disable=SC2086
    "$REF" hash "$ref_scene" $size --frames "$list" >"$TMPD/refhash" 2>/dev/null
    if ! awk 'FILENAME == ARGV[1] { want[$1] = $0; next } want[$1] != $0 { bad = 1 } END { exit bad }' \
            "$d/expected.txt" "$TMPD/refhash"; then
        echo "      the reference build does not reproduce the goldens either: this machine draws" \
             "differently from the one that made them (see $DIR/README.md), or the goldens were" \
             "made from uncommitted code" >&2
        return
    fi
    # shellcheck disable=SC2086
    "$REF" frames "$ref_scene" $size --frames "$list" -o "$d/expected" -q >/dev/null 2>&1 &&
        echo "      expected frames: $d/expected/" >&2
    if ! command -v compare >/dev/null 2>&1; then
        echo "      (ImageMagick's compare is not installed: no difference images)" >&2
        return
    fi
    mkdir -p "$d/diff"
    shown=0
    for f in "$d/actual"/frame-*.png; do
        b=$(basename "$f")
        [ -f "$d/expected/$b" ] || continue
        px=$(compare -metric AE "$d/expected/$b" "$f" "$d/diff/$b" 2>&1 >/dev/null)
        shown=$((shown + 1))
        [ "$shown" -le 4 ] && echo "      $b: $px pixels differ" >&2
    done
    echo "      difference images (red where they differ): $d/diff/" >&2
}

for g in "$DIR"/*.hashes; do
    [ -e "$g" ] || continue
    name=$(basename "$g" .hashes)
    scene=$(sed -n 's/^# scene: //p' "$g")
    args=$(sed -n 's/^# args: //p' "$g")
    # the hash the file holds ("# hash: xxh3"); files from before it was named: SHA-256
    algo=$(sed -n 's/^# hash: //p' "$g")
    args="--algo ${algo:-sha256} $args"
    if [ -z "$scene" ] || [ ! -f "$scene" ]; then
        fail "$g: its scene '$scene' does not exist (run make golden)"
        continue
    fi
    # shellcheck disable=SC2086
    if ! "$LW" hash "$scene" $args -j 2 >"$TMPD/actual" 2>"$TMPD/err"; then
        fail "$name: layerwarp hash $scene $args failed: $(head -c 300 "$TMPD/err")"
        continue
    fi
    checked=$((checked + 1))
    n=$(grep -vc '^#' "$g")
    frames=$((frames + n))
    if grep -v '^#' "$g" | cmp -s - "$TMPD/actual"; then
        pass
    else
        explain "$name" "$scene" "$args"
    fi
done

# Every scene has its golden file (a new scene needs `make golden`).
for s in scenes/*.scene scenes/*/*.scene; do
    [ -e "$s" ] || continue
    rel=${s#scenes/}
    g="$DIR/$(printf '%s' "${rel%.scene}" | tr / -).hashes"
    if [ -f "$g" ]; then pass; else fail "$s has no golden hashes ($g); run make golden"; fi
done

if [ "$checked" -ge 2 ]; then pass; else fail "only $checked golden files checked"; fi
[ "$T_FAIL" -eq 0 ] || echo "cli_golden: if the change is intended: make golden, then review git diff $DIR/" >&2
echo "cli_golden: $checked scenes, $frames frames compared"
done_tests cli_golden
