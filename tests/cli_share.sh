#!/bin/sh
# Outputs that carry their scene (docs/sharing.md): `layerwarp scene FILE`
# reads the scene back from an MP4, a WebM, an MKV and a PNG, with the command
# line's settings written in, and rendering what it prints gives the same
# frames bit for bit; the text survives whole (comments, blank lines); the
# files a scene reads are named; a GIF or a file layerwarp did not render is
# one line and exit 2.  Chapters: one per stage (and one over the opening
# hold), starting where `layerwarp hash` shows each stage's first moving
# frame, named like the captions.
. tests/lib.sh

cat >"$TMPD/tiny.scene" <<'SCENE'
; a tiny scene: two layers, a quick training
[dataset]
kind = xor
points = 60
seed = 7

[network]
widths = 2,3,2
activation = tanh   ; the default, said anyway

[train]
steps = 40
seed = 1

[render]
stage_seconds = 0.3
hold_between = 0.1
hold_end = 0.2
SCENE
SETS="-ql --size 320x180 --fps 8 --set train.steps=60 --set render.hold_start=0.4 --set style.grid_color=#3060a0"
# shellcheck disable=SC2086
"$LW" hash "$TMPD/tiny.scene" $SETS >"$TMPD/want.hashes" 2>"$TMPD/err" ||
    fail "hash of the scene: $(cat "$TMPD/err")"

# reproduces OUTPUT: the scene OUTPUT carries renders the frames of want.hashes
reproduces() {
    if ! "$LW" scene "$1" >"$TMPD/again.scene" 2>"$TMPD/err"; then
        fail "layerwarp scene $1: $(cat "$TMPD/err")"; return
    fi
    "$LW" hash "$TMPD/again.scene" >"$TMPD/again.hashes" 2>"$TMPD/err"
    if cmp -s "$TMPD/want.hashes" "$TMPD/again.hashes"; then pass
    else fail "$1: its scene renders other frames: $(diff "$TMPD/want.hashes" "$TMPD/again.hashes" | head -3) $(head -c 300 "$TMPD/err")"; fi
}

for ext in mp4 webm mkv; do
    # shellcheck disable=SC2086
    if "$LW" render "$TMPD/tiny.scene" $SETS -q -o "$TMPD/out.$ext" 2>"$TMPD/err"; then pass
    else fail "render .$ext: $(cat "$TMPD/err")"; continue; fi
    reproduces "$TMPD/out.$ext"
    # ffprobe shows the tags too (what other tools see)
    if ffprobe -v error -show_entries format_tags -of default "$TMPD/out.$ext" 2>/dev/null |
        grep -qi 'layerwarp_command=layerwarp render .*tiny.scene -ql --size 320x180 --fps 8 --set train.steps=60'; then
        pass; else fail ".$ext: ffprobe shows no layerwarp_command tag"; fi
done
# shellcheck disable=SC2086
"$LW" render "$TMPD/tiny.scene" $SETS -q -s -o "$TMPD/still.png" 2>"$TMPD/err" ||
    fail "render -s: $(cat "$TMPD/err")"
reproduces "$TMPD/still.png"
# shellcheck disable=SC2086
"$LW" frames "$TMPD/tiny.scene" $SETS -q --frames 5 -o "$TMPD/f5.png" 2>"$TMPD/err" ||
    fail "frames: $(cat "$TMPD/err")"
reproduces "$TMPD/f5.png"

# the text whole: no settings on the command line, the file itself comes back
"$LW" render "$TMPD/tiny.scene" -q -o "$TMPD/plain.webm" 2>"$TMPD/err" || fail "render: $(cat "$TMPD/err")"
if "$LW" scene -q "$TMPD/plain.webm" | cmp -s - "$TMPD/tiny.scene"; then pass
else fail "scene -q of a render without settings differs from the scene file"; fi
# the settings, in their sections: a key the file sets rewritten, a new one added
"$LW" scene -q "$TMPD/out.mp4" >"$TMPD/set.scene"
for line in 'steps = 60' 'hold_start = 0.4' 'width = 320' 'fps = 8' 'grid_color = #3060a0'; do
    if grep -qx "$line" "$TMPD/set.scene"; then pass; else fail "scene lacks '$line'"; fi
