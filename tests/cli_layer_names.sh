#!/bin/sh
# Layers named by network on the command line, and in the frame labels:
# - labels read G2.bias (a generator's or decoder's layer 2), D1.linear (a
#   discriminator's), a classifier's stay L2.bias;
# - --at G2:bias:0.5 (frames, hash), step --layer D1 and dump --layer G2
#   name a layer of one network and give what the plain number counted over
#   the whole show gives; plain numbers keep their meaning;
# - a network or layer the show does not have is refused (exit 2) with one
#   line naming what it has.
. tests/lib.sh

D=$TMPD
SMALL="--size 160x90 --fps 5"


small_generative_scene gan >"$D/gan.scene"
small_generative_scene vae >"$D/vae.scene"

# the labels name the network: a GAN's generator, then its discriminator
"$LW" hash "$D/gan.scene" $SMALL | awk '{print $2}' | sed 's/\..*//' | uniq | tr '\n' ' ' >"$D/labels"
if [ "$(cat "$D/labels")" = "G1 G2 D1 D2 D3 " ]; then pass
else fail "gan labels: $(cat "$D/labels")"; fi
"$LW" hash "$D/vae.scene" $SMALL | awk '{print $2}' | sed 's/\..*//' | uniq | tr '\n' ' ' >"$D/labels"
if [ "$(cat "$D/labels")" = "G1 G2 " ]; then pass
else fail "vae labels: $(cat "$D/labels")"; fi

G=$D/gan.scene   # generator G1-G2, discriminator D1-D3 (widths 2,6,2; its discriminator 2-16-16-16-1)
# hash_of ARGS: "frame hash" of each line
hash_of() { "$LW" hash "$G" $SMALL "$@" 2>"$D/err" | awk '{print $1, $NF}'; }
a=$(hash_of --at G2:bias:0.5); b=$(hash_of --at 2:bias:0.5)
if [ -n "$a" ] && [ "$a" = "$b" ]; then pass; else fail "--at G2:bias:0.5 '$a' is not --at 2:bias:0.5 '$b'"; fi
a=$(hash_of --at D1:linear:0.5); b=$(hash_of --at 3:linear:0.5)
if [ -n "$a" ] && [ "$a" = "$b" ]; then pass; else fail "--at D1:linear:0.5 '$a' is not --at 3:linear:0.5 '$b'"; fi
label=$("$LW" hash "$G" $SMALL --at D2:activation:1 | awk '{print $2}')
if [ "$label" = "D2.activation" ]; then pass; else fail "--at D2:activation:1 is labelled '$label'"; fi
one_line 2 "layerwarp hash: --at 'D4:bias:0.5': the discriminator has layers D1 to D3" \
    "$LW" hash "$G" $SMALL --at D4:bias:0.5
one_line 2 "layerwarp frames: --at 'E1:bias:0.5': this show has no encoder (networks: G1-G2, D1-D3)" \
    "$LW" frames "$G" $SMALL --at E1:bias:0.5 -o "$D/fr"
one_line 2 "layerwarp hash: --at 'G4:bias:0.5': the decoder has layers G1 to G2" \
    "$LW" hash "$D/vae.scene" $SMALL --at G4:bias:0.5
one_line 2 "layerwarp hash: --at 'D1:bias:0.5': this show has no discriminator (networks: G1-G2)" \
    "$LW" hash "$D/vae.scene" $SMALL --at D1:bias:0.5
one_line 2 "layerwarp hash: --at 'X1:bias:0.5': expected LAYER:STAGE:T with LAYER 1 to 5 (counted over the show) or a network's layer (G1-G2, D1-D3), STAGE linear, bias or activation (or a step of an activation in steps: activation.K or its name), T from 0 to 1" \
    "$LW" hash "$G" $SMALL --at X1:bias:0.5
one_line 2 "layerwarp hash: --at '6:bias:0.5': expected LAYER:STAGE:T with LAYER 1 to 5 (counted over the show) or a network's layer (G1-G2, D1-D3), STAGE linear, bias or activation (or a step of an activation in steps: activation.K or its name), T from 0 to 1" \
    "$LW" hash "$G" $SMALL --at 6:bias:0.5
# a classifier's layers are L1, L2, ...: L2 is today's 2
C="scenes/xor.scene --set train.steps=10"
a=$("$LW" hash $C $SMALL --at L2:bias:0.5); b=$("$LW" hash $C $SMALL --at 2:bias:0.5)
if [ -n "$a" ] && [ "$a" = "$b" ] && [ "$(echo "$a" | awk '{print $2}')" = "L2.bias" ]; then pass
else fail "classifier: --at L2:bias:0.5 '$a', --at 2:bias:0.5 '$b'"; fi
one_line 2 "layerwarp hash: --at 'G1:bias:0.5': this show has no generator (networks: L1-L3)" \
    "$LW" hash $C $SMALL --at G1:bias:0.5
# step and dump take a network's layer too
if "$LW" step "$G" $SMALL --layer D1 -o "$D/step" -q && [ -f "$D/step/layerD1-sheet.png" ]; then pass
else fail "step --layer D1 wrote $(ls "$D/step" 2>&1 | head -3)"; fi
one_line 2 "$G: --layer D4: the discriminator has layers D1 to D3" "$LW" step "$G" $SMALL --layer D4 -o "$D/step"
one_line 2 "layerwarp step: --layer needs a layer number from 1 (or a network's layer such as G2), got 'Q1' (see 'layerwarp help step')" \
    "$LW" step "$G" --layer Q1
a=$("$LW" dump "$G" --layer G2 --stage bias); b=$("$LW" dump "$G" --layer 2 --stage bias)
if [ -n "$a" ] && [ "$a" = "$b" ]; then pass; else fail "dump --layer G2 differs from --layer 2"; fi
if [ "$("$LW" dump "$G" --layer D1 --stage input | wc -l)" -eq 121 ]; then pass   # the real data
else fail "dump --layer D1 --stage input: $("$LW" dump "$G" --layer D1 --stage input 2>&1 | head -2)"; fi

done_tests cli_layer_names
