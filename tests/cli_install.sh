#!/bin/sh
# `make install` as a user runs it, into a temporary DESTDIR: the binary, both
# man pages, the bash completion, the docs with README and LICENSE, and the
# example scenes with the CSV files they read.  The installed binary runs on
# installed scenes from another folder (a scene reading a CSV beside it
# included) and draws the same frames as the built one; its --help names the
# installed docs; man -l renders both installed pages without warnings; the
# completion completes commands, --set keys and scene files; and `make
# uninstall` leaves no file behind.
. tests/lib.sh

BUILD=$(dirname "$LW")
PREFIX=/usr/local
ROOT=$TMPD/root
P=$ROOT$PREFIX
REPO=$(pwd)

if make -s install BUILD="$BUILD" PREFIX="$PREFIX" DESTDIR="$ROOT" >"$TMPD/make.log" 2>&1; then pass
else fail "make install: $(tail -5 "$TMPD/make.log")"; fi

# ---- what is installed ----
for f in bin/layerwarp lib/layerwarp/layerwarp-video.so share/man/man1/layerwarp.1 share/man/man5/layerwarp-scene.5 \
         share/bash-completion/completions/layerwarp share/doc/layerwarp/LICENSE \
         share/doc/layerwarp/README.md share/doc/layerwarp/docs/scene-format.md \
         share/doc/layerwarp/docs/weights-format.md share/layerwarp/scenes/moons.scene \
         share/layerwarp/scenes/iris.scene share/layerwarp/scenes/iris-like.csv \
         share/layerwarp/scenes/bench-reference.csv share/layerwarp/scenes/olah/spiral-mild.scene; do
    if [ -f "$P/$f" ]; then pass; else fail "make install did not install $PREFIX/$f"; fi
done
if [ -x "$P/bin/layerwarp" ] && cmp -s "$P/bin/layerwarp" "$LW"; then pass
else fail "the installed binary is not $LW"; fi
n_scenes=$(find scenes -name '*.scene' | wc -l)
n_installed=$(find "$P/share/layerwarp/scenes" -name '*.scene' | wc -l)
if [ "$n_scenes" -eq "$n_installed" ]; then pass; else fail "$n_installed of $n_scenes scenes installed"; fi
if grep -q "MIT License" "$P/share/doc/layerwarp/LICENSE" &&
   grep -q "Copyright (c) 2026 the layerwarp authors" "$P/share/doc/layerwarp/LICENSE"; then pass
else fail "LICENSE is not MIT, 2026, the layerwarp authors"; fi

# ---- --help names the installed docs, which exist ----
IB=$P/bin/layerwarp
doc=$("$IB" --help | sed -n 's/^Scene format: man layerwarp-scene, or //p')
if [ "$doc" = "$PREFIX/share/doc/layerwarp/docs/scene-format.md" ] && [ -f "$ROOT$doc" ]; then pass
else fail "--help names '$doc' for the scene format, not an installed file"; fi

# ---- the installed binary on installed scenes, from elsewhere ----
mkdir "$TMPD/elsewhere"
cd "$TMPD/elsewhere" || exit 1
if "$IB" info "$P/share/layerwarp/scenes/iris.scene" -q >"$TMPD/info" 2>"$TMPD/err" &&
   grep -q "dataset:    csv, 150 points, 3 classes" "$TMPD/info"; then pass
else fail "installed info on iris.scene: $(cat "$TMPD/err" "$TMPD/info" | head -c 400)"; fi
for s in iris bench-reference; do
    "$IB" hash "$P/share/layerwarp/scenes/$s.scene" --frames 0:1 --size 320x180 -j 1 -q \
        >"$TMPD/installed.hash" 2>"$TMPD/err"
    (cd "$REPO" && "$LW" hash "scenes/$s.scene" --frames 0:1 --size 320x180 -j 1 -q) \
        >"$TMPD/built.hash" 2>/dev/null
    if [ "$(wc -l <"$TMPD/installed.hash")" -eq 2 ] && cmp -s "$TMPD/installed.hash" "$TMPD/built.hash"
    then pass
    else fail "installed hash of $s.scene differs from the built one: $(head -c 300 "$TMPD/err")"; fi
