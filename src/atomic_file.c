/* atomic_file.c — temporary-then-rename output (see atomic_file.h). */
#include "atomic_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
        mode_t mask = umask(0);
        umask(mask);
        chmod(a->tmp, 0666 & ~mask);
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
