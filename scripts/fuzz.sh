#!/bin/sh
# Fuzzes the readers of what a user hands us (`make fuzz`): the scene parser
# (tests/fuzz_scene.c), the CSV dataset reader (tests/fuzz_csv.c) and the
# weights file reader (tests/fuzz_weights.c).  Builds the library sources
# once with clang's libFuzzer, AddressSanitizer and UBSan, links each
# target, runs each for FUZZ_SECONDS (default 60) seeded with the
# repository's files of its kind, and keeps one minimised input per
# distinct crash in tests/fuzz-crashes/ (scenes; tests/cli_faults.sh
# replays them through `layerwarp info`, expecting exit status 2) or in
# tests/fuzz-crashes/csv/ and weights/ (tests/cli_hostile.sh replays them).
#
#   FUZZ_SECONDS=600 FUZZ_JOBS=2 scripts/fuzz.sh      environment:
#     FUZZ_SECONDS  how long to fuzz each target (default 60)
#     FUZZ_TARGETS  which (default "scene csv weights")
#     FUZZ_JOBS     fuzzing processes at once (default 1)
#     FUZZ_DIR      build and corpus folder (default build/fuzz; the corpora
#                   grow there from run to run and are not committed)
#     FUZZ_CFLAGS   extra compiler flags (e.g. -DFUZZ_ALLOW_CR)
#     CLANG         the compiler (default clang)
# It fuzzes on after a crash (libFuzzer's -fork mode with -ignore_crashes),
# so one run reports every kind of crash it meets, not just the first.
# Exit status: 0 no crash, 1 a crash, a leak, a timeout or a build failure.
set -eu
cd "$(dirname "$0")/.."

SECS=${FUZZ_SECONDS:-60}
JOBS=${FUZZ_JOBS:-1}
OUT=${FUZZ_DIR:-build/fuzz}
CLANG=${CLANG:-clang}
# the libraries the Makefile builds with, read from it so the two cannot drift apart
PKGS=$(sed -n 's/^PKGS *:= *//p' Makefile)

if ! command -v "$CLANG" >/dev/null 2>&1; then
    echo "fuzz: $CLANG not found (apt-get install clang libclang-rt-14-dev)" >&2
    exit 1
fi
mkdir -p "$OUT"

# Is libFuzzer's runtime there?  (Debian ships it in libclang-rt-NN-dev.)
printf '#include <stdint.h>\n#include <stddef.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' \
    >"$OUT/probe.c"
if ! "$CLANG" -fsanitize=fuzzer,address "$OUT/probe.c" -o "$OUT/probe" 2>"$OUT/probe.log"; then
    echo "fuzz: $CLANG cannot link a libFuzzer target: $(head -c 300 "$OUT/probe.log")" >&2
    echo "fuzz: install the fuzzer runtime: apt-get install libclang-rt-14-dev" >&2
    exit 1
fi

# seeds SEEDS: the repository's files of the target's kind, copied into
# SEEDS (a CSV's input starts with the byte that chooses how the scene
# describes it: tests/fuzz_csv.c).
copy_seeds() {
    rm -f "$1"/*
    case $T in
    scene) files="scenes/*.scene scenes/*/*.scene tests/bad-scenes/* tests/golden/*.scene $KEEP/*" ;;
    csv) files="scenes/*.csv scenes/*/*.csv tests/fuzz/seeds/*.csv $KEEP/*" ;;
    weights) files="tests/fuzz/seeds/*.weights $KEEP/*" ;;
    esac
    for f in $files; do
        [ -f "$f" ] || continue
        case $f in *.md) continue ;; esac
        name="$1/$(printf '%s' "$f" | tr / _)"
        case $T:$f in
        csv:"$KEEP"/*) cp "$f" "$name" ;;
        csv:*) for b in 0 1 2 3 4 5; do { printf "\\$(printf '%03o' "$b")"; cat "$f"; } >"$name.$b"; done ;;
        *) cp "$f" "$name" ;;
        esac
    done
}

# signature FILE: where the input fails: the first stack frame in our code
# ("check_error tests/fuzz_scene.c:55"), else the sanitizer's summary;
# empty when it does not fail.
signature() {
    log=$("$BIN" "$1" 2>&1) && return 0
    sig=$(printf '%s\n' "$log" | grep -E ' in [A-Za-z_0-9]+ .*(src|tests)/[a-z_]+\.[ch]:[0-9]+' | head -1 |
          sed -E 's/.* in ([A-Za-z_0-9]+) .*\/((src|tests)\/[a-z_]+\.[ch]:[0-9]+).*/\1 \2/')
    [ -n "$sig" ] || sig=$(printf '%s\n' "$log" | grep -m1 '^SUMMARY' || echo unknown)
    printf '%s\n' "$sig"
}