done
if [ "$(grep -c '^steps' "$TMPD/set.scene")" -eq 1 ]; then pass; else fail "steps set twice"; fi
# the header says how it was made
"$LW" scene "$TMPD/out.mp4" >"$TMPD/header"
if grep -q '^#   layerwarp render .*tiny.scene -ql' "$TMPD/header"; then pass
else fail "no command line in the header: $(head -3 "$TMPD/header")"; fi
# --set on the way out: checked like the scene's own, written in
if "$LW" scene -q "$TMPD/out.mp4" --set train.steps=75 | grep -qx 'steps = 75'; then pass
else fail "scene --set train.steps=75 not written in"; fi
expect_stderr 2 "render.fps=500" "$LW" scene "$TMPD/out.mp4" --set render.fps=500

# a scene that reads a file names it
printf 'x,y,label\n0,0,0\n1,1,1\n0,1,1\n1,0,0\n' >"$TMPD/pts.csv"
printf '[dataset]\nkind = csv\nfile = pts.csv\n[train]\nsteps = 10\n[render]\nstage_seconds = 0.1\nhold_start = 0\nhold_end = 0.1\n' >"$TMPD/csv.scene"
"$LW" render "$TMPD/csv.scene" -q -s --size 160x120 -o "$TMPD/csv.png" 2>"$TMPD/err" ||
    fail "render csv: $(cat "$TMPD/err")"
if "$LW" scene "$TMPD/csv.png" | grep -q "^#   \[dataset\] file = .*pts.csv"; then pass
else fail "the header does not name the CSV file: $("$LW" scene "$TMPD/csv.png" | head -8)"; fi

# what carries no scene
"$LW" render "$TMPD/tiny.scene" -q --size 160x120 -o "$TMPD/out.gif" 2>"$TMPD/err" ||
    fail "render gif: $(cat "$TMPD/err")"
one_line 2 "$TMPD/out.gif: carries no layerwarp scene (rendered before layerwarp embedded it, edited since, or a GIF, which has no place for one)" "$LW" scene "$TMPD/out.gif"
one_line 2 "$TMPD/none.mp4: No such file or directory" "$LW" scene "$TMPD/none.mp4"
expect_stderr 2 "not a PNG or a video" "$LW" scene "$TMPD/tiny.scene"
expect_stderr 2 "missing FILE" "$LW" scene

# ---- chapters ----
fps=8
# the first frame of each stage in motion, as the frames' own labels say:
# "3 L1.linear t=0.16 HASH"; holds before a stage still show the one before
awk '{ split($2, a, " "); st = $2; t = substr($3, 3) + 0
       if (t > 0 && !(st in seen)) { seen[st] = 1; print $1, st } }' \
    "$TMPD/want.hashes" >"$TMPD/firsts"
n_stages=$(wc -l <"$TMPD/firsts")
ffprobe -v error -show_entries chapter=start_time:chapter_tags=title -of csv=p=0 \
    "$TMPD/out.mp4" >"$TMPD/chapters" 2>"$TMPD/err"
n_chapters=$(wc -l <"$TMPD/chapters")
# hold_start = 0.4 s: one chapter more, "input", over it
if [ "$n_stages" -eq 9 ] && [ "$n_chapters" -eq $((n_stages + 1)) ]; then pass
else fail "$n_chapters chapters for $n_stages stages (want one per stage and the opening)"; fi
for ext in mp4 webm mkv; do
    ffprobe -v error -show_entries chapter=start_time -of csv=p=0 "$TMPD/out.$ext" |
        tail -n +2 >"$TMPD/starts.$ext"
    if paste -d' ' "$TMPD/firsts" "$TMPD/starts.$ext" |
        awk -v fps=$fps '{ d = $3 - $1 / fps; if (d < 0) d = -d; if (d > 0.0011 || NF != 3) bad = 1 }
                        END { exit bad }'; then pass
    else fail ".$ext chapters do not start at the stages' first frames: $(paste -d' ' "$TMPD/firsts" "$TMPD/starts.$ext" | head -4)"; fi
done
if head -1 "$TMPD/chapters" | grep -q '^0.000000,input$'; then pass; else fail "first chapter: $(head -1 "$TMPD/chapters")"; fi
for name in 'layer 1 · × W' 'layer 1 · + b' 'layer 2 · tanh' 'readout · sigmoid'; do
    if grep -q ",$name\$" "$TMPD/chapters"; then pass; else fail "no chapter '$name': $(cat "$TMPD/chapters")"; fi
done

done_tests cli_share
