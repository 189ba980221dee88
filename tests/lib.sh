# Shared helpers for tests/cli_*.sh: each check counts; done_tests prints the
# summary line and exits non-zero on any failure.
LW=${LW_BIN:-build/layerwarp}
T_PASS=0
T_FAIL=0
TMPD=$(mktemp -d /tmp/lwtest.XXXXXX)
trap 'rm -rf "$TMPD"' EXIT

pass() { T_PASS=$((T_PASS + 1)); }
fail() { T_FAIL=$((T_FAIL + 1)); echo "FAIL: $*" >&2; }

# expect_status CODE CMD...
expect_status() {
    want=$1; shift
    "$@" >"$TMPD/out" 2>"$TMPD/err" </dev/null
    got=$?
    if [ "$got" -eq "$want" ]; then pass; else fail "$* exited $got, expected $want: $(head -c 300 "$TMPD/err")"; fi
}

# expect_stderr CODE TEXT CMD...: status and a substring of stderr
expect_stderr() {
    want=$1; text=$2; shift 2
    "$@" >"$TMPD/out" 2>"$TMPD/err" </dev/null
    got=$?
    if [ "$got" -ne "$want" ]; then fail "$* exited $got, expected $want"; return; fi
    if grep -qF -- "$text" "$TMPD/err"; then pass; else fail "$*: stderr lacks '$text': $(head -c 300 "$TMPD/err")"; fi
}

done_tests() {
    echo "$1: $T_PASS passed, $T_FAIL failed"
    [ "$T_FAIL" -eq 0 ] && [ "$T_PASS" -gt 0 ]
}
