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

layers() { "$LW" info "$1" | sed -n 's/^stages: *[0-9]* (\([0-9]*\) layers.*/\1/p'; }

for scene in scenes/olah/*.scene; do
    name=$(basename "$scene" .scene)
    # the still: the end of the last layer, the network's final
    # representation, where a straight line (or plane) separates the classes
    # before the readout turns it into probabilities; framed on that moment
    # alone (step's still), not on the whole layer's motion
    k=$(layers "$scene")
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

# generative models: the end of the generator's or decoder's last layer (the
# latent grid and its samples landed on the data; a GAN's discriminator
# follows in the video) and a GIF
for scene in scenes/generative/*.scene; do
    name=$(basename "$scene" .scene)
    widths=$("$LW" info "$scene" -q | sed -n 's/^network: *[a-z]* [a-z]* \([0-9-]*\) .*/\1/p')
    k=$(printf '%s' "$widths" | tr -cd '-' | wc -c)
    "$LW" frames "$scene" --at "$k:activation:1" -o "$TMP/$name" -q
    mv "$TMP/$name"/frame-*.png "$OUT/$name.png"
    "$LW" render "$scene" --size 640x360 --fps 12 -o "$OUT/$name.gif" -q
    echo "gallery: $OUT/$name.png, $OUT/$name.gif"
done

for name in moons circles xor spiral; do
    "$LW" step "scenes/$name.scene" --layer 1 -o "$TMP/step-$name" -q
    mv "$TMP/step-$name/layer1-sheet.png" "$OUT/step-$name-layer1.png"
    echo "gallery: $OUT/step-$name-layer1.png"
done
