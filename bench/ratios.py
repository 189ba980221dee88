#!/usr/bin/python3
"""Prints issue #18's table: every row a ratio (or a latency) from one run.

Usage: ratios.py RESULTS_DIR [LATENCY_FILE]
  RESULTS_DIR   the results/ folder bench.py wrote (step 4 of bench/run.sh)
  LATENCY_FILE  lines "label<TAB>wall seconds<TAB>peak MiB" (step 3a), or absent

RESULTS_DIR holds one folder per round (round-1, round-2, ...): bench/run.sh
runs every case once a round, so a case and its baseline are timed a minute or
two apart, round after round (pairs alternated), while this machine's speed
drifts by a third over tens of minutes.  A row's ratio is the median of its
rounds' ratios; the seconds shown are each side's median over the rounds.  A
RESULTS_DIR without round folders is one round (one bench.py run, each case's
median).  A row whose figures are missing is printed with the reason instead
of a ratio.
"""
import json
import os
import statistics
import sys


def load(d, name):
    p = os.path.join(d, name + ".json")
    if not os.path.exists(p):
        return None
    with open(p) as f:
        return json.load(f)


def read_latencies(path):
    lat = {}
    if not path or not os.path.exists(path):
        return lat
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 3:
                try:
                    lat[parts[0]] = (float(parts[1]), float(parts[2]))
                except ValueError:
                    lat[parts[0]] = None  # the command failed
    return lat


def read_round(d):
    """{case: (median wall seconds, median peak MiB)} of one bench.py run."""
    got = {}
    for name in os.listdir(d):
        if name.endswith(".json"):
            r = load(d, name[:-5])
            if r and r.get("median_wall") is not None:
                got[name[:-5]] = (r["median_wall"], r["median_maxrss_mib"])
    return got


def read_rounds(results):
    if not os.path.isdir(results):
        return []
    dirs = sorted(os.path.join(results, n) for n in os.listdir(results) if n.startswith("round-"))
    return [read_round(d) for d in dirs] if dirs else [read_round(results)]


