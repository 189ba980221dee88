#!/bin/sh
# Runs every test program under BUILD/tests and every tests/cli_*.sh, then
# prints one summary line "tests: N passed, M failed".
BUILD=${1:-build}
export LW_BIN="$BUILD/layerwarp"
# every run trains afresh unless a test asks for the cache (tests/cli_cache.sh):
# a shared cache would let one test's training answer another's
export LAYERWARP_CACHE_DIR=off
passed=0; failed=0; failures=""
for t in "$BUILD"/tests/test_* tests/cli_*.sh; do
    [ -e "$t" ] || continue
    case "$t" in *.sh) cmd="sh $t" ;; *) cmd="$t" ;; esac
    if $cmd; then passed=$((passed + 1)); else failed=$((failed + 1)); failures="$failures $t"; fi
done
echo
[ -n "$failures" ] && echo "failed:$failures"
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
