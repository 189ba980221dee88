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
    char path[LW_PATH_MAX];          /* the target, as named (for messages) */
    char dest[LW_PATH_MAX];          /* what the rename replaces: path, or the file its link names */
    char tmp[LW_PATH_MAX + 32];      /* the temporary, "" when none */
    int is_stdout;                   /* path "-": f is stdout, nothing to rename */
    int direct;                      /* a device or FIFO: written through, never replaced */
    int hold;                        /* a direct target's descriptor + 1 until committed; 0: none */
    int slot;                        /* the temporary's entry in the live table + 1; 0: none */
} AtomicFile;

/* Temporaries alive at once that a signal handler can remove (more than
 * any run has: one per worker, plus the video). */
#define ATOMIC_MAX_LIVE 256
/* What a temporary adds to its target's name: ".", ".tmp-", a pid, "-XXXXXX". */
#define ATOMIC_TEMP_EXTRA 24

/* What each target is:
 *   - a new or regular file: replaced whole through the temporary;
 *   - a symbolic link to a regular file: the file it names is replaced, the
 *     link stays;
 *   - a character device (/dev/null), a FIFO, or /dev/stdout, /dev/fd/N
 *     (the process's own descriptors): written through as it goes, like
 *     "-", never replaced; a FIFO nobody reads fails at once (LW_ERUNTIME,
 *     "a FIFO nobody reads") instead of hanging;
 *   - a folder, a block device, a socket, a dangling link: LW_EINPUT,
 *     "PATH: a folder, not a file to write".
 * Paths are measured first (atomic_check_path): nothing is written under a
 * truncated name. */

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
/* The name the writer of an atomic_create file opens: the temporary, or
 * the target itself when it is written through. */
const char *atomic_writer_path(const AtomicFile *a);
/* Finishes an atomic_create file the writer has closed: sets the mode and
 * renames onto the target; on failure removes the temporary and says
 * "cannot rename 'TMP' to 'PATH': reason". */
int atomic_rename(AtomicFile *a, LwError *err);

/* A scratch file for data read back before the output is done (".NAME.KIND-
 * XXXXXX" beside `path`, opened "w+b"), unlinked at once: the open stream
 * keeps it alive and nothing outlives the process.  *out owned by the caller
 * (fclose).  LW_ERUNTIME with "cannot create output in 'DIR': reason". */
int atomic_spool(FILE **out, const char *path, const char *kind, LwError *err);

/* LW_EINPUT when path, with a temporary's name beside it, would not fit
 * LW_PATH_MAX, or one of its names NAME_MAX ("PATH: path too long (N
 * bytes; at most M)").  Checked before anything is created. */
int atomic_check_path(const char *path, LwError *err);

/* Unlinks every temporary this process has open: for a signal handler that
 * is about to _exit (async-signal-safe: reads a fixed table, calls unlink). */
void atomic_remove_all_temps(void);

/* Removes the temporaries ".NAME.tmp-PID-XXXXXX" in dir whose PID no process
 * has any more: left by a run that was killed (SIGKILL) before it could.
 * Any first write into a folder does this once per process.  Returns how
 * many went. */
int atomic_sweep(const char *dir);

#endif
