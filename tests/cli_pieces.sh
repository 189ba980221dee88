#!/bin/sh
# render --piece and join refuse what does not fit, with one clear line and
# exit 2, leaving no output: a missing piece, an overlap, a piece of another
# scene, other encoder settings, a GIF; sweep's jobs and its montage line.
# (test_pieces checks that joined pieces are the render, under GNU parallel.)
. tests/lib.sh
D=$TMPD
printf '[dataset]\nkind = moons\npoints = 100\nseed = 5\n[network]\nwidths = 2,2,2\n[weights]\nW1 = 1.2 -0.8 | 0.6 1.1\nb1 = 0.3 -0.2\nW2 = 0.9 1.3 | -1.1 0.7\nb2 = -0.1 0.4\nWout = 1.5 -2.0\nbout = 0.1\n[render]\nwidth = 160\nheight = 90\nfps = 10\nstage_seconds = 0.5\nhold_start = 0\nhold_between = 0\nhold_end = 0\n' >"$D/s.scene"
frames=$("$LW" info "$D/s.scene" -q | sed -n 's/^frames: *\([0-9]*\) at.*/\1/p')
[ "$frames" = 55 ] && pass || fail "the test scene has $frames frames, expected 55"

for k in 1 2 3; do "$LW" render "$D/s.scene" --piece $k/3 -q -o "$D/p$k.mkv" || fail "piece $k/3"; done
"$LW" render "$D/s.scene" --piece 2/4 -q -o "$D/q2.mkv" || fail "piece 2/4"
"$LW" render "$D/s.scene" --piece 2/3 -q -o "$D/p2.webm" || fail "a WebM piece"
"$LW" render "$D/s.scene" --piece 2/3 --set dataset.seed=6 -q -o "$D/other2.mkv" || fail "other scene"
"$LW" render "$D/s.scene" --piece 1/3 -q -o "$D/p1.mp4" && "$LW" render "$D/s.scene" --piece 2/3 -q --crf 30 -o "$D/p2.mp4" || fail "mp4 pieces"

# the pieces' ranges: 0-17, 18-35, 36-54; piece 2/4 is 13-26
one_line 2 "layerwarp join: frames 18-35 missing (piece 2/3?)" "$LW" join "$D/p1.mkv" "$D/p3.mkv" -o "$D/j.mkv"
one_line 2 "layerwarp join: frames 36-54 missing (piece 3/3?)" "$LW" join "$D/p2.mkv" "$D/p1.mkv" -o "$D/j.mkv"
one_line 2 "layerwarp join: frames 13-17 overlap: both in $D/p1.mkv and $D/q2.mkv" "$LW" join "$D/p1.mkv" "$D/q2.mkv" "$D/p2.mkv" "$D/p3.mkv" -o "$D/j.mkv"
one_line 2 "layerwarp join: frames 18-35 overlap: both in $D/p2.mkv and $D/p2.mkv" "$LW" join "$D/p1.mkv" "$D/p2.mkv" "$D/p2.mkv" "$D/p3.mkv" -o "$D/j.mkv"
expect_stderr 2 "layerwarp join: $D/other2.mkv is a piece of another render than $D/p1.mkv (scene sha256" "$LW" join "$D/p1.mkv" "$D/other2.mkv" "$D/p3.mkv" -o "$D/j.mkv"
one_line 2 "layerwarp join: $D/p1.mp4 and $D/p2.mp4 have different encoder settings (codec extradata); render every piece with the same options" "$LW" join "$D/p1.mp4" "$D/p2.mp4" -o "$D/j.mp4"
one_line 2 "layerwarp join: $D/p1.mkv and $D/p2.webm have different codecs; render every piece with the same options" "$LW" join "$D/p1.mkv" "$D/p2.webm" "$D/p3.mkv" -o "$D/j.mkv"
one_line 2 "layerwarp join: -o $D/j.gif: a GIF's palette is made from the whole video, so pieces cannot be copied into one; join them into .mkv and render the GIF in one process" "$LW" join "$D/p1.mkv" "$D/p2.mkv" "$D/p3.mkv" -o "$D/j.gif"
one_line 2 "layerwarp join: -o $D/j.mp4 cannot hold the pieces' ffv1 video without re-encoding; join into the pieces' own format (matroska,webm)" "$LW" join "$D/p1.mkv" "$D/p2.mkv" "$D/p3.mkv" -o "$D/j.mp4"
"$LW" render "$D/s.scene" -q -o "$D/whole.mkv"
one_line 2 "$D/whole.mkv: not a piece (no layerwarp_piece tag; render pieces with 'layerwarp render SCENE --piece K/N')" "$LW" join "$D/whole.mkv" -o "$D/j.mkv"
if ls -A "$D" | grep -q '^j\.\|tmp'; then fail "a refused join left output: $(ls -A "$D")"; else pass; fi

