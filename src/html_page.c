/* html_page.c — the static page beside a video (html_page.h).
 *
 * The page's data lives in its markup: each chapter is a button whose
 * data-t holds its start in seconds (frame / fps, the time the video's frame
 * has), so the script reads the list it steps through from the page itself
 * and nothing is escaped twice.  Every text from the scene or the command
 * line goes through html_escape; the video's name through url_escape.
 * Written through atomic_file.c: the page appears whole or not at all. */
#include "html_page.h"

#include "atomic_file.h"

#include <stdio.h>
#include <string.h>

static void html_escape(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*s, f);
        }
    }
}

/* A relative URL naming the file: bytes other than plain ones as %XX. */
static void url_escape(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-_.~", *p))
            fputc(*p, f);
        else
            fprintf(f, "%%%02X", *p);
    }
}

static const char STYLE[] =
    "<style>\n"
    ":root{color-scheme:light;--accent:#c0392b;--ink:#222;--faint:#6b6b6b;--rule:#ddd}\n"
    "body{margin:0;font:16px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;"
    "color:var(--ink);background:#fafafa}\n"
    "main{max-width:1280px;margin:0 auto;padding:1.2em 1.5em 3em}\n"
    "h1{font-size:1.35em;margin:.2em 0 .8em;font-weight:600}\n"
    ".stage{display:flex;gap:1.2em;align-items:flex-start;flex-wrap:wrap}\n"
    ".player{flex:1 1 640px;min-width:0}\n"
    "video{width:100%;height:auto;background:#fff;border:1px solid var(--rule);"
    "display:block}\n"
    ".keys{color:var(--faint);font-size:.85em;margin:.5em 0 0}\n"
    "kbd{border:1px solid #bbb;border-bottom-width:2px;border-radius:3px;padding:0 .35em;"
    "font:inherit;font-size:.9em;background:#fff}\n"
    "nav{flex:0 1 290px;max-height:80vh;overflow:auto;border:1px solid var(--rule);"
    "background:#fff}\n"
    "nav h2{font-size:.9em;margin:0;padding:.5em .8em;border-bottom:1px solid var(--rule);"
    "color:var(--faint);font-weight:600;position:sticky;top:0;background:#fff}\n"
    "nav ol{list-style:none;margin:0;padding:0}\n"
    "nav button{all:unset;box-sizing:border-box;display:flex;justify-content:space-between;"
    "gap:1em;width:100%;padding:.3em .8em;cursor:pointer;font-size:.92em}\n"
    "nav button:hover{background:#f1f1f1}\n"
    "nav button:focus-visible{outline:2px solid var(--accent);outline-offset:-2px}\n"
    "nav button[aria-current=true]{background:#fdecea;color:var(--accent);font-weight:600}\n"
    "nav .t{color:var(--faint);font-variant-numeric:tabular-nums}\n"
    "details{margin-top:1.5em}\n"
    "summary{cursor:pointer;font-weight:600}\n"
    "pre{background:#fff;border:1px solid var(--rule);padding:.8em 1em;overflow:auto;"
    "font-size:.85em;line-height:1.35}\n"
    ".how{color:var(--faint);font-size:.85em}\n"
    "</style>\n";

/* Steps through the chapter starts the list holds; keys are caught before
 * the video's own controls see them. */
