/* generative.c — a generator's or decoder's map as a segment (see
 * generative.h).  Knows the prior; knows nothing of how the map was trained.
 *
 * Owns nothing beyond a call: what it builds belongs to the Show. */
#include "generative.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GENERATED_COLOUR (LW_MAX_CLASSES - 1) /* the palette's grey */
#define TAIL 0.005                            /* each tail the grid leaves out */

const char *model_kind_name(ModelKind k)
{
    static const char *const names[] = {"classifier", "gan", "vae", "autoencoder"};
    return k >= MODEL_CLASSIFIER && k <= MODEL_AUTOENCODER ? names[k] : "?";
}

double generative_latent_extent(Prior p)
{
    return p == PRIOR_UNIFORM ? 1.0 : prior_quantile(PRIOR_GAUSSIAN, 1.0 - TAIL);
}

const char *generative_box_text(Prior p, char *buf, size_t cap)
{
    /* the bound rounded down (2.575 for 2.5758...), so every code the text
     * allows is in the box */
    double e = floor(generative_latent_extent(p) * 1000) / 1000;
    if (p == PRIOR_UNIFORM)
        snprintf(buf, cap, "every coordinate from -1 to 1, the uniform prior's box");
    else
        snprintf(buf, cap, "every coordinate from %g to %g, the gaussian prior's central "
                 "%g %%", -e, e, 100 * (1 - 2 * TAIL));
    return buf;
}

const char *generative_code_text(const LatentCode *c, char *buf, size_t cap)
{
    int o = snprintf(buf, cap, "%s", c->enc ? "enc(" : "");
    for (int i = 0; i < c->n && o >= 0 && (size_t)o < cap; i++)
        o += snprintf(buf + o, cap - o, i ? ",%g" : "%g", c->x[i]);
    if (c->enc && o >= 0 && (size_t)o < cap) snprintf(buf + o, cap - o, ")");
    return buf;
}

int generative_in_box(Prior p, const double *z, int dim)
{
    double e = generative_latent_extent(p);
    for (int a = 0; a < dim; a++)
        if (!(fabs(z[a]) <= e)) return 0;
    return 1;
}

void generative_arith_end(const double *a, const double *b, const double *c, int dim,
                          double *out)
{
    for (int k = 0; k < dim; k++) out[k] = c[k] + (a[k] - b[k]);
}

/* Grid lines at fractions of the box: evenly for a uniform prior; for a
 * Gaussian at the quantiles TAIL + (1 - 2 TAIL) k / (n - 1), so every cell
 * between two neighbouring lines holds the same probability. */
static void grid_fractions(Segment *seg, Prior p, int n)
{
    if (n > SHOW_MAX_GRID) n = SHOW_MAX_GRID;
    if (n < 2) n = 2;
    double e = generative_latent_extent(p);
    for (int k = 0; k < n; k++) {
        double u = TAIL + (1.0 - 2 * TAIL) * k / (n - 1);
        seg->grid_at[k] = p == PRIOR_UNIFORM ? (double)k / (n - 1)
                                             : (prior_quantile(p, u) + e) / (2 * e);
    }
    seg->n_grid_at = n;
}

static int add_samples(Segment *seg, int dim, const GenerativeView *v, LwError *err)
{
    int n = v->n_samples;
    double *z = malloc(sizeof(double) * (size_t)(n ? n : 1) * dim);
    int *label = malloc(sizeof(int) * (n ? n : 1));
    int rc = z && label ? LW_OK : lw_fail(err, LW_ERUNTIME, "out of memory for %d codes", n);
    if (!rc) rc = prior_sample(v->prior, dim, n, v->seed, z, err);
    for (int i = 0; !rc && i < n; i++) label[i] = GENERATED_COLOUR;
    if (!rc) rc = segment_add_points(seg, z, label, n, dim, NULL, 0, 0, 0, err);
    free(z);
    free(label);
    return rc;
}

/* Marks code x with the label; LW_EINPUT past SHOW_MAX_MARKS. */
static int add_mark(Segment *seg, const double *x, const char *label, LwError *err)
{
    if (seg->n_marks == SHOW_MAX_MARKS)
        return lw_fail(err, LW_EINPUT, "more than %d marked codes", SHOW_MAX_MARKS);
    PathMark *m = &seg->marks[seg->n_marks++];
    memcpy(m->x, x, sizeof m->x);
    snprintf(m->label, sizeof m->label, "%s", label);
    return LW_OK;
}