# an existing output is not replaced by a refused join
echo keep >"$D/j.mkv"
expect_status 2 "$LW" join "$D/p1.mkv" "$D/p3.mkv" -o "$D/j.mkv"
[ "$(cat "$D/j.mkv")" = keep ] && pass || fail "a refused join replaced its -o file"
"$LW" join -q "$D/p3.mkv" "$D/p1.mkv" "$D/p2.mkv" -o "$D/j.mkv" && pass || fail "join of 3 pieces"
cmp -s "$D/j.mkv" "$D/whole.mkv" && fail "joined file byte-equal to the whole? (tags differ)" || pass
# the joined file says what the one-process render says: its scene and its chapters
"$LW" scene -q "$D/j.mkv" >"$D/j.txt" 2>&1 && "$LW" scene -q "$D/whole.mkv" >"$D/w.txt" &&
    cmp -s "$D/j.txt" "$D/w.txt" && pass || fail "joined scene: $(head -c 300 "$D/j.txt")"
if command -v ffprobe >/dev/null; then
    ffprobe -v error -show_chapters -of csv "$D/j.mkv" >"$D/j.ch" && ffprobe -v error -show_chapters -of csv "$D/whole.mkv" >"$D/w.ch"
    [ -s "$D/w.ch" ] && cmp -s "$D/j.ch" "$D/w.ch" && pass || fail "joined chapters differ from the whole's: $(diff "$D/j.ch" "$D/w.ch" | head -5)"
fi

# --piece's own refusals
one_line 2 "layerwarp render: --piece needs K/N with 1 <= K <= N (piece K of N), got '4/3' (see 'layerwarp help render')" "$LW" render "$D/s.scene" --piece 4/3 -o "$D/x.mkv"
one_line 2 "--piece 1/56: the scene has only 55 frames, fewer than 56 pieces" "$LW" render "$D/s.scene" --piece 1/56 -q -o "$D/x.mkv"
expect_stderr 2 "GIF pieces cannot be joined" "$LW" render "$D/s.scene" --piece 1/2 -o "$D/x.gif"
expect_stderr 2 "--piece takes its own frames; it does not go with --frames" "$LW" render "$D/s.scene" --piece 1/2 --frames 0:3 -o "$D/x.mkv"
expect_stderr 2 "--piece needs the scene in a file" sh -c "cat '$D/s.scene' | '$LW' render - --piece 1/2 -o '$D/x.mkv'"
[ ! -e "$D/x.mkv" ] && [ ! -e "$D/x.gif" ] && pass || fail "a refused piece left output"

# sweep: the product, one job per line, names from the values; --index; --montage
out=$("$LW" sweep "$D/s.scene" --set dataset.seed=1,2 --set train.steps=10..30..10 -o "$D/sw")
[ "$(printf '%s\n' "$out" | wc -l)" = 6 ] && pass || fail "sweep 2x3 printed: $out"
want="$LW render $D/s.scene --set dataset.seed=2 --set train.steps=20 -o $D/sw/s-seed_2-steps_20.mp4"
[ "$(printf '%s\n' "$out" | sed -n 5p)" = "$want" ] && pass || fail "sweep job 4: $(printf '%s\n' "$out" | sed -n 5p)"
[ "$("$LW" sweep "$D/s.scene" --set dataset.seed=1,2 --set train.steps=10..30..10 -o "$D/sw" --index 4)" = "$want" ] && pass || fail "sweep --index 4"
one_line 2 "layerwarp sweep: --index 6, but the sweep has 6 jobs (0-5)" "$LW" sweep "$D/s.scene" --set dataset.seed=1,2 --set train.steps=10..30..10 --index 6
expect_stderr 2 "unknown key 'seeds' in [dataset]" "$LW" sweep "$D/s.scene" --set dataset.seeds=1,2
expect_stderr 2 "render.fps=0" "$LW" sweep "$D/s.scene" --set render.fps=0..10..10
grep -v '^[WbB]' "$D/s.scene" | sed 's/^\[weights\]$/[train]\nsteps = 5/' >"$D/t.scene"
out=$("$LW" sweep "$D/t.scene" --set 'network.widths=2,3,2|2,5,2' --set dataset.seed=1,2 -o "$D/sw" --montage)
want="$LW montage $D/sw/t-widths_2-3-2-seed_1.mp4 $D/sw/t-widths_2-3-2-seed_2.mp4 $D/sw/t-widths_2-5-2-seed_1.mp4 $D/sw/t-widths_2-5-2-seed_2.mp4 --grid 2x2 --row 'widths 2,3,2' --row 'widths 2,5,2' --col 'seed 1' --col 'seed 2' -o $D/sw/t-montage.mp4"
[ "$out" = "$want" ] && pass || fail "sweep --montage:
  got:      $out
  expected: $want"

done_tests cli_pieces
