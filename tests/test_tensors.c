/* test_tensors.c — the tensor containers and the weights mapping below the
 * command line (tests/cli_weights_formats.sh covers the command line):
 * - .npz and safetensors written by layerwarp read back bit for bit, the
 *   awkward doubles too (-0, the smallest subnormal, DBL_MAX);
 * - forms layerwarp never writes but numpy and PyTorch do: big-endian '>f8',
 *   float16, bfloat16, .npy version 2.0, Fortran order;
 * - sizes from the file are refused or kept shape-only before allocating
 *   (a 2^60 extent, a 2^40-byte header), non-finite numbers refused;
 * - PyTorch layers are ordered by their number, not as text (3 before 10),
 *   and a two-logit readout becomes the one logit z1 - z0. */
#include <float.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <zip.h>

#include "check.h"
#include "mlp.h"
#include "tensors.h"
#include "weights_io.h"

static char dir[] = "/tmp/lwtensors.XXXXXX";

static const char *at(const char *name)
{
    static char buf[4][256];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

/* A .npy of header dict `dict` (version major) and raw number bytes. */
static unsigned char *npy(int major, const char *dict, const void *raw, size_t n, size_t *len)
{
    size_t pre = major == 1 ? 10 : 12, hl = strlen(dict);
    unsigned char *b = malloc(pre + hl + n);
    memcpy(b, "\x93NUMPY", 6);
    b[6] = (unsigned char)major;
    b[7] = 0;
    b[8] = (unsigned char)(hl & 0xff);
    b[9] = (unsigned char)(hl >> 8);
    if (major > 1)
        b[10] = b[11] = 0;
    memcpy(b + pre, dict, hl);
    memcpy(b + pre + hl, raw, n);
    *len = pre + hl + n;
    return b;
}

/* An archive of one entry NAME.npy holding bytes b (taken). */
static void write_zip(const char *path, const char *entry, unsigned char *b, size_t len)
{
    int e;
    zip_t *za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &e);
    zip_source_t *s = zip_source_buffer(za, b, len, 1);
    zip_file_add(za, entry, s, 0);
    zip_close(za);
}

/* An archive of one .npy entry made by npy(). */
static void npz_of(const char *path, const char *entry, int major, const char *dict,
                   const void *raw, size_t n)
{
    size_t len;
    unsigned char *b = npy(major, dict, raw, n, &len);
    write_zip(path, entry, b, len);
}

static void write_bytes(const char *path, const void *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    fwrite(b, 1, n, f);
    fclose(f);
}

static void round_trip(void)
{
    double W[6] = {-0.0, 4.9406564584124654e-324, DBL_MAX, 1.0 / 3, -1e300, 0.1};
    double b[3] = {1, -2.5, 7e-9};
    TensorSet s, r;
    LwError err = {""};
    CHECK(tensors_init(&s, &err) == LW_OK);
    Tensor *t;
    int64_t sw[2] = {2, 3}, sb[1] = {3};
    CHECK(tensors_add(&s, "x", "W1", 2, sw, &t, &err) == LW_OK);
    t->data = W;
    CHECK(tensors_add(&s, "x", "b1", 1, sb, &t, &err) == LW_OK);
    t->data = b;
    for (int k = 0; k < 2; k++) {
        const char *path = at(k ? "rt.safetensors" : "rt.npz");
        CHECK(tensors_init(&r, &err) == LW_OK);
        int rc = k ? tensors_write_safetensors(path, &s, &err) : tensors_write_npz(path, &s, &err);
        CHECK_MSG(rc == LW_OK, "%s", err.msg);
        rc = k ? tensors_read_safetensors(path, &r, &err) : tensors_read_npz(path, &r, &err);
        CHECK_MSG(rc == LW_OK, "%s", err.msg);
        CHECK(r.n == 2 && strcmp(r.t[0].name, "W1") == 0 && strcmp(r.t[1].name, "b1") == 0);
        CHECK(r.t[0].ndim == 2 && r.t[0].shape[0] == 2 && r.t[0].shape[1] == 3);
        CHECK(r.t[1].ndim == 1 && r.t[1].shape[0] == 3);
        CHECK(r.n == 2 && memcmp(r.t[0].data, W, sizeof W) == 0 && memcmp(r.t[1].data, b, sizeof b) == 0);
        tensors_free(&r);
    }
    free(s.t); /* the data are the arrays above */
}

