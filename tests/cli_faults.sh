#!/bin/sh
# Output faults as a user meets them, with the real binary.  Each must end
# with exit status 1 and one clear line on stderr, leave no partial or
# temporary file (.NAME.tmp-*, NAME.tmp-*), and leave a file already at the
# target byte for byte as it was:
#   - an output path under a regular file (render, frames, step, dump, train);
#   - a read-only file system (a tmpfs remounted ro; skipped where mount is
#     not allowed, e.g. not root);
#   - a full disk: a tiny tmpfs that fills up in the middle of a video or a
#     PNG sequence, or is full from the start; and stdout on /dev/full;
#   - SIGINT and SIGTERM in the middle of a render (video and PNG sequence):
#     there the status is the shell's for a signal, 128 + its number (130,
#     143), not 1.
# Then every input in tests/fuzz-crashes/ (inputs that once crashed the scene
# parser under the fuzzer) must give `layerwarp info` exit status 2 without
# a crash.
. tests/lib.sh
trap 'for m in "$TMPD/ro" "$TMPD/full"; do umount "$m" 2>/dev/null; done; rm -rf "$TMPD"' EXIT

SHORT=tests/golden/short.scene     # 55 frames at 320x180, trains in 0.01 s
OLD="an older output that must survive"

# fault TEXT DIR CMD...: exit status 1, exactly one stderr line containing
# TEXT, no crash, no temporary file left in DIR.
fault() {
    text=$1; dir=$2; shift 2
    timeout 60 "$@" >"$TMPD/out" 2>"$TMPD/err" </dev/null
    got=$?
    if [ "$got" -ne 1 ]; then
        fail "$*: exited $got, expected 1: $(head -c 300 "$TMPD/err")"
        no_temp "$dir" "$*"
        return
    fi
    lines=$(wc -l <"$TMPD/err")
    if [ "$lines" -ne 1 ]; then
        fail "$*: $lines lines on stderr, expected 1: $(head -c 400 "$TMPD/err")"
    elif grep -qF -- "$text" "$TMPD/err"; then
        pass
    else
        fail "$*: stderr lacks '$text': $(head -c 300 "$TMPD/err")"
    fi
    no_temp "$dir" "$*"
}

# no_temp DIR WHAT: no temporary file anywhere under DIR.
no_temp() {
    left=$(find "$1" -name '*.tmp-*' 2>/dev/null)
    if [ -z "$left" ]; then pass; else fail "$2: left temporary files: $left"; fi
}

# intact FILE WHAT: FILE still holds $OLD.
intact() {
    if [ -f "$1" ] && [ "$(cat "$1")" = "$OLD" ]; then pass; else fail "$2: $1 was changed or removed"; fi
}

# ---- an output path under a regular file --------------------------------------------

mkdir "$TMPD/nd"
F="$TMPD/nd/file"
printf '%s' "$OLD" >"$F"
fault "$F" "$TMPD/nd" "$LW" render "$SHORT" -o "$F/x.mp4" -q
fault "$F" "$TMPD/nd" "$LW" render "$SHORT" -o "$F/x.gif" -q
fault "$F" "$TMPD/nd" "$LW" render "$SHORT" -o "$F/seq/" -q
fault "$F" "$TMPD/nd" "$LW" frames "$SHORT" --frames 0:2 -o "$F/frames" -q
fault "$F" "$TMPD/nd" "$LW" step "$SHORT" --layer 1 -o "$F/step" -q
fault "$F" "$TMPD/nd" "$LW" dump "$SHORT" --layer 1 --stage bias -o "$F/x.csv"
fault "$F" "$TMPD/nd" "$LW" train "$SHORT" -q -o "$F/x.weights"
intact "$F" "paths under a regular file"
if [ "$(ls -A "$TMPD/nd")" = "file" ]; then pass; else fail "paths under a regular file: left $(ls -A "$TMPD/nd")"; fi

# ---- a read-only file system -----------------------------------------------------------

