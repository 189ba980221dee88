/* fuzz_input.h — shared by the file readers' libFuzzer targets
 * (fuzz_csv.c, fuzz_weights.c): each input is written to one scratch file
 * per process, the reader opens it by name as it would a user's file, and
 * a refusal must be one line "PATH:..." with no control byte. */
#ifndef FUZZ_INPUT_H
#define FUZZ_INPUT_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lw_common.h"

/* A macro, so that the trap's stack frame names the check that failed. */
#define check(cond)                                                           \
    do {                                                                      \
        if (!(cond))                                                          \
            __builtin_trap();                                                 \
    } while (0)

/* The scratch file's name ("/tmp/fuzz-KIND-XXXXXX", made once, removed at
 * exit), with data written into it whole.  NULL when it cannot be. */
static char fuzz_path[64];

static void fuzz_remove(void)
{
    unlink(fuzz_path);
}

static const char *fuzz_write(const char *kind, const uint8_t *data, size_t size)
{
    if (!fuzz_path[0]) {
        snprintf(fuzz_path, sizeof fuzz_path, "/tmp/fuzz-%s-XXXXXX", kind);
        int fd = mkstemp(fuzz_path);
        if (fd < 0)
            return NULL;
        close(fd);
        atexit(fuzz_remove);
    }
    FILE *f = fopen(fuzz_path, "wb");
    if (!f)
        return NULL;
    size_t put = size ? fwrite(data, 1, size, f) : 0;
    if (fclose(f) != 0 || put != size)
        return NULL;
    return fuzz_path;
}

/* A refusal: one line naming the file, no control byte (a message is
 * printed to a terminal as it is: ESC or CR from the input must not reach
 * it raw). */
static void fuzz_check_error(const LwError *err, const char *path)
{
    const char *m = err->msg;
    size_t len = strnlen(m, sizeof err->msg);
    check(len > 0 && len < sizeof err->msg);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)m[i];
        check(c >= 0x20 || c == '\t');
        check(c != 0x7f);
    }
    check(strncmp(m, path, strlen(path)) == 0 && m[strlen(path)] == ':');
}

#endif