class Table:
    def __init__(self, results):
        self.rounds = read_rounds(results)
        names = {n for r in self.rounds for n in r}
        # each case's median over the rounds, for the seconds and MiB shown
        self.wall = {n: statistics.median(r[n][0] for r in self.rounds if n in r) for n in names}
        self.rss = {n: statistics.median(r[n][1] for r in self.rounds if n in r) for n in names}
        print("| measure | measured | ratio | goal | met |")
        print("|---|---|---:|---|---|")

    def ratio(self, a, b, rss=False):
        """The median over the rounds that timed both of a's figure over b's."""
        k = 1 if rss else 0
        return statistics.median(r[a][k] / r[b][k] for r in self.rounds if a in r and b in r)

    def row(self, text, measured, ratio, goal, ok):
        met = "-" if ok is None else "yes" if ok else "**no**"
        print(f"| {text} | {measured} | {ratio} | {goal} | {met} |")

    def missing(self, text, goal, *names, why=None):
        gone = [n for n in names if n not in self.wall]
        self.row(text, why or "not measured: no result for " + ", ".join(gone), "-", goal, None)

    def faster(self, text, ours, base, want, bound=None):
        """ours against base as 'N x faster' (base wall / ours wall >= want);
        bound: a case no render can beat (the encoder alone), shown as the
        most any render could reach."""
        if ours not in self.wall or base not in self.wall:
            return self.missing(text, f">= {want}x", ours, base)
        ratio = self.ratio(base, ours)
        shown = f"{self.wall[ours]:.2f} s vs {self.wall[base]:.2f} s"
        if bound and bound in self.wall:
            best = self.ratio(base, bound)
            shown += (f"; x264 alone on frames already converted takes {self.wall[bound]:.2f} s,"
                      f" so no render can be more than {best:.2f}x faster")
        self.row(text, shown, f"{ratio:.2f}x faster", f">= {want}x", ratio >= want)

    def within(self, text, ours, base, most, table):
        """ours against base as a multiple (ours / base <= most), of wall or peak RSS."""
        if ours not in self.wall or base not in self.wall:
            return self.missing(text, f"<= {most}x", ours, base)
        a, b = table[ours], table[base]
        unit = "s" if table is self.wall else "MiB"
        fmt = ".2f" if unit == "s" else ".0f"
        ratio = self.ratio(ours, base, rss=table is self.rss)
        self.row(text, f"{a:{fmt}} {unit} vs {b:{fmt}} {unit}", f"{ratio:.2f}x",
                 f"<= {most}x", ratio <= most)

    def latency(self, text, lat, labels, most, afresh=()):
        """The slowest of the step 3a lines named by labels, against most seconds;
        afresh: the same commands training the network again, shown beside."""
        got = [(lbl, lat.get(lbl)) for lbl in labels]
        if not lat:
            return self.row(text, "not measured: no step 3a figures", "-", f"<= {most} s", None)
        if any(v is None for _, v in got):
            bad = ", ".join(lbl for lbl, v in got if v is None)
            return self.row(text, f"not measured: {bad} failed or missing", "-",
                            f"<= {most} s", None)
        worst = max(v[0] for _, v in got)
        shown = "; ".join(f"{lbl.split(', ')[-1]} {v[0]:.2f} s, {v[1]:.0f} MiB" for lbl, v in got)
        fresh = [(lbl, lat.get(lbl)) for lbl in afresh if lat.get(lbl)]
        if fresh:
            shown += " (network from the cache; trained now: " + "; ".join(
                f"{lbl.split(', ')[-2]} {v[0]:.2f} s" for lbl, v in fresh) + ")"
        self.row(text, shown, f"{worst:.2f} s", f"<= {most} s", worst <= most)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    t = Table(sys.argv[1])
    lat = read_latencies(sys.argv[2] if len(sys.argv) > 2 else None)
    t.faster("720p render, x264 medium (like for like), against matplotlib's loop",
             "X_layerwarp_render_720", "A_mpl_loop_720", 1.5, "X_x264_alone_medium_720")
    t.within("the same against the encoder-only floor (ffmpeg encoding pre-drawn frames)",
             "X_layerwarp_render_720", "C_encode_medium_720", 1.05, t.wall)
    t.within("720p render at layerwarp's default preset (veryfast) against the floor at veryfast",
             "X_layerwarp_render_veryfast_720", "C_encode_veryfast_720", 1.05, t.wall)
    t.faster("the same against matplotlib at veryfast",
             "X_layerwarp_render_veryfast_720", "X_mpl_loop_veryfast_720", 2.5,
             "X_x264_alone_veryfast_720")
    t.faster("`hash` (draw + hash, 270 frames) against matplotlib drawing alone",
             "X_layerwarp_hash_720", "A_mpl_noenc_720", 3)
    t.latency("`step --layer 1`, reference scene (and moons)", lat,
              ["step --layer 1, bench-reference", "step --layer 1, moons"], 0.3,
              ["step --layer 1, moons, trained now"])
    t.latency("`step` on a 60 000-point scene with a 10x longer video", lat,
              ["step --layer 1, long60k"], 1, ["step --layer 1, long60k, trained now"])
    t.latency("`hash --frames 0:0` of a valid 200 000-point, 2581-frame scene", lat,
              ["hash --frames 0:0, big200k"], 1, ["hash --frames 0:0, big200k, trained now"])
    t.within("1080p medium peak memory against ffmpeg alone on the same frames",
             "X_layerwarp_render_1080", "C_encode_medium_1080", 1.1, t.rss)
    t.within("4K veryfast peak memory against the floor (ffmpeg alone on the same frames, piped)",
             "X_layerwarp_render_veryfast_2160", "X_floor_veryfast_2160", 1.1, t.rss)
    print()
    print(f"  ({len(t.rounds)} round(s); each case's median over them)")
    for n in sorted(t.wall):
        print(f"  {n:34s} median {t.wall[n]:6.2f} s   peak RSS {t.rss[n]:6.0f} MiB")
    for lbl, v in lat.items():
        print(f"  {lbl:34s} " + (f"{v[0]:6.2f} s   peak RSS {v[1]:6.0f} MiB" if v else "failed"))


if __name__ == "__main__":
    main()
