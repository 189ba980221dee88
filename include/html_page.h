/* html_page.h — one static web page beside a video: the video, its chapters
 * as a list of layers and stages to click, keyboard stepping (← → one
 * stage, space play/pause, Home/End) and the scene's text.  One file, its
 * style and script inline, the video named by a relative file name: it
 * works opened as a local file, with no server and nothing fetched. */
#ifndef HTML_PAGE_H
#define HTML_PAGE_H

#include "lw_common.h"
#include "video.h"

typedef struct {
    const char *title;        /* the scene's name */
    const char *video;        /* the video's file name, relative to the page */
    int width, height;        /* the video's frame size */
    double fps;
    int n_frames;
    const VideoChapter *chapters;  /* (n_chapters) start frames, in order */
    int n_chapters;
    const char *scene;        /* the scene text shown under the video */
    const char *command;      /* how it was rendered, or "" */
} HtmlPage;

/* Writes the page at path atomically (LW_ERUNTIME "path: reason"). */
int html_page_write(const char *path, const HtmlPage *page, LwError *err);

#endif
