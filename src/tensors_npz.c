/* tensors_npz.c — NumPy's .npz: a zip archive (read and written with
 * libzip) holding one .npy file per array, "NAME.npy".  A .npy file is the
 * magic "\x93NUMPY", a version (1.0: a 2-byte header length; 2.0 and 3.0:
 * 4 bytes), a header that is a Python dict literal
 * {'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), } padded with
 * spaces to a multiple of 64 bytes, then the numbers.  The dict is parsed
 * here by a small cursor: it has one fixed form and no library reads it. */
#include "tensors.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "atomic_file.h"

#define NPY_MAX_HEADER 65536 /* numpy itself refuses headers above 10000 bytes */

/* ---- the header dict ---- */

typedef struct {
    const char *p, *end;
} Cursor;

static void skip_space(Cursor *c)
{
    while (c->p < c->end && isspace((unsigned char)*c->p))
        c->p++;
}

static int take(Cursor *c, char ch)
{
    skip_space(c);
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return 1;
    }
    return 0;
}

/* A quoted string ('...' or "...") without escapes into out. */
static int take_string(Cursor *c, char *out, size_t size)
{
    skip_space(c);
    if (c->p >= c->end || (*c->p != '\'' && *c->p != '"'))
        return 0;
    char q = *c->p++;
    size_t n = 0;
    while (c->p < c->end && *c->p != q && *c->p != '\\' && n + 1 < size)
        out[n++] = *c->p++;
    out[n] = '\0';
    return c->p < c->end && *c->p++ == q;
}

static int take_word(Cursor *c, const char *w)
{
    skip_space(c);
    size_t n = strlen(w);
    if ((size_t)(c->end - c->p) >= n && strncmp(c->p, w, n) == 0) {
        c->p += n;
        return 1;
    }
    return 0;
}

/* A tuple of whole numbers: (), (3,), (3, 2) */
static int take_shape(Cursor *c, int *ndim, int64_t *shape)
{
    *ndim = 0;
    if (!take(c, '('))
        return 0;
    while (!take(c, ')')) {
        skip_space(c);
        if (*ndim >= TENSOR_MAX_DIMS || c->p >= c->end || !isdigit((unsigned char)*c->p))
            return 0;
        int64_t v = 0;
        while (c->p < c->end && isdigit((unsigned char)*c->p)) {
            if (v > (INT64_MAX - 9) / 10)
                return 0;
            v = v * 10 + (*c->p++ - '0');
        }
        shape[(*ndim)++] = v;
        if (!take(c, ',') && !(skip_space(c), c->p < c->end && *c->p == ')'))
            return 0;
    }
    return 1;
}

typedef struct {
    char descr[32];
    int fortran;
    int ndim;
    int64_t shape[TENSOR_MAX_DIMS];
} NpyHeader;

/* 1 when text is the dict numpy writes, with all three keys. */
static int parse_dict(const char *text, size_t len, NpyHeader *h)
{
    Cursor c = {text, text + len};
    int seen = 0;
    if (!take(&c, '{'))
        return 0;
    while (!take(&c, '}')) {
        char key[32];
        if (!take_string(&c, key, sizeof key) || !take(&c, ':'))
            return 0;
        if (strcmp(key, "descr") == 0 && take_string(&c, h->descr, sizeof h->descr))
            seen |= 1;
        else if (strcmp(key, "fortran_order") == 0 && take_word(&c, "True"))
            h->fortran = 1, seen |= 2;
        else if (strcmp(key, "fortran_order") == 0 && take_word(&c, "False"))
            h->fortran = 0, seen |= 2;
        else if (strcmp(key, "shape") == 0 && take_shape(&c, &h->ndim, h->shape))
            seen |= 4;
        else
            return 0;
        if (!take(&c, ',') && !(skip_space(&c), c.p < c.end && *c.p == '}'))
            return 0;
    }
    return seen == 7;
}

/* '<f8' and the like: the dtype and its byte order, or -1 when not a float. */
static int dtype_of(const char *descr, TensorDtype *d, int *big_endian)
{
    if ((descr[0] != '<' && descr[0] != '>') || descr[1] != 'f' || descr[3] != '\0')
        return -1;
    *big_endian = descr[0] == '>';
    *d = descr[2] == '8' ? TENSOR_F64 : descr[2] == '4' ? TENSOR_F32 : TENSOR_F16;
    return descr[2] == '8' || descr[2] == '4' || descr[2] == '2' ? 0 : -1;
}