static int read_npz(const char *path, TensorSet *r, LwError *err)
{
    tensors_init(r, err);
    return tensors_read_npz(path, r, err);
}

static void numpy_forms(void)
{
    TensorSet r;
    LwError err = {""};
    /* big-endian float64 */
    unsigned char be[16] = {0x3f, 0xf8, 0, 0, 0, 0, 0, 0, 0xc0, 0, 0, 0, 0, 0, 0, 0};
    npz_of(at("be.npz"), "v.npy", 1, "{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }\n", be, 16);
    CHECK_MSG(read_npz(at("be.npz"), &r, &err) == LW_OK, "%s", err.msg);
    CHECK(r.n == 1 && r.t[0].data[0] == 1.5 && r.t[0].data[1] == -2);
    tensors_free(&r);
    /* float16, .npy 2.0: 1, -2, 65504, 2^-24 */
    uint16_t h[4] = {0x3c00, 0xc000, 0x7bff, 0x0001};
    npz_of(at("f16.npz"), "h.npy", 2, "{'descr': '<f2', 'fortran_order': False, 'shape': (4,), }\n", h, 8);
    CHECK_MSG(read_npz(at("f16.npz"), &r, &err) == LW_OK, "%s", err.msg);
    CHECK(r.n == 1 && r.t[0].data[0] == 1 && r.t[0].data[1] == -2 && r.t[0].data[2] == 65504 &&
          r.t[0].data[3] == ldexp(1, -24));
    tensors_free(&r);
    /* Fortran order: column-major [[1, 2, 3], [4, 5, 6]] */
    double col[6] = {1, 4, 2, 5, 3, 6};
    npz_of(at("f.npz"), "W.npy", 1, "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }\n", col, 48);
    CHECK_MSG(read_npz(at("f.npz"), &r, &err) == LW_OK, "%s", err.msg);
    for (int i = 0; r.n == 1 && i < 6; i++)
        CHECK_MSG(r.t[0].data[i] == i + 1, "element %d is %g", i, r.t[0].data[i]);
    tensors_free(&r);
    /* 2^60 rows: kept for its shape, nothing allocated */
    npz_of(at("huge.npz"), "W.npy", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1152921504606846976, 2), }\n",
                  col, 48);
    CHECK_MSG(read_npz(at("huge.npz"), &r, &err) == LW_OK, "%s", err.msg);
    CHECK(r.n == 1 && r.t[0].data == NULL && tensor_elems(&r.t[0]) == -1 &&
          r.t[0].shape[0] == (int64_t)1 << 60);
    tensors_free(&r);
    /* a header that is not numpy's dict, and a NaN */
    npz_of(at("dict.npz"), "W.npy", 1, "{'descr': '<f8', 'shape': (2, 3), }\n", col, 48);
    CHECK(read_npz(at("dict.npz"), &r, &err) == LW_EINPUT);
    CHECK(strstr(err.msg, "dict.npz: tensor 'W' has a header that is not numpy's") != NULL);
    tensors_free(&r);
    double nan[1] = {NAN};
    npz_of(at("nan.npz"), "b.npy", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }\n", nan, 8);
    CHECK(read_npz(at("nan.npz"), &r, &err) == LW_EINPUT);
    CHECK(strstr(err.msg, "nan.npz: tensor 'b' holds a non-finite number") != NULL);
    tensors_free(&r);
}

