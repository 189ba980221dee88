#!/bin/sh
# The command line as users of manim, ffmpeg and GNU tools expect it:
#   - a last-frame still (render -s, frames --frames last / -1, -o FILE.png);
#   - '-' as the scene (stdin) and as the output (stdout) of render (with
#     --format: mkv, webm, mp4 fragmented, gif), frames, train, dump, hash;
#   - manim's quality presets -ql/-qm/-qh/-qk; options a command does not
#     take refused with status 2, and help listing exactly what is taken;
#     encoder settings a format ignores refused or warned about;
#   - --set SECTION.KEY=VALUE through the scene's key table;
#   - the small faults: a progress bar that fits 60 columns, help help, one
#     message for a full stdout, the "layerwarp: " prefix, no stale frames
#     from an earlier, longer render of a PNG sequence.
# (SIGINT's status 130 and SIGTERM's 143 are checked in cli_faults.sh.)
. tests/lib.sh

S=tests/golden/short.scene   # 139 frames at 320x180, trains in 0.01 s
FPS_S="--set render.fps=10"  # 49 frames: quick videos
N10=49

# png_size FILE: "WIDTHxHEIGHT" from the IHDR chunk, or "" for no PNG
png_size() {
    [ "$(head -c 8 "$1" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] || return
    set -- $(od -An -tu1 -j16 -N8 "$1")
    echo "$(($1 * 16777216 + $2 * 65536 + $3 * 256 + $4))x$(($5 * 16777216 + $6 * 65536 + $7 * 256 + $8))"
}

# same FILE1 FILE2 WHAT: byte for byte
same() {
    if [ -s "$1" ] && cmp -s "$1" "$2"; then pass; else fail "$3: $1 and $2 differ (or are empty)"; fi
}

# no_file PATH WHAT
no_file() {
    if [ ! -e "$1" ]; then pass; else fail "$2: $1 exists"; fi
}

# ---- 1. a last-frame still ------------------------------------------------------------------

"$LW" frames $S --frames 138 -o "$TMPD/f138" -q
"$LW" render $S -s -o "$TMPD/still.png" -q
if [ "$(png_size "$TMPD/still.png")" = "320x180" ]; then pass; else fail "render -s -o still.png: not a 320x180 PNG"; fi
same "$TMPD/still.png" "$TMPD/f138/frame-00138.png" "render -s is frame 138, the last"
"$LW" render $S --last -o "$TMPD/last.png" -q
same "$TMPD/last.png" "$TMPD/still.png" "render --last"
"$LW" frames $S --frames last -o "$TMPD/flast.png" -q
same "$TMPD/flast.png" "$TMPD/still.png" "frames --frames last -o FILE.png"
"$LW" frames $S --frames -1 -o "$TMPD/fm1" -q
same "$TMPD/fm1/frame-00138.png" "$TMPD/still.png" "frames --frames -1"
"$LW" frames $S --frames -3:last -o "$TMPD/range" -q
if [ "$(ls "$TMPD/range" | tr '\n' ' ')" = "frame-00136.png frame-00137.png frame-00138.png " ]; then pass
else fail "--frames -3:last wrote $(ls "$TMPD/range")"; fi
expect_stderr 2 "'-140' is not a frame from 0 to 138, 'last' or -1 to -139" "$LW" frames $S --frames -140 -o "$TMPD/x" -q
# -o FILE.png with one frame is that file, not a folder named FILE.png
"$LW" frames $S --frames 3 -o "$TMPD/three.png" -q
if [ -f "$TMPD/three.png" ] && [ "$(png_size "$TMPD/three.png")" = "320x180" ]; then pass
else fail "frames --frames 3 -o three.png did not write one PNG file"; fi
expect_stderr 2 "-o $TMPD/two.png holds one frame, but 2 are asked for" "$LW" frames $S --frames 3:4 -o "$TMPD/two.png"
no_file "$TMPD/two.png" "frames -o two.png with two frames"
# -s beside the scene's own output: out/NAME.mp4 gives out/NAME.png
"$LW" render $S -s --set render.output="$TMPD/beside/v.mp4" -q
if [ "$(png_size "$TMPD/beside/v.png")" = "320x180" ] && [ ! -e "$TMPD/beside/v.mp4" ]; then pass
else fail "render -s without -o: $(ls "$TMPD/beside" 2>&1)"; fi
expect_stderr 2 "-s writes one PNG, but -o $TMPD/v.mp4 is no .png" "$LW" render $S -s -o "$TMPD/v.mp4"
expect_stderr 2 "-o $TMPD/v.png is one PNG: add -s" "$LW" render $S -o "$TMPD/v.png"
no_file "$TMPD/v.png" "render -o v.png without -s"

# ---- 2. pipes ----------------------------------------------------------------------------------

# frames read back from a pipe by ffprobe: codec and count
for f in mkv webm mp4; do
    # shellcheck disable=SC2086
    got=$("$LW" render $S $FPS_S -o - --format $f -q </dev/null |
        ffprobe -v error -count_frames -select_streams v:0 \
            -show_entries stream=codec_name,nb_read_frames -of csv=p=0 - 2>"$TMPD/probe")
    case $f in mkv) want="ffv1,$N10" ;; webm) want="vp9,$N10" ;; mp4) want="h264,$N10" ;; esac
    if [ "$got" = "$want" ]; then pass; else fail "render -o - --format $f | ffprobe: '$got', expected '$want' $(head -c 200 "$TMPD/probe")"; fi