/* A path or vector from the n codes x; LW_EINPUT past SHOW_MAX_PATHS. */
static int add_path(Segment *seg, const double (*x)[3], int n, int vector, LwError *err)
{
    if (seg->n_paths == SHOW_MAX_PATHS)
        return lw_fail(err, LW_EINPUT, "more than %d latent paths", SHOW_MAX_PATHS);
    SegmentPath *p = &seg->paths[seg->n_paths++];
    p->n = n;
    p->vector = vector;
    memcpy(p->x, x, sizeof(double) * 3 * n);
    return LW_OK;
}

/* The code's coordinates, zero beyond the latent dimension. */
static int code_point(const LatentCode *c, int dim, double x[3], LwError *err)
{
    if (c->enc || c->n != dim)
        return lw_fail(err, LW_EINPUT, "a latent path's codes must be %d latent coordinates",
                       dim);
    for (int a = 0; a < 3; a++) x[a] = a < dim ? c->x[a] : 0;
    return LW_OK;
}

/* Letters the codes in order: *letter is the next one to use. */
static int interpolation(Segment *seg, const LatentPath *lp, int dim, char *letter,
                         LwError *err)
{
    double x[SHOW_PATH_CODES][3];
    if (lp->n_codes < 2 || lp->n_codes > SHOW_PATH_CODES)
        return lw_fail(err, LW_EINPUT, "a latent path runs through 2 to %d codes",
                       SHOW_PATH_CODES);
    int rc = LW_OK;
    for (int k = 0; !rc && k < lp->n_codes; k++) {
        char label[2] = {(*letter)++, '\0'};
        rc = code_point(&lp->code[k], dim, x[k], err);
        if (!rc) rc = add_mark(seg, x[k], label, err);
    }
    return rc ? rc : add_path(seg, (const double (*)[3])x, lp->n_codes, 0, err);
}

/* a - b + c: the vector b -> a, and the same vector at c. */
static int arithmetic(Segment *seg, const LatentPath *lp, int dim, char *letter, LwError *err)
{
    double x[3][3], v[2][3], end[3] = {0, 0, 0};
    char name[3] = {letter[0], (char)(letter[0] + 1), (char)(letter[0] + 2)};
    int rc = lp->n_codes == 3 ? LW_OK
                              : lw_fail(err, LW_EINPUT, "latent arithmetic takes three codes");
    for (int k = 0; !rc && k < 3; k++) rc = code_point(&lp->code[k], dim, x[k], err);
    if (rc) return rc;
    *letter += 3;
    generative_arith_end(x[0], x[1], x[2], dim, end);
    char label[24];
    /* U+2212, a minus as wide as the plus */
    snprintf(label, sizeof label, "%c\xe2\x88\x92%c+%c", name[0], name[1], name[2]);
    for (int k = 0; !rc && k < 3; k++) rc = add_mark(seg, x[k], (char[2]){name[k], '\0'}, err);
    if (!rc) rc = add_mark(seg, end, label, err);
    memcpy(v[0], x[1], sizeof v[0]);
    memcpy(v[1], x[0], sizeof v[1]);
    if (!rc) rc = add_path(seg, (const double (*)[3])v, 2, 1, err);
    memcpy(v[0], x[2], sizeof v[0]);
    memcpy(v[1], end, sizeof v[1]);
    if (!rc) rc = add_path(seg, (const double (*)[3])v, 2, 1, err);
    return rc;
}

static int add_latent_paths(Segment *seg, const GenerativeView *v, int dim, LwError *err)
{
    char letter = 'a';
    int rc = LW_OK;
    for (int i = 0; !rc && i < v->n_paths; i++)
        rc = interpolation(seg, &v->paths[i], dim, &letter, err);
    for (int i = 0; !rc && i < v->n_arith; i++)
        rc = arithmetic(seg, &v->arith[i], dim, &letter, err);
    return rc;
}