static void safetensors_forms(void)
{
    TensorSet r;
    LwError err = {""};
    /* bfloat16 1 and -3, padded header */
    const char *head = "{\"x\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]}}   ";
    unsigned char b[128] = {0};
    size_t hl = strlen(head);
    b[0] = (unsigned char)hl;
    memcpy(b + 8, head, hl);
    unsigned char bf[4] = {0x80, 0x3f, 0x40, 0xc0};
    memcpy(b + 8 + hl, bf, 4);
    write_bytes(at("bf.safetensors"), b, 8 + hl + 4);
    tensors_init(&r, &err);
    CHECK_MSG(tensors_read_safetensors(at("bf.safetensors"), &r, &err) == LW_OK, "%s", err.msg);
    CHECK(r.n == 1 && r.t[0].data[0] == 1 && r.t[0].data[1] == -3);
    tensors_free(&r);
    /* a header of 2^40 bytes is refused before it is allocated */
    unsigned char big[16] = {0, 0, 0, 0, 0, 1, 0, 0, '{', '}'};
    write_bytes(at("big.safetensors"), big, 16);
    tensors_init(&r, &err);
    CHECK(tensors_read_safetensors(at("big.safetensors"), &r, &err) == LW_EINPUT);
    CHECK(strstr(err.msg, "a header of 1099511627776 bytes; expected 2 to 1048576") != NULL);
    tensors_free(&r);
}

/* PyTorch's naming: 0, 3, 10 in number order; two logits folded. */
static void torch_layers(void)
{
    double W0[6] = {1, 2, 3, 4, 5, 6}, b0[3] = {0.5, -0.5, 0},
           W3[6] = {1, 0, -1, 0, 1, 0}, b3[2] = {0.25, 0.75},
           W10[4] = {1, -2, 3.5, 4}, b10[2] = {0.5, 2};
    struct { const char *name; int ndim; int64_t shape[2]; double *data; } in[] = {
        {"m.10.weight", 2, {2, 2}, W10}, {"m.0.weight", 2, {3, 2}, W0}, {"m.3.bias", 1, {2}, b3},
        {"m.0.bias", 1, {3}, b0}, {"m.3.weight", 2, {2, 3}, W3}, {"m.10.bias", 1, {2}, b10}};
    TensorSet s;
    LwError err = {""};
    tensors_init(&s, &err);
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        Tensor *t;
        tensors_add(&s, "x", in[i].name, in[i].ndim, in[i].shape, &t, &err);
        t->data = in[i].data;
    }
    CHECK_MSG(tensors_write_safetensors(at("torch.safetensors"), &s, &err) == LW_OK, "%s", err.msg);
    free(s.t);
    NetSpec net = {.n_widths = 3, .widths = {2, 3, 2}, .act = {ACT_TANH, ACT_RELU}};
    Mlp m;
    int rc = weights_load(&m, &net, 2, at("torch.safetensors"), &err);
    CHECK_MSG(rc == LW_OK, "%s", err.msg);
    if (rc == LW_OK) {
        CHECK(memcmp(m.W[0], W0, sizeof W0) == 0 && memcmp(m.b[1], b3, sizeof b3) == 0);
        CHECK(m.n_out == 1 && m.Wout[0] == 2.5 && m.Wout[1] == 6 && m.bout[0] == 1.5);
        CHECK(m.act[1] == ACT_RELU); /* the scene's, not the file's */
        /* saved and read again: the same numbers, one logit */
        CHECK(weights_save(&m, at("again.npz"), &err) == LW_OK);
        Mlp a;
        rc = weights_load(&a, &net, 2, at("again.npz"), &err);
        CHECK_MSG(rc == LW_OK, "%s", err.msg);
        if (rc == LW_OK)
            CHECK(a.n_params == m.n_params &&
                  memcmp(a.params, m.params, sizeof(double) * m.n_params) == 0);
        mlp_free(&a);
    }
    mlp_free(&m);
    /* the same file for 3 classes: the readout's shape, named */
    CHECK(weights_load(&m, &net, 3, at("torch.safetensors"), &err) == LW_EINPUT);
    char want[512];
    snprintf(want, sizeof want, "%s: tensor 'm.10.weight' has shape 2x2, the scene's readout "
             "for 3 classes needs 3x2", at("torch.safetensors"));
    CHECK_STR(err.msg, want);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    round_trip();
    numpy_forms();
    safetensors_forms();
    torch_layers();
    const char *names[] = {"rt.npz", "rt.safetensors", "be.npz", "f16.npz", "f.npz", "huge.npz",
                           "dict.npz", "nan.npz", "bf.safetensors", "big.safetensors",
                           "torch.safetensors", "again.npz"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        unlink(at(names[i]));
    rmdir(dir);
    return check_done("test_tensors");
}
