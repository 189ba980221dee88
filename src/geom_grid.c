/* geom_grid.c — the lines a segment's input space is drawn with: a grid of
 * lines parallel to the axes and the bold outline of the input box (for a
 * 3-D input a lattice of lines and the cube's edges; for a 1-D input the
 * line itself), and latent paths, sampled like grid lines.  Lines are
 * sampled in input space; geom.c moves the samples.
 *
 * Owns: the arrays of a LineSet. */
#include "geom.h"

#include <stdlib.h>
#include <string.h>

int geom_lines_begin(LineSet *ls, LineKind kind)
{
    if (ls->p.n_lines + 1 > ls->cap_kind) {
        int cap = ls->cap_kind ? ls->cap_kind * 2 : 64;
        LineKind *k = realloc(ls->kind, (size_t)cap * sizeof *k);
        if (!k) return -1;
        ls->kind = k;
        ls->cap_kind = cap;
    }
    if (polylines_begin(&ls->p)) return -1;
    ls->kind[ls->p.n_lines - 1] = kind;
    return 0;
}

/* Samples first.. of `samples` evenly from p to q (3-D) onto the line
 * being built. */
static int piece3(LineSet *ls, const double *p, const double *q, int samples, int first)
{
    for (int i = first; i < samples; i++) {
        double s = (double)i / (samples - 1);
        if (polylines_add(&ls->p, p[0] + s * (q[0] - p[0]), p[1] + s * (q[1] - p[1]),
                          p[2] + s * (q[2] - p[2])))
            return -1;
    }
    return 0;
}

/* A straight line from p to q (3-D) in `samples` samples. */
static int line3(LineSet *ls, LineKind kind, const double *p, const double *q, int samples)
{
    if (geom_lines_begin(ls, kind)) return -1;
    return piece3(ls, p, q, samples, 0);
}

static int segment2(LineSet *ls, LineKind kind, double x0, double y0, double x1, double y1,
                    int samples)
{
    if (geom_lines_begin(ls, kind)) return -1;
    for (int i = 0; i < samples; i++) {
        double s = (double)i / (samples - 1);
        if (polylines_add(&ls->p, x0 + s * (x1 - x0), y0 + s * (y1 - y0), 0.0)) return -1;
    }
    return 0;
}

/* 3-D input: lines parallel to each axis through a lattice of the other two,
 * and the cube's twelve edges as the domain outline. */
static int grid3(LineSet *ls, const double *reg, int lines, int samples, int grid, int domain)
{
    int n = lines < 3 ? lines : 3; /* more lines clutter a 3-D view */
    for (int axis = 0; grid && axis < 3; axis++) {
        int u = (axis + 1) % 3, v = (axis + 2) % 3;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                int edge = (i == 0 || i == n - 1) && (j == 0 || j == n - 1);
                if (edge && domain) continue; /* drawn bold below */
                double p[3], q[3];
                p[u] = q[u] = reg[2 * u] + (reg[2 * u + 1] - reg[2 * u]) * i / (n - 1);
                p[v] = q[v] = reg[2 * v] + (reg[2 * v + 1] - reg[2 * v]) * j / (n - 1);
                p[axis] = reg[2 * axis];
                q[axis] = reg[2 * axis + 1];
                if (line3(ls, LINE_GRID, p, q, samples)) return -1;
            }
    }
    if (!domain) return 0;
    for (int axis = 0; axis < 3; axis++) {
        int u = (axis + 1) % 3, v = (axis + 2) % 3;
        for (int k = 0; k < 4; k++) {
            double p[3], q[3];
            p[u] = q[u] = reg[2 * u + (k & 1)];
            p[v] = q[v] = reg[2 * v + (k >> 1)];
            p[axis] = reg[2 * axis];
            q[axis] = reg[2 * axis + 1];
            if (line3(ls, LINE_DOMAIN, p, q, samples)) return -1;
        }
    }
    return 0;
}

