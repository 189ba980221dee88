/* gsl_fault.h — injects a GSL failure for tests: the test program defines
 * gsl_blas_dgemm itself, so the library's calls (linked statically from
 * liblayerwarp.a) reach this wrapper first; it forwards to GSL's own
 * (dlsym RTLD_NEXT) except for the call gsl_fault_arm() chose, which returns
 * GSL_EBADLEN as GSL does for non-conformant matrices.  Such a status cannot
 * be provoked honestly (every view is built from one set of widths, and a
 * zero width makes GSL's CBLAS abort), so it is injected.
 *
 * Include first, before any other header (it needs _GNU_SOURCE). */
#ifndef GSL_FAULT_H
#define GSL_FAULT_H

#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>

static long gsl_fault_calls_;     /* dgemm calls so far */
static long gsl_fault_countdown_; /* 0 = off; k = the k-th call from now fails */

/* The k-th gsl_blas_dgemm call from now (k >= 1) fails once. */
static inline void gsl_fault_arm(long k)
{
    gsl_fault_countdown_ = k;
}

typedef int (*GslDgemmFn)(CBLAS_TRANSPOSE_t, CBLAS_TRANSPOSE_t, double, const gsl_matrix *,
                          const gsl_matrix *, double, gsl_matrix *);

int gsl_blas_dgemm(CBLAS_TRANSPOSE_t ta, CBLAS_TRANSPOSE_t tb, double alpha,
                   const gsl_matrix *A, const gsl_matrix *B, double beta, gsl_matrix *C)
{
    static GslDgemmFn real;
    if (!real) {
        real = (GslDgemmFn)dlsym(RTLD_NEXT, "gsl_blas_dgemm");
        if (!real) {
            fprintf(stderr, "gsl_fault.h: GSL's gsl_blas_dgemm not found\n");
            abort();
        }
    }
    gsl_fault_calls_++;
    if (gsl_fault_countdown_ > 0 && --gsl_fault_countdown_ == 0)
        return GSL_EBADLEN;
    return real(ta, tb, alpha, A, B, beta, C);
}

#endif