/* ---- reading ---- */

static int zip_message(LwError *err, const char *path, const char *what, zip_error_t *ze)
{
    int rc = lw_fail(err, LW_EINPUT, "%s: %s (%s)", path, what, zip_error_strerror(ze));
    zip_error_fini(ze);
    return rc;
}

/* Reads exactly n bytes of an entry, or fails. */
static int read_exact(zip_file_t *zf, void *buf, size_t n)
{
    return zip_fread(zf, buf, n) == (zip_int64_t)n ? 0 : -1;
}

/* Column-major (Fortran) numbers of a 2-D array into row-major. */
static int to_row_major(Tensor *t, LwError *err)
{
    int64_t rows = t->shape[0], cols = t->shape[1], n = rows * cols;
    double *rm = malloc(sizeof(double) * (size_t)(n > 0 ? n : 1));
    if (!rm)
        return lw_fail(err, LW_ERUNTIME, "out of memory for tensor '%s'", t->name);
    for (int64_t i = 0; i < rows; i++)
        for (int64_t j = 0; j < cols; j++)
            rm[i * cols + j] = t->data[j * rows + i];
    free(t->data);
    t->data = rm;
    return LW_OK;
}

/* One "NAME.npy" entry of size bytes into a new tensor of s. */
static int read_npy(zip_file_t *zf, uint64_t size, const char *path, const char *name,
                    TensorSet *s, LwError *err)
{
    unsigned char pre[12];
    if (size < 10 || read_exact(zf, pre, 8) || memcmp(pre, "\x93NUMPY", 6) != 0)
        return lw_fail(err, LW_EINPUT, "%s: tensor '%s' is not a .npy array (no \\x93NUMPY "
                       "magic)", path, name);
    int major = pre[6], wide = major >= 2;
    if (major < 1 || major > 3 || pre[7] != 0)
        return lw_fail(err, LW_EINPUT, "%s: tensor '%s' is .npy version %d.%d (expected 1.0, "
                       "2.0 or 3.0)", path, name, pre[6], pre[7]);
    if (read_exact(zf, pre + 8, wide ? 4 : 2))
        return lw_fail(err, LW_EINPUT, "%s: tensor '%s' ends inside its header", path, name);
    uint64_t hlen = pre[8] | (uint64_t)pre[9] << 8;
    if (wide)
        hlen |= (uint64_t)pre[10] << 16 | (uint64_t)pre[11] << 24;
    uint64_t start = (wide ? 12 : 10) + hlen;
    if (hlen > NPY_MAX_HEADER || start > size)
        return lw_fail(err, LW_EINPUT, "%s: tensor '%s' has a header of %llu bytes (the entry "
                       "is %llu bytes, headers at most %d)", path, name,
                       (unsigned long long)hlen, (unsigned long long)size, NPY_MAX_HEADER);
    char *text = malloc(hlen + 1);
    if (!text)
        return lw_fail(err, LW_ERUNTIME, "out of memory for a .npy header");
    NpyHeader h = {0};
    int ok = read_exact(zf, text, hlen) == 0 && parse_dict(text, hlen, &h);
    free(text);
    if (!ok)
        return lw_fail(err, LW_EINPUT, "%s: tensor '%s' has a header that is not numpy's "
                       "{'descr': ..., 'fortran_order': ..., 'shape': (...)}", path, name);
    TensorDtype dtype;
    int big;
    if (dtype_of(h.descr, &dtype, &big) != 0)
        return lw_fail(err, LW_EINPUT, "%s: tensor '%s' has dtype '%s' (expected float64 '<f8', "
                       "float32 '<f4' or float16 '<f2')", path, name, h.descr);
    Tensor *t;
    int rc = tensors_add(s, path, name, h.ndim, h.shape, &t, err);
    if (rc)
        return rc;
    int64_t n = tensor_elems(t);
    if (n < 0 || (h.fortran && t->ndim > 2))
        return LW_OK; /* kept for its shape only: no layer is that big, or has 3 dimensions */
    uint64_t bytes = (uint64_t)n * tensor_dtype_size(dtype);
    char shape[128];
    if (size - start != bytes)
        return lw_fail(err, LW_EINPUT, "%s: tensor '%s' has %llu bytes of numbers, its shape "
                       "%s of '%s' needs %llu (a truncated file?)", path, name,
                       (unsigned long long)(size - start), tensor_shape_text(t, shape, sizeof shape),
                       h.descr, (unsigned long long)bytes);
    unsigned char *raw = malloc(bytes ? bytes : 1);
    if (!raw)
        return lw_fail(err, LW_ERUNTIME, "out of memory for tensor '%s'", name);
    rc = read_exact(zf, raw, bytes) ? lw_fail(err, LW_EINPUT, "%s: tensor '%s' cannot be read "
                                              "(%s)", path, name, zip_file_strerror(zf))
                                    : tensor_decode(t, path, raw, dtype, big, err);
    free(raw);
    if (!rc && h.fortran && t->ndim == 2)
        rc = to_row_major(t, err);
    return rc;
}

