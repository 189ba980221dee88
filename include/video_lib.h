/* video_lib.h — the video half of layerwarp, loaded when a command needs it.
 *
 * FFmpeg's libraries pull in some 140 more shared libraries (x264, libvpx,
 * codec2, ...): loaded at start-up they cost every command about 50 ms of
 * CPU and 35 MiB before any work, which a still, a hash or `info` never
 * use.  So the modules that call them (video.c, join.c, montage.c,
 * share_video.c) are built into layerwarp-video.so, which the layerwarp
 * binary opens (dlopen) only when a command writes or reads a video.  The
 * binary calls them by their usual names (video.h, join.h, montage.h,
 * share.h): video_lib.c defines each as a call through the loaded library.
 * Test programs link those modules directly and never see this.
 *
 * Where the library is looked for: beside the binary (a build tree), in
 * ../lib/layerwarp/ from the binary's folder (where `make install` puts it,
 * found so under a DESTDIR or a moved prefix too), then in LW_LIBDIR. */
#ifndef VIDEO_LIB_H
#define VIDEO_LIB_H

#include "lw_common.h"

/* Loads the library once (later calls return at once).  LW_ERUNTIME
 * naming the file tried and why it could not be loaded.  Every video
 * function called in the binary before a successful load aborts: call this
 * where a command first knows it needs video. */
int video_lib_load(LwError *err);

#endif
