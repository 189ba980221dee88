#!/bin/sh
# Bad input as a user meets it: every scene in tests/bad-scenes/ (and a few
# made here: a 1 MB line, a 10 MB line, 5 MiB of blank lines) given to
# `layerwarp info`, and some to `layerwarp render`, must end with exit status 2
# and exactly one line on stderr, the one tests/bad-scenes/expected.txt gives,
# within 10 s and without crashing; a refused render leaves no file behind.
. tests/lib.sh

DIR=tests/bad-scenes
EXPECTED=$DIR/expected.txt
TAB=$(printf '\t')
tried=0
rendered=0

# Inputs too big to commit.  A scene is at most 4 MiB, so a 10 MB line is
# refused as too large a file before its line is read; a 1 MB one, as a line.
head -c 1048576 /dev/zero | tr '\0' 'a' >"$TMPD/1mb-line.scene"
head -c 10485760 /dev/zero | tr '\0' 'a' >"$TMPD/10mb-line.scene"
head -c 5242880 /dev/zero | tr '\0' '\n' >"$TMPD/5mib-of-blank-lines.scene"

# check_one STATUS MESSAGE CMD...: exit status, exactly one stderr line equal
# to MESSAGE, nothing on stdout, no crash or hang.
check_one() {
    want=$1; msg=$2; shift 2
    timeout 10 "$@" >"$TMPD/out" 2>"$TMPD/err" </dev/null
    got=$?
    case $got in
        124) fail "$*: timed out after 10 s"; return ;;
        12[5-9]|1[3-9][0-9]|2[0-9][0-9]) fail "$*: crashed or killed (status $got)"; return ;;
    esac
    if [ "$got" -ne "$want" ]; then
        fail "$*: exited $got, expected $want: $(head -c 300 "$TMPD/err")"
        return
    fi
    lines=$(wc -l <"$TMPD/err")
    if [ "$lines" -ne 1 ]; then
        fail "$*: stderr has $lines lines, expected exactly 1: $(head -c 300 "$TMPD/err")"
        return
    fi
    if [ "$(cat "$TMPD/err")" != "$msg" ]; then
        fail "$*: stderr
  got:      $(head -c 600 "$TMPD/err")
  expected: $msg"
        return
    fi
    if [ -s "$TMPD/out" ]; then
        fail "$*: wrote to stdout: $(head -c 200 "$TMPD/out")"
        return
    fi
    pass
}

# A few are also rendered: refused before anything is written, so the output
# folder stays empty (no video, no temporary file).
render_too() {
    case $1 in
        03-*|20-*|32-*|46-*|50-*|55-*|tmp:1mb-line.scene) return 0 ;;
    esac
    return 1
}

mkdir "$TMPD/render"
while IFS=$TAB read -r name status msg; do
    case $name in ''|'#'*) continue ;; esac
    case $name in
        tmp:*) file=$TMPD/${name#tmp:} ;;
        *) file=$DIR/$name ;;
    esac
    msg=$(printf '%s\n' "$msg" | sed "s|{TMPD}|$TMPD|")
    if [ ! -f "$file" ]; then
        fail "$file: listed in $EXPECTED but missing"
        continue
    fi
    tried=$((tried + 1))
    check_one "$status" "$msg" "$LW" info "$file"
    if render_too "$name"; then
        rendered=$((rendered + 1))
        check_one "$status" "$msg" "$LW" render "$file" -o "$TMPD/render/x.mp4" -q
        left=$(ls -A "$TMPD/render")
        if [ -z "$left" ]; then pass; else fail "render $file left files: $left"; fi
    fi
done <"$EXPECTED"

# Every bad scene in the folder is listed (a new file without an expectation
# would otherwise be skipped silently).
for f in "$DIR"/*.scene; do
    if grep -q "^$(basename "$f")$TAB" "$EXPECTED"; then pass; else fail "$f: not in $EXPECTED"; fi
done

if [ "$tried" -ge 40 ]; then pass; else fail "only $tried bad inputs tried"; fi
echo "cli_bad_scenes: $tried bad inputs tried ($rendered also rendered)"
done_tests cli_bad_scenes
