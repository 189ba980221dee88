/* tensors.c — the set of named tensors both weight containers fill, and the
 * conversion of their numbers to doubles (see tensors.h). */
#include "tensors.h"

#include "input_file.h"
#include "weights_text.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int tensors_init(TensorSet *s, LwError *err)
{
    s->n = 0;
    s->t = calloc(TENSOR_MAX_COUNT, sizeof *s->t);
    if (!s->t)
        return lw_fail(err, LW_ERUNTIME, "out of memory for %d tensors", TENSOR_MAX_COUNT);
    return LW_OK;
}

void tensors_free(TensorSet *s)
{
    if (!s || !s->t)
        return;
    for (int i = 0; i < s->n; i++)
        free(s->t[i].data);
    free(s->t);
    s->t = NULL;
    s->n = 0;
}

int tensors_add(TensorSet *s, const char *path, const char *name, int ndim,
                const int64_t *shape, Tensor **out, LwError *err)
{
    if (strlen(name) >= TENSOR_NAME_MAX)
        return lw_fail(err, LW_EINPUT, "%s: a tensor name longer than %d bytes ('%.40s...')",
                       path, TENSOR_NAME_MAX - 1, name);
    if (tensors_find(s, name))
        return lw_fail(err, LW_EINPUT, "%s: tensor '%s' appears twice", path, name);
    if (s->n >= TENSOR_MAX_COUNT)
        return lw_fail(err, LW_EINPUT, "%s: more than %d tensors", path, TENSOR_MAX_COUNT);
    if (ndim < 0 || ndim > TENSOR_MAX_DIMS)
        return lw_fail(err, LW_EINPUT, "%s: tensor '%s' has %d dimensions (at most %d)", path,
                       name, ndim, TENSOR_MAX_DIMS);
    for (int d = 0; d < ndim; d++)
        if (shape[d] < 0)
            return lw_fail(err, LW_EINPUT, "%s: tensor '%s' has a negative extent", path, name);
    Tensor *t = &s->t[s->n++];
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", name);
    t->ndim = ndim;
    for (int d = 0; d < ndim; d++)
        t->shape[d] = shape[d];
    *out = t;
    return LW_OK;
}

const Tensor *tensors_find(const TensorSet *s, const char *name)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->t[i].name, name) == 0)
            return &s->t[i];
    return NULL;
}

int64_t tensor_elems(const Tensor *t)
{
    int64_t n = 1;
    for (int d = 0; d < t->ndim; d++) {
        if (t->shape[d] == 0)
            return 0;
        if (t->shape[d] > TENSOR_MAX_ELEMS || n * t->shape[d] > TENSOR_MAX_ELEMS)
            n = TENSOR_MAX_ELEMS + 1; /* stays above the bound: no overflow */
        else
            n *= t->shape[d];
    }
    return n > TENSOR_MAX_ELEMS ? -1 : n;
}

const char *tensor_shape_text(const Tensor *t, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    if (t->ndim == 0)
        snprintf(buf, size, "scalar");
    for (int d = 0; d < t->ndim && len < size; d++)
        len += (size_t)snprintf(buf + len, size - len, d ? "x%lld" : "%lld",
                                (long long)t->shape[d]);
    return buf;
}

size_t tensor_dtype_size(TensorDtype d)
{
    return d == TENSOR_F64 ? 8 : d == TENSOR_F32 ? 4 : 2;
}

static uint64_t load_bits(const unsigned char *p, size_t n, int big_endian)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)p[big_endian ? n - 1 - i : i] << (8 * i);
    return v;
}

static double half_to_double(uint32_t h)
{
    int sign = h >> 15, exp = (h >> 10) & 0x1f, frac = h & 0x3ff;
    double v = exp == 0 ? ldexp(frac, -24)                     /* subnormal */
             : exp == 31 ? (frac ? NAN : INFINITY)
             : ldexp(frac + 1024, exp - 25);
    return sign ? -v : v;
}

static double number_of(uint64_t bits, TensorDtype dtype)
{
    if (dtype == TENSOR_F64) {
        double d;
        memcpy(&d, &bits, sizeof d);
        return d;
    }
    float f;
    uint32_t u = dtype == TENSOR_F32 ? (uint32_t)bits : (uint32_t)bits << 16; /* bfloat16 */
    if (dtype == TENSOR_F16)
        return half_to_double((uint32_t)bits);
    memcpy(&f, &u, sizeof f);
    return f;
}

int tensor_decode(Tensor *t, const char *path, const unsigned char *raw, TensorDtype dtype,
                  int big_endian, LwError *err)
{
    int64_t n = tensor_elems(t);
    size_t size = tensor_dtype_size(dtype);
    free(t->data);
    t->data = malloc(sizeof(double) * (size_t)(n > 0 ? n : 1));
    if (!t->data)
        return lw_fail(err, LW_ERUNTIME, "out of memory for tensor '%s'", t->name);
    for (int64_t i = 0; i < n; i++) {
        t->data[i] = number_of(load_bits(raw + (size_t)i * size, size, big_endian), dtype);
        if (!isfinite(t->data[i]))
            return lw_fail(err, LW_EINPUT, "%s: tensor '%s' holds a non-finite number", path,
                           t->name);
    }
    return LW_OK;
}

/* As a text weights file is opened (input_file.h): never blocking on a FIFO,
 * only a regular file, bounded like the text format. */
FILE *tensors_open_input(const char *path, LwError *err)
{
    FILE *f = NULL;
    input_open(path, WEIGHTS_MAX_BYTES, "weights file", &f, err);
    return f;
}