mkdir "$TMPD/ro"
if mount -t tmpfs -o size=1m tmpfs "$TMPD/ro" 2>/dev/null; then
    R="$TMPD/ro"
    mkdir "$R/seq" "$R/step"
    for f in out.mp4 out.mkv out.csv out.weights seq/frame-00000.png step/layer1-sheet.png; do
        printf '%s' "$OLD" >"$R/$f"
    done
    mount -o remount,ro "$R"
    fault "Read-only file system" "$R" "$LW" render "$SHORT" -o "$R/out.mp4" -q
    fault "Read-only file system" "$R" "$LW" render "$SHORT" -o "$R/out.mkv" -q
    fault "Read-only file system" "$R" "$LW" render "$SHORT" -o "$R/seq/" -q
    fault "Read-only file system" "$R" "$LW" frames "$SHORT" --frames 0:1 -o "$R/seq" -q
    fault "Read-only file system" "$R" "$LW" step "$SHORT" --layer 1 -o "$R/step" -q
    fault "Read-only file system" "$R" "$LW" dump "$SHORT" --layer 1 --stage bias -o "$R/out.csv"
    fault "Read-only file system" "$R" "$LW" train "$SHORT" -q -o "$R/out.weights"
    for f in out.mp4 out.mkv out.csv out.weights seq/frame-00000.png step/layer1-sheet.png; do
        intact "$R/$f" "read-only file system"
    done
    umount "$R"
else
    echo "cli_faults: cannot mount a tmpfs here (not root?): read-only and full-disk checks skipped"
fi

# ---- a full disk -------------------------------------------------------------------------

mkdir "$TMPD/full"
if mount -t tmpfs -o size=256k tmpfs "$TMPD/full" 2>/dev/null; then
    D="$TMPD/full"
    mkdir "$D/seq" "$D/step"
    for f in out.mp4 out.mkv out.webm out.gif out.csv out.weights seq/frame-00000.png step/layer1-sheet.png; do
        printf '%s' "$OLD" >"$D/$f"
    done
    # Leave 24 KiB: every video of the short scene needs more, so each
    # render starts writing and runs out of space part of the way through.
    dd if=/dev/zero of="$D/filler" bs=4096 count=$((256 / 4 - 6 - 2)) 2>/dev/null
    fault "No space left on device" "$D" "$LW" render "$SHORT" -o "$D/out.mp4" -q
    fault "No space left on device" "$D" "$LW" render "$SHORT" -o "$D/out.mkv" -q
    fault "No space left on device" "$D" "$LW" render "$SHORT" -o "$D/out.webm" -q
    fault "No space left on device" "$D" "$LW" render "$SHORT" -o "$D/out.gif" -q
    # PNG frames are written one by one: the sequence stops at the first that
    # does not fit (earlier ones stay, each complete).  libpng's own message
    # is "Write Error", which does not say the disk is full.
    fault "No space left on device" "$D" "$LW" render "$SHORT" -o "$D/seq/" -q
    # Now full to the last block.
    dd if=/dev/zero of="$D/filler2" bs=4096 2>/dev/null
    fault "No space left on device" "$D" "$LW" frames "$SHORT" --frames 0:1 -o "$D/seq" -q
    fault "No space left on device" "$D" "$LW" step "$SHORT" --layer 1 -o "$D/step" -q
    fault "No space left on device" "$D" "$LW" dump "$SHORT" --layer 1 --stage bias -o "$D/out.csv"
    # Weights bigger than the old file: writing them in place would need
    # space the full disk does not have.  (A small file would be truncated
    # and rewritten in its own freed block, and succeed.)
    printf '[dataset]\nkind = moons\npoints = 40\n[network]\nwidths = 2,16,16,16,16,16,16\n[train]\nsteps = 0\n' \
        >"$TMPD/big-weights.scene"
    fault "No space left on device" "$D" "$LW" train "$TMPD/big-weights.scene" -q -o "$D/out.weights"
    intact "$D/out.weights" "full disk, train -o"
    for f in out.mp4 out.mkv out.webm out.gif out.csv seq/frame-00000.png step/layer1-sheet.png; do
        intact "$D/$f" "full disk"
    done
    # Every PNG that was written is a whole one.
    for p in "$D"/seq/frame-*.png; do
        [ "$p" = "$D/seq/frame-00000.png" ] && continue
        [ -e "$p" ] || continue
        if [ "$(head -c 8 "$p" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] &&
            [ "$(tail -c 8 "$p" | od -An -tx1 | tr -d ' \n')" = "49454e44ae426082" ]; then
            pass
        else
            fail "full disk: $p is not a whole PNG"
        fi
    done
    umount "$D"
fi

# stdout on a full device
if [ -w /dev/full ]; then
    for cmd in "hash $SHORT --frames 0:3" "dump $SHORT --layer 1 --stage activation"; do
        # shellcheck disable=SC2086
        "$LW" $cmd >/dev/full 2>"$TMPD/err"
        got=$?
        if [ "$got" -eq 1 ] && grep -q "No space left on device" "$TMPD/err"; then
            pass
        else
            fail "layerwarp $cmd >/dev/full: exited $got, expected 1 with 'No space left on device': $(head -c 300 "$TMPD/err")"
        fi
    done
    # These print with printf and never check stdout, so a lost stdout
    # still exits 0.
    for cmd in "info $SHORT" "train $SHORT -q" "--version" "help render"; do
        # shellcheck disable=SC2086
        "$LW" $cmd >/dev/full 2>"$TMPD/err"
        got=$?
        if [ "$got" -eq 1 ] && grep -q "No space left on device" "$TMPD/err"; then
            pass
        else
            fail "layerwarp $cmd >/dev/full: exited $got, expected 1 with 'No space left on device'"
        fi
    done
fi

# ---- SIGINT and SIGTERM in the middle of a render ------------------------------------------

# interrupt SIG TARGET: renders moons at 720p and 50 fps (857 frames, many
# seconds) into TARGET, sends SIG once the temporary file (or the first PNG)
# exists, and checks the exit, the message, the old target and the folder.
interrupt() {
    sig=$1; target=$2
    dir=$(dirname "$target")
    "$LW" render scenes/moons.scene --fps 50 -o "$target" -q -j 2 >"$TMPD/out" 2>"$TMPD/err" </dev/null &
    pid=$!
    i=0
    while [ "$i" -lt 300 ] && kill -0 "$pid" 2>/dev/null &&
        [ -z "$(find "$dir" -name '*.tmp-*' -o -name 'frame-*.png' 2>/dev/null)" ]; do
        sleep 0.1
        i=$((i + 1))
    done
    sleep 0.3
    kill -s "$sig" "$pid" 2>/dev/null
    wait "$pid"
    got=$?
    case $sig in INT) want=130 ;; TERM) want=143 ;; esac
    if [ "$got" -eq "$want" ] && [ "$(wc -l <"$TMPD/err")" -eq 1 ] && grep -q "interrupted" "$TMPD/err"; then
        pass
    else
        fail "render -o $target, SIG$sig: exited $got, expected $want and one line 'interrupted': $(head -c 300 "$TMPD/err")"
    fi
    no_temp "$dir" "render -o $target, SIG$sig"
}

