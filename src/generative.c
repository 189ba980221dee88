/* generative.c — a generative model's networks as segments (see
 * generative.h): a generator's or decoder's map over the latent grid, an
 * encoder's map of the data into the latent space with each point's
 * posterior, a discriminator's verdict.  Knows the prior and which networks
 * each model has; knows nothing of how they were trained.
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

const char *model_net_name(ModelNet n)
{
    static const char *const names[] = {"generator", "discriminator", "encoder", "decoder"};
    return n >= NET_GENERATOR && n <= NET_DECODER ? names[n] : "?";
}

int model_net_parse(const char *name, ModelNet *out)
{
    for (int n = NET_GENERATOR; n <= NET_DECODER; n++)
        if (strcmp(name, model_net_name((ModelNet)n)) == 0) {
            *out = (ModelNet)n;
            return 0;
        }
    return -1;
}

int model_nets(ModelKind k, ModelNet *out)
{
    if (k == MODEL_GAN) {
        out[0] = NET_GENERATOR;
        out[1] = NET_DISCRIMINATOR;
        return 2;
    }
    if (k == MODEL_VAE || k == MODEL_AUTOENCODER) {
        out[0] = NET_ENCODER;
        out[1] = NET_DECODER;
        return 2;
    }
    return 0;
}

int model_default_nets(ModelKind k, ModelNet *out)
{
    int n = model_nets(k, out);
    if (k == MODEL_VAE || k == MODEL_AUTOENCODER) { /* the decoder's map, as before encoders */
        out[0] = NET_DECODER;
        n = 1;
    }
    return n;
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

/* Line k of n at a fraction of the box: evenly for a uniform prior; for a
 * Gaussian at the quantile TAIL + (1 - 2 TAIL) k / (n - 1), so every cell
 * between two neighbouring lines holds the same probability. */
static double grid_fraction(Prior p, int k, int n)
{
    double e = generative_latent_extent(p), u = TAIL + (1.0 - 2 * TAIL) * k / (n - 1);
    return p == PRIOR_UNIFORM ? (double)k / (n - 1) : (prior_quantile(p, u) + e) / (2 * e);
}

static int grid_count(int n)
{
    return n > SHOW_MAX_GRID ? SHOW_MAX_GRID : n < 2 ? 2 : n;
}

static void grid_fractions(Segment *seg, Prior p, int n)
{
    n = grid_count(n);
    for (int k = 0; k < n; k++) seg->grid_at[k] = grid_fraction(p, k, n);
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
    if (real)
        memcpy(seg->class_name, real->class_name, sizeof seg->class_name);
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
    memcpy(seg->class_name, real->class_name, sizeof seg->class_name);
    seg->generated_colour = GENERATED_COLOUR;
    seg->show_scores = show_boundary;
    seg->tag = 'D';
    snprintf(seg->title, sizeof seg->title, "%s", title ? title : "");
    return LW_OK;
}

/* ---- the encoder ---------------------------------------------------------- */

static int ref_line(Polylines *p, const double *a, const double *b)
{
    return polylines_begin(p) || polylines_add(p, a[0], a[1], a[2]) ||
           polylines_add(p, b[0], b[1], b[2]);
}

/* The prior's grid as a fixed reference in the latent space: in 2-D its
 * quantile lines (the decoder's latent grid, the box among them), in 3-D the
 * box's edges (a lattice would hide the ellipsoids), on a line the quantiles
 * as ticks across it.  -1 when out of memory. */
static int prior_reference(Polylines *ref, Prior p, int latent, int lines)
{
    int n = grid_count(lines), rc = 0;
    double e = generative_latent_extent(p);
    if (latent == 1) {
        double h = 0.06 * e;
        rc = ref_line(ref, (double[3]){-e, 0, 0}, (double[3]){e, 0, 0});
        for (int k = 0; !rc && k < n; k++) {
            double q = -e + 2 * e * grid_fraction(p, k, n);
            rc = ref_line(ref, (double[3]){q, -h, 0}, (double[3]){q, h, 0});
        }
    } else if (latent == 2) {
        for (int axis = 0; !rc && axis < 2; axis++)
            for (int k = 0; !rc && k < n; k++) {
                double q = -e + 2 * e * grid_fraction(p, k, n), a[3] = {0}, b[3] = {0};
                a[axis] = b[axis] = q;
                a[1 - axis] = -e;
                b[1 - axis] = e;
                rc = ref_line(ref, a, b);
            }
    } else {
        for (int axis = 0; !rc && axis < 3; axis++)
            for (int c = 0; !rc && c < 4; c++) {
                int u = (axis + 1) % 3, v = (axis + 2) % 3;
                double a[3], b[3];
                a[u] = b[u] = c & 1 ? e : -e;
                a[v] = b[v] = c & 2 ? e : -e;
                a[axis] = -e;
                b[axis] = e;
                rc = ref_line(ref, a, b);
            }
    }
    return rc ? -1 : 0;
}