done
# the MP4 on a pipe is fragmented (moof boxes), as a pipe needs
# shellcheck disable=SC2086
"$LW" render $S $FPS_S -o - --format mp4 -q </dev/null >"$TMPD/pipe.mp4"
if grep -q moof "$TMPD/pipe.mp4"; then pass; else fail "render -o - --format mp4: no moof box (not fragmented)"; fi
# ffprobe cannot read a GIF from a pipe: the bytes are those of the file
# shellcheck disable=SC2086
"$LW" render $S $FPS_S -o - --format gif -q </dev/null >"$TMPD/pipe.gif"
# shellcheck disable=SC2086
"$LW" render $S $FPS_S -o "$TMPD/file.gif" -q
same "$TMPD/pipe.gif" "$TMPD/file.gif" "render -o - --format gif"
# --format where the name says nothing; a name that says otherwise is refused
# shellcheck disable=SC2086
"$LW" render $S $FPS_S -o "$TMPD/clip.video" --format mp4 -q
got=$(ffprobe -v error -show_entries format=format_name -of csv=p=0 "$TMPD/clip.video" 2>/dev/null)
case $got in *mp4*) pass ;; *) fail "-o clip.video --format mp4: '$got'" ;; esac
expect_stderr 2 "--format mp4 but -o $TMPD/x.mkv names .mkv" "$LW" render $S -o "$TMPD/x.mkv" --format mp4
expect_stderr 2 "-o - needs --format mp4, webm, mkv, gif or mov" "$LW" render $S -o -
expect_stderr 2 "a PNG on stdout holds one frame: add -s" "$LW" render $S -o - --format png
no_file ./- "render -o - refused"
# a still on stdout
"$LW" render $S -s -o - -q </dev/null >"$TMPD/stdout.png"
same "$TMPD/stdout.png" "$TMPD/still.png" "render -s -o -"
"$LW" frames $S --frames last -o - -q </dev/null >"$TMPD/fstdout.png"
same "$TMPD/fstdout.png" "$TMPD/still.png" "frames --frames last -o -"
# the scene from stdin
out=$("$LW" info - -q <$S)
case $out in "scene:      <stdin>"*"frames:     139 at 30 fps"*) pass ;; *) fail "info - <scene: '$out'" ;; esac
"$LW" render - -s -o - -q <$S >"$TMPD/stdin.png"
if [ "$(png_size "$TMPD/stdin.png")" = "320x180" ]; then pass; else fail "render - -s -o - <scene: no PNG"; fi
"$LW" hash $S --frames 0:2 -q >"$TMPD/hash.file"
"$LW" hash - --frames 0:2 -q <$S >"$TMPD/hash.stdin"
same "$TMPD/hash.stdin" "$TMPD/hash.file" "hash - <scene"
printf '[dataset]\nkind = moons\n[network]\nwidths = 2,2\n[train]\nstepz = 3\n' >"$TMPD/bad.scene"
"$LW" info - <"$TMPD/bad.scene" >/dev/null 2>"$TMPD/err"
got=$?
if [ "$got" -eq 2 ] && [ "$(cat "$TMPD/err")" = "<stdin>:6: unknown key 'stepz' in [train] (did you mean 'steps'?)" ]; then pass
else fail "info - <bad scene: exited $got: $(cat "$TMPD/err")"; fi
# train and dump: '-' is stdout, never a file named '-'
(cd "$TMPD" && "$OLDPWD/$LW" train "$OLDPWD/$S" -o - >"$TMPD/w.stdout" 2>"$TMPD/w.err")
"$LW" train $S -o "$TMPD/w.file" -q >/dev/null
same "$TMPD/w.stdout" "$TMPD/w.file" "train -o -"
if grep -q "^final: steps=600 " "$TMPD/w.err"; then pass; else fail "train -o -: the final line is not on stderr: $(cat "$TMPD/w.err")"; fi
(cd "$TMPD" && "$OLDPWD/$LW" dump "$OLDPWD/$S" --layer 1 --stage bias -o - -q >"$TMPD/d.stdout")
"$LW" dump $S --layer 1 --stage bias -q >"$TMPD/d.plain"
same "$TMPD/d.stdout" "$TMPD/d.plain" "dump -o -"
no_file "$TMPD/-" "train -o -, dump -o -"

