#!/bin/sh
# Writes the large scenes `make bench` times the latency of a still on
# (generated, not kept in git: 60 000 and 200 000 points are made from a seed):
#   long60k.scene   moons, 60 000 points, the 2-2-2-2 tanh network of
#                   scenes/moons.scene trained, a video 10x the default length
#                   (stage_seconds 15, holds 10x): 6750 frames at 30 fps;
#   big200k.scene   moons, 200 000 points, sixteen 16-wide tanh layers,
#                   steps = 0 (valid and untrained): 2836 frames.
#   bench/make-scenes.sh DIR
set -eu
DIR=${1:?usage: bench/make-scenes.sh DIR}
mkdir -p "$DIR"
cat >"$DIR/long60k.scene" <<'SCENE'
[dataset]
kind = moons
points = 60000
noise = 0.1
seed = 7
[network]
widths = 2,2,2,2
activation = tanh
[train]
steps = 200
seed = 1
[render]
stage_seconds = 15
hold_start = 5
hold_between = 2.5
hold_end = 10
SCENE
cat >"$DIR/big200k.scene" <<'SCENE'
[dataset]
kind = moons
points = 200000
seed = 7
[network]
widths = 2,16,16,16,16,16,16,16,16,16,16,16,16,16,16,16,16
activation = tanh
[train]
steps = 0
SCENE