static int read_entries(zip_t *za, const char *path, TensorSet *s, LwError *err)
{
    zip_int64_t count = zip_get_num_entries(za, 0);
    for (zip_int64_t i = 0; i < count; i++) {
        zip_stat_t st;
        if (zip_stat_index(za, (zip_uint64_t)i, 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME) ||
            !(st.valid & ZIP_STAT_SIZE))
            return lw_fail(err, LW_EINPUT, "%s: entry %lld of the archive cannot be read (%s)",
                           path, (long long)i, zip_strerror(za));
        size_t len = strlen(st.name);
        if (len < 5 || strcmp(st.name + len - 4, ".npy") != 0)
            return lw_fail(err, LW_EINPUT, "%s: entry '%s' is not a .npy array (numpy.savez "
                           "writes NAME.npy)", path, st.name);
        char name[TENSOR_NAME_MAX];
        if (len - 4 >= sizeof name)
            return lw_fail(err, LW_EINPUT, "%s: a tensor name longer than %d bytes", path,
                           TENSOR_NAME_MAX - 1);
        memcpy(name, st.name, len - 4);
        name[len - 4] = '\0';
        zip_file_t *zf = zip_fopen_index(za, (zip_uint64_t)i, 0);
        if (!zf)
            return lw_fail(err, LW_EINPUT, "%s: tensor '%s' cannot be read (%s)", path, name,
                           zip_strerror(za));
        int rc = read_npy(zf, st.size, path, name, s, err);
        zip_fclose(zf);
        if (rc)
            return rc;
    }
    return LW_OK;
}

int tensors_read_npz(const char *path, TensorSet *s, LwError *err)
{
    FILE *f = tensors_open_input(path, err);
    if (!f)
        return LW_EINPUT;
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_filep_create(f, 0, -1, &ze); /* owns f from here */
    if (!src) {
        fclose(f);
        return zip_message(err, path, "cannot read", &ze);
    }
    zip_t *za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
    if (!za) {
        zip_source_free(src);
        return zip_message(err, path, "not a zip archive as numpy.savez writes, or a truncated one", &ze);
    }
    zip_error_fini(&ze);
    int rc = read_entries(za, path, s, err);
    zip_discard(za);
    return rc;
}

/* ---- writing ---- */

/* The .npy bytes of t as numpy.save writes a float64 array: version 1.0,
 * the header padded with spaces to end on a newline at a multiple of 64. */
