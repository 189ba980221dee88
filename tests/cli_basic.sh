#!/bin/sh
# The command line as a user meets it: help, version, info on every scene,
# exit codes for bad usage.
. tests/lib.sh

expect_status 0 "$LW" --version
expect_status 0 "$LW" --help
expect_status 2 "$LW"
expect_status 0 "$LW" help render
expect_status 0 "$LW" render --help
expect_status 2 "$LW" frobnicate
expect_stderr 2 "unknown command 'frobnicate'" "$LW" frobnicate
expect_stderr 2 "missing SCENE" "$LW" info
expect_stderr 2 "unknown option '--bogus'" "$LW" info --bogus scenes/moons.scene
expect_stderr 2 "-j needs a number of threads" "$LW" hash -j 0 scenes/moons.scene
expect_stderr 2 "nope.scene: No such file or directory" "$LW" info nope.scene
# scene keys on the command line go through the scene's own key table
expect_stderr 2 "--set render.fps=500: fps must be from 1 to 120, got 500" "$LW" info scenes/moons.scene --fps 500
expect_stderr 2 "--set render.width=641: width and height must be even" "$LW" info scenes/moons.scene --size 641x360
expect_stderr 2 "unknown key 'stepz' in [train] (did you mean 'steps'?)" "$LW" info scenes/moons.scene --set train.stepz=4
expect_stderr 2 "--size needs WxH" "$LW" info scenes/moons.scene --size big
if "$LW" info scenes/moons.scene --set train.steps=100 --set render.fps=24 -q | grep -q "training:   100 steps.*" &&
   "$LW" info scenes/moons.scene --set render.fps=24 -q | grep -q "at 24 fps"; then pass; else fail "--set did not take effect"; fi
# [compare] from the command line: info reports both models and the panels
out=$("$LW" info scenes/moons.scene -q --set train.steps=50 --set compare.network.activation=relu)
case "$out" in
    *"(tanh, tanh, tanh)"*"second panel"*"(relu, relu, relu)"*"panels:     2 side by side"*) pass ;;
    *) fail "info with --set compare.*: '$out'" ;;
esac
expect_stderr 2 "--set compare.render.fps=3: [compare] changes the model" "$LW" info scenes/moons.scene --set compare.render.fps=3
for s in scenes/*.scene scenes/*/*.scene; do
    [ -e "$s" ] || continue
    expect_status 0 "$LW" info "$s"
done
out=$("$LW" train scenes/moons.scene -q)
case "$out" in
    final:\ steps=*\ loss=*\ accuracy=*\ seconds=*) pass "train prints the final line" ;;
    *) fail "train's last line: '$out'" ;;
esac
# an activation in element-wise steps: --at names a step by number or name,
# a frame of a step is labelled with it, and step writes the steps' sheet
STEPS="tests/golden/short.scene --set render.activation_steps=hadamard --set render.worked_point=1,2"
# shellcheck disable=SC2086
lab=$("$LW" hash $STEPS --at 1:exp:0.5 --at 2:activation.5:1 -q | awk '{print $2}' | paste -sd' ' -)
if [ "$lab" = "L1.activation.3 L2.activation.5" ]; then pass; else fail "step labels: '$lab'"; fi
# shellcheck disable=SC2086
expect_stderr 2 "--at '1:activation.8:0.5': expected LAYER:STAGE:T" "$LW" hash $STEPS --at 1:activation.8:0.5
expect_stderr 2 "--at '1:exp:0.5': expected LAYER:STAGE:T" "$LW" hash tests/golden/short.scene --at 1:exp:0.5
# shellcheck disable=SC2086
"$LW" step $STEPS --layer 2 -o "$TMPD/steps" -q
if [ -s "$TMPD/steps/layer2-hadamard-sheet.png" ] && [ -s "$TMPD/steps/layer2-sheet.png" ]; then pass
else fail "step with activation_steps = hadamard wrote no layer2-hadamard-sheet.png"; fi
"$LW" step tests/golden/short.scene --layer 1 -o "$TMPD/nosteps" -q
if [ ! -e "$TMPD/nosteps/layer1-hadamard-sheet.png" ]; then pass; else fail "a steps sheet without steps"; fi
# shellcheck disable=SC2086
if "$LW" info $STEPS -q | grep -q "^steps:      layer 2: times2, negate, exp, plus1, reciprocal, times2, minus1"
then pass; else fail "info does not list the steps"; fi
# dump speaks of the scene's network even when the drawing swaps two units
# (Olah's fix for det W < 0): W = [[0,1],[1,0]] maps (x, y) to (y, x).
printf '[dataset]\nkind = moons\n[network]\nwidths = 2,2\n[weights]\nW1 = 0 1 | 1 0\nb1 = 0 0\n[render]\nreflection = swap\n' >"$TMPD/swap.scene"
in_row=$("$LW" dump "$TMPD/swap.scene" --layer 1 --stage input | sed -n 2p)
out_row=$("$LW" dump "$TMPD/swap.scene" --layer 1 --stage linear | sed -n 2p)
want=$(echo "$in_row" | awk -F, '{print $1","$2","$4","$3}')
if [ "$out_row" = "$want" ]; then pass; else fail "dump after a swapped W: '$out_row', expected '$want'"; fi

# a frame with no lines at all (no grid, outline or boundary: only the data)
if "$LW" hash tests/golden/short.scene --frames 0:2 -q --set render.show_grid=no \
    --set render.show_domain=no --set render.show_boundary=no >"$TMPD/nolines" 2>&1 &&
    [ "$(wc -l <"$TMPD/nolines")" -eq 3 ]
then pass; else fail "frames without any line: $(head -c 300 "$TMPD/nolines")"; fi

# FFmpeg is loaded by the commands that need video and by no other
# (video_lib.h): the dynamic loader's own list of what it opened.
loaded_av() { LD_DEBUG=files "$LW" "$@" -q 2>&1 >/dev/null | grep -c "file=libavcodec" ; }
for args in "step tests/golden/short.scene --layer 1 -o $TMPD/noav" \
            "hash tests/golden/short.scene --frames 0:0" "info tests/golden/short.scene" \
            "frames tests/golden/short.scene --at 1:bias:0.5 -o $TMPD/noav.png"; do
    # shellcheck disable=SC2086
    if [ "$(loaded_av $args)" -eq 0 ]; then pass; else fail "'$args' loads libavcodec"; fi
done
if [ "$(loaded_av render tests/golden/short.scene --frames 0:1 -o "$TMPD/av.mkv")" -ge 1 ] &&
   [ -s "$TMPD/av.mkv" ]; then pass; else fail "render to .mkv did not load libavcodec"; fi

done_tests cli_basic
