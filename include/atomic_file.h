/* atomic_file.h — an output file that either appears whole or not at all:
 * written under a temporary name beside its target (".NAME.tmp-XXXXXX") and
 * renamed onto the target only when complete.  An existing target is never
 * replaced by a partial file, and a failure leaves no temporary behind.
 * Committed files get the mode a plain fopen would give (0666 less the
 * umask), whichever way they were written. */
#ifndef ATOMIC_FILE_H
#define ATOMIC_FILE_H

#include <stdio.h>

#include "lw_common.h"

typedef struct {
    FILE *f;                         /* write here (NULL after atomic_create) */
    char path[LW_PATH_MAX];          /* the target */
    char tmp[LW_PATH_MAX + 32];      /* the temporary, "" when none */
    int is_stdout;                   /* path "-": f is stdout, nothing to rename */
} AtomicFile;

/* Creates the temporary (mode 0644 once committed).  LW_ERUNTIME with
 * "path: reason" when it cannot.  Path "-" is standard output, written as it
 * goes (a pipe cannot be atomic): commit flushes it, abort leaves it open. */
int atomic_open(AtomicFile *a, const char *path, LwError *err);
/* Flushes, closes and renames onto the target; on any failure removes the
 * temporary and says why (e.g. "No space left on device"). */
int atomic_commit(AtomicFile *a, LwError *err);
/* Closes and removes the temporary; accepts an unopened or committed file. */
void atomic_abort(AtomicFile *a);

/* For writers that open the file by name themselves (libavformat's avio):
 * creates the temporary, empty, and leaves a->f NULL; write to a->tmp, close
 * it, then atomic_rename.  LW_ERUNTIME with "cannot create output in 'DIR':
 * reason" when it cannot.  atomic_abort removes it as usual. */
int atomic_create(AtomicFile *a, const char *path, LwError *err);
/* Finishes an atomic_create file the writer has closed: sets the mode and
 * renames onto the target; on failure removes the temporary and says
 * "cannot rename 'TMP' to 'PATH': reason". */
int atomic_rename(AtomicFile *a, LwError *err);

/* A scratch file for data read back before the output is done (".NAME.KIND-
 * XXXXXX" beside `path`, opened "w+b"), unlinked at once: the open stream
 * keeps it alive and nothing outlives the process.  *out owned by the caller
 * (fclose).  LW_ERUNTIME with "cannot create output in 'DIR': reason". */
int atomic_spool(FILE **out, const char *path, const char *kind, LwError *err);

#endif