mkdir "$TMPD/sig"
printf '%s' "$OLD" >"$TMPD/sig/out.mp4"
interrupt INT "$TMPD/sig/out.mp4"
intact "$TMPD/sig/out.mp4" "SIGINT"
interrupt TERM "$TMPD/sig/out.mp4"
intact "$TMPD/sig/out.mp4" "SIGTERM"
printf '%s' "$OLD" >"$TMPD/sig/out.gif"
interrupt TERM "$TMPD/sig/out.gif"
intact "$TMPD/sig/out.gif" "SIGTERM, gif"
if [ "$(ls -A "$TMPD/sig" | tr '\n' ' ')" = "out.gif out.mp4 " ]; then pass; else fail "signals: left $(ls -A "$TMPD/sig")"; fi
mkdir "$TMPD/sig/seq"
interrupt INT "$TMPD/sig/seq/"

# ---- inputs that once crashed the fuzzer ---------------------------------------------------

# Each must be refused like any bad scene: exit status 2, one line on
# stderr without control bytes (the fuzzer's contract, tests/fuzz_scene.c),
# no crash, no hang.
crashes=0
for f in tests/fuzz-crashes/*; do
    [ -f "$f" ] || continue
    case $f in *.md) continue ;; esac
    crashes=$((crashes + 1))
    timeout 10 "$LW" info "$f" >"$TMPD/out" 2>"$TMPD/err" </dev/null
    got=$?
    if [ "$got" -ne 2 ] || [ "$(wc -l <"$TMPD/err")" -ne 1 ]; then
        fail "layerwarp info $f: exited $got, expected 2 and one line: $(head -c 300 "$TMPD/err")"
        continue
    fi
    if [ "$(tr -d '\t\n\040-\176\200-\377' <"$TMPD/err" | wc -c)" -eq 0 ]; then
        pass
    else
        fail "layerwarp info $f: control bytes in the message: $(cat -v "$TMPD/err")"
    fi
done
echo "cli_faults: $crashes fuzz crash inputs replayed"

done_tests cli_faults
