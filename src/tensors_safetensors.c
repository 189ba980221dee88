/* tensors_safetensors.c — the safetensors format: 8 bytes giving the
 * header's length N (little-endian), N bytes of JSON
 * {"NAME": {"dtype": "F64", "shape": [3, 2], "data_offsets": [BEGIN, END]},
 *  ..., "__metadata__": {...}} (parsed and written with json-c), then the
 * numbers, little-endian, each tensor at [BEGIN, END) counted from the end
 * of the header. */
#include "tensors.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"

/* ---- reading ---- */

static int dtype_of(const char *s, TensorDtype *d)
{
    static const char *const NAMES[] = {"F64", "F32", "F16", "BF16"};
    static const TensorDtype DTYPES[] = {TENSOR_F64, TENSOR_F32, TENSOR_F16, TENSOR_BF16};
    int i = lw_name_index(NAMES, 4, s);
    if (i < 0)
        return -1;
    *d = DTYPES[i];
    return 0;
}

/* A JSON whole number >= 0 (json-c saturates larger ones at INT64_MAX). */
static int whole(json_object *v, int64_t *out)
{
    if (!v || !json_object_is_type(v, json_type_int))
        return -1;
    *out = json_object_get_int64(v);
    return *out < 0 ? -1 : 0;
}

typedef struct {
    FILE *f;
    const char *path;
    uint64_t data_start, data_size; /* where the numbers begin, and how many bytes follow */
} Source;

static int bad_entry(const Source *src, const char *name, const char *what, LwError *err)
{
    return lw_fail(err, LW_EINPUT, "%s: tensor '%s' has %s in the header", src->path, name,
                   what);
}

static int read_tensor(const Source *src, const char *name, json_object *desc, TensorSet *s,
                       LwError *err)
{
    json_object *dt, *sh, *off;
    if (!json_object_is_type(desc, json_type_object) ||
        !json_object_object_get_ex(desc, "dtype", &dt) ||
        !json_object_object_get_ex(desc, "shape", &sh) ||
        !json_object_object_get_ex(desc, "data_offsets", &off))
        return bad_entry(src, name, "no {\"dtype\", \"shape\", \"data_offsets\"}", err);
    TensorDtype dtype;
    if (!json_object_is_type(dt, json_type_string) ||
        dtype_of(json_object_get_string(dt), &dtype) != 0)
        return lw_fail(err, LW_EINPUT, "%s: tensor '%s' has dtype %s (expected F64, F32, F16 "
                       "or BF16)", src->path, name, json_object_to_json_string(dt));
    int64_t shape[TENSOR_MAX_DIMS], begin, end;
    if (!json_object_is_type(sh, json_type_array) ||
        json_object_array_length(sh) > TENSOR_MAX_DIMS)
        return bad_entry(src, name, "a shape that is not a list of at most 8 numbers", err);
    int ndim = (int)json_object_array_length(sh);
    for (int d = 0; d < ndim; d++)
        if (whole(json_object_array_get_idx(sh, (size_t)d), &shape[d]) != 0)
            return bad_entry(src, name, "a shape that is not a list of whole numbers", err);
    if (!json_object_is_type(off, json_type_array) || json_object_array_length(off) != 2 ||
        whole(json_object_array_get_idx(off, 0), &begin) != 0 ||
        whole(json_object_array_get_idx(off, 1), &end) != 0 || end < begin)
        return bad_entry(src, name, "data_offsets that are not [BEGIN, END]", err);
    Tensor *t;
    int rc = tensors_add(s, src->path, name, ndim, shape, &t, err);
    if (rc)
        return rc;
    int64_t n = tensor_elems(t);
    if (n < 0)
        return LW_OK; /* kept for its shape only: no layer is that big */
    char text[128];
    uint64_t bytes = (uint64_t)n * tensor_dtype_size(dtype);
    if ((uint64_t)(end - begin) != bytes)
        return lw_fail(err, LW_EINPUT, "%s: tensor '%s' has %lld bytes, its shape %s of %s "
                       "needs %llu", src->path, name, (long long)(end - begin),
                       tensor_shape_text(t, text, sizeof text), json_object_get_string(dt),
                       (unsigned long long)bytes);
    if ((uint64_t)end > src->data_size)
        return lw_fail(err, LW_EINPUT, "%s: tensor '%s' lies beyond the end of the file (%llu "
                       "bytes of numbers; a truncated file?)", src->path, name,
                       (unsigned long long)src->data_size);
    unsigned char *raw = malloc(bytes ? bytes : 1);
    if (!raw)
        return lw_fail(err, LW_ERUNTIME, "out of memory for tensor '%s'", name);
    if (fseeko(src->f, (off_t)(src->data_start + (uint64_t)begin), SEEK_SET) != 0 ||
        fread(raw, 1, bytes, src->f) != bytes)
        rc = lw_fail(err, LW_EINPUT, "%s: tensor '%s' cannot be read: %s", src->path, name,
                     ferror(src->f) ? strerror(errno) : "end of file");
    else
        rc = tensor_decode(t, src->path, raw, dtype, 0, err);
    free(raw);
    return rc;
}