# binary output is never poured onto a terminal; step's several files need a folder
if command -v script >/dev/null 2>&1; then
    script -qec "$LW render $S -o - --format mkv; echo status=\$?" /dev/null </dev/null >"$TMPD/pty" 2>&1
    if grep -q "standard output is a terminal" "$TMPD/pty" && grep -q "status=2" "$TMPD/pty"; then pass
    else fail "render -o - onto a terminal: $(head -c 300 "$TMPD/pty")"; fi
fi
(cd "$TMPD" && "$OLDPWD/$LW" step "$OLDPWD/$S" --layer 1 -o - >/dev/null 2>"$TMPD/err")
if [ $? -eq 2 ] && [ ! -e "$TMPD/-" ]; then pass; else fail "step -o -: $(cat "$TMPD/err")"; fi

# ---- 4. presets, options per command, encoder settings ----------------------------------------

for q in "-ql 854x480 15" "-qm 1280x720 30" "-qh 1920x1080 60" "-qk 3840x2160 60" \
         "--quality=low 854x480 15" "--quality=high 1920x1080 60"; do
    set -- $q
    out=$("$LW" info $S "$1" -q | grep '^frames:')
    case $out in *" at $3 fps = "*", $2") pass ;; *) fail "info $1: '$out', expected $2 at $3 fps" ;; esac
done
# a later --fps wins over the preset
out=$("$LW" info $S -ql --fps 24 -q | grep '^frames:')
case $out in *" at 24 fps = "*", 854x480") pass ;; *) fail "-ql --fps 24: '$out'" ;; esac
"$LW" render $S -ql --frames 0:4 -o "$TMPD/ql.mp4" -q
got=$(ffprobe -v error -select_streams v:0 -show_entries stream=width,height,r_frame_rate -of csv=p=0 "$TMPD/ql.mp4")
if [ "$got" = "854,480,15/1" ]; then pass; else fail "render -ql: '$got', expected 854,480,15/1"; fi
# -q alone is still --quiet
"$LW" render $S -q --frames 0:1 -o "$TMPD/quiet.mkv" 2>"$TMPD/err"
if [ ! -s "$TMPD/err" ]; then pass; else fail "render -q: said $(cat "$TMPD/err")"; fi
expect_stderr 2 "--quality 'x': expected l (low, 480p15)" "$LW" info $S --quality x
# options a command does not take
expect_stderr 2 "render takes no --stage (dump does)" "$LW" render $S --stage bogus -o "$TMPD/bogus.mkv"
no_file "$TMPD/bogus.mkv" "render --stage bogus"
expect_stderr 2 "info takes no -l (step, dump do)" "$LW" info $S -l 2
expect_stderr 2 "train takes no --quality" "$LW" train $S -ql
expect_stderr 2 "dump takes no --size" "$LW" dump $S --layer 1 --stage bias --size 640x360
# help lists exactly what a command takes: every option any help names is
# taken by the commands whose help lists it and refused by the others
for c in render frames step hash train dump info; do "$LW" help $c; done >"$TMPD/helps"
opts=$(grep -o -- '--[a-z][a-z-]*' "$TMPD/helps" | sort -u)
value() {
    case $1 in
        --output) echo x ;; --jobs) echo 1 ;; --layer) echo 1 ;; --stage) echo bias ;;
        --frames) echo 0 ;; --at) echo 1:linear:0 ;; --crf) echo 20 ;; --preset) echo medium ;;
        --fps) echo 30 ;; --size) echo 320x180 ;; --set) echo render.fps=30 ;;
        --quality) echo l ;; --format) echo mkv ;; --piece) echo 1/2 ;; --algo) echo sha256 ;;
    esac
}
checked=0
for c in render frames step hash train dump info; do
    "$LW" help $c >"$TMPD/help.$c"
    for o in $opts; do
        case $o in --help|--version) continue ;; esac
        v=$(value "$o")
        # shellcheck disable=SC2086
        "$LW" $c "$o" $v --help >/dev/null 2>"$TMPD/err" </dev/null
        got=$?
        checked=$((checked + 1))
        if grep -q -- "$o " "$TMPD/help.$c" || grep -q -- "$o\$" "$TMPD/help.$c"; then
            if [ "$got" -eq 0 ]; then pass; else fail "$c's help lists $o but '$c $o $v' exited $got: $(cat "$TMPD/err")"; fi
        else
            if [ "$got" -eq 2 ] && grep -q "$c takes no $o" "$TMPD/err"; then pass
            else fail "$c's help does not list $o but '$c $o $v' exited $got: $(cat "$TMPD/err")"; fi
        fi
    done
