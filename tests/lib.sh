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

# small_generative_scene MODEL: a small, quick scene of a generative model
small_generative_scene() {
    printf '[dataset]\nkind = moons\npoints = 120\nseed = 3\n[network]\nmodel = %s\nwidths = 2,6,2\n[train]\nsteps = 60\n[render]\nstage_seconds = 0.4\nhold_between = 0.1\n' "$1"
}

# one_line STATUS MESSAGE CMD...: exit status and exactly this one stderr line
one_line() {
    want=$1; msg=$2; shift 2
    "$@" >"$TMPD/out" 2>"$TMPD/err" </dev/null
    got=$?
    if [ "$got" -ne "$want" ]; then fail "$*: exited $got, expected $want: $(head -c 300 "$TMPD/err")"; return; fi
    if [ "$(wc -l <"$TMPD/err")" -ne 1 ] || [ "$(cat "$TMPD/err")" != "$msg" ]; then
        fail "$*: stderr
  got:      $(head -c 600 "$TMPD/err")
  expected: $msg"
        return
    fi
    pass
}

done_tests() {
    echo "$1: $T_PASS passed, $T_FAIL failed"
    [ "$T_FAIL" -eq 0 ] && [ "$T_PASS" -gt 0 ]
}
