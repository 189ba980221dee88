/* tensors.h — named arrays of numbers as NumPy's .npz and safetensors files
 * hold them: what weights_io.c reads a network's weights from and writes
 * them to.  The containers know nothing of networks; weights_io.c maps
 * names and shapes to layers.
 *
 * Every size read from a file is bounded before anything is allocated: at
 * most TENSOR_MAX_COUNT tensors, names of fewer than TENSOR_NAME_MAX bytes,
 * at most TENSOR_MAX_DIMS dimensions, and the numbers of a tensor are read
 * only when it has at most TENSOR_MAX_ELEMS of them (a larger one keeps its
 * shape, for the message that refuses it, and data NULL).  Numbers are
 * float64, float32, float16 or bfloat16 in the file and doubles here; a
 * non-finite one is refused naming its tensor. */
#ifndef TENSORS_H
#define TENSORS_H

#include <stdint.h>
#include <stdio.h>

#include "lw_common.h"

#define TENSOR_MAX_COUNT 256
#define TENSOR_NAME_MAX 256
#define TENSOR_MAX_DIMS 8
#define TENSOR_MAX_ELEMS 65536 /* far above any layer's LW_MAX_WIDTH^2 */

typedef struct {
    char name[TENSOR_NAME_MAX];
    int ndim;                        /* 0 for a scalar */
    int64_t shape[TENSOR_MAX_DIMS];
    double *data;                    /* row-major, owned; NULL when too large */
} Tensor;

typedef struct {
    int n;
    Tensor *t;                       /* TENSOR_MAX_COUNT entries, owned */
} TensorSet;

/* The number formats the files may hold. */
typedef enum { TENSOR_F64, TENSOR_F32, TENSOR_F16, TENSOR_BF16 } TensorDtype;

/* Makes an empty set; LW_ERUNTIME when out of memory.  s is overwritten. */
int tensors_init(TensorSet *s, LwError *err);
/* Frees every tensor; accepts a zeroed or freed set. */
void tensors_free(TensorSet *s);
/* Appends a tensor of this name and shape (data NULL); *out is it.
 * LW_EINPUT "path: ..." for a duplicate or too long name, too many tensors
 * or dimensions, or a negative extent. */
int tensors_add(TensorSet *s, const char *path, const char *name, int ndim,
                const int64_t *shape, Tensor **out, LwError *err);
/* The tensor called name, or NULL. */
const Tensor *tensors_find(const TensorSet *s, const char *name);
/* Its number of elements, or -1 when above TENSOR_MAX_ELEMS. */
int64_t tensor_elems(const Tensor *t);
/* "3x4", "4" or "scalar" into buf. */
const char *tensor_shape_text(const Tensor *t, char *buf, size_t size);
/* Bytes of one number of dtype. */
size_t tensor_dtype_size(TensorDtype d);
/* Converts n numbers of dtype (little- or big-endian) from raw into t->data,
 * which it allocates.  LW_EINPUT "path: tensor 'NAME' holds a non-finite
 * number" for NaN or an infinity; LW_ERUNTIME when out of memory. */
int tensor_decode(Tensor *t, const char *path, const unsigned char *raw, TensorDtype dtype,
                  int big_endian, LwError *err);

/* Opens a tensor file for reading (binary): the one place both readers
 * open their input.  LW_EINPUT "path: reason" when it cannot. */
FILE *tensors_open_input(const char *path, LwError *err);

/* NumPy's .npz (tensors_npz.c): a zip archive of one .npy file per
 * tensor, stored (numpy.savez) or deflated (numpy.savez_compressed); .npy
 * versions 1.0 to 3.0, C or Fortran order.  Read: s must be from
 * tensors_init; LW_EINPUT "path: ..." naming the tensor when one is
 * malformed.  Write: as numpy.savez does (stored, .npy 1.0, '<f8', in the
 * set's order), atomically (atomic_file.h); every tensor needs its data. */
int tensors_read_npz(const char *path, TensorSet *s, LwError *err);
int tensors_write_npz(const char *path, const TensorSet *s, LwError *err);

/* safetensors (tensors_safetensors.c): an 8-byte little-endian header
 * length, a JSON header naming each tensor's dtype, shape and byte range,
 * then the bytes.  Read: F64, F32, F16 and BF16; the header at most
 * SAFETENSORS_MAX_HEADER bytes.  Write: F64, tensors in the set's order. */
#define SAFETENSORS_MAX_HEADER (1 << 20)
int tensors_read_safetensors(const char *path, TensorSet *s, LwError *err);
int tensors_write_safetensors(const char *path, const TensorSet *s, LwError *err);

#endif
