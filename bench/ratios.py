#!/usr/bin/python3
"""Prints the benchmark targets with the figures measured in one bench.py run.

Usage: ratios.py RESULTS_DIR   (the results/ folder bench.py wrote)
"""
import json
import os
import sys


def load(d, name):
    p = os.path.join(d, name + ".json")
    if not os.path.exists(p):
        return None
    with open(p) as f:
        return json.load(f)


def main():
    d = sys.argv[1]
    r = {n: load(d, n) for n in (
        "X_layerwarp_render_720", "X_layerwarp_render_1080", "X_layerwarp_hash_720",
        "A_mpl_loop_720", "A_mpl_loop_1080", "A_mpl_noenc_720",
        "C_encode_medium_720", "C_encode_medium_1080")}
    missing = [n for n, v in r.items() if not v or v.get("median_wall") is None]
    if missing:
        print("missing results:", ", ".join(missing))
    wall = {n: v["median_wall"] for n, v in r.items() if v and v.get("median_wall")}
    rss = {n: v["median_maxrss_mib"] for n, v in r.items() if v and v.get("median_maxrss_mib")}

    print("| target | measured | ratio | met |")
    print("|---|---|---:|---|")

    def row(text, measured, ratio, ok):
        print(f"| {text} | {measured} | {ratio:.2f} | {'yes' if ok else 'NO'} |")

    def speed(name, base, want, text):
        if name in wall and base in wall:
            ratio = wall[base] / wall[name]
            row(text, f"{wall[name]:.2f} s vs {wall[base]:.2f} s", ratio, ratio >= want)

    speed("X_layerwarp_render_720", "A_mpl_loop_720", 1.4,
          "720p render >= 1.4x faster than matplotlib manual loop")
    if "X_layerwarp_render_720" in wall and "C_encode_medium_720" in wall:
        ratio = wall["X_layerwarp_render_720"] / wall["C_encode_medium_720"]
        row("720p render <= 1.15x the encode-only floor (ffmpeg, medium)",
            f"{wall['X_layerwarp_render_720']:.2f} s vs {wall['C_encode_medium_720']:.2f} s",
            ratio, ratio <= 1.15)
    speed("X_layerwarp_render_1080", "A_mpl_loop_1080", 1.35,
          "1080p render >= 1.35x faster than matplotlib manual loop")
    speed("X_layerwarp_hash_720", "A_mpl_noenc_720", 2.5,
          "720p hash of 270 frames >= 2.5x faster than matplotlib drawing alone")
    if "X_layerwarp_render_1080" in rss and "A_mpl_noenc_720" in rss and "C_encode_medium_1080" in rss:
        base = rss["A_mpl_noenc_720"] + rss["C_encode_medium_1080"]
        ratio = rss["X_layerwarp_render_1080"] / base
        row("1080p peak memory <= 60% of python + ffmpeg (python from its no-encode run, "
            "ffmpeg from the 1080p encode-only run)",
            f"{rss['X_layerwarp_render_1080']:.0f} MiB vs {base:.0f} MiB", ratio, ratio <= 0.60)
    print()
    for n in sorted(wall):
        print(f"  {n:28s} median {wall[n]:6.2f} s   peak RSS {rss.get(n, 0):5.0f} MiB")


if __name__ == "__main__":
    main()