static unsigned char *npy_bytes(const Tensor *t, size_t *len)
{
    char dict[256], dims[160] = "";
    size_t n = 0;
    for (int d = 0; d < t->ndim; d++)
        n += (size_t)snprintf(dims + n, sizeof dims - n, "%lld,%s", (long long)t->shape[d],
                              d + 1 < t->ndim ? " " : "");
    if (t->ndim > 1)
        dims[n - 1] = '\0'; /* (3, 2) but (3,) */
    int dl = snprintf(dict, sizeof dict, "{'descr': '<f8', 'fortran_order': False, "
                      "'shape': (%s), }", dims);
    size_t head = ((size_t)10 + dl + 1 + 63) / 64 * 64;
    size_t count = (size_t)tensor_elems(t);
    unsigned char *b = malloc(head + 8 * count);
    if (!b)
        return NULL;
    memcpy(b, "\x93NUMPY\x01\x00", 8);
    b[8] = (unsigned char)((head - 10) & 0xff);
    b[9] = (unsigned char)((head - 10) >> 8);
    memset(b + 10, ' ', head - 10);
    memcpy(b + 10, dict, (size_t)dl);
    b[head - 1] = '\n';
    for (size_t i = 0; i < count; i++) {
        uint64_t bits;
        memcpy(&bits, &t->data[i], 8);
        for (int k = 0; k < 8; k++)
            b[head + 8 * i + k] = (unsigned char)(bits >> (8 * k));
    }
    *len = head + 8 * count;
    return b;
}

/* Adds every tensor as a stored "NAME.npy", dated like numpy's (the time is
 * fixed instead of now, so the same weights give the same file). */
static int add_entries(zip_t *za, const TensorSet *s, LwError *err)
{
    for (int i = 0; i < s->n; i++) {
        size_t len;
        unsigned char *b = npy_bytes(&s->t[i], &len);
        zip_source_t *src = b ? zip_source_buffer(za, b, len, 1) : NULL;
        if (!src) {
            free(b);
            return lw_fail(err, LW_ERUNTIME, "out of memory for tensor '%s'", s->t[i].name);
        }
        char name[TENSOR_NAME_MAX + 8];
        snprintf(name, sizeof name, "%s.npy", s->t[i].name);
        zip_int64_t idx = zip_file_add(za, name, src, ZIP_FL_ENC_UTF_8);
        if (idx < 0) {
            zip_source_free(src);
            return lw_fail(err, LW_ERUNTIME, "cannot add '%s' to the archive: %s", name,
                           zip_strerror(za));
        }
        if (zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_STORE, 0) != 0 ||
            zip_file_set_mtime(za, (zip_uint64_t)idx, 315576000, 0) != 0) /* 1980-01-01 12:00 */
            return lw_fail(err, LW_ERUNTIME, "cannot store '%s': %s", name, zip_strerror(za));
    }
    return LW_OK;
}

/* The archive's bytes, built in memory, onto the atomic file. */
static int copy_out(zip_source_t *src, FILE *f, LwError *err)
{
    if (zip_source_open(src) != 0)
        return lw_fail(err, LW_ERUNTIME, "cannot read back the archive");
    unsigned char buf[8192];
    zip_int64_t got;
    int rc = LW_OK;
    while ((got = zip_source_read(src, buf, sizeof buf)) > 0)
        if (fwrite(buf, 1, (size_t)got, f) != (size_t)got) {
            rc = lw_fail(err, LW_ERUNTIME, "cannot write the archive: %s", strerror(errno));
            break;
        }
    if (!rc && got < 0)
        rc = lw_fail(err, LW_ERUNTIME, "cannot read back the archive");
    zip_source_close(src);
    return rc;
}

int tensors_write_npz(const char *path, const TensorSet *s, LwError *err)
{
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *mem = zip_source_buffer_create(NULL, 0, 0, &ze);
    zip_t *za = mem ? zip_open_from_source(mem, ZIP_TRUNCATE, &ze) : NULL;
    if (!za) {
        if (mem)
            zip_source_free(mem);
        int rc = lw_fail(err, LW_ERUNTIME, "%s: cannot make a zip archive: %s", path,
                         zip_error_strerror(&ze));
        zip_error_fini(&ze);
        return rc;
    }
    zip_error_fini(&ze);
    zip_source_keep(mem); /* the archive's bytes stay in it after zip_close */
    int rc = add_entries(za, s, err);
    if (rc) {
        zip_discard(za);
    } else if (zip_close(za) != 0) {
        rc = lw_fail(err, LW_ERUNTIME, "%s: cannot make a zip archive: %s", path,
                     zip_strerror(za));
        zip_discard(za);
    }
    AtomicFile out = {0};
    if (!rc)
        rc = atomic_open(&out, path, err);
    if (!rc)
        rc = copy_out(mem, out.f, err);
    rc = rc ? (atomic_abort(&out), rc) : atomic_commit(&out, err);
    zip_source_free(mem);
    return rc;
}
