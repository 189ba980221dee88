/* common.c — the error record and the activation functions every module uses. */
#include "lw_common.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int lw_fail(LwError *err, int code, const char *fmt, ...)
{
    if (err) {
        char raw[sizeof err->msg];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(raw, sizeof raw, fmt, ap);
        va_end(ap);
        /* one line of text whatever the inputs quoted in it hold: a control
         * byte (ESC, CR, a newline in a path) is written out, "\x1b", so it
         * never reaches a terminal raw */
        size_t n = 0;
        for (const unsigned char *c = (const unsigned char *)raw; *c; c++) {
            char esc[8];
            int ctl = (*c < 0x20 && *c != '\t') || *c == 0x7f;
            if (*c == '\n') snprintf(esc, sizeof esc, "\\n");
            else if (*c == '\r') snprintf(esc, sizeof esc, "\\r");
            else if (ctl) snprintf(esc, sizeof esc, "\\x%02x", *c);
            else esc[0] = (char)*c, esc[1] = '\0';
            size_t len = strlen(esc);
            if (n + len >= sizeof err->msg) break;
            memcpy(err->msg + n, esc, len);
            n += len;
        }
        err->msg[n] = '\0';
    }
    return code;
}

int lw_exit_status(int code)
{
    switch (code) {
    case LW_OK: return 0;
    case LW_EINPUT: return 2;
    case LW_EINTR: return 1; /* interrupted: a runtime failure, said so on stderr */
    default: return 1;
    }
}

int lw_read_line(FILE *f, char *buf, size_t cap)
{
    if (!fgets(buf, (int)cap, f))
        return ferror(f) ? LW_ERUNTIME : 0;
    size_t n = strlen(buf);
    if (n > 0 && buf[n - 1] == '\n') {
        buf[--n] = '\0';
        return 1;
    }
    if (feof(f))
        return 1; /* the last line, without a newline */
    /* a full buffer without a newline: too long, or NUL bytes (binary data
     * such as /dev/zero, which would otherwise never end) */
    return LW_EINPUT;
}

static const char *const ACT_NAMES[ACT_COUNT] = {
    "tanh", "sigmoid", "relu", "leaky_relu", "softplus", "identity",
};

const char *act_name(Activation a)
{
    return (a >= 0 && a < ACT_COUNT) ? ACT_NAMES[a] : "?";
}

int lw_name_index(const char *const *names, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    return -1;
}

int act_parse(const char *name, Activation *out)
{
    int i = lw_name_index(ACT_NAMES, ACT_COUNT, name);
    if (i < 0)
        return -1;
    *out = (Activation)i;
    return 0;
}

const char *act_all_names(void)
{
    return "tanh, sigmoid, relu, leaky_relu, softplus, identity";
}

#define LEAKY_SLOPE 0.1

double act_apply(Activation a, double x)
{
    switch (a) {
    case ACT_TANH: return tanh(x);
    case ACT_SIGMOID: return 1.0 / (1.0 + exp(-x));
    case ACT_RELU: return x > 0 ? x : 0.0;
    case ACT_LEAKY_RELU: return x > 0 ? x : LEAKY_SLOPE * x;
    /* log(1 + e^x) without overflow for large x */
    case ACT_SOFTPLUS: return x > 30 ? x : log1p(exp(x));
    case ACT_IDENTITY:
    default: return x;
    }
}

double act_derivative(Activation a, double x)
{
    switch (a) {
    case ACT_TANH: {
        double t = tanh(x);
        return 1.0 - t * t;
    }
    case ACT_SIGMOID: {
        double s = 1.0 / (1.0 + exp(-x));
        return s * (1.0 - s);
    }
    case ACT_RELU: return x > 0 ? 1.0 : 0.0;
    case ACT_LEAKY_RELU: return x > 0 ? 1.0 : LEAKY_SLOPE;
    case ACT_SOFTPLUS: return 1.0 / (1.0 + exp(-x));
    case ACT_IDENTITY:
    default: return 1.0;
    }
}

const char *lw_num_text(double v, char *buf, size_t size)
{
    if (isnan(v))
        return "nan";
    if (isinf(v))
        return v > 0 ? "inf" : "-inf";
    snprintf(buf, size, "%g", v);
    return buf;
}

double lw_max_abs(const double *a, size_t n)
{
    double mx = 0;
    for (size_t i = 0; i < n; i++) {
        double v = fabs(a[i]);
        if (!(v <= mx))
            mx = isnan(v) ? INFINITY : v;
    }
    return mx;
}
