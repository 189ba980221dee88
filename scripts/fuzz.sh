#!/bin/sh
# Fuzzes the scene parser (`make fuzz`): builds tests/fuzz_scene.c with
# clang's libFuzzer, AddressSanitizer and UBSan against the library sources,
# runs it for FUZZ_SECONDS (default 60) seeded with every scene in the
# repository, and keeps one minimised input per distinct crash in
# tests/fuzz-crashes/, where tests/cli_faults.sh replays it through
# `layerwarp info` (expecting exit status 2) from then on.
#
#   FUZZ_SECONDS=600 FUZZ_JOBS=2 scripts/fuzz.sh      environment:
#     FUZZ_SECONDS  how long to fuzz (default 60)
#     FUZZ_JOBS     fuzzing processes at once (default 1)
#     FUZZ_DIR      build and corpus folder (default build/fuzz; the corpus
#                   grows there from run to run and is not committed)
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
PKGS="cairo fontconfig gsl libpng libavcodec libavformat libavutil libswscale libavfilter inih libcrypto libzip json-c"
KEEP=tests/fuzz-crashes

if ! command -v "$CLANG" >/dev/null 2>&1; then
    echo "fuzz: $CLANG not found (apt-get install clang libclang-rt-14-dev)" >&2
    exit 1
fi
mkdir -p "$OUT/corpus" "$OUT/crashes" "$OUT/seeds"

# Is libFuzzer's runtime there?  (Debian ships it in libclang-rt-NN-dev.)
printf '#include <stdint.h>\n#include <stddef.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' \
    >"$OUT/probe.c"
if ! "$CLANG" -fsanitize=fuzzer,address "$OUT/probe.c" -o "$OUT/probe" 2>"$OUT/probe.log"; then
    echo "fuzz: $CLANG cannot link a libFuzzer target: $(head -c 300 "$OUT/probe.log")" >&2
    echo "fuzz: install the fuzzer runtime: apt-get install libclang-rt-14-dev" >&2
    exit 1
fi

