#!/bin/sh
# A classifier's weights as the files people have (docs/weights-format.md):
# - the fixtures of tests/weights/ (written by make_fixtures.py with NumPy:
#   the same network as text, as a numpy.savez .npz in layerwarp's naming
#   with a Fortran-order array, as a float32 safetensors in PyTorch's naming,
#   and as a numpy.savez_compressed .npz with a two-logit readout) draw the
#   same frames, hash for hash;
# - train -o x.npz / x.safetensors / x.txt, read back, draw the same frames,
#   and saving the read weights again gives the same bytes;
# - a file that does not fit is refused with one line naming the file and
#   the tensor, exit status 2, and nothing written or replaced;
# - a gan's, vae's and autoencoder's networks (generator.W1 ..., or PyTorch's
#   encoder.0.weight ...) the same: train -o and read back, and a VAE fixture
#   in PyTorch's naming draws what its text file draws.
# Needs no NumPy: the fixtures are committed.
. tests/lib.sh

D=$TMPD
SMALL="--size 160x90 --fps 5"
cp tests/weights/xor.* tests/weights/xor-2logits.npz tests/weights/bad-* "$D"/
cp tests/weights/vae.txt "$D/fvae.txt"
cp tests/weights/vae.safetensors "$D/fvae.safetensors"

# scene NAME WIDTHS FILE [DATASET LINES]: an xor classifier reading FILE
scene() {
    printf '[dataset]\nkind = xor\npoints = 200\nseed = 7\n%b[network]\nwidths = %s\nactivation = tanh\n[weights]\nfile = %s\n' \
        "${4:-}" "$2" "$3" >"$D/$1.scene"
}

# ---- the fixtures: one network, four files, the same frames -------------------------
scene text 2,3,2 xor.txt
"$LW" hash "$D/text.scene" $SMALL >"$D/text.hashes" 2>"$D/err" || fail "hash xor.txt: $(cat "$D/err")"
if [ "$(wc -l <"$D/text.hashes")" -gt 10 ]; then pass; else fail "xor.txt: no frames hashed"; fi
for f in xor.npz xor.safetensors xor-2logits.npz; do
    scene s 2,3,2 "$f"
    "$LW" hash "$D/s.scene" $SMALL >"$D/s.hashes" 2>"$D/err" || fail "hash $f: $(cat "$D/err")"
    if cmp -s "$D/text.hashes" "$D/s.hashes"; then pass
    else fail "$f: its frames differ from xor.txt's: $(head -c 300 "$D/err")"; fi
done
# the fixture is a trained network, not an arbitrary one
if "$LW" info "$D/s.scene" | grep -q '^accuracy:   1.0000$'; then pass
else fail "xor-2logits.npz: info: $("$LW" info "$D/s.scene" 2>&1 | head -8)"; fi

# ---- round trips: train -o in each format, read back -------------------------------
for e in txt npz safetensors NPZ; do
    "$LW" train scenes/xor.scene --set train.steps=200 -o "$D/rt.$e" -q >/dev/null 2>"$D/err" ||
        fail "train -o rt.$e: $(cat "$D/err")"
    scene "rt-$e" 2,3,2 "rt.$e"
    "$LW" hash "$D/rt-$e.scene" $SMALL >"$D/rt-$e.hashes" 2>"$D/err" || fail "hash rt.$e: $(cat "$D/err")"
done
for e in npz safetensors NPZ; do
    if [ -s "$D/rt-txt.hashes" ] && cmp -s "$D/rt-txt.hashes" "$D/rt-$e.hashes"; then pass
    else fail "train -o rt.$e: its frames differ from the text file's"; fi
