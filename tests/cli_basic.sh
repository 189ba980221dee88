#!/bin/sh
# The command line as a user meets it: help, version, info on every scene,
# exit codes for bad usage.
. tests/lib.sh

expect_status 0 "$LW" --version
expect_status 0 "$LW" --help
expect_status 2 "$LW"
expect_status 0 "$LW" help render
expect_status 0 "$LW" render --help
expect_status 2 "$LW" frobnicate
expect_stderr 2 "unknown command 'frobnicate'" "$LW" frobnicate
expect_stderr 2 "missing SCENE" "$LW" info
expect_stderr 2 "unknown option '--bogus'" "$LW" info --bogus scenes/moons.scene
expect_stderr 2 "-j needs a number of threads" "$LW" hash -j 0 scenes/moons.scene
expect_stderr 2 "nope.scene: No such file or directory" "$LW" info nope.scene
for s in scenes/*.scene scenes/*/*.scene; do
    [ -e "$s" ] || continue
    expect_status 0 "$LW" info "$s"
done
out=$("$LW" train scenes/moons.scene -q)
case "$out" in
    final:\ steps=*\ loss=*\ accuracy=*\ seconds=*) pass "train prints the final line" ;;
    *) fail "train's last line: '$out'" ;;
esac
done_tests cli_basic