/* The JSON header of n bytes: one object, spaces allowed after it. */
static json_object *parse_header(const char *text, size_t n)
{
    json_tokener *tok = json_tokener_new();
    if (!tok)
        return NULL;
    json_object *root = json_tokener_parse_ex(tok, text, (int)n);
    size_t used = json_tokener_get_parse_end(tok);
    int ok = root && json_tokener_get_error(tok) == json_tokener_success &&
             json_object_is_type(root, json_type_object);
    for (size_t i = used; ok && i < n; i++)
        ok = text[i] == ' ';
    json_tokener_free(tok);
    if (!ok) {
        json_object_put(root);
        return NULL;
    }
    return root;
}

static int read_all(FILE *f, const char *path, TensorSet *s, LwError *err)
{
    unsigned char len8[8];
    if (fread(len8, 1, 8, f) != 8)
        return lw_fail(err, LW_EINPUT, "%s: not a safetensors file (shorter than 8 bytes)",
                       path);
    uint64_t n = 0;
    for (int k = 0; k < 8; k++)
        n |= (uint64_t)len8[k] << (8 * k);
    if (n < 2 || n > SAFETENSORS_MAX_HEADER)
        return lw_fail(err, LW_EINPUT, "%s: not a safetensors file (a header of %llu bytes; "
                       "expected 2 to %d)", path, (unsigned long long)n, SAFETENSORS_MAX_HEADER);
    if (fseeko(f, 0, SEEK_END) != 0)
        return lw_fail(err, LW_EINPUT, "%s: %s", path, strerror(errno));
    off_t size = ftello(f);
    if (size < 0 || (uint64_t)size < 8 + n || fseeko(f, 8, SEEK_SET) != 0)
        return lw_fail(err, LW_EINPUT, "%s: the file ends inside its %llu-byte header (a "
                       "truncated file?)", path, (unsigned long long)n);
    char *text = malloc(n);
    if (!text)
        return lw_fail(err, LW_ERUNTIME, "out of memory for a %llu-byte header",
                       (unsigned long long)n);
    json_object *root = fread(text, 1, n, f) == n ? parse_header(text, n) : NULL;
    free(text);
    if (!root)
        return lw_fail(err, LW_EINPUT, "%s: not a safetensors file (its header is not a JSON "
                       "object)", path);
    Source src = {f, path, 8 + n, (uint64_t)size - 8 - n};
    int rc = LW_OK;
    json_object_object_foreach(root, key, val) {
        if (rc || strcmp(key, "__metadata__") == 0)
            continue;
        rc = read_tensor(&src, key, val, s, err);
    }
    json_object_put(root);
    return rc;
}

int tensors_read_safetensors(const char *path, TensorSet *s, LwError *err)
{
    FILE *f = tensors_open_input(path, err);
    if (!f)
        return LW_EINPUT;
    int rc = read_all(f, path, s, err);
    fclose(f);
    return rc;
}

/* ---- writing ---- */

/* The header: every tensor as F64, back to back in the set's order. */
static json_object *header_of(const TensorSet *s)
{
    json_object *root = json_object_new_object();
    uint64_t at = 0;
    for (int i = 0; root && i < s->n; i++) {
        const Tensor *t = &s->t[i];
        json_object *desc = json_object_new_object(), *shape = json_object_new_array(),
                    *off = json_object_new_array();
        for (int d = 0; shape && d < t->ndim; d++)
            json_object_array_add(shape, json_object_new_int64(t->shape[d]));
        uint64_t bytes = 8 * (uint64_t)tensor_elems(t);
        if (off) {
            json_object_array_add(off, json_object_new_int64((int64_t)at));
            json_object_array_add(off, json_object_new_int64((int64_t)(at + bytes)));
        }
        at += bytes;
        if (!desc || !shape || !off) {
            json_object_put(desc);
            json_object_put(shape);
            json_object_put(off);
            json_object_put(root);
            return NULL;
        }
        json_object_object_add(desc, "dtype", json_object_new_string("F64"));
        json_object_object_add(desc, "shape", shape);
        json_object_object_add(desc, "data_offsets", off);
        json_object_object_add(root, t->name, desc);
    }
    return root;
}

static void put_le64(FILE *f, uint64_t v)
{
    for (int k = 0; k < 8; k++)
        fputc((int)(v >> (8 * k)) & 0xff, f);
}

int tensors_write_safetensors(const char *path, const TensorSet *s, LwError *err)
{
    json_object *root = header_of(s);
    if (!root)
        return lw_fail(err, LW_ERUNTIME, "out of memory for a safetensors header");
    const char *text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
                                                      JSON_C_TO_STRING_NOSLASHESCAPE);
    size_t len = strlen(text), padded = (len + 7) / 8 * 8; /* the numbers 8-byte aligned */
    AtomicFile out;
    int rc = atomic_open(&out, path, err);
    if (!rc) {
        put_le64(out.f, padded);
        fwrite(text, 1, len, out.f);
        for (size_t i = len; i < padded; i++)
            fputc(' ', out.f);
        for (int i = 0; i < s->n; i++)
            for (int64_t j = 0; j < tensor_elems(&s->t[i]); j++) {
                uint64_t bits;
                memcpy(&bits, &s->t[i].data[j], 8);
                put_le64(out.f, bits);
            }
        rc = atomic_commit(&out, err);
    }
    json_object_put(root);
    return rc;
}