/* Each data point's posterior sigma = exp(logvar / 2) per latent axis,
 * read off the whole encoder's forward pass (mu, then logvar), onto set 0. */
static int add_posteriors(Segment *seg, const LayerStack *enc, const Dataset *real, int latent,
                          double k, LwError *err)
{
    double *sigma = malloc(sizeof(double) * (size_t)(real->n ? real->n : 1) * latent);
    if (!sigma) return lw_fail(err, LW_ERUNTIME, "out of memory for %d posteriors", real->n);
    for (int i = 0; i < real->n; i++) {
        double h[(LW_MAX_LAYERS + 1) * LW_MAX_WIDTH];
        layers_forward_point(enc, real->x + (size_t)i * real->dim, h);
        const double *logvar = h + enc->n_layers * LW_MAX_WIDTH + latent;
        for (int a = 0; a < latent; a++) sigma[(size_t)i * latent + a] = exp(0.5 * logvar[a]);
    }
    int rc = segment_set_spread(seg, 0, sigma, latent, k, err);
    free(sigma);
    return rc;
}

/* What the legend and the last stage's caption say: a posterior per point,
 * or a bare code. */
static void encoder_texts(Segment *seg, int variational, int latent, double k)
{
    static const char *const shape[] = {"", "the interval \xce\xbc \xc2\xb1 %g\xcf\x83",
                                        "an ellipse of semi-axes %g\xcf\x83 about \xce\xbc",
                                        "the outline of an ellipsoid of semi-axes %g\xcf\x83 "
                                        "about \xce\xbc"};
    if (!variational) {
        snprintf(seg->end_note, sizeof seg->end_note, "each point's code: a point, no spread; "
                 "prior cells no code reaches are gaps the decoder never learned");
        return;
    }
    snprintf(seg->spread_name, sizeof seg->spread_name, "posterior %g\xcf\x83", k);
    char drawn[96];
    snprintf(drawn, sizeof drawn, shape[latent], k);
    snprintf(seg->end_note, sizeof seg->end_note,
             "each point's posterior q(z|x) = N(\xce\xbc, \xcf\x83\xc2\xb2), drawn as %s",
             drawn);
}

int generative_encoder_segment(const LayerStack *enc, const Dataset *real, const EncoderView *v,
                               Show *show, LwError *err)
{
    int L = enc->n_layers, latent = v->latent, out = (v->variational ? 2 : 1) * latent;
    if (L < 1 || enc->widths[0] != real->dim || enc->widths[L] != out)
        return lw_fail(err, LW_EINPUT, "an encoder %d -> %d does not fit %d-D data and a "
                       "latent space of %d (%s)", enc->widths[0], enc->widths[L], real->dim,
                       latent, v->variational ? "mean and log-variance" : "the code");
    /* the mean head: W is row-major, so its first `latent` rows (and b's
     * first entries) are the mean's; the log-variance rows are left out */
    LayerStack mean = *enc;
    mean.widths[L] = latent;
    Segment *seg;
    int rc = show_add_segment(show, &seg, err);
    if (!rc) rc = segment_set_layers(seg, &mean, err);
    if (!rc) rc = segment_add_points(seg, real->x, real->label, real->n, real->dim, NULL, 0, 0, 0,
                                     err);
    if (!rc && v->variational) rc = add_posteriors(seg, enc, real, latent, v->sigma_k, err);
    if (!rc && prior_reference(&seg->reference, v->prior, latent, v->grid_lines))
        rc = lw_fail(err, LW_ERUNTIME, "out of memory for the prior's reference lines");
    if (rc) return rc;
    seg->reference_from = L - 1; /* the latent space is the last layer's */
    snprintf(seg->reference_name, sizeof seg->reference_name, "prior %s",
             v->prior == PRIOR_UNIFORM ? "grid" : "quantiles");
    encoder_texts(seg, v->variational, latent, v->sigma_k);
    points_region(real, NULL, 0, seg->region);
    seg->n_classes = real->classes;
    memcpy(seg->class_name, real->class_name, sizeof seg->class_name);
    seg->tag = 'E';
    snprintf(seg->title, sizeof seg->title, "%s", v->title ? v->title : "");
    return LW_OK;
}
