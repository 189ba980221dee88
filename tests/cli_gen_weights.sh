#!/bin/sh
# A generative model's weights through the command line:
# - `train SCENE -o FILE` saves every network of a gan, vae and autoencoder;
#   the same scene with [weights] file = FILE draws the same frames (`hash`
#   of every frame identical, labels included), says in `info` that its
#   weights are fixed, and saves the same parameters again (files identical);
# - a file that does not fit the scene is refused with its one line
#   FILE:LINE: ... and exit status 2, and an existing -o file stays as it was.
. tests/lib.sh

D=$TMPD
SMALL="--size 160x90 --fps 5"


# ---- round trips -----------------------------------------------------------------
for m in gan vae autoencoder; do
    small_generative_scene "$m" >"$D/$m.scene"
    if ! "$LW" train "$D/$m.scene" -o "$D/$m.weights" -q >"$D/train.out" 2>"$D/err"; then
        fail "train $m -o: $(head -c 300 "$D/err")"
        continue
    fi
    head -4 "$D/$m.weights" | tr '\n' ' ' >"$D/head"
    if grep -q "^layerwarp-weights 2 model $m latent 2 prior gaussian $" "$D/head"; then pass
    else fail "$m.weights starts '$(cat "$D/head")'"; fi
    { small_generative_scene "$m"; printf '[weights]\nfile = %s.weights\n' "$m"; } >"$D/$m-fixed.scene"
    "$LW" hash "$D/$m.scene" $SMALL >"$D/a.hashes" 2>"$D/err" || fail "hash $m: $(head -c 300 "$D/err")"
    "$LW" hash "$D/$m-fixed.scene" $SMALL >"$D/b.hashes" 2>"$D/err" || fail "hash $m-fixed: $(head -c 300 "$D/err")"
    if [ -s "$D/a.hashes" ] && cmp -s "$D/a.hashes" "$D/b.hashes"; then pass
    else fail "$m: the frames of the scene with its saved weights differ from the trained scene's"; fi
    if "$LW" info "$D/$m-fixed.scene" | grep -q "^weights:    fixed, from $D/$m.weights (not trained)"; then pass
    else fail "$m: info does not say the weights are fixed: $("$LW" info "$D/$m-fixed.scene" 2>&1 | head -5)"; fi
    if "$LW" train "$D/$m-fixed.scene" -o "$D/$m-again.weights" -q | grep -q "^final: steps=0 " &&
        cmp -s "$D/$m.weights" "$D/$m-again.weights"; then pass
    else fail "$m: saving the loaded weights again gives another file"; fi
done
# ---- files that do not fit -----------------------------------------------------------
# bad NAME SED: the gan's file edited by SED, and a gan scene that reads it
bad() {
    sed "$2" "$D/gan.weights" >"$D/$1.weights"
    { small_generative_scene gan; printf '[weights]\nfile = %s.weights\n' "$1"; } >"$D/$1.scene"
}
bad latent 's/^latent 2$/latent 3/'
one_line 2 "$D/latent.weights:3: latent 3, but the scene's latent is 2" "$LW" info "$D/latent.scene"
bad widths '6s/.*/widths 2 5 2/'
one_line 2 "$D/widths.weights:6: generator widths 2,5,2, but the scene's generator is 2,6,2" \
    "$LW" info "$D/widths.scene"
bad act '7s/.*/activations tanh identity/'
one_line 2 "$D/act.weights:7: generator activations tanh,identity, but the scene's generator has leaky_relu,identity" \
    "$LW" hash "$D/act.scene"
bad missing '/^W2$/,/^b2$/{/^b2$/!d}'
one_line 2 "$D/missing.weights:17: expected 'W2' of the generator, found 'b2'" "$LW" info "$D/missing.scene"
bad short '10d'
one_line 2 "$D/short.weights:14: W1 of the generator has 5 rows (expected 6), found 'b1'" \
    "$LW" info "$D/short.scene"
bad narrow '9s/ [^ ]*$//'
one_line 2 "$D/narrow.weights:9: row 1 of W1 of the generator has 1 number (expected 2)" \
    "$LW" info "$D/narrow.scene"
{ small_generative_scene gan; printf '[weights]\nfile = vae.weights\n'; } >"$D/kind.scene"
one_line 2 "$D/vae.weights:2: weights for model = vae, but the scene's model is gan" "$LW" info "$D/kind.scene"
"$LW" train scenes/xor.scene --set train.steps=10 -o "$D/xor.weights" -q >/dev/null
{ small_generative_scene gan; printf '[weights]\nfile = xor.weights\n'; } >"$D/cls.scene"
one_line 2 "$D/xor.weights:1: a classifier's weights (version 1), but the scene's model is gan (its file is 'layerwarp-weights 2')" \
    "$LW" info "$D/cls.scene"
printf '[dataset]\nkind = moons\n[weights]\nfile = gan.weights\n' >"$D/clsgan.scene"
one_line 2 "$D/gan.weights:2: weights for model = gan, not a classifier's (whose file is 'layerwarp-weights 1')" \
    "$LW" info "$D/clsgan.scene"
{ small_generative_scene vae; printf '[weights]\nW1 = 1 0 | 0 1\n'; } >"$D/matrix.scene"
one_line 2 "$D/matrix.scene:14: W1 in [weights] is for model = classifier; model = vae reads its weights from a file (file = PATH, as layerwarp train -o writes it)" \
    "$LW" info "$D/matrix.scene"
# a refused train leaves an existing -o file as it was, and no temporary
echo "keep me" >"$D/keep.weights"
one_line 2 "$D/latent.weights:3: latent 3, but the scene's latent is 2" \
    "$LW" train "$D/latent.scene" -o "$D/keep.weights" -q
if [ "$(cat "$D/keep.weights")" = "keep me" ] && [ -z "$(ls -A "$D" | grep '^\.keep')" ]; then pass
else fail "a refused train touched $D/keep.weights"; fi

done_tests cli_gen_weights
