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

/* mkstemp of "<dir>/.<name>.<kind>-XXXXXX" beside path.  Returns the
 * descriptor, or -1 with errno set and tmp "". */
static int make_temp(char *tmp, size_t cap, const char *path, const char *kind)
{
    const char *slash = strrchr(path, '/');
    int n;
    if (slash)
        n = snprintf(tmp, cap, "%.*s/.%s.%s-XXXXXX", (int)(slash - path), path, slash + 1,
                     kind);
    else
        n = snprintf(tmp, cap, ".%s.%s-XXXXXX", path, kind);
    int fd = n < 0 || (size_t)n >= cap ? (errno = ENAMETOOLONG, -1) : mkstemp(tmp);
    if (fd < 0)
        tmp[0] = '\0';
    return fd;
}

/* The directory that holds path, as messages name it: "." for a bare name,
 * "/" for "/name". */
static void dir_of(const char *path, char *dir, size_t cap)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, cap, ".");
    else
        snprintf(dir, cap, "%.*s", slash == path ? 1 : (int)(slash - path), path);
}

static int fail_create(LwError *err, const char *path, int e)
{
    char dir[LW_PATH_MAX];
    dir_of(path, dir, sizeof dir);
    return lw_fail(err, LW_ERUNTIME, "cannot create output in '%s': %s", dir, strerror(e));
}

int atomic_open(AtomicFile *a, const char *path, LwError *err)
{
    memset(a, 0, sizeof *a);
    if (strcmp(path, "-") == 0) { /* a pipe cannot be atomic: written as it goes */
        a->f = stdout;
        a->is_stdout = 1;
        snprintf(a->path, sizeof a->path, "standard output");
        return LW_OK;
    }
    snprintf(a->path, sizeof a->path, "%s", path);
    int fd = make_temp(a->tmp, sizeof a->tmp, path, "tmp");
    if (fd < 0)
        return lw_fail(err, LW_ERUNTIME, "%s: cannot create file: %s", path, strerror(errno));
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

int atomic_create(AtomicFile *a, const char *path, LwError *err)
{
    memset(a, 0, sizeof *a);
    snprintf(a->path, sizeof a->path, "%s", path);
    int fd = make_temp(a->tmp, sizeof a->tmp, path, "tmp");
    if (fd < 0)
        return fail_create(err, path, errno);
    /* The writer reopens it by name; the name is ours until renamed. */
    close(fd);
    return LW_OK;
}

/* Gives the closed temporary its final mode and renames it onto the
 * target.  Returns 0 or an errno; the temporary is gone either way. */
static int finish(AtomicFile *a)
{
    /* mkstemp makes 0600; the file should look like any other the user writes */
    pthread_once(&file_mode_once, read_umask);
    chmod(a->tmp, file_mode); /* best effort: else it stays 0600 */
    int e = rename(a->tmp, a->path) != 0 ? errno : 0;
    if (e)
        unlink(a->tmp);
    a->tmp[0] = '\0';
    return e;
}

/* stdout stays open (main flushes it once more at exit) */
static int commit_stdout(AtomicFile *a, LwError *err)
{
    int e = ferror(a->f) ? EIO : 0;
    if (fflush(a->f) != 0)
        e = errno;
    a->f = NULL;
    if (e)
        return lw_fail(err, LW_ERUNTIME, "cannot write to standard output: %s", strerror(e));
    return LW_OK;
}

int atomic_commit(AtomicFile *a, LwError *err)
{
    if (a->is_stdout)
        return commit_stdout(a, err);
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
    if (failed) {
        unlink(a->tmp);
        a->tmp[0] = '\0';
    } else {
        e = finish(a);
    }
    if (e)
        return lw_fail(err, LW_ERUNTIME, "%s: %s", a->path, strerror(e));
    return LW_OK;
}

int atomic_rename(AtomicFile *a, LwError *err)
{
    char tmp[sizeof a->tmp];
    memcpy(tmp, a->tmp, sizeof tmp); /* for the message: finish clears it */
    int e = finish(a);
    if (e)
        return lw_fail(err, LW_ERUNTIME, "cannot rename '%s' to '%s': %s", tmp, a->path,
                       strerror(e));
    return LW_OK;
}

void atomic_abort(AtomicFile *a)
{
    if (a->f && !a->is_stdout)
        fclose(a->f);
    a->f = NULL;
    if (a->tmp[0])
        unlink(a->tmp);
    a->tmp[0] = '\0';
}

int atomic_spool(FILE **out, const char *path, const char *kind, LwError *err)
{
    char tmp[LW_PATH_MAX + 32];
    *out = NULL;
    int fd = make_temp(tmp, sizeof tmp, path, kind);
    if (fd < 0)
        return fail_create(err, path, errno);
    unlink(tmp);
    *out = fdopen(fd, "w+b");
    if (!*out) {
        int e = errno;
        char dir[LW_PATH_MAX];
        close(fd);
        dir_of(path, dir, sizeof dir);
        return lw_fail(err, LW_ERUNTIME, "cannot create spool in '%s': %s", dir, strerror(e));
    }
    return LW_OK;
}
