/* sweep.c — the product of swept scene keys (sweep.h).  Pure text: which
 * values, which job, which name, which command line; main.c checks each
 * job's scene and prints. */
#include "sweep.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dup_range(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static int add_value(SweepAxis *ax, const char *s, size_t n)
{
    char **v = realloc(ax->values, sizeof *v * (size_t)(ax->n_values + 1));
    if (!v) return -1;
    ax->values = v;
    if (!(v[ax->n_values] = dup_range(s, n))) return -1;
    ax->n_values++;
    return 0;
}

/* "A..B" or "A..B..STEP": 1 and the numbers, 0 when the text is no range. */
static int read_range(const char *s, long *a, long *b, long *step)
{
    char *end;
    errno = 0;
    *a = strtol(s, &end, 10);
    if (end == s || strncmp(end, "..", 2) != 0) return 0;
    s = end + 2;
    *b = strtol(s, &end, 10);
    if (end == s) return 0;
    *step = 1;
    if (strncmp(end, "..", 2) == 0) {
        s = end + 2;
        *step = strtol(s, &end, 10);
        if (end == s) return 0;
    }
    return *end == '\0' && !errno;
}

static int parse_axis(SweepAxis *ax, const char *set, LwError *err)
{
    const char *eq = strchr(set, '=');
    if (!eq || eq == set)
        return lw_fail(err, LW_EINPUT, "layerwarp sweep: --set %s: expected S.KEY=V1,V2 or "
                       "S.KEY=A..B", set);
    if (!(ax->key = dup_range(set, (size_t)(eq - set))))
        return lw_fail(err, LW_ERUNTIME, "out of memory");
    const char *v = eq + 1;
    long a, b, step;
    if (read_range(v, &a, &b, &step)) {
        if (step <= 0 || b < a || (b - a) / step >= SWEEP_MAX_JOBS)
            return lw_fail(err, LW_EINPUT, "layerwarp sweep: --set %s: a range A..B..STEP "
                           "needs A <= B, STEP >= 1 and at most %d values", set,
                           SWEEP_MAX_JOBS);
        for (long x = a; x <= b; x += step) {
            char num[32];
            int n = snprintf(num, sizeof num, "%ld", x);
            if (add_value(ax, num, (size_t)n)) return lw_fail(err, LW_ERUNTIME, "out of memory");
        }
        return LW_OK;
    }
    char sep = strchr(v, '|') ? '|' : ',';
    for (;;) {
        size_t n = strcspn(v, sep == '|' ? "|" : ",");
        if (n == 0)
            return lw_fail(err, LW_EINPUT, "layerwarp sweep: --set %s: an empty value", set);
        if (add_value(ax, v, n)) return lw_fail(err, LW_ERUNTIME, "out of memory");
        if (!v[n]) return LW_OK;
        v += n + 1;
    }
}

int sweep_parse(Sweep *s, const char *const *sets, int n_sets, LwError *err)
{
    memset(s, 0, sizeof *s);
    s->n_jobs = 1;
    for (int i = 0; i < n_sets && i < SWEEP_MAX_AXES; i++) {
        SweepAxis *ax = &s->axes[s->n_axes++];
        int rc = parse_axis(ax, sets[i], err);
        if (rc) return rc;
        if (s->n_jobs * ax->n_values > SWEEP_MAX_JOBS)
            return lw_fail(err, LW_EINPUT, "layerwarp sweep: more than %d jobs",
                           SWEEP_MAX_JOBS);
        s->n_jobs *= ax->n_values;
    }
    return LW_OK;
}

void sweep_free(Sweep *s)
{
    for (int a = 0; a < s->n_axes; a++) {
        for (int k = 0; k < s->axes[a].n_values; k++) free(s->axes[a].values[k]);
        free(s->axes[a].values);
        free(s->axes[a].key);
    }
    memset(s, 0, sizeof *s);
}

void sweep_values(const Sweep *s, long j, const char **values)
{
    for (int a = s->n_axes - 1; a >= 0; a--) { /* the last axis varies fastest */
        const SweepAxis *ax = &s->axes[a];
        values[a] = ax->values[j % ax->n_values];
        j /= ax->n_values;
    }
}

void sweep_override(const Sweep *s, long j, int a, char *buf, size_t cap)
{
    const char *v[SWEEP_MAX_AXES];
    sweep_values(s, j, v);
    snprintf(buf, cap, "%s=%s", s->axes[a].key, v[a]);
}

/* Appends text with unsafe characters as '-'. */
static void append_safe(char *buf, size_t cap, size_t *len, const char *text)
{
    for (; *text && *len + 1 < cap; text++) {
        unsigned char c = (unsigned char)*text;
        buf[(*len)++] = isalnum(c) || c == '.' || c == '_' || c == '-' ? (char)c : '-';
    }
    buf[*len] = '\0';
}

