#!/bin/sh
# CSV as people write it, through the command line: the four files of the
# issue that used to fail (a label,x,y header, an extra column, names as
# labels, quoted numbers) and a CRLF one are read; a CSV's class names reach
# the legend, and only the legend (iris.scene against the same file with
# numbers for names); real faults are still one line naming file:line.
. tests/lib.sh

# csv_scene NAME TEXT [EXTRA-LINES]: a scene reading TEXT as NAME.csv
csv_scene() {
    printf '%b' "$2" >"$TMPD/$1.csv"
    printf '[dataset]\nkind = csv\nfile = %s.csv\n%b[train]\nsteps = 50\n' "$1" "${3:-}" \
        >"$TMPD/$1.scene"
}
# reads NAME POINTS CLASSES: info reads the scene's data as that many of each
reads() {
    out=$("$LW" info "$TMPD/$1.scene" -q 2>"$TMPD/err")
    case "$out" in
        *"dataset:    csv, $2 points, $3 classes"*) pass ;;
        *) fail "$1.csv: expected $2 points, $3 classes: $(head -c 300 "$TMPD/err") $out" ;;
    esac
}

csv_scene header-first 'label,x,y\n0,0.4097,0.1\n1,-0.3,0.2\n0,0.5,0.5\n1,-1,-1\n'
reads header-first 4 2
csv_scene extra-column 'x,y,label,weight\n0.1,0.2,0,3\n0.3,0.1,1,4\n0.2,0.2,1,4\n'
reads extra-column 3 2
csv_scene names 'x,y,species\n0.1,0.2,setosa\n0.3,0.1,versicolor\n0.5,0.5,virginica\n0,0,setosa\n'
reads names 4 3
csv_scene quoted '"x","y","label"\n"0.1","0.2","0"\n"0.3","0.1","1"\n'
reads quoted 2 2
csv_scene crlf 'x,y,label\r\n0.1,0.2,a\r\n0.3,0.1,b\r\n0.2,0.2,a'
reads crlf 3 2
csv_scene chosen 'id,a,b,c,kind\n1,0.1,9,0.2,x\n2,0.3,9,0.1,y\n' 'columns = a, c, kind\n'
reads chosen 2 2
csv_scene three-d 'x,y,z,label\n0,0,0,a\n1,1,1,b\n' '[network]\nwidths = 3,3,3\n'
reads three-d 2 2

# real faults: one line, file:line, status 2
csv_scene open-quote 'x,y,label\n0,0,a\n1,1,"b\n2,2,c\n'
one_line 2 "$TMPD/open-quote.csv:3: a quote that is never closed (a field starting with \" needs a closing \")" \
    "$LW" info "$TMPD/open-quote.scene"
csv_scene bad-number 'label,x,y\na,0,0\nb,one,1\n'
one_line 2 "$TMPD/bad-number.csv:3: bad number 'one' in column 'x'" "$LW" info "$TMPD/bad-number.scene"
csv_scene no-label 'x,y,weight\n0,0,1\n'
one_line 2 "$TMPD/no-label.csv:1: the header has no column for label (named label, class, target, category or species; or choose the columns with columns = in [dataset])" \
    "$LW" info "$TMPD/no-label.scene"
csv_scene z-in-2d 'x,y,z,label\n0,0,0,a\n1,1,1,b\n'
one_line 2 "$TMPD/z-in-2d.csv:1: the header has a column z but the data is read as 2-D (start widths with 3 for 3-D data, or choose columns = x, y, label)" \
    "$LW" info "$TMPD/z-in-2d.scene"

# The legend: iris.scene, and the same file and scene with 0, 1, 2 for the
# species (in their order of first appearance, so the classes are the same).
sed 's/,setosa$/,0/; s/,versicolor$/,1/; s/,virginica$/,2/; s/,species$/,label/' \
    scenes/iris-like.csv >"$TMPD/iris-numbers.csv"
sed 's/^file = .*/file = iris-numbers.csv/; s/^columns = .*/columns = petal_length, petal_width, label/' \
    scenes/iris.scene >"$TMPD/iris-numbers.scene"
cp scenes/iris.scene scenes/iris-like.csv "$TMPD/"
named=$("$LW" hash "$TMPD/iris.scene" --frames 0 --size 640x360 -j 1 -q 2>&1)
numbered=$("$LW" hash "$TMPD/iris-numbers.scene" --frames 0 --size 640x360 -j 1 -q 2>&1)
if [ -n "$named" ] && [ "$named" != "$numbered" ]; then pass
else fail "iris with names and with numbers draw the same frame 0 ('$named'): the names are not in the legend"; fi
named=$("$LW" hash "$TMPD/iris.scene" --frames 0 --size 640x360 -j 1 -q --set render.show_legend=false 2>&1)
numbered=$("$LW" hash "$TMPD/iris-numbers.scene" --frames 0 --size 640x360 -j 1 -q --set render.show_legend=false 2>&1)
if [ -n "$named" ] && [ "$named" = "$numbered" ]; then pass
else fail "without the legend, iris with names and with numbers differ: '$named' / '$numbered'"; fi

done_tests cli_csv
