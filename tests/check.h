/* check.h — the smallest test harness that cannot pass by accident: every
 * CHECK counts, a failure prints file:line and the expression, and
 * check_done() prints "name: N passed, M failed" and returns the exit status
 * (non-zero on any failure, or when nothing was checked at all). */
#ifndef CHECK_H
#define CHECK_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int check_passed_, check_failed_;

#define CHECK_MSG(cond, ...)                                                  \
    do {                                                                      \
        if (cond) {                                                           \
            check_passed_++;                                                  \
        } else {                                                              \
            check_failed_++;                                                  \
            fprintf(stderr, "%s:%d: FAIL %s: ", __FILE__, __LINE__, #cond);   \
            fprintf(stderr, __VA_ARGS__);                                     \
            fputc('\n', stderr);                                              \
        }                                                                     \
    } while (0)

#define CHECK(cond) CHECK_MSG(cond, "%s", "")

#define CHECK_NEAR(a, b, tol)                                                 \
    do {                                                                      \
        double check_a_ = (a), check_b_ = (b);                                \
        CHECK_MSG(fabs(check_a_ - check_b_) <= (tol),                         \
                  "%s = %.17g, %s = %.17g, |diff| = %.3g > %.3g", #a,         \
                  check_a_, #b, check_b_, fabs(check_a_ - check_b_),          \
                  (double)(tol));                                             \
    } while (0)

#define CHECK_STR(a, b)                                                       \
    do {                                                                      \
        const char *check_a_ = (a), *check_b_ = (b);                          \
        CHECK_MSG(strcmp(check_a_, check_b_) == 0, "\n  got:      %s\n  expected: %s", \
                  check_a_, check_b_);                                        \
    } while (0)

static inline int check_done(const char *name)
{
    printf("%s: %d passed, %d failed\n", name, check_passed_, check_failed_);
    if (check_passed_ + check_failed_ == 0) {
        fprintf(stderr, "%s: no checks ran\n", name);
        return 1;
    }
    return check_failed_ ? 1 : 0;
}

#endif
