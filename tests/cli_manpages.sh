#!/bin/sh
# The man pages and the completion cannot drift from the program: both pages
# (docs/man/*.scd, built with scdoc) render with man -l without a warning;
# every key of src/scene.c's key table is documented in its section of
# layerwarp-scene(5) and of docs/scene-format.md, and offered by the bash
# completion's --set; every command `layerwarp --help` lists has its section
# in layerwarp(1), and every option `layerwarp help COMMAND` lists is in that
# section (or the common options) and in the completion of that command.
. tests/lib.sh

SCD=docs/man
COMP=completion/layerwarp.bash

# ---- the pages render without warnings ----
for page in layerwarp.1 layerwarp-scene.5; do
    if ! scdoc <"$SCD/$page.scd" >"$TMPD/$page" 2>"$TMPD/scdoc.err"; then
        fail "scdoc $SCD/$page.scd: $(cat "$TMPD/scdoc.err")"
        continue
    fi
    warnings=$(MANWIDTH=80 man --warnings -l "$TMPD/$page" 2>&1 >/dev/null)
    if [ -z "$warnings" ]; then pass; else fail "man --warnings -l $page: $warnings"; fi
    lines=$(MANWIDTH=80 man -l "$TMPD/$page" 2>/dev/null | wc -l)
    if [ "$lines" -gt 100 ]; then pass; else fail "$page renders to only $lines lines"; fi
done

# ---- every scene key, in its section ----
grep -o '^    {"[a-z]*", "[a-z_0-9]*", T_' src/scene.c | sed 's/^ *{"//; s/", "/ /; s/", T_$//' \
    >"$TMPD/keys"
n_keys=$(wc -l <"$TMPD/keys")
if [ "$n_keys" -ge 80 ]; then pass; else fail "only $n_keys keys read from src/scene.c"; fi
# section key, as the page documents them: "*key* = _type_" under "## [section]"
awk '/^## \[[a-z]+\]/ { s = substr($2, 2, length($2) - 2); next }
     /^## / || /^# / { s = "" }
     s != "" && /^\*[a-z_0-9]+\* = / { k = $1; gsub(/\*/, "", k); print s, k }' \
    "$SCD/layerwarp-scene.5.scd" >"$TMPD/documented"
# section key, as docs/scene-format.md's tables give them
awk '/^## \[[a-z]+\]/ { s = substr($2, 2, length($2) - 2); next }
     /^## / { s = "" }
     s != "" && /^\| `[a-z_0-9]+` \|/ { k = $2; gsub(/`/, "", k); print s, k }' \
    docs/scene-format.md >"$TMPD/md"
while read -r section key; do
    if grep -qx "$section $key" "$TMPD/documented"; then pass
    else fail "[$section] $key: not in layerwarp-scene(5) ($SCD/layerwarp-scene.5.scd)"; fi
    if grep -qx "$section $key" "$TMPD/md"; then pass
    else fail "[$section] $key: not in a table of docs/scene-format.md"; fi
    if grep -qw -- "$section\.$key" "$COMP"; then pass
    else fail "$section.$key: not offered by --set in $COMP"; fi
done <"$TMPD/keys"
# and nothing documented that the program does not have ([weights] is parsed apart)
while read -r section key; do
    [ "$section" = weights ] && continue
    if grep -qx "$section $key" "$TMPD/keys"; then pass
    else fail "layerwarp-scene(5) documents [$section] $key, which src/scene.c does not have"; fi
done <"$TMPD/documented"

# ---- every command and its options ----
"$LW" --help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]+ / { print $1 } /^$/ && on { on = 0 }' \
    >"$TMPD/commands"
n_cmds=$(wc -l <"$TMPD/commands")
if [ "$n_cmds" -ge 7 ]; then pass; else fail "only $n_cmds commands read from layerwarp --help"; fi
# the page's text of one "## command" section, and of COMMON OPTIONS
section_of() {
    awk -v want="$1" '/^#+ / { on = ($0 == "## " want || $0 == "# COMMON OPTIONS") } on' \
        "$SCD/layerwarp.1.scd"
}
for cmd in $(cat "$TMPD/commands"); do
    if grep -qx "## $cmd" "$SCD/layerwarp.1.scd"; then pass
    else fail "command $cmd: no '## $cmd' section in layerwarp(1)"; continue; fi
    section_of "$cmd" >"$TMPD/section"
    comp_opts=$(bash -c ". $COMP; _layerwarp_options $cmd" 2>/dev/null)
    # options as the help lists them: "  -o, --output FILE" and "      --crf N"
    "$LW" help "$cmd" | grep -oE '^  (-[a-zA-Z], |    )--[a-z-]+' | tr ',' '\n' | tr -d ' ' |
        grep . >"$TMPD/opts"
    [ -s "$TMPD/opts" ] || fail "layerwarp help $cmd lists no options"
    for opt in $(cat "$TMPD/opts"); do
        if grep -q -- "\*$opt\*" "$TMPD/section"; then pass
        else fail "layerwarp help $cmd lists $opt, which layerwarp(1) does not ($SCD/layerwarp.1.scd)"; fi
        case " $comp_opts " in
            *" $opt "*) pass ;;
            *) fail "layerwarp help $cmd lists $opt, which the completion ($COMP) does not offer" ;;
        esac
    done
done

done_tests cli_manpages