done
[ "$checked" -gt 80 ] && pass || fail "only $checked option/command pairs checked"
# --preset: the help's words for .mp4 and .webm, and no other
words=$("$LW" help render | tr '\n' ' ' | sed -n 's/.*for \.mp4 libx264 \([a-z, ]*\) (default.*/\1/p' | tr -d ',')
case $words in *ultrafast*veryslow*placebo*) pass ;; *) fail "render's help: x264 presets '$words'" ;; esac
for w in $words; do
    expect_status 0 "$LW" render $S --preset "$w" --frames 0:0 -o "$TMPD/p.mp4" -q
done
expect_status 0 "$LW" render $S --preset good --frames 0:0 -o "$TMPD/p.webm" -q
expect_stderr 2 "unknown preset 'turbo'" "$LW" render $S --preset turbo -o "$TMPD/t.mp4"
expect_stderr 2 "unknown preset 'best'" "$LW" render $S --preset best -o "$TMPD/t.mp4"
no_file "$TMPD/t.mp4" "--preset turbo"
# settings a format ignores: refused from the command line, said from the scene
expect_stderr 2 "--crf does not apply to .gif" "$LW" render $S --crf 10 -o "$TMPD/c.gif"
expect_stderr 2 "--crf does not apply to .mkv" "$LW" render $S --set render.crf=10 -o "$TMPD/c.mkv"
expect_stderr 2 "--preset does not apply to .mkv" "$LW" render $S --preset slow -o "$TMPD/c.mkv"
expect_stderr 2 "--crf does not apply to a PNG sequence" "$LW" render $S --crf 10 -o "$TMPD/cseq/"
expect_stderr 2 "--preset does not apply to a PNG (-s)" "$LW" render $S --preset slow -s -o "$TMPD/c.png"
for f in c.gif c.mkv cseq c.png; do no_file "$TMPD/$f" "a refused encoder setting"; done
printf '[dataset]\nkind = moons\npoints = 60\n[network]\nwidths = 2,2\n[train]\nsteps = 10\n[render]\ncrf = 20\nwidth = 160\nheight = 90\nstage_seconds = 0.1\n' >"$TMPD/crf.scene"
expect_stderr 0 "layerwarp: warning: $TMPD/crf.scene: [render] crf does not apply to .gif; ignored" \
    "$LW" render "$TMPD/crf.scene" -o "$TMPD/crf.gif" -q

# ---- 5. --set ----------------------------------------------------------------------------------

one_line 2 "--set render.fsp=30: unknown key 'fsp' in [render] (did you mean 'fps'?)" "$LW" render $S --set render.fsp=30
one_line 2 "--set rendr.fps=30: unknown section [rendr] (did you mean 'render'?)" "$LW" info $S --set rendr.fps=30
one_line 2 "--set fps=30: no section before 'fps' (did you mean 'render.fps=30'?)" "$LW" info $S --set fps=30
out=$("$LW" train $S --set train.steps=7 --set dataset.points=40 -q)
case $out in "final: steps=7 "*) pass ;; *) fail "train --set train.steps=7: '$out'" ;; esac
out=$("$LW" info $S --set render.fps=24 --set style.background=#000000 -q | grep '^frames:')
case $out in *" at 24 fps "*) pass ;; *) fail "info --set render.fps=24: '$out'" ;; esac