static const char SCRIPT[] =
    "<script>\n"
    "'use strict';\n"
    "(function () {\n"
    "  const video = document.getElementById('video');\n"
    "  const fps = Number(video.dataset.fps), last = Number(video.dataset.last);\n"
    "  const buttons = Array.from(document.querySelectorAll('nav button'));\n"
    "  const starts = buttons.map(b => Number(b.dataset.t));\n"
    "  const half = 0.5 / fps;\n"
    "  function seek(t) { video.currentTime = Math.max(0, Math.min(t, last)); mark(t); }\n"
    "  function current(t) {\n"
    "    let k = 0;\n"
    "    for (let i = 0; i < starts.length; i++) if (starts[i] <= t + half) k = i;\n"
    "    return k;\n"
    "  }\n"
    "  function mark(t) {\n"
    "    const k = current(t);\n"
    "    buttons.forEach((b, i) => b.setAttribute('aria-current', i === k ? 'true' : 'false'));\n"
    "  }\n"
    "  function next() {\n"
    "    const t = video.currentTime;\n"
    "    const s = starts.find(x => x > t + half);\n"
    "    if (s !== undefined) seek(s); else seek(last);\n"
    "  }\n"
    "  function previous() {\n"
    "    /* while playing, a moment into a stage goes back to its start */\n"
    "    const t = video.currentTime - (video.paused ? half : Math.max(half, 0.3));\n"
    "    let s = 0;\n"
    "    for (const x of starts) if (x < t) s = x;\n"
    "    seek(s);\n"
    "  }\n"
    "  function toggle() { if (video.paused) video.play(); else video.pause(); }\n"
    "  buttons.forEach(b => b.addEventListener('click', () => seek(Number(b.dataset.t))));\n"
    "  video.addEventListener('timeupdate', () => mark(video.currentTime));\n"
    "  video.addEventListener('seeked', () => mark(video.currentTime));\n"
    "  window.addEventListener('keydown', e => {\n"
    "    if (e.altKey || e.ctrlKey || e.metaKey) return;\n"
    "    const keys = {ArrowRight: next, ArrowLeft: previous, ' ': toggle,\n"
    "                  Home: () => seek(0), End: () => seek(last)};\n"
    "    const act = keys[e.key];\n"
    "    if (!act || (e.key === ' ' && e.target.tagName === 'BUTTON' &&\n"
    "                 e.target.closest('nav'))) return;\n"
    "    e.preventDefault();\n"
    "    e.stopPropagation();\n"
    "    act();\n"
    "  }, true);\n"
    "  mark(0);\n"
    "})();\n"
    "</script>\n";

/* Where the page seeks to show frame k: a quarter frame into it.  WebM
 * keeps times in whole milliseconds, rounded (frame 70 at 15 fps is at
 * 4.667 s, after 70 / 15), so a seek to k / fps exactly can show frame
 * k - 1; a quarter frame is more than that rounding up to 500 fps. */
static double seek_time(int frame, double fps)
{
    return (frame + 0.25) / fps;
}

static void write_page(FILE *f, const HtmlPage *p)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<meta name=\"generator\" content=\"layerwarp " LW_VERSION "\">\n<title>",
          f);
    html_escape(f, p->title);
    fputs(" \xe2\x80\x94 layerwarp</title>\n", f);
    fputs(STYLE, f);
    fputs("</head>\n<body>\n<main>\n<h1>", f);
    html_escape(f, p->title);
    fputs("</h1>\n<div class=\"stage\">\n<div class=\"player\">\n", f);
    /* the last frame's own time: End shows it, not the black after it */
    fprintf(f, "<video id=\"video\" controls preload=\"auto\" playsinline width=\"%d\" "
               "height=\"%d\" data-fps=\"%.17g\" data-last=\"%.17g\" src=\"",
            p->width, p->height, p->fps, seek_time(p->n_frames - 1, p->fps));
    url_escape(f, p->video);
    fputs("\"></video>\n<p class=\"keys\"><kbd>\xe2\x86\x90</kbd> <kbd>\xe2\x86\x92</kbd> "
          "one stage \xc2\xb7 <kbd>Space</kbd> play/pause \xc2\xb7 <kbd>Home</kbd> "
          "<kbd>End</kbd> start/end \xc2\xb7 click a stage to go there</p>\n</div>\n", f);
    fputs("<nav aria-label=\"layers and stages\">\n<h2>Layers and stages</h2>\n<ol>\n", f);
    for (int i = 0; i < p->n_chapters; i++) {
        double t = p->chapters[i].start / p->fps;
        fprintf(f, "<li><button type=\"button\" data-t=\"%.17g\"><span>",
                seek_time(p->chapters[i].start, p->fps));
        html_escape(f, p->chapters[i].title);
        fprintf(f, "</span><span class=\"t\">%d:%05.2f</span></button></li>\n", (int)(t / 60),
                t - 60 * (int)(t / 60));
    }
    fputs("</ol>\n</nav>\n</div>\n<details open>\n<summary>Scene</summary>\n", f);
    if (p->command && p->command[0]) {
        fputs("<p class=\"how\">Rendered with <code>", f);
        html_escape(f, p->command);
        fputs("</code>; save the text below as a .scene file and render it again.</p>\n", f);
    }
    fputs("<pre>", f);
    html_escape(f, p->scene ? p->scene : "");
    fputs("</pre>\n</details>\n</main>\n", f);
    fputs(SCRIPT, f);
    fputs("</body>\n</html>\n", f);
}

int html_page_write(const char *path, const HtmlPage *page, LwError *err)
{
    AtomicFile out;
    int rc = atomic_open(&out, path, err);
    if (rc)
        return rc;
    write_page(out.f, page);
    return atomic_commit(&out, err); /* a write error shows at the flush */
}