done
# a video: the installed binary loads the installed video library (and
# nothing of FFmpeg's before it needs it)
if "$IB" render "$P/share/layerwarp/scenes/moons.scene" --size 320x180 --frames 0:9 -q \
       -o "$TMPD/m.mkv" 2>"$TMPD/err" && "$IB" scene "$TMPD/m.mkv" -q >"$TMPD/scene" 2>>"$TMPD/err" &&
   grep -q "kind = moons" "$TMPD/scene"; then pass
else fail "installed render to .mkv and scene back: $(head -c 300 "$TMPD/err")"; fi
if ldd "$IB" | grep -q "libav"; then fail "the binary links FFmpeg's libraries at start-up"; else pass; fi
cd "$REPO" || exit 1

# ---- man -l renders both installed pages without warnings ----
for page in man1/layerwarp.1 man5/layerwarp-scene.5; do
    warnings=$(MANWIDTH=80 man --warnings -l "$P/share/man/$page" 2>&1 >/dev/null)
    if [ -z "$warnings" ]; then pass; else fail "man --warnings -l $page: $warnings"; fi
    if MANWIDTH=80 man -l "$P/share/man/$page" 2>/dev/null | grep -q "$PREFIX/share/layerwarp/scenes/"
    then pass; else fail "$page does not name the installed scenes ($PREFIX/share/layerwarp/scenes/)"; fi
    if grep -q "@DATADIR@\|@DOCDIR@" "$P/share/man/$page"; then fail "$page has unfilled @...@"; else pass; fi
done

# ---- the installed completion ----
BC=/usr/share/bash-completion/bash_completion
if [ -f "$BC" ]; then
    # complete CWD WORDS...: what bash would offer for the last word
    complete_words() {
        dir=$1; shift
        (cd "$dir" && bash -c '. "$1"; . "$2"; shift 2; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1));
            COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; _layerwarp; printf "%s\n" "${COMPREPLY[@]}"' \
            _ "$BC" "$P/share/bash-completion/completions/layerwarp" "$@" 2>/dev/null)
    }
    check_offers() { # WANT DIR WORDS...
        want=$1; shift
        got=$(complete_words "$@" | tr '\n' ' ')
        case " $got " in *" $want "*) pass ;; *) shift; fail "completing '$*' offers '$got', not $want" ;; esac
    }
    check_offers render "$TMPD" layerwarp re
    check_offers --layer "$TMPD" layerwarp step x.scene --la
    check_offers --stage "$TMPD" layerwarp dump x.scene --st
    check_offers render.fps= "$TMPD" layerwarp render x.scene --set render.fp
    check_offers dataset.columns= "$TMPD" layerwarp info x.scene --set dataset.co
    check_offers iris.scene "$P/share/layerwarp/scenes" layerwarp info i
    check_offers olah "$P/share/layerwarp/scenes" layerwarp render o
    got=$(complete_words "$P/share/layerwarp/scenes" layerwarp info i | tr '\n' ' ')
    case "$got" in *iris-like.csv*) fail "SCENE completion offers the CSV file: $got" ;; *) pass ;; esac
else
    echo "cli_install: $BC missing, completion not tried (apt-get install bash-completion)"
fi

# ---- make uninstall leaves nothing ----
if make -s uninstall BUILD="$BUILD" PREFIX="$PREFIX" DESTDIR="$ROOT" >"$TMPD/make.log" 2>&1; then pass
else fail "make uninstall: $(tail -5 "$TMPD/make.log")"; fi
left=$(find "$ROOT" -type f -o -type l | head -5)
if [ -z "$left" ]; then pass; else fail "make uninstall left: $left"; fi
left=$(find "$ROOT" -name '*layerwarp*' | head -5)
if [ -z "$left" ]; then pass; else fail "make uninstall left folders: $left"; fi

done_tests cli_install
