#!/bin/sh
# Renders the gallery (docs/gallery/) from scenes/olah/ and the step contact
# sheets of the dataset scenes: every picture there is made by this script.
#   scripts/gallery.sh [BINARY]
set -eu
LW=${1:-build/layerwarp}
OUT=docs/gallery
TMP=$(mktemp -d /tmp/lwgallery.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$OUT"

# layers, or a training morph's checkpoint-to-checkpoint morphs (one layer each)
layers() { "$LW" info "$1" | sed -n 's/^stages: *[0-9]* (\([0-9]*\) \(layers\|morphs\).*/\1/p'; }

for scene in scenes/olah/*.scene; do
    name=$(basename "$scene" .scene)
    # the still: the end of the last layer, the network's final
    # representation, where a straight line (or plane) separates the classes
    # before the readout turns it into probabilities; framed on that moment
    # alone (step's still), not on the whole layer's motion
    k=$(layers "$scene")
    # a replayed training: the last checkpoint's last layer, past the
    # readouts of the checkpoints before it (one more layer each)
    s=$("$LW" info "$scene" -q | sed -n 's/^replayed: *//p' | head -n 1 | grep -o 'step ' | wc -l)
    [ "$s" -gt 0 ] && k=$((k + s - 1))
    "$LW" step "$scene" --layer "$k" -o "$TMP/$name" -q
    mv "$TMP/$name/layer$k-3-activation.png" "$OUT/$name.png"
    # an activation played in element-wise steps: step's sheet of them too
    if [ -f "$TMP/$name/layer$k-hadamard-sheet.png" ]; then
        mv "$TMP/$name/layer$k-hadamard-sheet.png" "$OUT/$name-steps.png"
        echo "gallery: $OUT/$name-steps.png"
    fi
    # the animation, small enough for a page
    "$LW" render "$scene" --size 640x360 --fps 12 -o "$OUT/$name.gif" -q
    echo "gallery: $OUT/$name.png, $OUT/$name.gif"
done

# generative models: the end of the first network's last layer (a generator's
# or decoder's: the latent grid and its samples landed on the data, a GAN's
# discriminator following in the video; an encoder's: the data in the latent
# space, a VAE's posteriors about them; its hidden widths are the decoder's
# reversed, so it has as many layers) and a GIF
for scene in scenes/generative/*.scene; do
    name=$(basename "$scene" .scene)
    # the first panel's network (a [compare] scene has a second)
    widths=$("$LW" info "$scene" -q | sed -n 's/^network: *[a-z]* [a-z]* \([0-9-]*\) .*/\1/p' | head -n 1)
    k=$(printf '%s' "$widths" | tr -cd '-' | wc -c)
    at="$k:activation:1"
    # a replayed training: the last checkpoint's generator, its G layers
    # counted over the checkpoints before it
    s=$("$LW" info "$scene" -q | sed -n 's/^replayed: *//p' | head -n 1 | grep -o 'step ' | wc -l)
    [ "$s" -gt 0 ] && at="G$((k * s)):activation:1"
    # a training morph: its last frame, the trained networks
    if "$LW" info "$scene" -q | grep -q '^morph:'; then
        "$LW" frames "$scene" --frames last -o "$TMP/$name" -q
    else
        "$LW" frames "$scene" --at "$at" -o "$TMP/$name" -q
    fi
    mv "$TMP/$name"/frame-*.png "$OUT/$name.png"
    # two panels side by side get the width of two
    size=640x360
    "$LW" info "$scene" -q | grep -q '^panels:' && size=1280x360
    "$LW" render "$scene" --size "$size" --fps 12 -o "$OUT/$name.gif" -q
    echo "gallery: $OUT/$name.png, $OUT/$name.gif"
done

for name in moons circles xor spiral; do
    "$LW" step "scenes/$name.scene" --layer 1 -o "$TMP/step-$name" -q
    mv "$TMP/step-$name/layer1-sheet.png" "$OUT/step-$name-layer1.png"
    echo "gallery: $OUT/step-$name-layer1.png"
done