done
if ! cmp -s "$D/rt-txt.hashes" "$D/text.hashes"; then pass
else fail "the trained network and the fixture draw the same frames: hashes prove nothing"; fi
if head -c 4 "$D/rt.npz" | od -c | grep -q 'P   K 003 004'; then pass; else fail "rt.npz is not a zip"; fi
if [ "$(head -c 4 "$D/rt.NPZ" | od -An -c)" = "$(head -c 4 "$D/rt.npz" | od -An -c)" ]; then pass
else fail "rt.NPZ: the extension is not matched in any case"; fi
for e in npz safetensors; do
    "$LW" train "$D/rt-$e.scene" -o "$D/again.$e" -q >/dev/null 2>"$D/err" || fail "train rt-$e: $(cat "$D/err")"
    if cmp -s "$D/rt.$e" "$D/again.$e"; then pass
    else fail "rt.$e read and saved again gives other bytes"; fi
done

# ---- files that do not fit: one line, the file and the tensor ------------------------
scene wide 2,4,2 xor.npz
one_line 2 "$D/xor.npz: tensor 'W1' has shape 3x2, the scene's layer 1 needs 4x2" \
    "$LW" hash "$D/wide.scene" $SMALL
scene deep 2,3,2,2 xor.npz
one_line 2 "$D/xor.npz: missing tensor 'W3'" "$LW" info "$D/deep.scene"
scene deep 2,3,2,2 xor.safetensors
one_line 2 "$D/xor.safetensors: tensor '4.weight' has shape 1x2, the scene's layer 3 needs 2x2" \
    "$LW" info "$D/deep.scene"
scene shallow 2,3 xor.safetensors
one_line 2 "$D/xor.safetensors: 3 Linear layers, but the scene's network has 1 hidden layer and a readout" \
    "$LW" info "$D/shallow.scene"
scene classes 2,3,2 xor.npz 'kind = gaussians\nclasses = 3\n'
sed -i '2d' "$D/classes.scene"   # the second kind line wins otherwise
one_line 2 "$D/xor.npz: tensor 'Wout' has shape 1x2, the scene's readout for 3 classes needs 3x2" \
    "$LW" info "$D/classes.scene"
scene missing 2,3,2 bad-missing.safetensors
one_line 2 "$D/bad-missing.safetensors: missing tensor '2.bias'" "$LW" info "$D/missing.scene"
scene dtype 2,3,2 bad-dtype.npz
one_line 2 "$D/bad-dtype.npz: tensor 'W2' has dtype '<i8' (expected float64 '<f8', float32 '<f4' or float16 '<f2')" \
    "$LW" info "$D/dtype.scene"
scene extra 2,3,2 bad-extra.npz
one_line 2 "$D/bad-extra.npz: tensor 'step' is not used by the scene's network (a file holds its layers' tensors only)" \
    "$LW" info "$D/extra.scene"
scene huge 2,3,2 bad-huge.safetensors
one_line 2 "$D/bad-huge.safetensors: tensor '0.weight' has shape 1152921504606846976x2, the scene's layer 1 needs 3x2" \
    "$LW" info "$D/huge.scene"
head -c 300 "$D/xor.npz" >"$D/cut.npz"
scene cut 2,3,2 cut.npz
one_line 2 "$D/cut.npz: not a zip archive as numpy.savez writes, or a truncated one (Not a zip archive)" \
    "$LW" info "$D/cut.scene"
head -c 100 "$D/xor.safetensors" >"$D/cut.safetensors"
scene cut 2,3,2 cut.safetensors
one_line 2 "$D/cut.safetensors: the file ends inside its 376-byte header (a truncated file?)" \
    "$LW" info "$D/cut.scene"
head -c $(($(wc -c <"$D/xor.safetensors") - 8)) "$D/xor.safetensors" >"$D/cut.safetensors"
one_line 2 "$D/cut.safetensors: tensor '4.weight' lies beyond the end of the file (72 bytes of numbers; a truncated file?)" \
    "$LW" info "$D/cut.scene"
cp "$D/xor.txt" "$D/text.npz"
scene notzip 2,3,2 text.npz
one_line 2 "$D/text.npz: not a zip archive as numpy.savez writes, or a truncated one (Not a zip archive)" \
    "$LW" info "$D/notzip.scene"
