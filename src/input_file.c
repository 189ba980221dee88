/* input_file.c — regular input files, opened without blocking and bounded
 * (see input_file.h). */
#include "input_file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *input_kind_name(unsigned mode)
{
    if (S_ISDIR(mode)) return "a folder";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    if (S_ISREG(mode)) return "a regular file";
    return "not a file";
}

int input_open(const char *path, size_t max_bytes, const char *what, FILE **out,
               LwError *err)
{
    *out = NULL;
    /* O_NONBLOCK: open() of a FIFO returns at once instead of waiting for a
     * writer; the fstat below then refuses it */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return lw_fail(err, LW_EINPUT, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return lw_fail(err, LW_EINPUT, "%s: %s", path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return lw_fail(err, LW_EINPUT, "%s: %s, not a regular file (a %s is read from a file)",
                       path, input_kind_name(st.st_mode), what);
    }
    if (max_bytes > 0 && (unsigned long long)st.st_size > max_bytes) {
        close(fd);
        return lw_fail(err, LW_EINPUT, "%s: %lld bytes, more than the %zu MiB a %s may hold",
                       path, (long long)st.st_size, max_bytes >> 20, what);
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0 || !(*out = fdopen(fd, "rb"))) {
        int e = errno;
        close(fd);
        return lw_fail(err, LW_ERUNTIME, "%s: %s", path, strerror(e));
    }
    return LW_OK;
}