void sweep_output_name(const Sweep *s, long j, const char *scene_name, const char *ext,
                       char *buf, size_t cap)
{
    const char *v[SWEEP_MAX_AXES];
    size_t len = 0;
    sweep_values(s, j, v);
    buf[0] = '\0';
    append_safe(buf, cap, &len, scene_name);
    for (int a = 0; a < s->n_axes; a++) {
        if (s->axes[a].n_values < 2) continue;
        const char *dot = strrchr(s->axes[a].key, '.');
        append_safe(buf, cap, &len, "-");
        append_safe(buf, cap, &len, dot ? dot + 1 : s->axes[a].key);
        append_safe(buf, cap, &len, "_");
        append_safe(buf, cap, &len, v[a]);
    }
    if (len < cap) snprintf(buf + len, cap - len, "%s", ext);
}

int sweep_varied(const Sweep *s, int *out)
{
    int n = 0;
    for (int a = 0; a < s->n_axes; a++)
        if (s->axes[a].n_values > 1) out[n++] = a;
    return n;
}

/* Appends `word` to buf (of cap bytes, holding *len) after a space, quoted
 * for a POSIX shell when it needs to be; 0, or -1 when it does not fit. */
static int shell_word(char *buf, size_t cap, size_t *len, const char *word)
{
    int plain = word[0] != '\0';
    for (const char *p = word; *p && plain; p++)
        plain = isalnum((unsigned char)*p) || strchr("_./=,:+-@%", *p);
    size_t need = strlen(word) + 3 + (*len ? 1 : 0);
    for (const char *p = word; *p; p++) need += *p == '\'' ? 3 : 0;
    if (*len + need >= cap) return -1;
    if (*len) buf[(*len)++] = ' ';
    if (!plain) buf[(*len)++] = '\'';
    for (const char *p = word; *p; p++) {
        if (*p == '\'' && !plain) { /* ' ends the quote, \' is one, ' opens again */
            memcpy(buf + *len, "'\\''", 4);
            *len += 4;
        } else {
            buf[(*len)++] = *p;
        }
    }
    if (!plain) buf[(*len)++] = '\'';
    buf[*len] = '\0';
    return 0;
}

/* One job's command line: PROGRAM render SCENE --set ... -o DIR/NAME.EXT */
int sweep_job_line(const Sweep *s, long j, const char *program, const char *scene_path,
                   const char *name, const char *dir, const char *ext, char *line, size_t cap)
{
    size_t len = 0;
    line[0] = '\0';
    int rc = shell_word(line, cap, &len, program);
    rc |= shell_word(line, cap, &len, "render");
    rc |= shell_word(line, cap, &len, scene_path);
    for (int a = 0; a < s->n_axes; a++) {
        char set[1024];
        sweep_override(s, j, a, set, sizeof set);
        rc |= shell_word(line, cap, &len, "--set");
        rc |= shell_word(line, cap, &len, set);
    }
    char out[LW_PATH_MAX + 512], file[512];
    sweep_output_name(s, j, name, ext, file, sizeof file);
    snprintf(out, sizeof out, "%s/%s", dir, file);
    rc |= shell_word(line, cap, &len, "-o");
    rc |= shell_word(line, cap, &len, out);
    return rc;
}

/* The montage of a sweep's videos: rows the first swept key's values,
 * columns the second's. */
int sweep_montage_line(const Sweep *s, const char *program, const char *name, const char *dir,
                       const char *ext, char *line, size_t cap, LwError *err)
{
    int varied[SWEEP_MAX_AXES], nv = sweep_varied(s, varied);
    if (nv < 1 || nv > 2)
        return lw_fail(err, LW_EINPUT, "layerwarp sweep: --montage needs one or two keys "
                       "with several values (rows and columns), not %d", nv);
    size_t len = 0;
    char buf[LW_PATH_MAX + 512];
    int rc = shell_word(line, cap, &len, program);
    rc |= shell_word(line, cap, &len, "montage");
    for (long j = 0; j < s->n_jobs; j++) {
        char file[512];
        sweep_output_name(s, j, name, ext, file, sizeof file);
        snprintf(buf, sizeof buf, "%s/%s", dir, file);
        rc |= shell_word(line, cap, &len, buf);
    }
    const SweepAxis *rows = &s->axes[varied[0]], *cols = nv == 2 ? &s->axes[varied[1]] : NULL;
    snprintf(buf, sizeof buf, "%dx%d", cols ? rows->n_values : 1,
             cols ? cols->n_values : rows->n_values);
    rc |= shell_word(line, cap, &len, "--grid");
    rc |= shell_word(line, cap, &len, buf);
    for (int pass = 0; pass < 2; pass++) {
        const SweepAxis *ax = pass == 0 ? (cols ? rows : NULL) : (cols ? cols : rows);
        for (int k = 0; ax && k < ax->n_values; k++) {
            const char *dot = strrchr(ax->key, '.');
            snprintf(buf, sizeof buf, "%s %s", dot ? dot + 1 : ax->key, ax->values[k]);
            rc |= shell_word(line, cap, &len, pass == 0 ? "--row" : "--col");
            rc |= shell_word(line, cap, &len, buf);
        }
    }
    snprintf(buf, sizeof buf, "%s/%s-montage%s", dir, name, ext);
    rc |= shell_word(line, cap, &len, "-o");
    rc |= shell_word(line, cap, &len, buf);
    return rc ? lw_fail(err, LW_EINPUT, "layerwarp sweep: the montage command is too long")
              : LW_OK;
}
