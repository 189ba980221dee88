/* atomic_file.c — temporary-then-rename output (see atomic_file.h). */
#include "atomic_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
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

/* ---- the temporaries alive in this process, for a signal handler ---- */

/* A slot is FREE, being filled (BUSY) or holds a live temporary's name
 * (LIVE).  Workers claim slots with a compare-and-swap; the handler only
 * reads LIVE slots and calls unlink, which is async-signal-safe. */
enum { SLOT_FREE, SLOT_BUSY, SLOT_LIVE };
static _Atomic int slot_state[ATOMIC_MAX_LIVE];
static char slot_name[ATOMIC_MAX_LIVE][LW_PATH_MAX + 32];

static void remember(AtomicFile *a)
{
    a->slot = 0;
    for (int i = 0; i < ATOMIC_MAX_LIVE; i++) {
        int expect = SLOT_FREE;
        if (atomic_compare_exchange_strong(&slot_state[i], &expect, SLOT_BUSY)) {
            memcpy(slot_name[i], a->tmp, sizeof slot_name[i]);
            atomic_store(&slot_state[i], SLOT_LIVE);
            a->slot = i + 1;
            return;
        }
    } /* all taken (more files at once than workers): an interrupt may leave it */
}

static void forget(AtomicFile *a)
{
    if (a->slot > 0)
        atomic_store(&slot_state[a->slot - 1], SLOT_FREE);
    a->slot = 0;
}

void atomic_remove_all_temps(void)
{
    for (int i = 0; i < ATOMIC_MAX_LIVE; i++)
        if (atomic_load(&slot_state[i]) == SLOT_LIVE)
            unlink(slot_name[i]);
}

/* ---- temporaries left by a run that was killed ---- */

/* The pid in a temporary's name ".NAME.tmp-PID-XXXXXX", or 0 when name is
 * not one of ours. */
static long temp_pid(const char *name)
{
    if (name[0] != '.')
        return 0;
    const char *t = strstr(name, ".tmp-");
    if (!t)
        return 0;
    for (const char *n; (n = strstr(t + 1, ".tmp-"));) /* the last ".tmp-" */
        t = n;
    char *end;
    long pid = strtol(t + 5, &end, 10);
    if (end == t + 5 || *end != '-' || strlen(end + 1) != 6 || pid <= 0)
        return 0;
    return pid;
}

/* Folders swept in this process: each once, so a sequence of many frames
 * reads its folder once, not once per frame. */
#define MAX_SWEPT 16
static char swept[MAX_SWEPT][LW_PATH_MAX];
static int n_swept;
static pthread_mutex_t swept_lock = PTHREAD_MUTEX_INITIALIZER;

static int sweep_once(const char *dir)
{
    pthread_mutex_lock(&swept_lock);
    int seen = 0;
    for (int i = 0; i < n_swept && !seen; i++)
        seen = strcmp(swept[i], dir) == 0;
    if (!seen && n_swept < MAX_SWEPT)
        snprintf(swept[n_swept++], sizeof swept[0], "%s", dir);
    pthread_mutex_unlock(&swept_lock);
    return !seen;
}