# fuzz_target: fuzzes $BIN for $SECS s, then keeps a minimised input of each
# new kind of crash in $KEEP; failed=1 on any crash.
fuzz_target() {
copy_seeds "$TD/seeds"
seeds=$(ls "$TD/seeds" | wc -l)
before=$(ls "$CORPUS" | wc -l)
echo "fuzz $T: $seeds seed files, corpus $CORPUS holds $before inputs; fuzzing for $SECS s with $JOBS job(s)"

rm -f "$TD/crashes"/*
# -max_len: well past the 196-character line limit; -timeout: an input that
# takes seconds is a hang here; leaks count as crashes.
set +e
"$BIN" "$CORPUS" "$TD/seeds" \
    $DICT -max_total_time="$SECS" -max_len=4096 -timeout=5 \
    -rss_limit_mb=2048 -detect_leaks=1 -fork="$JOBS" -ignore_crashes=1 -ignore_timeouts=1 \
    -ignore_ooms=1 -artifact_prefix="$TD/crashes/" >"$TD/fuzz.log" 2>&1
status=$?
set -e

last=$(grep -E '^#[0-9]+: cov:' "$TD/fuzz.log" | tail -1)
execs=$(printf '%s' "$last" | sed -n 's/^#\([0-9]*\):.*/\1/p')
cov=$(printf '%s' "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
bad=$(printf '%s' "$last" | sed -n 's/.*oom\/timeout\/crash: \([0-9/]*\).*/\1/p')
after=$(ls "$CORPUS" | wc -l)
echo "fuzz $T: ${execs:-0} executions in $SECS s, ${cov:-?} coverage edges, corpus $before -> $after inputs," \
     "oom/timeout/crash ${bad:-0/0/0}; log $TD/fuzz.log"

# Kinds already kept (each file in $KEEP that still fails).
: >"$TD/known"
for k in "$KEEP"/*; do
    [ -f "$k" ] || continue
    case $k in *.md) continue ;; esac
    sig=$(signature "$k")
    [ -n "$sig" ] && printf '%s\n' "$sig" >>"$TD/known"
done

# Group the artifacts by kind, keep the smallest of each new kind, minimised.
n_art=0
: >"$TD/kinds"
for c in "$TD/crashes"/*; do
    [ -f "$c" ] || continue
    n_art=$((n_art + 1))
    printf '%s\t%s\t%s\n' "$(wc -c <"$c")" "$(signature "$c")" "$c" >>"$TD/kinds"
done
kinds=0
if [ "$n_art" -gt 0 ]; then
    sort -t "$(printf '\t')" -k2,2 -k1,1n "$TD/kinds" | awk -F '\t' '!seen[$2]++' >"$TD/kinds.first"
    mkdir -p "$KEEP"
    while IFS="$(printf '\t')" read -r size sig c; do
        kinds=$((kinds + 1))
        if grep -qxF -- "$sig" "$TD/known"; then
            echo "fuzz $T: crash kind '$sig' (e.g. $c, $size bytes): already in $KEEP/" >&2
            continue
        fi
        "$BIN" -minimize_crash=1 -max_total_time=10 -exact_artifact_path="$TD/min" "$c" \
            >/dev/null 2>&1 || true
        [ -s "$TD/min" ] || cp "$c" "$TD/min"
        name="new-$(printf '%s' "$sig" | tr -c 'A-Za-z0-9_\n' '-' | cut -c1-40)-$(sha1sum "$TD/min" | cut -c1-8).$EXT"
        cp "$TD/min" "$KEEP/$name"
        rm -f "$TD/min"
        echo "fuzz $T: NEW crash kind '$sig': minimised to $(wc -c <"$KEEP/$name") bytes in $KEEP/$name" \
             "(rename it after what it shows; replay: $BIN $c)" >&2
    done <"$TD/kinds.first"
fi

if [ "$n_art" -gt 0 ]; then
    echo "fuzz $T: $n_art crashing inputs of $kinds kind(s) (fuzzer status $status)" >&2
    failed=1
else
    echo "fuzz $T: no crash"
fi
}

# Build: every library source (not main.c, nor video_lib.c: the fuzzers
# link the video modules themselves, as the tests do) once, instrumented,
# with the project's language flags; then each target links against them.
CFLAGS="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O1 -g -fno-omit-frame-pointer \
-ffp-contract=off -pthread -Iinclude -fsanitize=address,undefined \
-fno-sanitize-recover=undefined ${FUZZ_CFLAGS:-}"
mkdir -p "$OUT/obj"
echo "fuzz: building the library with $CLANG into $OUT/obj"
for src in src/*.c; do
    case "$src" in src/main.c | src/video_lib.c) continue ;; esac
    obj="$OUT/obj/$(basename "$src" .c).o"
    # shellcheck disable=SC2046,SC2086
    "$CLANG" $CFLAGS -fsanitize=fuzzer-no-link $(pkg-config --cflags $PKGS) -c "$src" -o "$obj"
done

TARGETS=${FUZZ_TARGETS:-scene csv weights}
failed=0
for T in $TARGETS; do
    case $T in
    scene) KEEP=tests/fuzz-crashes; EXT=scene; DICT=-dict=tests/fuzz/scene.dict ;;
    csv) KEEP=tests/fuzz-crashes/csv; EXT=csv; DICT=-dict=tests/fuzz/csv.dict ;;
    weights) KEEP=tests/fuzz-crashes/weights; EXT=weights; DICT=-dict=tests/fuzz/weights.dict ;;
    *) echo "fuzz: unknown target '$T' (scene, csv, weights)" >&2; exit 1 ;;
    esac
    BIN="$OUT/fuzz_$T"
    TD="$OUT/$T"
    # the scene target's corpus keeps its old place
    CORPUS="$OUT/corpus"; [ "$T" = scene ] || CORPUS="$TD/corpus"
    mkdir -p "$CORPUS" "$TD/crashes" "$TD/seeds"
    echo "fuzz: linking $BIN"
    # shellcheck disable=SC2046,SC2086
    "$CLANG" $CFLAGS -fsanitize=fuzzer $(pkg-config --cflags $PKGS) -o "$BIN" "tests/fuzz_$T.c" \
        "$OUT"/obj/*.o $(pkg-config --libs $PKGS) -lcsv -lm -pthread
    fuzz_target
done
[ "$failed" -eq 0 ] || exit 1
echo "fuzz: no crash in $TARGETS"
exit 0
