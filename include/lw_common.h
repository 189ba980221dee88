/* lw_common.h — what every module of layerwarp shares: limits, the error
 * record, return codes and the activation enum.
 *
 * Return codes: library functions return LW_OK (0) or a negative code and
 * fill an optional LwError with one line of text.  LW_EINPUT means the user's
 * input was bad (a scene, an option, a weights or CSV file): the program exits
 * with status 2.  LW_ERUNTIME means the machine failed us (I/O, encoder,
 * memory): exit status 1.  LW_EINTR means the user interrupted (SIGINT/TERM):
 * lw_exit_status says 1, and main.c, which knows the signal, exits as shells
 * expect of one: 128 + its number (130 for SIGINT, 143 for SIGTERM). */
#ifndef LW_COMMON_H
#define LW_COMMON_H

#include <stddef.h>
#include <stdint.h>

#define LW_VERSION "0.1.0"

#define LW_MAX_LAYERS 16     /* hidden layers that are animated */
#define LW_MAX_WIDTH 16      /* units in any layer (and input dimension) */
#define LW_MAX_CLASSES 8
#define LW_CLASS_NAME_MAX 32 /* bytes of a class's name as the legend shows it, with its NUL */
#define LW_MAX_POINTS 200000 /* data points in one scene */
#define LW_PATH_MAX 1024

enum { LW_OK = 0, LW_ERUNTIME = -1, LW_EINPUT = -2, LW_EINTR = -3 };

/* One line of error text, e.g. "scenes/x.scene:12: unknown key 'colour'". */
typedef struct {
    char msg[1024];
} LwError;

/* Formats into err (if non-NULL) and returns code, so callers can write
 * `return lw_fail(err, LW_EINPUT, "...", ...);`. */
int lw_fail(LwError *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Maps a return code to the process exit status (0, 1 or 2). */
int lw_exit_status(int code);

/* A number for a message: "nan" for any NaN (glibc may print "-nan"), "inf"
 * or "-inf", else %g into buf.  Returns the text. */
const char *lw_num_text(double v, char *buf, size_t size);
/* The largest |a[i]|; a NaN counts as infinite (it fails every comparison),
 * so a blown-up training run is caught by one test. */
double lw_max_abs(const double *a, size_t n);

/* Index of `name` among the first n entries of `names`, or -1. */
int lw_name_index(const char *const *names, int n, const char *name);

/* Reads one line (its newline removed) into buf of cap bytes, so a
 * malformed input file cannot make us allocate without bound.  Returns 1
 * with a line, 0 at end of file, LW_ERUNTIME on a read error (errno says
 * why), LW_EINPUT when the line is longer than cap - 2 characters or holds
 * a NUL byte. */
#include <stdio.h>
int lw_read_line(FILE *f, char *buf, size_t cap);
#define LW_LINE_MAX 4096

typedef enum {
    ACT_TANH,
    ACT_SIGMOID,
    ACT_RELU,
    ACT_LEAKY_RELU,
    ACT_SOFTPLUS,
    ACT_IDENTITY,
    ACT_COUNT
} Activation;

/* "tanh", "sigmoid", ... */
const char *act_name(Activation a);
/* Returns 0 and sets *out, or -1 for an unknown name. */
int act_parse(const char *name, Activation *out);
/* Comma-separated list of all names, for error messages. */
const char *act_all_names(void);
/* sigma(x) and its derivative d sigma / dx at x. */
double act_apply(Activation a, double x);
double act_derivative(Activation a, double x);

#endif