int atomic_sweep(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int removed = 0;
    for (struct dirent *e; (e = readdir(d));) {
        long pid = temp_pid(e->d_name);
        /* a pid that no process has: its run was killed (SIGKILL, a power
         * cut) before it could remove its temporary */
        if (pid <= 0 || pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        removed += unlinkat(dirfd(d), e->d_name, 0) == 0;
    }
    closedir(d);
    return removed;
}

/* ---- paths ---- */

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

/* "<dir>/.<name>.<kind>-<pid>-XXXXXX" beside path, made with mkstemp.  The
 * pid lets a later run tell a killed run's leftover from a live run's file
 * (atomic_sweep).  Returns the descriptor, or -1 with errno set and tmp "". */
static int make_temp(char *tmp, size_t cap, const char *path, const char *kind)
{
    const char *slash = strrchr(path, '/');
    long pid = (long)getpid();
    int n;
    if (slash)
        n = snprintf(tmp, cap, "%.*s/.%s.%s-%ld-XXXXXX", (int)(slash - path), path, slash + 1,
                     kind, pid);
    else
        n = snprintf(tmp, cap, ".%s.%s-%ld-XXXXXX", path, kind, pid);
    if (n < 0 || (size_t)n >= cap) {
        tmp[0] = '\0';
        errno = ENAMETOOLONG;
        return -1;
    }
    char dir[LW_PATH_MAX];
    dir_of(path, dir, sizeof dir);
    if (sweep_once(dir))
        atomic_sweep(dir);
    int fd = mkstemp(tmp);
    if (fd < 0)
        tmp[0] = '\0';
    return fd;
}

int atomic_check_path(const char *path, LwError *err)
{
    size_t len = strlen(path);
    if (len + ATOMIC_TEMP_EXTRA >= LW_PATH_MAX)
        return lw_fail(err, LW_EINPUT, "%.80s...: path too long (%zu bytes; at most %d)", path,
                       len, LW_PATH_MAX - ATOMIC_TEMP_EXTRA - 1);
    for (const char *p = path; *p;) {
        size_t name = strcspn(p, "/");
        /* the file's own name also carries the temporary's ".NAME.tmp-PID-XXXXXX" */
        size_t room = p[name] ? NAME_MAX : NAME_MAX - ATOMIC_TEMP_EXTRA;
        if (name > room)
            return lw_fail(err, LW_EINPUT, "%s: the name '%.24s...' is too long (%zu bytes; "
                           "at most %zu)", len > 200 ? "output path" : path, p, name, room);
        p += name;
        p += *p == '/';
    }
    return LW_OK;
}

/* Paths through which the process reaches its own descriptors: written
 * through, never replaced (-o /dev/stdout is standard output). */
static int is_fd_alias(const char *path)
{
    return strcmp(path, "/dev/stdout") == 0 || strcmp(path, "/dev/stderr") == 0 ||
           strncmp(path, "/dev/fd/", 8) == 0 || strncmp(path, "/proc/self/fd/", 14) == 0;
}

/* What writing to path means: replace a regular file (or create one) by a
 * temporary and rename, with a->dest the file a symbolic link names; or
 * write through to a character device, a FIFO or a descriptor alias
 * (a->direct, opened here as a->hold).  A folder, a block device, a socket
 * or a dangling link is refused. */
static int resolve_target(AtomicFile *a, const char *path, LwError *err)
{
    int rc = atomic_check_path(path, err);
    if (rc)
        return rc;
    snprintf(a->path, sizeof a->path, "%s", path);
    snprintf(a->dest, sizeof a->dest, "%s", path);
    struct stat lst, st;
    if (lstat(path, &lst) != 0)
        return LW_OK; /* new (or unreachable: make_temp says why) */
    int linked = S_ISLNK(lst.st_mode);
    if (linked && stat(path, &st) != 0)
        return lw_fail(err, LW_EINPUT, "%s: a symbolic link to nothing (%s); give a file",
                       path, strerror(errno));
    if (!linked)
        st = lst;
    if (S_ISREG(st.st_mode) && !(linked && is_fd_alias(path))) {
        char real[PATH_MAX];
        if (linked && (!realpath(path, real) || strlen(real) >= sizeof a->dest))
            return lw_fail(err, LW_ERUNTIME, "%s: cannot follow the link: %s", path,
                           strerror(errno ? errno : ENAMETOOLONG));
        if (linked) /* replace the file it names, keep the link */
            snprintf(a->dest, sizeof a->dest, "%s", real);
        return LW_OK;
    }
    if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode) && !S_ISFIFO(st.st_mode))
        return lw_fail(err, LW_EINPUT, "%s: %s, not a file to write", path,
                       S_ISDIR(st.st_mode) ? "a folder"
                       : S_ISBLK(st.st_mode) ? "a block device" : "a socket");
    /* O_NONBLOCK: a FIFO nobody reads fails with ENXIO instead of hanging */
    int fd = open(path, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return lw_fail(err, LW_ERUNTIME, "%s: %s", path,
                       errno == ENXIO ? "a FIFO nobody reads" : strerror(errno));
    int flags = fcntl(fd, F_GETFL);
    if (flags >= 0)
        fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    a->hold = fd + 1;
    a->direct = 1;
    return LW_OK;
}

static void release(AtomicFile *a)
{
    if (a->hold > 0)
        close(a->hold - 1);
    a->hold = 0;
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
    int rc = resolve_target(a, path, err);
    if (rc)
        return rc;
    if (a->direct) {
        a->f = fdopen(a->hold - 1, "wb");
        if (!a->f) {
            release(a);
            return lw_fail(err, LW_ERUNTIME, "%s: %s", path, strerror(errno));
        }
        a->hold = 0; /* the stream owns it */
        return LW_OK;
    }
    int fd = make_temp(a->tmp, sizeof a->tmp, a->dest, "tmp");
    if (fd < 0)
        return lw_fail(err, LW_ERUNTIME, "%s: cannot create file: %s", path, strerror(errno));
    remember(a);
    a->f = fdopen(fd, "wb");
    if (!a->f) {
        int e = errno;
        close(fd);
        atomic_abort(a);
        return lw_fail(err, LW_ERUNTIME, "%s: %s", path, strerror(e));
    }
    return LW_OK;
}

int atomic_create(AtomicFile *a, const char *path, LwError *err)
{
    memset(a, 0, sizeof *a);
    int rc = resolve_target(a, path, err);
    if (rc || a->direct) /* a FIFO stays held open so its reader waits for the writer */
        return rc;
    int fd = make_temp(a->tmp, sizeof a->tmp, a->dest, "tmp");
    if (fd < 0)
        return fail_create(err, path, errno);
    remember(a);
    /* The writer reopens it by name; the name is ours until renamed. */
    close(fd);
    return LW_OK;
}

const char *atomic_writer_path(const AtomicFile *a)
{
    return a->direct ? a->path : a->tmp;
}

/* Gives the closed temporary its final mode and renames it onto the
 * target.  Returns 0 or an errno; the temporary is gone either way. */
static int finish(AtomicFile *a)
{
    if (a->direct) {
        release(a);
        return 0;
    }
    /* mkstemp makes 0600; the file should look like any other the user writes */
    pthread_once(&file_mode_once, read_umask);
    chmod(a->tmp, file_mode); /* best effort: else it stays 0600 */
    int e = rename(a->tmp, a->dest) != 0 ? errno : 0;
    if (e)
        unlink(a->tmp);
    forget(a);
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
    if (failed)
        atomic_abort(a);
    else
        e = finish(a);
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
    release(a);
    if (a->tmp[0])
        unlink(a->tmp); /* never a->path: a device or FIFO is not ours to remove */
    forget(a);
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