# ---- 7. small faults -----------------------------------------------------------------------------

# the progress bar on a 60-column terminal: every redraw shorter than 60
# columns, so it stays on one line
if command -v script >/dev/null 2>&1; then
    script -qec "stty cols 60; $LW render $S -o $TMPD/bar.mkv -j 1" /dev/null </dev/null >"$TMPD/pty" 2>&1
    tr '\r' '\n' <"$TMPD/pty" | sed 's/\x1b\[K//g' | grep -v '^$' >"$TMPD/bar"
    redraws=$(grep -c '/139' "$TMPD/bar")
    longest=$(grep '/139' "$TMPD/bar" | awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }')
    if [ "$redraws" -ge 2 ] && [ "$longest" -le 59 ] && [ "$longest" -ge 30 ]; then pass
    else fail "progress bar at 60 columns: $redraws redraws, the longest $longest columns"; fi
    # the bar ends with one newline, then the summary line
    if [ "$(tail -n 1 "$TMPD/bar" | cut -c1-8)" = "rendered" ]; then pass; else fail "after the bar: '$(tail -n 1 "$TMPD/bar")'"; fi
else
    echo "cli_ecosystem: no script(1): progress bar check skipped"
fi
# help help is the general help, not a pointer to itself
"$LW" help help >"$TMPD/out" 2>"$TMPD/err"
if [ $? -eq 0 ] && grep -q "^usage: layerwarp COMMAND" "$TMPD/out" && ! grep -q "help help" "$TMPD/out" "$TMPD/err"; then pass
else fail "help help: $(cat "$TMPD/out" "$TMPD/err" | head -c 300)"; fi
one_line 2 "layerwarp help: unknown command 'nope' (commands: render, frames, step, hash, train, dump, info, scene, join, sweep, montage)" "$LW" help nope
# a full stdout: said once, with the prefix, status 1
if [ -w /dev/full ]; then
    for cmd in "dump $S --layer 1 --stage bias -q" "hash $S --frames 0:1 -q" "render $S -s -o - -q" \
               "train $S -o - -q" "frames $S --frames 0 -o - -q"; do
        # shellcheck disable=SC2086
        "$LW" $cmd >/dev/full 2>"$TMPD/err"
        got=$?
        if [ "$got" -eq 1 ] && [ "$(wc -l <"$TMPD/err")" -eq 1 ] &&
            grep -q "^layerwarp: cannot write to standard output: No space left on device" "$TMPD/err"; then pass
        else fail "layerwarp $cmd >/dev/full: exited $got: $(cat "$TMPD/err")"; fi
    done
fi
# a runtime failure says who speaks
mkdir "$TMPD/nd" && : >"$TMPD/nd/file"
expect_stderr 1 "layerwarp: " "$LW" render $S -o "$TMPD/nd/file/x.mkv" -q
if [ "$(cut -c1-11 "$TMPD/err")" = "layerwarp: " ]; then pass; else fail "runtime error without the prefix: $(cat "$TMPD/err")"; fi
# a PNG sequence rendered again with fewer frames: none of the earlier ones
# stays beside the new; other files do; frames adds to a folder
mkdir "$TMPD/seq" && : >"$TMPD/seq/notes.txt"
"$LW" render $S -o "$TMPD/seq/" -q
# shellcheck disable=SC2086
"$LW" render $S $FPS_S -o "$TMPD/seq/" -q
n=$(ls "$TMPD/seq" | grep -c '^frame-.*\.png$')
last=$(ls "$TMPD/seq" | grep '^frame-' | tail -n 1)
if [ "$n" -eq "$N10" ] && [ "$last" = "frame-00048.png" ] && [ -e "$TMPD/seq/notes.txt" ]; then pass
else fail "render -o seq/ again with $N10 frames: $n frames, the last $last, notes.txt $(ls "$TMPD/seq/notes.txt" 2>&1)"; fi
"$LW" frames $S --frames 100 -o "$TMPD/seq" -q
if [ -e "$TMPD/seq/frame-00100.png" ] && [ -e "$TMPD/seq/frame-00048.png" ]; then pass
else fail "frames into a sequence's folder removed its frames"; fi

done_tests cli_ecosystem
