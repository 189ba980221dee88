/* input_file.h — opening the files a scene names (the scene itself, a CSV
 * dataset, a weights file) so that no input can hang or flood us.
 *
 * The file is opened without blocking (O_NONBLOCK: a FIFO with no writer
 * would otherwise wait in open() for ever) and must be a regular file: a
 * FIFO, a device, a socket or a folder is refused with one line naming what
 * it is.  A file larger than the caller's bound is refused before a byte is
 * read, so every read is bounded.  Blocking is restored once the file is
 * known to be regular, so reads behave as usual. */
#ifndef INPUT_FILE_H
#define INPUT_FILE_H

#include <stdio.h>

#include "lw_common.h"

/* Opens path for reading ("rb") into *out (owned by the caller: fclose).
 * LW_EINPUT with "PATH: REASON" when it cannot be opened, "PATH: a FIFO, not
 * a regular file" (or a character device, a folder, ...) when it is not a
 * regular file, and "PATH: N bytes, more than the M MiB a WHAT may hold" when
 * max_bytes > 0 and the file is larger.  what names the kind of file ("CSV
 * file"). */
int input_open(const char *path, size_t max_bytes, const char *what, FILE **out,
               LwError *err);

/* What a stat mode is, for messages: "a FIFO", "a character device", ... */
const char *input_kind_name(unsigned mode);

#endif