cp "$D/xor.txt" "$D/text.safetensors"
scene notst 2,3,2 text.safetensors
one_line 2 "$D/text.safetensors: not a safetensors file (a header of 7310596091369955363 bytes; expected 2 to 1048576)" \
    "$LW" info "$D/notst.scene"

# ---- a generative model: every network, under its name ------------------------------
for m in gan vae autoencoder; do
    small_generative_scene "$m" >"$D/$m.scene"
    for e in weights npz safetensors; do
        "$LW" train "$D/$m.scene" -o "$D/$m.$e" -q >/dev/null 2>"$D/err" || fail "train $m -o $m.$e: $(cat "$D/err")"
        { small_generative_scene "$m"; printf '[weights]\nfile = %s.%s\n' "$m" "$e"; } >"$D/$m-$e.scene"
        "$LW" hash "$D/$m-$e.scene" $SMALL >"$D/$m-$e.hashes" 2>"$D/err" || fail "hash $m.$e: $(cat "$D/err")"
    done
    for e in npz safetensors; do
        if [ -s "$D/$m-weights.hashes" ] && cmp -s "$D/$m-weights.hashes" "$D/$m-$e.hashes"; then pass
        else fail "$m.$e: its frames differ from the text file's"; fi
    done
done
# the fixture VAE: text (version 2) and PyTorch's names, one encoder Linear for both heads
for f in fvae.txt fvae.safetensors; do
    { small_generative_scene vae; printf '[weights]\nfile = %s\n' "$f"; } >"$D/fixture-$f.scene"
    "$LW" hash "$D/fixture-$f.scene" $SMALL >"$D/fixture-$f.hashes" 2>"$D/err" || fail "hash $f: $(cat "$D/err")"
done
if [ -s "$D/fixture-fvae.txt.hashes" ] && cmp -s "$D/fixture-fvae.txt.hashes" "$D/fixture-fvae.safetensors.hashes"; then pass
else fail "vae.safetensors: its frames differ from vae.txt's"; fi
{ small_generative_scene gan | sed 's/^widths = 2,6,2$/widths = 2,8,2/'; printf '[weights]\nfile = gan.npz\n'; } >"$D/g8.scene"
one_line 2 "$D/gan.npz: tensor 'generator.W1' has shape 6x2, the scene's generator layer 1 needs 8x2" \
    "$LW" info "$D/g8.scene"
{ small_generative_scene autoencoder; printf '[weights]\nfile = fvae.safetensors\n'; } >"$D/ae.scene"
one_line 2 "$D/fvae.safetensors: tensor 'encoder.2.weight' has shape 4x6, the scene's encoder layer 2 needs 2x6" \
    "$LW" info "$D/ae.scene"
{ small_generative_scene gan; printf '[weights]\nfile = vae.npz\n'; } >"$D/gv.scene"
one_line 2 "$D/vae.npz: no tensors of the generator (expected generator.W1, generator.b1, ... or generator.0.weight, ...)" \
    "$LW" info "$D/gv.scene"
{ small_generative_scene vae; printf '[weights]\nfile = xor.npz\n'; } >"$D/vx.scene"
one_line 2 "$D/xor.npz: no tensors of the encoder (expected encoder.W1, encoder.b1, ... or encoder.0.weight, ...)" \
    "$LW" info "$D/vx.scene"
# an existing output is not replaced when train -o fails
echo kept >"$D/kept.npz"
one_line 2 "$D/xor.npz: tensor 'W1' has shape 3x2, the scene's layer 1 needs 4x2" \
    "$LW" train "$D/wide.scene" -o "$D/kept.npz"
if [ "$(cat "$D/kept.npz")" = kept ]; then pass; else fail "a failed train -o replaced kept.npz"; fi
if ls -A "$D" | grep -q 'tmp-'; then fail "a temporary file was left: $(ls -A "$D" | grep tmp-)"; else pass; fi

done_tests cli_weights_formats
