/* atomic_file.c — temporary-then-rename output (see atomic_file.h). */
#include "atomic_file.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The mode a plain fopen would give: 0666 less the umask.  The umask can
 * only be read by setting it, which must not race between the worker
 * threads that write PNG files, so it is read once. */
static mode_t file_mode;
static pthread_once_t file_mode_once = PTHREAD_ONCE_INIT;

static void read_umask(void)
{
    mode_t mask = umask(022);
    umask(mask);
    file_mode = 0666 & ~mask;
}

int atomic_open(AtomicFile *a, const char *path, LwError *err)
{
    memset(a, 0, sizeof *a);
    snprintf(a->path, sizeof a->path, "%s", path);
    const char *slash = strrchr(path, '/');
    if (slash)
        snprintf(a->tmp, sizeof a->tmp, "%.*s/.%s.tmp-XXXXXX", (int)(slash - path), path,
                 slash + 1);
    else
        snprintf(a->tmp, sizeof a->tmp, ".%s.tmp-XXXXXX", path);
    int fd = mkstemp(a->tmp);
    if (fd < 0) {
        int e = errno;
        a->tmp[0] = '\0';
        return lw_fail(err, LW_ERUNTIME, "%s: cannot create file: %s", path, strerror(e));
    }
    a->f = fdopen(fd, "wb");
    if (!a->f) {
        int e = errno;
        close(fd);
        unlink(a->tmp);
        a->tmp[0] = '\0';
        return lw_fail(err, LW_ERUNTIME, "%s: %s", path, strerror(e));
    }
    return LW_OK;
}

int atomic_commit(AtomicFile *a, LwError *err)
{
    int failed = ferror(a->f), e = failed ? EIO : 0;
    if (fflush(a->f) != 0) {
        failed = 1;
        e = errno;
    }
    if (fclose(a->f) != 0 && !failed) {
        failed = 1;
        e = errno;
    }
    a->f = NULL;
    /* mkstemp makes 0600; the file should look like any other the user writes */
    if (!failed) {
        pthread_once(&file_mode_once, read_umask);
        chmod(a->tmp, file_mode);
    }
    if (!failed && rename(a->tmp, a->path) != 0) {
        failed = 1;
        e = errno;
    }
    if (failed) {
        unlink(a->tmp);
        a->tmp[0] = '\0';
        return lw_fail(err, LW_ERUNTIME, "%s: %s", a->path, strerror(e));
    }
    a->tmp[0] = '\0';
    return LW_OK;
}

void atomic_abort(AtomicFile *a)
{
    if (a->f)
        fclose(a->f);
    a->f = NULL;
    if (a->tmp[0])
        unlink(a->tmp);
    a->tmp[0] = '\0';
}