# Build: every library source (not main.c) and the target, all instrumented,
# with the project's language flags.
CFLAGS="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O1 -g -fno-omit-frame-pointer \
-ffp-contract=off -pthread -Iinclude -fsanitize=fuzzer,address,undefined \
-fno-sanitize-recover=undefined ${FUZZ_CFLAGS:-}"
echo "fuzz: building $OUT/fuzz_scene with $CLANG"
# shellcheck disable=SC2046,SC2086
"$CLANG" $CFLAGS $(pkg-config --cflags $PKGS) -o "$OUT/fuzz_scene" tests/fuzz_scene.c \
    $(ls src/*.c | grep -v '^src/main\.c$') $(pkg-config --libs $PKGS) -lcsv -lm -pthread

# Seeds: the scenes, the bad scenes, the golden short scene, past crashes.
rm -f "$OUT/seeds"/*
for f in scenes/*.scene scenes/*/*.scene tests/bad-scenes/* tests/golden/*.scene "$KEEP"/*; do
    [ -f "$f" ] || continue
    case $f in *.md) continue ;; esac
    cp "$f" "$OUT/seeds/$(printf '%s' "$f" | tr / _)"
done
seeds=$(ls "$OUT/seeds" | wc -l)
before=$(ls "$OUT/corpus" | wc -l)
echo "fuzz: $seeds seed files, corpus $OUT/corpus holds $before inputs; fuzzing for $SECS s with $JOBS job(s)"

rm -f "$OUT/crashes"/*
# -max_len: well past the 196-character line limit; -timeout: an input that
# takes seconds is a hang here; leaks count as crashes.
set +e
"$OUT/fuzz_scene" "$OUT/corpus" "$OUT/seeds" \
    -dict=tests/fuzz/scene.dict -max_total_time="$SECS" -max_len=4096 -timeout=5 \
    -rss_limit_mb=2048 -detect_leaks=1 -fork="$JOBS" -ignore_crashes=1 -ignore_timeouts=1 \
    -ignore_ooms=1 -artifact_prefix="$OUT/crashes/" >"$OUT/fuzz.log" 2>&1
status=$?
set -e

last=$(grep -E '^#[0-9]+: cov:' "$OUT/fuzz.log" | tail -1)
execs=$(printf '%s' "$last" | sed -n 's/^#\([0-9]*\):.*/\1/p')
cov=$(printf '%s' "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
bad=$(printf '%s' "$last" | sed -n 's/.*oom\/timeout\/crash: \([0-9/]*\).*/\1/p')
after=$(ls "$OUT/corpus" | wc -l)
echo "fuzz: ${execs:-0} executions in $SECS s, ${cov:-?} coverage edges, corpus $before -> $after inputs," \
     "oom/timeout/crash ${bad:-0/0/0}; log $OUT/fuzz.log"

# signature FILE: where the input fails: the first stack frame in our code
# ("check_error tests/fuzz_scene.c:55"), else the sanitizer's summary;
# empty when it does not fail.
signature() {
    log=$("$OUT/fuzz_scene" "$1" 2>&1) && return 0
    sig=$(printf '%s\n' "$log" | grep -E ' in [A-Za-z_0-9]+ .*(src|tests)/[a-z_]+\.c:[0-9]+' | head -1 |
          sed -E 's/.* in ([A-Za-z_0-9]+) .*\/((src|tests)\/[a-z_]+\.c:[0-9]+).*/\1 \2/')
    [ -n "$sig" ] || sig=$(printf '%s\n' "$log" | grep -m1 '^SUMMARY' || echo unknown)
    printf '%s\n' "$sig"
}

# Kinds already kept (each file in tests/fuzz-crashes/ that still fails).
: >"$OUT/known"
for k in "$KEEP"/*; do
    [ -f "$k" ] || continue
    case $k in *.md) continue ;; esac
    sig=$(signature "$k")
    [ -n "$sig" ] && printf '%s\n' "$sig" >>"$OUT/known"
done

# Group the artifacts by kind, keep the smallest of each new kind, minimised.
n_art=0
: >"$OUT/kinds"
for c in "$OUT/crashes"/*; do
    [ -f "$c" ] || continue
    n_art=$((n_art + 1))
    printf '%s\t%s\t%s\n' "$(wc -c <"$c")" "$(signature "$c")" "$c" >>"$OUT/kinds"
done
kinds=0
if [ "$n_art" -gt 0 ]; then
    sort -t "$(printf '\t')" -k2,2 -k1,1n "$OUT/kinds" | awk -F '\t' '!seen[$2]++' >"$OUT/kinds.first"
    mkdir -p "$KEEP"
    while IFS="$(printf '\t')" read -r size sig c; do
        kinds=$((kinds + 1))
        if grep -qxF -- "$sig" "$OUT/known"; then
            echo "fuzz: crash kind '$sig' (e.g. $c, $size bytes): already in $KEEP/" >&2
            continue
        fi
        "$OUT/fuzz_scene" -minimize_crash=1 -max_total_time=10 -exact_artifact_path="$OUT/min" "$c" \
            >/dev/null 2>&1 || true
        [ -s "$OUT/min" ] || cp "$c" "$OUT/min"
        name="new-$(printf '%s' "$sig" | tr -c 'A-Za-z0-9_\n' '-' | cut -c1-40)-$(sha1sum "$OUT/min" | cut -c1-8).scene"
        cp "$OUT/min" "$KEEP/$name"
        rm -f "$OUT/min"
        echo "fuzz: NEW crash kind '$sig': minimised to $(wc -c <"$KEEP/$name") bytes in $KEEP/$name" \
             "(rename it after what it shows; replay: $OUT/fuzz_scene $c)" >&2
    done <"$OUT/kinds.first"
fi

if [ "$n_art" -gt 0 ]; then
    echo "fuzz: $n_art crashing inputs of $kinds kind(s) (fuzzer status $status)" >&2
    exit 1
fi
echo "fuzz: no crash"