int generative_segment(const LayerStack *gen, const Dataset *real, const GenerativeView *v,
                       Show *show, LwError *err)
{
    Segment *seg;
    int rc = show_add_segment(show, &seg, err);
    if (!rc) rc = segment_set_layers(seg, gen, err);
    if (rc) return rc;
    int dim = gen->widths[0], out = gen->widths[gen->n_layers];
    double e = generative_latent_extent(v->prior);
    for (int a = 0; a < 3; a++) {
        seg->region[2 * a] = a < dim ? -e : 0;
        seg->region[2 * a + 1] = a < dim ? e : 0;
    }
    grid_fractions(seg, v->prior, v->grid_lines);
    rc = add_samples(seg, dim, v, err);
    if (!rc) rc = add_latent_paths(seg, v, dim, err);
    if (!rc && real && real->dim == out && out <= 3) {
        rc = segment_add_points(seg, real->x, real->label, real->n, real->dim, real->curve_start,
                                real->n_curves, 0, 1, err);
        if (!rc) /* the data live in the last space: shown once the last layer moves there */
            seg->sets[seg->n_sets - 1].from_layer = gen->n_layers - 1;
    }
    if (rc) return rc;
    seg->n_classes = real ? real->classes : 0;
    seg->generated_colour = GENERATED_COLOUR;
    seg->tag = 'G';
    snprintf(seg->title, sizeof seg->title, "%s", v->title ? v->title : "");
    return LW_OK;
}

/* The points' box, padded by an eighth and rounded out to quarter units. */
static void points_region(const Dataset *real, const double *fake, int n_fake, double reg[6])
{
    int d = real->dim;
    double lo[3] = {INFINITY, INFINITY, INFINITY}, hi[3] = {-INFINITY, -INFINITY, -INFINITY};
    for (int k = 0; k < 2; k++) {
        const double *x = k ? fake : real->x;
        int n = k ? n_fake : real->n;
        for (int i = 0; i < n; i++)
            for (int a = 0; a < d; a++) {
                lo[a] = fmin(lo[a], x[(size_t)i * d + a]);
                hi[a] = fmax(hi[a], x[(size_t)i * d + a]);
            }
    }
    double pad = 0;
    for (int a = 0; a < d; a++) pad = fmax(pad, 0.12 * (hi[a] - lo[a]));
    for (int a = 0; a < 3; a++) {
        reg[2 * a] = a < d ? floor((lo[a] - pad) / 0.25) * 0.25 : 0;
        reg[2 * a + 1] = a < d ? ceil((hi[a] + pad) / 0.25) * 0.25 : 0;
    }
}

int generative_critic_segment(const LayerStack *critic, const Dataset *real, const double *fake,
                              int n_fake, const char *title, int show_boundary, Show *show,
                              LwError *err)
{
    int L = critic->n_layers;
    if (L < 2 || critic->widths[L] != 1)
        return lw_fail(err, LW_EINPUT, "a critic needs hidden layers and one score");
    LayerStack hidden = *critic;
    hidden.n_layers = L - 1;
    Segment *seg;
    int rc = show_add_segment(show, &seg, err);
    if (!rc) rc = segment_set_layers(seg, &hidden, err);
    if (!rc) rc = segment_set_scores(seg, critic->W[L - 1], critic->b[L - 1], 1, err);
    if (!rc) rc = segment_add_points(seg, real->x, real->label, real->n, real->dim, NULL, 0, 0, 0,
                                     err);
    int *label = malloc(sizeof(int) * (n_fake ? n_fake : 1));
    if (!rc && !label) rc = lw_fail(err, LW_ERUNTIME, "out of memory for %d points", n_fake);
    for (int i = 0; !rc && i < n_fake; i++) label[i] = GENERATED_COLOUR;
    if (!rc) rc = segment_add_points(seg, fake, label, n_fake, real->dim, NULL, 0, 0, 0, err);
    free(label);
    if (rc) return rc;
    points_region(real, fake, n_fake, seg->region);
    seg->n_classes = real->classes;
    seg->generated_colour = GENERATED_COLOUR;
    seg->show_scores = show_boundary;
    seg->tag = 'D';
    snprintf(seg->title, sizeof seg->title, "%s", title ? title : "");
    return LW_OK;
}
