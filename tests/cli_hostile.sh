#!/bin/sh
# Hostile inputs and outputs (issue #17), with the real binary: each must
# end with one clear line, the right exit status, nothing lost and nothing
# left behind, and never hang (every run is under `timeout`).
#   - inputs that are not regular files: a FIFO as the scene, the CSV `file`
#     or the weights `file`; a device; a folder;
#   - outputs that are not regular files: a character device, a FIFO, links
#     (written through, never replaced), a folder (refused);
#   - paths too long for PATH_MAX or NAME_MAX: refused before any folder is
#     made; folders made by a run that fails go again;
#   - interrupts: a double SIGINT 20 ms apart for every command that writes,
#     SIGINT during dump and step, and SIGKILL's leftovers removed by the
#     next run into the same place;
#   - messages: control bytes escaped, a newline in a path kept on one line,
#     every option's value parsed whole;
#   - memory: a run above the budget (LAYERWARP_MEMORY_MIB) refused before
#     anything is trained or made.
. tests/lib.sh

SHORT=tests/golden/short.scene
OLD="an older output that must survive"
LONGRUN=scenes/moons.scene   # at --fps 50: 857 frames, many seconds

# refused STATUS TEXT CMD...: within 20 s, exit STATUS, one stderr line
# holding TEXT and no control byte.
refused() {
    want=$1; text=$2; shift 2
    timeout 20 "$@" >"$TMPD/out" 2>"$TMPD/err" </dev/null
    got=$?
    if [ "$got" -ne "$want" ]; then
        fail "$*: exited $got, expected $want: $(head -c 300 "$TMPD/err" | cat -v)"
    elif [ "$(wc -l <"$TMPD/err")" -ne 1 ]; then
        fail "$*: $(wc -l <"$TMPD/err") lines on stderr, expected 1: $(head -c 300 "$TMPD/err" | cat -v)"
    elif ! grep -qF -- "$text" "$TMPD/err"; then
        fail "$*: stderr lacks '$text': $(head -c 300 "$TMPD/err" | cat -v)"
    elif [ "$(tr -d '\t\n\040-\176\200-\377' <"$TMPD/err" | wc -c)" -ne 0 ]; then
        fail "$*: control bytes in the message: $(cat -v "$TMPD/err")"
    else
        pass
    fi
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

# ---- inputs that are not regular files -----------------------------------------------

mkfifo "$TMPD/fifo"
refused 2 "a FIFO, not a regular file" "$LW" info "$TMPD/fifo"
printf '[dataset]\nkind = csv\nfile = fifo\n' >"$TMPD/csv-fifo.scene"
refused 2 "a FIFO, not a regular file" "$LW" info "$TMPD/csv-fifo.scene"
printf '[dataset]\nkind = moons\n[network]\nwidths = 2,2,2\n[weights]\nfile = fifo\n' >"$TMPD/w-fifo.scene"
refused 2 "a FIFO, not a regular file" "$LW" info "$TMPD/w-fifo.scene"
# the NumPy and safetensors readers open their files the same way
mkfifo "$TMPD/fifo.npz" "$TMPD/fifo.safetensors"
for ext in npz safetensors; do
    printf '[dataset]\nkind = moons\n[network]\nwidths = 2,2,2\n[weights]\nfile = fifo.%s\n' $ext >"$TMPD/w-fifo-$ext.scene"
    refused 2 "a FIFO, not a regular file" "$LW" info "$TMPD/w-fifo-$ext.scene"
done
refused 2 "a character device, not a regular file" "$LW" info /dev/zero
refused 2 "a folder, not a regular file" "$LW" info "$TMPD"
# the scene from standard input still works
if "$LW" info - <"$SHORT" >"$TMPD/out" 2>"$TMPD/err" && grep -q "^scene:" "$TMPD/out"; then
    pass
else
    fail "info - <scene: $(head -c 300 "$TMPD/err")"
fi

# ---- outputs that are not regular files ----------------------------------------------

DUMP="dump $SHORT --layer 1 --stage bias"
# a character device of our own (as root): written to, not replaced
if mknod "$TMPD/null" c 1 3 2>/dev/null; then
    # shellcheck disable=SC2086
    timeout 20 "$LW" $DUMP -o "$TMPD/null" >/dev/null 2>"$TMPD/err"
    got=$?
    if [ "$got" -eq 0 ] && [ -c "$TMPD/null" ]; then pass; else fail "dump -o a character device: exited $got, $(ls -l "$TMPD/null")"; fi
    timeout 20 "$LW" render "$SHORT" -o "$TMPD/null" --format mkv -q 2>"$TMPD/err"
    got=$?
    if [ "$got" -eq 0 ] && [ -c "$TMPD/null" ]; then pass; else fail "render -o a character device: exited $got, $(ls -l "$TMPD/null") $(cat "$TMPD/err")"; fi
fi
# a link to standard output: the weights go there, the link stays
ln -s /proc/self/fd/1 "$TMPD/stdout"
timeout 20 "$LW" train "$SHORT" -q -o "$TMPD/stdout" >"$TMPD/weights" 2>"$TMPD/err"
got=$?
if [ "$got" -eq 0 ] && [ -L "$TMPD/stdout" ] && head -1 "$TMPD/weights" | grep -q "^layerwarp-weights"; then
    pass
else
    fail "train -o a link to stdout: exited $got, link $(ls -l "$TMPD/stdout"), got $(head -c 100 "$TMPD/weights")"
fi
# a link to a regular file: the file is replaced, the link stays
printf '%s' "$OLD" >"$TMPD/real.csv"
ln -s real.csv "$TMPD/link.csv"
# shellcheck disable=SC2086
timeout 20 "$LW" $DUMP -o "$TMPD/link.csv" 2>"$TMPD/err"
if [ -L "$TMPD/link.csv" ] && head -1 "$TMPD/real.csv" | grep -q "^index,label"; then pass; else fail "dump -o a link: $(ls -l "$TMPD/link.csv") $(head -c 100 "$TMPD/real.csv")"; fi
# a FIFO with a reader: it gets the rows and stays a FIFO
mkfifo "$TMPD/out-fifo"
timeout 20 cat "$TMPD/out-fifo" >"$TMPD/from-fifo" &
reader=$!
# shellcheck disable=SC2086
timeout 20 "$LW" $DUMP -o "$TMPD/out-fifo" 2>"$TMPD/err"
got=$?
wait "$reader"
if [ "$got" -eq 0 ] && [ -p "$TMPD/out-fifo" ] && [ "$(wc -l <"$TMPD/from-fifo")" -eq 121 ]; then
    pass
else
    fail "dump -o a FIFO: exited $got, $(wc -l <"$TMPD/from-fifo") lines read, $(ls -l "$TMPD/out-fifo")"
fi
# a FIFO nobody reads: refused at once, not a hang
# shellcheck disable=SC2086
refused 1 "a FIFO nobody reads" "$LW" $DUMP -o "$TMPD/out-fifo"
if [ -p "$TMPD/out-fifo" ]; then pass; else fail "the FIFO nobody reads was replaced"; fi
# a folder where a file was asked for
mkdir "$TMPD/folder.csv"
# shellcheck disable=SC2086
refused 2 "a folder, not a file to write" "$LW" $DUMP -o "$TMPD/folder.csv"
# a dangling link
ln -s nowhere "$TMPD/dangling.csv"
# shellcheck disable=SC2086
refused 2 "a symbolic link to nothing" "$LW" $DUMP -o "$TMPD/dangling.csv"
no_temp "$TMPD" "special outputs"

# ---- paths too long ----------------------------------------------------------------------

# five folders of 200 characters: each name fits NAME_MAX, the whole does
# not fit PATH_MAX (1024 here) with the file's name
N200=$(printf '%0200d' 0)
DEEP="$TMPD/long/$N200/$N200/$N200/$N200/$N200"
mkdir "$TMPD/long"
# shellcheck disable=SC2086
refused 2 "path too long" "$LW" $DUMP -o "$DEEP/out-file-name-long.csv"
refused 2 "path too long" "$LW" frames "$SHORT" --frames 0:1 -q -o "$DEEP/frames"
refused 2 "path too long" "$LW" render "$SHORT" -q -o "$DEEP/out.mp4"
refused 2 "path too long" "$LW" render "$SHORT" -q -o "$DEEP/seq/"
refused 2 "path too long" "$LW" step "$SHORT" --layer 1 -q -o "$DEEP/step"
refused 2 "path too long" "$LW" train "$SHORT" -q -o "$DEEP/out.weights"
# a name longer than NAME_MAX once the temporary's prefix is added
N250=$(printf '%0250d' 0)
# shellcheck disable=SC2086
refused 2 "is too long" "$LW" $DUMP -o "$TMPD/long/new/$N250.csv"
if [ -z "$(ls -A "$TMPD/long")" ]; then pass; else fail "long paths: left $(ls -A "$TMPD/long" | head -c 200)"; fi

# a bad encoder setting in the scene: named by scene:line, no folder made
sed 's|^output = .*|output = new/sub/short.mp4\npreset = bogus|' "$SHORT" >"$TMPD/preset.scene"
case $LW in /*) LW_ABS=$LW ;; *) LW_ABS=$PWD/$LW ;; esac
(cd "$TMPD" && refused 2 "preset.scene:31: unknown preset 'bogus'" "$LW_ABS" render preset.scene -q)
sed 's|^output = .*|output = new/sub/short.mp4\ncrf = 60|' "$SHORT" >"$TMPD/crf.scene"
(cd "$TMPD" && refused 2 "crf.scene:31: crf 60 out of range" "$LW_ABS" render crf.scene -q)
if [ ! -e "$TMPD/new" ]; then pass; else fail "a bad scene setting left the folder new/"; fi
# a run that fails after making its folders takes them away again
refused 2 "too high for GIF" "$LW" render "$SHORT" --fps 60 -q -o "$TMPD/made/sub/out.gif"
if [ ! -e "$TMPD/made" ]; then pass; else fail "a failed run left the folders it made: $(find "$TMPD/made")"; fi

# ---- interrupts ----------------------------------------------------------------------------

# wait_for DIR PATTERN: until a file matching PATTERN exists under DIR (60 s
# at most: the sanitizers' build is slow to get there)
wait_for() {
    i=0
    while [ "$i" -lt 1200 ] && kill -0 "$pid" 2>/dev/null && [ -z "$(find "$1" -name "$2" 2>/dev/null)" ]; do
        sleep 0.05
        i=$((i + 1))
    done
}

# signalled WHAT WANT DIR: the run in $pid ended with status WANT, one
# stderr line saying "interrupted", no temporary left in DIR.
signalled() {
    wait "$pid"
    got=$?
    if [ "$got" -eq "$2" ] && [ "$(wc -l <"$TMPD/err")" -eq 1 ] && grep -q "interrupted" "$TMPD/err"; then
        pass
    else
        fail "$1: exited $got, expected $2 and one line 'interrupted': $(head -c 300 "$TMPD/err")"
    fi
    no_temp "$3" "$1"
}

# twice WHAT DIR PATTERN CMD...: two SIGINTs 20 ms apart once PATTERN exists
twice() {
    what=$1; dir=$2; pattern=$3; shift 3
    "$@" >"$TMPD/out" 2>"$TMPD/err" </dev/null &
    pid=$!
    wait_for "$dir" "$pattern"
    kill -INT "$pid" 2>/dev/null
    sleep 0.02
    kill -INT "$pid" 2>/dev/null
    signalled "$what, two SIGINTs" 130 "$dir"
}

printf '[dataset]\nkind = moons\npoints = 200000\n[network]\nwidths = 2,3,2\n[train]\nsteps = 1\n' >"$TMPD/big.scene"
S="$TMPD/sig"
mkdir "$S"
printf '%s' "$OLD" >"$S/old.mp4"
printf '%s' "$OLD" >"$S/old.gif"
printf '%s' "$OLD" >"$S/old.csv"
# (background jobs of a script start with SIGINT ignored: each waits for its
# own first file, so the signals come once the handler is in place)
twice "render mp4" "$S" '*.mp4.tmp-*' "$LW" render "$LONGRUN" --fps 50 -q -j 2 -o "$S/old.mp4"
twice "render gif" "$S" '*.gif.tmp-*' "$LW" render "$LONGRUN" --fps 50 -q -j 2 -o "$S/old.gif"
twice "render PNG sequence" "$S/seq" '*.png*' "$LW" render "$LONGRUN" --fps 50 -q -j 2 -o "$S/seq/"
twice "frames" "$S/frames" '*.png*' "$LW" frames "$LONGRUN" --fps 50 -q -j 2 -o "$S/frames"
twice "dump" "$S" '*.csv.tmp-*' "$LW" dump "$TMPD/big.scene" --layer 1 --stage bias -q -o "$S/old.csv"
twice "step" "$S/step" '*.tmp-*' "$LW" step "$SHORT" --layer 1 --size 3840x2160 -q -o "$S/step"
# hash writes no file: the signals come once it has printed a line
"$LW" hash "$LONGRUN" --fps 50 -j 2 -q >"$TMPD/hashes" 2>"$TMPD/err" </dev/null &
pid=$!
i=0
while [ "$i" -lt 400 ] && kill -0 "$pid" 2>/dev/null && [ ! -s "$TMPD/hashes" ]; do
    sleep 0.05
    i=$((i + 1))
done
kill -INT "$pid" 2>/dev/null
sleep 0.02
kill -INT "$pid" 2>/dev/null
signalled "hash, two SIGINTs" 130 "$S"
for f in old.mp4 old.gif old.csv; do intact "$S/$f" "two SIGINTs"; done

# one SIGINT during dump and during step: stopped, said, nothing left
"$LW" dump "$TMPD/big.scene" --layer 1 --stage bias -q -o "$S/old.csv" >"$TMPD/out" 2>"$TMPD/err" </dev/null &
pid=$!
wait_for "$S" '*.tmp-*'
kill -INT "$pid" 2>/dev/null
signalled "dump -o, SIGINT" 130 "$S"
"$LW" dump "$TMPD/big.scene" --layer 1 --stage bias -q -o "$S/old.csv" >"$TMPD/out" 2>"$TMPD/err" </dev/null &
pid=$!
wait_for "$S" '*.tmp-*'
kill -TERM "$pid" 2>/dev/null
signalled "dump -o, SIGTERM" 143 "$S"
intact "$S/old.csv" "dump interrupted"
"$LW" step "$SHORT" --layer 1 --size 3840x2160 -q -o "$S/step" >"$TMPD/out" 2>"$TMPD/err" </dev/null &
pid=$!
wait_for "$S/step" '*.tmp-*'
kill -INT "$pid" 2>/dev/null
signalled "step, SIGINT while writing PNGs" 130 "$S"

# SIGKILL leaves a temporary (nothing can catch it); the next run into the
# same place removes it, since its process is gone
killed() {
    what=$1; dir=$2; pattern=$3; shift 3
    "$@" >"$TMPD/out" 2>"$TMPD/err" </dev/null &
    pid=$!
    wait_for "$dir" "$pattern"
    sleep 0.2
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
}
K="$TMPD/kill"
mkdir "$K"
printf '%s' "$OLD" >"$K/old.mp4"
killed "render mp4" "$K" '*.tmp-*' "$LW" render "$LONGRUN" --fps 50 -q -j 2 -o "$K/old.mp4"
killed "render gif" "$K" '*.tmp-*' "$LW" render "$LONGRUN" --fps 50 -q -j 2 -o "$K/old.gif"
killed "dump" "$K" '*.tmp-*' "$LW" dump "$TMPD/big.scene" --layer 1 --stage bias -q -o "$K/old.csv"
killed "render PNG sequence" "$K/seq" '.frame-*.tmp-*' "$LW" render "$LONGRUN" --fps 50 -q -j 2 -o "$K/seq/"
if [ -n "$(find "$K" -name '*.tmp-*')" ]; then pass; else echo "cli_hostile: SIGKILL left no temporary to sweep (timing)"; fi
intact "$K/old.mp4" "SIGKILL"
timeout 60 "$LW" render "$SHORT" -q -o "$K/old.mp4" 2>"$TMPD/err" || fail "render after SIGKILL: $(cat "$TMPD/err")"
timeout 60 "$LW" render "$SHORT" -q -o "$K/seq/" 2>"$TMPD/err" || fail "render -o seq/ after SIGKILL: $(cat "$TMPD/err")"
no_temp "$K" "the next run after SIGKILL"
# a live run's temporary is not touched
sleep 30 &
live=$!
touch "$K/.x.csv.tmp-$live-abcdef" "$K/.y.csv.tmp-999999999-abcdef"
# shellcheck disable=SC2086
timeout 20 "$LW" $DUMP -o "$K/x.csv" 2>"$TMPD/err"
if [ -e "$K/.x.csv.tmp-$live-abcdef" ] && [ ! -e "$K/.y.csv.tmp-999999999-abcdef" ]; then
    pass
else
    fail "sweep: a live process's temporary went, or a dead one's stayed: $(ls -A "$K")"
fi
kill "$live" 2>/dev/null

# ---- messages and option values --------------------------------------------------------

"$LW" train "$SHORT" -q -o "$TMPD/w.weights" >/dev/null
sed 's/^\(-*[0-9.]*\) /\1\x1b[31mX /' "$TMPD/w.weights" | sed '7s/$/\r/' >"$TMPD/esc.weights"
printf '[dataset]\nkind = moons\n[network]\nwidths = 2,2,2\n[weights]\nfile = esc.weights\n' >"$TMPD/esc.scene"
refused 2 "bad number" "$LW" info "$TMPD/esc.scene"
if grep -qF '\x1b[31mX' "$TMPD/err"; then pass; else fail "ESC not shown escaped: $(cat -v "$TMPD/err")"; fi
NL="$TMPD/$(printf 'new\nline').scene"
refused 2 'new\nline.scene' "$LW" info "$NL"
cp "$SHORT" "$NL"
refused 2 "is not a frame" "$LW" hash "$NL" --frames ''
refused 2 "is not a frame" "$LW" hash "$SHORT" --frames ''
refused 2 "is not a frame" "$LW" hash "$SHORT" --frames ',,,'
refused 2 "is not a frame" "$LW" hash "$SHORT" --frames '0,,1'
refused 2 "is not a frame" "$LW" hash "$SHORT" --frames ' 1'
refused 2 "is not a frame" "$LW" hash "$SHORT" --frames '+1'
refused 1 "a FIFO, not a folder" "$LW" frames "$SHORT" --frames 0 -q -o "$TMPD/out-fifo"
refused 2 "180junk" "$LW" hash "$SHORT" --size 320x180junk --frames 0
refused 2 "--at '1:linear:0.5junk'" "$LW" hash "$SHORT" --at 1:linear:0.5junk
refused 2 "--frames is longer than" "$LW" hash "$SHORT" --frames "$(printf '0,%.0s' $(seq 3000))0"
# a frame listed twice is drawn twice, as documented
REPEATS=$(printf '0,%.0s' $(seq 80))0
if [ "$(timeout 60 "$LW" hash "$SHORT" --frames "$REPEATS" | wc -l)" -eq 81 ]; then pass; else fail "--frames 0,0,... (81 times)"; fi
# a denormal is a number
sed 's/^noise = .*/noise = 4.9e-324/' "$SHORT" >"$TMPD/denormal.scene"
if timeout 60 "$LW" info "$TMPD/denormal.scene" >/dev/null 2>"$TMPD/err"; then pass; else fail "noise = 4.9e-324: $(cat "$TMPD/err")"; fi

# ---- inputs that once broke the CSV and weights fuzzers ----------------------------------

# Each must be refused (exit 2, one line, no control byte) or read; never
# a crash or a hang.  A CSV input's first byte chose how the scene describes
# it (tests/fuzz_csv.c): here the file's own order, 2 coordinates.
for f in tests/fuzz-crashes/csv/* tests/fuzz-crashes/weights/*; do
    [ -f "$f" ] || continue
    case $f in
    */csv/*) tail -c +2 "$f" >"$TMPD/replay.csv"
             printf '[dataset]\nkind = csv\nfile = replay.csv\n' >"$TMPD/replay.scene" ;;
    *) cp "$f" "$TMPD/replay.weights"
       printf '[dataset]\nkind = moons\n[network]\nwidths = 2,2,2\n[weights]\nfile = replay.weights\n' >"$TMPD/replay.scene" ;;
    esac
    timeout 20 "$LW" info "$TMPD/replay.scene" >/dev/null 2>"$TMPD/err" </dev/null
    got=$?
    if [ "$got" -eq 0 ] || { [ "$got" -eq 2 ] && [ "$(wc -l <"$TMPD/err")" -eq 1 ] &&
        [ "$(tr -d '\t\n\040-\176\200-\377' <"$TMPD/err" | wc -c)" -eq 0 ]; }; then
        pass
    else
        fail "fuzz input $f: exited $got: $(head -c 300 "$TMPD/err" | cat -v)"
    fi
done

# ---- memory ----------------------------------------------------------------------------------

# over the budget: refused before training, naming what to lower, nothing made
MEM="env LAYERWARP_MEMORY_MIB=200"
refused 2 "lower --size or -j" $MEM "$LW" render "$SHORT" --size 3840x2160 -q -o "$TMPD/mem/x.mp4"
refused 2 "lower --size or -j" $MEM "$LW" step "$SHORT" --layer 1 --size 3840x2160 -q -o "$TMPD/mem/step"
refused 2 "lower --size or -j" $MEM "$LW" hash "$SHORT" --size 7680x4320 -j 256 -q
refused 2 "lower --size or -j" $MEM "$LW" frames "$SHORT" --size 7680x4320 -q -o "$TMPD/mem/frames"
if [ ! -e "$TMPD/mem" ]; then pass; else fail "a refused run made $TMPD/mem"; fi
# -j 256 is lowered to what the cores can use: the same hashes as -j 1
"$LW" hash "$SHORT" --frames 0:3 -j 1 >"$TMPD/j1" 2>/dev/null
"$LW" hash "$SHORT" --frames 0:3 -j 256 >"$TMPD/j256" 2>/dev/null
if cmp -s "$TMPD/j1" "$TMPD/j256" && [ -s "$TMPD/j1" ]; then pass; else fail "-j 256 and -j 1 differ"; fi

done_tests cli_hostile