static int grid2(LineSet *ls, const double *reg, int lines, int samples, int grid, int domain,
                 const double *at)
{
    for (int i = 0; grid && i < lines; i++) {
        double s = at ? at[i] : (double)i / (lines - 1);
        double x = reg[0] + s * (reg[1] - reg[0]);
        if (segment2(ls, LINE_GRID, x, reg[2], x, reg[3], samples)) return -1;
    }
    for (int i = 0; grid && i < lines; i++) {
        double s = at ? at[i] : (double)i / (lines - 1);
        double y = reg[2] + s * (reg[3] - reg[2]);
        if (segment2(ls, LINE_GRID, reg[0], y, reg[1], y, samples)) return -1;
    }
    if (!domain)
        return 0;
    /* The outline of the input domain, one closed line drawn bold. */
    const double c[5][2] = {{reg[0], reg[2]}, {reg[1], reg[2]}, {reg[1], reg[3]},
                            {reg[0], reg[3]}, {reg[0], reg[2]}};
    if (geom_lines_begin(ls, LINE_DOMAIN)) return -1;
    for (int side = 0; side < 4; side++)
        for (int i = side ? 1 : 0; i < samples; i++) {
            double s = (double)i / (samples - 1);
            if (polylines_add(&ls->p, c[side][0] + s * (c[side + 1][0] - c[side][0]),
                              c[side][1] + s * (c[side + 1][1] - c[side][1]), 0.0))
                return -1;
        }
    return 0;
}

int geom_grid_lines(LineSet *ls, const double reg[6], int dim, const GeomConfig *cfg,
                    const double *at, int n_at)
{
    if (dim == 2)
        return grid2(ls, reg, at && n_at ? n_at : cfg->grid_lines, cfg->grid_samples,
                     cfg->show_grid, cfg->show_domain, at && n_at ? at : NULL);
    if (dim == 3)
        return grid3(ls, reg, cfg->grid_lines, cfg->grid_samples, cfg->show_grid,
                     cfg->show_domain);
    if (cfg->show_domain) /* 1-D: the input line itself is the whole domain */
        return segment2(ls, LINE_DOMAIN, reg[0], 0, reg[1], 0, cfg->grid_samples);
    return 0;
}

int geom_path_lines(LineSet *ls, const SegmentPath *paths, int n_paths, int samples)
{
    for (int k = 0; k < n_paths; k++) {
        const SegmentPath *pa = &paths[k];
        if (geom_lines_begin(ls, pa->vector ? LINE_VECTOR : LINE_PATH)) return -1;
        /* the code ending one piece starts the next: sampled once */
        for (int c = 0; c + 1 < pa->n; c++) {
            if (piece3(ls, pa->x[c], pa->x[c + 1], samples, c ? 1 : 0)) return -1;
            /* on the code itself, where its mark is (p + 1 (q - p) may miss it by an ulp) */
            memcpy(ls->p.x + 3 * (ls->p.n - 1), pa->x[c + 1], 3 * sizeof(double));
        }
    }
    return 0;
}

int geom_lines_append(LineSet *ls, const Polylines *src, LineKind kind)
{
    for (int l = 0; l < src->n_lines; l++) {
        if (geom_lines_begin(ls, kind)) return -1;
        for (int j = src->start[l]; j < src->start[l + 1]; j++)
            if (polylines_add(&ls->p, src->x[3 * j], src->x[3 * j + 1], src->x[3 * j + 2]))
                return -1;
    }
    return 0;
}

int geom_lines_kind_all(LineSet *ls, LineKind kind)
{
    int n = ls->p.n_lines;
    if (n > ls->cap_kind) {
        LineKind *k = realloc(ls->kind, (size_t)n * sizeof *k);
        if (!k) return -1;
        ls->kind = k;
        ls->cap_kind = n;
    }
    for (int l = 0; l < n; l++) ls->kind[l] = kind;
    return 0;
}

void geom_lines_free(LineSet *ls)
{
    if (!ls) return;
    polylines_free(&ls->p);
    free(ls->kind);
    memset(ls, 0, sizeof *ls);
}
