/* atomic_file.h — an output file that either appears whole or not at all:
 * written under a temporary name beside its target (".NAME.tmp-XXXXXX") and
 * renamed onto the target only when complete.  An existing target is never
 * replaced by a partial file, and a failure leaves no temporary behind. */
#ifndef ATOMIC_FILE_H
#define ATOMIC_FILE_H

#include <stdio.h>

#include "lw_common.h"

typedef struct {
    FILE *f;                         /* write here */
    char path[LW_PATH_MAX];          /* the target */
    char tmp[LW_PATH_MAX + 32];      /* the temporary, "" when none */
} AtomicFile;

/* Creates the temporary (mode 0644 once committed).  LW_ERUNTIME with
 * "path: reason" when it cannot. */
int atomic_open(AtomicFile *a, const char *path, LwError *err);
/* Flushes, closes and renames onto the target; on any failure removes the
 * temporary and says why (e.g. "No space left on device"). */
int atomic_commit(AtomicFile *a, LwError *err);
/* Closes and removes the temporary; accepts an unopened or committed file. */
void atomic_abort(AtomicFile *a);

#endif
