#!/bin/sh
# Regenerates the golden frame hashes in tests/golden/ (`make golden`) and
# says which frames changed against the committed version.
#
#   scripts/golden.sh [BIN]        BIN defaults to build/layerwarp
#
# One file per scene, tests/golden/NAME.hashes:
#   - tests/golden/short.scene -> short.hashes: every frame, at the scene's
#     own size (320x180);
#   - scenes/*.scene and scenes/*/*.scene -> NAME.hashes (scenes/olah/x.scene
#     -> olah-x.hashes): frame 0, the last frame and the middle (t = 0.5) of
#     every stage, at --size 320x180 (the scene's own fps, so the timeline is
#     the scene's).
# Each file starts with comment lines that tests/cli_golden.sh reads back:
#   # scene: PATH        the scene
#   # args: ARGS         the arguments given to `layerwarp hash`
#   # hash: ALGO         the hash (--algo): xxh3 (XXH3-128), or sha256 ($ALGO);
#                        a file without this line holds SHA-256
#   # made with: ...     layerwarp, Cairo and pixman versions (for the reader)
# then the lines `layerwarp hash` printed: "index label hash".
#
# The old files are compared with the new ones frame by frame, against the
# committed version (git HEAD) when there is one, else against the files as
# they were; review the result with `git diff tests/golden/`.
set -eu
cd "$(dirname "$0")/.."

LW=${1:-build/layerwarp}
DIR=tests/golden
ALGO=${ALGO:-xxh3}   # the hash written: xxh3 (XXH3-128) or sha256
SIZE=320x180

if [ ! -x "$LW" ]; then
    echo "golden: $LW not found; run make first" >&2
    exit 1
fi

TMP=$(mktemp -d /tmp/lwgolden.XXXXXX)
trap 'rm -rf "$TMP"' EXIT INT TERM

cairo=$("$LW" --version)
pixman=$(pkg-config --modversion pixman-1 2>/dev/null || echo unknown)
debian=$(cut -d. -f1 /etc/debian_version 2>/dev/null || echo unknown)
MADE_WITH="$cairo, pixman $pixman, Debian $debian"

# The committed version of a golden file (or the file on disk outside git).
old_version() {
    if git rev-parse --verify -q HEAD >/dev/null 2>&1; then
        git show "HEAD:$1" 2>/dev/null || true
    elif [ -f "$1" ]; then
        cat "$1"
    fi
}

# sampled_args SCENE: "--size 320x180 --frames 0,A,B,...,LAST" with the
# middle frame of every stage, and of every element-wise step of an
# activation played in steps (info's "steps:" lines).
sampled_args() {
    info=$("$LW" info "$1" --size "$SIZE")
    frames=$(printf '%s\n' "$info" | awk '/^frames:/ {print $2}')
    layers=$(printf '%s\n' "$info" | awk '/^stages:/ {gsub(/\(/, "", $3); print $3}')
    at=""
    l=1
    while [ "$l" -le "$layers" ]; do
        for s in linear bias activation; do at="$at --at $l:$s:0.5"; done
        l=$((l + 1))
    done
    at="$at $(printf '%s\n' "$info" | awk '/^steps:/ {
        l = $3; sub(/:$/, "", l); n = 0
        for (i = 4; i <= NF && $i !~ /^\(/; i++) n++
        for (k = 1; k <= n; k++) printf " --at %s:activation.%d:0.5", l, k }')"
    # shellcheck disable=SC2086
    list=$( { echo 0; echo $((frames - 1)); "$LW" hash "$1" --size "$SIZE" $at | awk '{print $1}'; } |
            sort -n -u | paste -sd, -)
    echo "--size $SIZE --frames $list"
}

# compare NAME OLD NEW: one line saying what changed.
compare() {
    awk -v name="$1" '
        /^#/ || NF < 3 { next }
        FILENAME == ARGV[1] { old[$1] = $NF; n_old++; next }
        {
            n++; seen[$1] = 1
            if (!($1 in old)) added++
            else if (old[$1] != $NF) {
                changed++
                lab = $2; for (i = 3; i < NF; i++) lab = lab " " $i
                if (changed <= 12) list = list (changed > 1 ? ", " : "") $1 " (" lab ")"
            }
        }
        END {
            for (k in old) if (!(k in seen)) removed++
            if (!n_old) { printf "golden: %s: new, %d frames\n", name, n; exit }
            if (!changed && !added && !removed) { printf "golden: %s: unchanged, %d frames\n", name, n; exit }
            printf "golden: %s: %d of %d frames changed", name, changed, n
            if (added) printf ", %d added", added
            if (removed) printf ", %d no longer hashed", removed
            if (changed) printf ": %s%s", list, (changed > 12 ? ", ..." : "")
            printf "\n"
        }' "$2" "$3"
}

files_changed=0
files_total=0
made=""
for scene in "$DIR/short.scene" scenes/*.scene scenes/*/*.scene; do
    [ -f "$scene" ] || continue
    case $scene in
        "$DIR"/*) name=$(basename "$scene" .scene); args="" ;;
        *) rel=${scene#scenes/}; name=$(printf '%s' "${rel%.scene}" | tr / -); args=$(sampled_args "$scene") ;;
    esac
    out="$TMP/$name.hashes"
    {
        echo "# Golden frame hashes, written by scripts/golden.sh (make golden); do not edit."
        echo "# scene: $scene"
        echo "# args: $args"
        echo "# hash: $ALGO"
        echo "# made with: $MADE_WITH"
        # shellcheck disable=SC2086
        "$LW" hash "$scene" $args --algo "$ALGO"
    } >"$out"
    old_version "$DIR/$name.hashes" >"$TMP/old"
    # an old file in another hash: its pixels compared in its own hash
    old_algo=$(sed -n 's/^# hash: //p' "$TMP/old")
    old_algo=${old_algo:-sha256}
    new="$out"
    if [ -s "$TMP/old" ] && [ "$old_algo" != "$ALGO" ]; then
        new="$TMP/recheck"
        # shellcheck disable=SC2086
        "$LW" hash "$scene" $args --algo "$old_algo" >"$new"
    fi
    line=$(compare "$name" "$TMP/old" "$new")
    [ "$new" != "$out" ] && line="$line (compared in $old_algo, the old file's hash; now $ALGO)"
    echo "$line"
    case $line in *": unchanged,"*) ;; *) files_changed=$((files_changed + 1)) ;; esac
    files_total=$((files_total + 1))
    made="$made $name.hashes"
done

# Goldens of scenes that no longer exist.
for f in "$DIR"/*.hashes; do
    [ -e "$f" ] || continue
    case " $made " in *" $(basename "$f") "*) continue ;; esac
    echo "golden: $(basename "$f" .hashes): its scene is gone, removed"
    rm -f "$f"
    files_changed=$((files_changed + 1))
done

for f in $made; do mv "$TMP/$f" "$DIR/$f"; done
echo "golden: $files_changed of $files_total files differ from the committed version; review with: git diff $DIR/"
