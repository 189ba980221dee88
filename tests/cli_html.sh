#!/bin/sh
# The page `layerwarp render -o DIR/NAME.html` writes beside DIR/NAME.webm,
# in headless Chromium (Debian's, driven by playwright-core; tests/html/
# setup.sh installs both when missing): the video loads and plays, Space
# pauses, → goes to the next stage's start as ffprobe reads the chapters
# from the video (within a frame), ← back, a click on a stage, Home and End
# (tests/html/page_test.js).  And the page is one file that names only the
# video beside it, with the scene's text escaped.
. tests/lib.sh

if ! sh tests/html/setup.sh; then
    fail "tests/html/setup.sh could not install chromium or playwright-core"
    done_tests cli_html; exit 1
fi

cat >"$TMPD/tiny.scene" <<'SCENE'
; a <b>tiny</b> scene & its page
[dataset]
kind = xor
points = 60
seed = 7
[network]
widths = 2,3,2
[train]
steps = 40
[render]
stage_seconds = 0.3
hold_between = 0.1
SCENE
mkdir "$TMPD/site"
if "$LW" render "$TMPD/tiny.scene" -ql --size 320x180 -q -o "$TMPD/site/index.html" 2>"$TMPD/err"
then pass; else fail "render -o index.html: $(cat "$TMPD/err")"; done_tests cli_html; exit 1; fi
if [ -s "$TMPD/site/index.webm" ] && [ "$(ls -A "$TMPD/site" | wc -l)" -eq 2 ]; then pass
else fail "expected index.html and index.webm: $(ls -A "$TMPD/site")"; fi
page="$TMPD/site/index.html"
if grep -q 'src="index.webm"' "$page" && ! grep -Eq '(src|href)="(https?:)?//' "$page"; then pass
else fail "the page names something other than the video beside it"; fi
if grep -qF '; a &lt;b&gt;tiny&lt;/b&gt; scene &amp; its page' "$page"; then pass
else fail "the scene text is not escaped in the page"; fi

# a page plays WebM: another format is refused before anything is written
one_line 2 "layerwarp render: -o $TMPD/other.html: a page plays a WebM video beside it, not --format mp4 (see 'layerwarp help render')" \
    "$LW" render "$TMPD/tiny.scene" --format mp4 -o "$TMPD/other.html"
if [ ! -e "$TMPD/other.html" ] && [ ! -e "$TMPD/other.webm" ]; then pass; else fail "a refused page left files"; fi

starts=$(ffprobe -v error -show_entries chapter=start_time -of csv=p=0 "$TMPD/site/index.webm" |
    paste -sd, -)
if [ -n "$starts" ]; then pass; else fail "ffprobe lists no chapters in index.webm"; fi
if (cd tests/html && node page_test.js "$TMPD/site/index.html" "$starts" 15) >"$TMPD/log" 2>&1
then pass; else fail "the page in chromium: $(grep -v '^ok' "$TMPD/log" | head -c 600)"; fi

done_tests cli_html
