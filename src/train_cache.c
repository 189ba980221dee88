/* train_cache.c — trained networks kept on disk between runs (see
 * train_cache.h for what the key covers and why a miss is never an error).
 *
 * An entry is one file, DIR/train-KEY.bin, KEY the 32 hex digits of the
 * XXH3-128 key:
 *   "LWTRAIN2", the key (16 bytes), the report (REPORT_SLOTS doubles: each
 *   trainer's report, field by field), the parameter count (uint64), the
 *   parameters (doubles, the model's slab as it is in memory), and an
 *   XXH3-64 of all the bytes before it.
 * Written in this machine's byte order: the cache is the machine's own.
 * The core (key, load, store) knows slabs of doubles; the three trainers
 * (classifier, GAN, VAE or autoencoder) each say what goes in the key and
 * the report. */
#include "train_cache.h"

#include <dirent.h>
#include <errno.h>
#include <gnu/libc-version.h>
#include <gsl/gsl_version.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <utime.h>
#include <xxhash.h>

#include "atomic_file.h"
#include "gan.h"
#include "gan_history.h"
#include "history.h"
#include "input_file.h"
#include "vae.h"

static const char MAGIC[8] = {'L', 'W', 'T', 'R', 'A', 'I', 'N', '2'};

#define REPORT_SLOTS 6
/* The most doubles an entry holds (64 snapshots of the largest network are
 * far fewer): a larger file is not read. */
#define TRAIN_CACHE_MAX_DOUBLES ((size_t)1 << 25)

typedef struct {
    double report[REPORT_SLOTS];
    uint64_t n_params;
} EntryHead;

/* A new field in a trainer's configuration must enter its key (below):
 * these fail to compile until it does. */
_Static_assert(sizeof(TrainConfig) == 64, "TrainConfig changed: update put_classifier");
_Static_assert(sizeof(GanConfig) == 192, "GanConfig changed: update put_gan");
_Static_assert(sizeof(VaeConfig) == 184, "VaeConfig changed: update vae_key");

/* ---- where --------------------------------------------------------------------- */

static int set_dir(TrainCache *c, const char *a, const char *b)
{
    int len = snprintf(c->dir, sizeof c->dir, "%s%s", a, b);
    /* room for "/train-" + 32 digits + ".bin" and atomic_file's temporary */
    c->on = len > 0 && (size_t)len + 48 + ATOMIC_TEMP_EXTRA < sizeof c->dir;
    return c->on;
}

void train_cache_locate(TrainCache *c, int disabled)
{
    memset(c, 0, sizeof *c);
    const char *env = getenv("LAYERWARP_CACHE_DIR");
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    if (disabled)
        return;
    if (env) {
        if (env[0] && strcmp(env, "off") != 0)
            set_dir(c, env, "");
    } else if (xdg && xdg[0] == '/') { /* the XDG spec ignores relative paths */
        set_dir(c, xdg, "/layerwarp");
    } else if (home && home[0]) {
        set_dir(c, home, "/.cache/layerwarp");
    }
}

/* mkdir -p, quietly: a folder that cannot be made turns the store off. */
static int make_dir(const char *path)
{
    char buf[LW_PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return 0;
        *p = saved;
        if (!saved)
            break;
    }
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* ---- the key ------------------------------------------------------------------- */

/* The running program's bytes: training's arithmetic is the build's. */
static int hash_executable(XXH3_state_t *st)
{
    FILE *f = fopen("/proc/self/exe", "rb");
    if (!f)
        return 0;
    char buf[1 << 16];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0)
        XXH3_128bits_update(st, buf, got);
    int ok = !ferror(f);
    fclose(f);
    return ok;
}

static void put(XXH3_state_t *st, const void *p, size_t size)
{
    XXH3_128bits_update(st, p, size);
}

static void put_int(XXH3_state_t *st, int64_t v)
{
    put(st, &v, sizeof v);
}

static void put_double(XXH3_state_t *st, double v)
{
    put(st, &v, sizeof v);
}

static void put_text(XXH3_state_t *st, const char *s)
{
    put(st, s, strlen(s) + 1);
}

static void put_ints(XXH3_state_t *st, const int *v, int n)
{
    put_int(st, n);
    for (int i = 0; i < n; i++)
        put_int(st, v[i]);
}

/* The data as the trainer sees it: a CSV's bytes and every [dataset] key
 * count through the points and labels they make. */
static void put_dataset(XXH3_state_t *st, const Dataset *ds)
{
    put_int(st, ds->n);
    put_int(st, ds->dim);
    put_int(st, ds->classes);
    put(st, ds->x, (size_t)ds->n * ds->dim * sizeof *ds->x);
    put(st, ds->label, (size_t)ds->n * sizeof *ds->label);
}

/* A key's start: the trainer's name and the build.  NULL when the
 * executable cannot be read (no key, no cache). */
static XXH3_state_t *key_begin(const char *trainer)
{
    XXH3_state_t *st = XXH3_createState();
    if (!st || XXH3_128bits_reset(st) != XXH_OK) {
        XXH3_freeState(st);
        return NULL;
    }
    put(st, MAGIC, sizeof MAGIC);
    put_text(st, trainer);
    put_text(st, gnu_get_libc_version());
    put_text(st, gsl_version);
    if (!hash_executable(st)) {
        XXH3_freeState(st);
        return NULL;
    }
    return st;
}

static void key_end(XXH3_state_t *st, XXH128_canonical_t *key)
{
    XXH128_canonicalFromHash(key, XXH3_128bits_digest(st));
    XXH3_freeState(st);
}

/* ---- entries ------------------------------------------------------------------- */

static void entry_path(const TrainCache *c, const XXH128_canonical_t *key, char *path,
                       size_t size)
{
    char hex[33];
    for (int i = 0; i < 16; i++)
        snprintf(hex + 2 * i, 3, "%02x", key->digest[i]);
    snprintf(path, size, "%s/train-%s.bin", c->dir, hex);
}

static size_t entry_body(size_t n_params)
{
    return sizeof MAGIC + sizeof(XXH128_canonical_t) + sizeof(EntryHead) +
           n_params * sizeof(double);
}

/* An entry's file, whole, when it is a regular file no larger than most
 * bytes (input_open: a FIFO or a device put there cannot hang the run). */
static unsigned char *read_entry(const char *path, size_t most, size_t *size)
{
    FILE *f;
    if (input_open(path, most, "cache entry", &f, NULL) != LW_OK)
        return NULL;
    struct stat st;
    unsigned char *buf = NULL;
    if (fstat(fileno(f), &st) == 0 && st.st_size > 0 && (buf = malloc((size_t)st.st_size + 1))) {
        *size = fread(buf, 1, (size_t)st.st_size + 1, f);
        if (*size != (size_t)st.st_size) {
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    return buf;
}

/* The entry for key: its payload (*n doubles, malloc'd, NULL when there is
 * no valid entry) and its report. */
static double *load_payload(const TrainCache *c, const XXH128_canonical_t *key, size_t *n,
                            double report[REPORT_SLOTS])
{
    char path[LW_PATH_MAX + 64];
    entry_path(c, key, path, sizeof path);
    size_t size = 0;
    unsigned char *buf = read_entry(path, entry_body(TRAIN_CACHE_MAX_DOUBLES) + sizeof(uint64_t),
                                    &size);
    if (!buf)
        return NULL;
    EntryHead h;
    uint64_t sum;
    const unsigned char *p = buf + sizeof MAGIC + sizeof *key;
    double *out = NULL;
    if (size >= entry_body(0) + sizeof sum) {
        memcpy(&h, p, sizeof h);
        size_t body = size - sizeof sum;
        memcpy(&sum, buf + body, sizeof sum);
        if (h.n_params <= TRAIN_CACHE_MAX_DOUBLES && body == entry_body(h.n_params) &&
            memcmp(buf, MAGIC, sizeof MAGIC) == 0 &&
            memcmp(buf + sizeof MAGIC, key, sizeof *key) == 0 &&
            sum == XXH3_64bits(buf, body) && (out = malloc((h.n_params + 1) * sizeof *out))) {
            memcpy(out, p + sizeof h, h.n_params * sizeof *out);
            memcpy(report, h.report, sizeof h.report);
            *n = h.n_params;
            utime(path, NULL); /* recently used: the last to be pruned */
        }
    }
    free(buf);
    return out;
}

/* Fills params (exactly n of them) and report from the entry for key; 0
 * when there is no valid one. */
static int load(const TrainCache *c, const XXH128_canonical_t *key, double *params, size_t n,
                double report[REPORT_SLOTS])
{
    size_t got = 0;
    double *p = load_payload(c, key, &got, report);
    int ok = p && got == n;
    if (ok)
        memcpy(params, p, n * sizeof *p);
    free(p);
    return ok;
}

typedef struct {
    char name[64];
    time_t mtime;
} Entry;

static int older_first(const void *a, const void *b)
{
    const Entry *x = a, *y = b;
    if (x->mtime != y->mtime)
        return x->mtime < y->mtime ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* Removes the least recently used entries beyond TRAIN_CACHE_MAX. */
static void prune(const TrainCache *c)
{
    DIR *d = opendir(c->dir);
    if (!d)
        return;
    Entry *e = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (strncmp(de->d_name, "train-", 6) != 0 || len >= sizeof e->name ||
            strcmp(de->d_name + len - 4, ".bin") != 0)
            continue;
        if (n == cap) {
            Entry *grown = realloc(e, (cap = cap ? 2 * cap : 256) * sizeof *e);
            if (!grown)
                break;
            e = grown;
        }
        char path[LW_PATH_MAX + 64];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", c->dir, de->d_name);
        if (stat(path, &st) != 0)
            continue;
        snprintf(e[n].name, sizeof e[n].name, "%s", de->d_name);
        e[n++].mtime = st.st_mtime;
    }
    closedir(d);
    if (n > TRAIN_CACHE_MAX) {
        qsort(e, n, sizeof *e, older_first);
        for (size_t i = 0; i < n - TRAIN_CACHE_MAX; i++) {
            char path[LW_PATH_MAX + 64];
            snprintf(path, sizeof path, "%s/%s", c->dir, e[i].name);
            remove(path);
        }
    }
    free(e);
}

/* Writes the entry whole or not at all; a failure is passed over. */
static void store(const TrainCache *c, const XXH128_canonical_t *key, const double *params,
                  size_t n, const double report[REPORT_SLOTS])
{
    EntryHead h;
    memset(&h, 0, sizeof h);
    memcpy(h.report, report, sizeof h.report);
    h.n_params = n;
    size_t body = entry_body(n);
    unsigned char *buf = malloc(body + sizeof(uint64_t));
    if (!buf || !make_dir(c->dir)) {
        free(buf);
        return;
    }
    unsigned char *p = buf;
    memcpy(p, MAGIC, sizeof MAGIC), p += sizeof MAGIC;
    memcpy(p, key, sizeof *key), p += sizeof *key;
    memcpy(p, &h, sizeof h), p += sizeof h;
    memcpy(p, params, n * sizeof(double));
    uint64_t sum = XXH3_64bits(buf, body);
    memcpy(buf + body, &sum, sizeof sum);
    char path[LW_PATH_MAX + 64];
    entry_path(c, key, path, sizeof path);
    AtomicFile a = {0};
    LwError ignored;
    if (atomic_open(&a, path, &ignored) == LW_OK) {
        if (fwrite(buf, 1, body + sizeof sum, a.f) == body + sizeof sum)
            atomic_commit(&a, &ignored);
        atomic_abort(&a);
    }
    free(buf);
    prune(c);
}

/* ---- the classifier -------------------------------------------------------------- */

/* Everything train_network reads. */
static void put_classifier(XXH3_state_t *st, const NetSpec *net, const TrainConfig *cfg,
                           const Dataset *ds)
{
    put_ints(st, net->widths, net->n_widths);
    for (int l = 0; l + 1 < net->n_widths; l++)
        put_int(st, net->act[l]);
    put_int(st, cfg->optimizer);
    put_double(st, cfg->learning_rate);
    put_int(st, cfg->steps);
    put_int(st, cfg->batch);
    put_double(st, cfg->l2);
    put_double(st, cfg->momentum);
    put_double(st, cfg->target_accuracy);
    put_int(st, (int64_t)cfg->seed);
    put_double(st, cfg->readable);
    put_dataset(st, ds);
}

/* 0: no key. */
static int classifier_key(const NetSpec *net, const TrainConfig *cfg, const Dataset *ds,
                          XXH128_canonical_t *key)
{
    XXH3_state_t *st = key_begin("classifier");
    if (!st)
        return 0;
    put_classifier(st, net, cfg, ds);
    key_end(st, key);
    return 1;
}

int train_network_cached(const TrainCache *c, const NetSpec *net, const TrainConfig *cfg,
                         const char *scene_path, const Dataset *ds, Mlp *m,
                         TrainProgress progress, void *user, TrainReport *report,
                         LwError *err)
{
    XXH128_canonical_t key;
    if (!c || !c->on || net->has_weights || !classifier_key(net, cfg, ds, &key))
        return train_network(net, cfg, scene_path, ds, m, progress, user, report, err);
    double r[REPORT_SLOTS];
    TrainReport rep = {0};
    int rc = mlp_alloc(m, net->n_widths, net->widths, net->act, ds->classes, err);
    if (rc == LW_OK && load(c, &key, m->params, m->n_params, r)) {
        rep = (TrainReport){(int)r[0], r[1], r[2], r[3], (int)r[4], 1};
        if (report)
            *report = rep;
        return LW_OK;
    }
    mlp_free(m);
    if (rc != LW_OK)
        return rc;
    rc = train_network(net, cfg, scene_path, ds, m, progress, user, &rep, err);
    if (rc == LW_OK) {
        double out[REPORT_SLOTS] = {rep.steps, rep.loss, rep.accuracy, rep.seconds, rep.attempt};
        store(c, &key, m->params, m->n_params, out);
    }
    if (report)
        *report = rep;
    return rc;
}

/* ---- generative models ------------------------------------------------------------ */

/* Their trainers start from the caller's parameters: those are in the key. */
static void put_params(XXH3_state_t *st, const double *params, size_t n)
{
    put_int(st, (int64_t)n);
    put(st, params, n * sizeof *params);
}

/* Everything gan_train reads. */
static void put_gan(XXH3_state_t *st, const Gan *m, const Dataset *ds, const GanConfig *cfg)
{
    put_ints(st, cfg->gen_hidden, cfg->n_gen_hidden);
    put_ints(st, cfg->disc_hidden, cfg->n_disc_hidden);
    put_int(st, cfg->gen_act);
    put_int(st, cfg->disc_act);
    put_int(st, cfg->latent_dim);
    put_int(st, cfg->prior);
    put_int(st, cfg->steps);
    put_int(st, cfg->d_steps);
    put_double(st, cfg->g_learning_rate);
    put_double(st, cfg->d_learning_rate);
    put_double(st, cfg->beta1);
    put_int(st, cfg->batch);
    put_int(st, (int64_t)cfg->seed);
    put_params(st, m->params, m->n_gen_params + m->n_disc_params);
    put_dataset(st, ds);
}

static int gan_key(const Gan *m, const Dataset *ds, const GanConfig *cfg,
                   XXH128_canonical_t *key)
{
    XXH3_state_t *st = key_begin("gan");
    if (!st)
        return 0;
    put_gan(st, m, ds, cfg);
    key_end(st, key);
    return 1;
}

int gan_train_cached(const TrainCache *c, Gan *m, const Dataset *ds, const GanConfig *cfg,
                     GanReport *rep, int *cached, LwError *err)
{
    XXH128_canonical_t key;
    size_t n = m->n_gen_params + m->n_disc_params;
    double r[REPORT_SLOTS];
    *cached = 0;
    if (!c || !c->on || !gan_key(m, ds, cfg, &key))
        return gan_train(m, ds, cfg, rep, err);
    if (load(c, &key, m->params, n, r)) {
        if (rep)
            *rep = (GanReport){(int)r[0], r[1], r[2], r[3]};
        *cached = 1;
        return LW_OK;
    }
    GanReport got = {0};
    int rc = gan_train(m, ds, cfg, &got, err);
    if (rc == LW_OK)
        store(c, &key, m->params, n, (double[REPORT_SLOTS]){got.steps, got.d_loss, got.g_loss,
                                                             got.seconds});
    if (rep)
        *rep = got;
    return rc;
}

static int vae_key(const Vae *m, const Dataset *ds, const VaeConfig *cfg,
                   XXH128_canonical_t *key)
{
    XXH3_state_t *st = key_begin("vae");
    if (!st)
        return 0;
    put_ints(st, cfg->enc_hidden, cfg->n_enc_hidden);
    put_ints(st, cfg->dec_hidden, cfg->n_dec_hidden);
    put_int(st, cfg->act);
    put_int(st, cfg->latent_dim);
    put_int(st, cfg->variational);
    put_double(st, cfg->beta);
    put_int(st, cfg->steps);
    put_double(st, cfg->learning_rate);
    put_int(st, cfg->batch);
    put_int(st, (int64_t)cfg->seed);
    put_params(st, m->params, m->n_params);
    put_dataset(st, ds);
    key_end(st, key);
    return 1;
}

int vae_train_cached(const TrainCache *c, Vae *m, const Dataset *ds, const VaeConfig *cfg,
                     VaeReport *rep, int *cached, LwError *err)
{
    XXH128_canonical_t key;
    double r[REPORT_SLOTS];
    *cached = 0;
    if (!c || !c->on || !vae_key(m, ds, cfg, &key))
        return vae_train(m, ds, cfg, rep, err);
    if (load(c, &key, m->params, m->n_params, r)) {
        if (rep)
            *rep = (VaeReport){(int)r[0], r[1], r[2], r[3]};
        *cached = 1;
        return LW_OK;
    }
    VaeReport got = {0};
    int rc = vae_train(m, ds, cfg, &got, err);
    if (rc == LW_OK)
        store(c, &key, m->params, m->n_params,
              (double[REPORT_SLOTS]){got.steps, got.recon, got.kl, got.seconds});
    if (rep)
        *rep = got;
    return rc;
}

/* ---- training replayed: the snapshots and the curve ------------------------------- */

static void put_spec(XXH3_state_t *st, const CheckpointSpec *spec)
{
    put_int(st, spec->mode);
    put_int(st, spec->every);
    put_ints(st, spec->steps, spec->mode == CHECKPOINTS_LIST ? spec->n : 0);
    put_int(st, spec->n);
}

/* A history as doubles: [snapshots, curve points, then the snapshots'
 * steps, then each of their n_values figures in turn, then the curve's
 * steps and its two figures, then the snapshots' slabs of P]. */
typedef struct {
    int n_snapshots, n_curve, n_values;
    int *step, *curve_step;
    double *value[3], *curve_value[2];
    double *slab[HISTORY_MAX_SNAPSHOTS];
    size_t P;
} HistoryView;

static size_t history_doubles(const HistoryView *v)
{
    return 2 + (1 + (size_t)v->n_values) * v->n_snapshots + 3 * (size_t)v->n_curve +
           v->n_snapshots * v->P;
}

static double *history_pack(const HistoryView *v, size_t *n)
{
    double *out = malloc(history_doubles(v) * sizeof *out), *p = out;
    if (!out)
        return NULL;
    *p++ = v->n_snapshots;
    *p++ = v->n_curve;
    for (int k = 0; k < v->n_snapshots; k++) *p++ = v->step[k];
    for (int j = 0; j < v->n_values; j++)
        for (int k = 0; k < v->n_snapshots; k++) *p++ = v->value[j][k];
    for (int k = 0; k < v->n_curve; k++) *p++ = v->curve_step[k];
    for (int j = 0; j < 2; j++)
        for (int k = 0; k < v->n_curve; k++) *p++ = v->curve_value[j][k];
    for (int k = 0; k < v->n_snapshots; k++, p += v->P)
        memcpy(p, v->slab[k], v->P * sizeof *p);
    *n = (size_t)(p - out);
    return out;
}

/* The counts a packed history of n doubles says, when they fit it. */
static int history_counts(const double *d, size_t n, size_t P, int n_values, int *ns, int *nc)
{
    if (n < 2 || !(d[0] >= 1 && d[0] <= HISTORY_MAX_SNAPSHOTS) || !(d[1] >= 0 && d[1] <= 1e7))
        return 0;
    *ns = (int)d[0];
    *nc = (int)d[1];
    return n == 2 + (1 + (size_t)n_values) * *ns + 3 * (size_t)*nc + *ns * P;
}

/* Unpacks into v, whose arrays the caller sized from history_counts; the
 * slabs are written into v->slab[k]. */
static void history_unpack(const double *d, HistoryView *v)
{
    const double *p = d + 2;
    for (int k = 0; k < v->n_snapshots; k++) v->step[k] = (int)*p++;
    for (int j = 0; j < v->n_values; j++)
        for (int k = 0; k < v->n_snapshots; k++) v->value[j][k] = *p++;
    for (int k = 0; k < v->n_curve; k++) v->curve_step[k] = (int)*p++;
    for (int j = 0; j < 2; j++)
        for (int k = 0; k < v->n_curve; k++) v->curve_value[j][k] = *p++;
    for (int k = 0; k < v->n_snapshots; k++, p += v->P)
        memcpy(v->slab[k], p, v->P * sizeof *p);
}

/* history_record's run: everything the classifier's key holds, which run
 * was kept, the checkpoints, and the trained network itself. */
static int history_key(const NetSpec *net, const TrainConfig *cfg, const TrainReport *report,
                       const Dataset *ds, const CheckpointSpec *spec, const Mlp *trained,
                       XXH128_canonical_t *key)
{
    XXH3_state_t *st = key_begin("classifier history");
    if (!st)
        return 0;
    put_classifier(st, net, cfg, ds);
    put_int(st, report->attempt);
    put_int(st, report->steps);
    put_spec(st, spec);
    put_params(st, trained->params, trained->n_params);
    key_end(st, key);
    return 1;
}

static HistoryView history_view(History *h, size_t P)
{
    HistoryView v = {h->n_snapshots, h->n_curve, 2, h->step, h->curve_step,
                     {h->loss, h->accuracy}, {h->curve_loss, h->curve_accuracy}, {0}, P};
    for (int k = 0; k < h->n_snapshots; k++) v.slab[k] = h->snapshot[k].params;
    return v;
}

/* h from the packed doubles; 0 (h freed) when they do not make one. */
static int history_from(const double *d, size_t n, const Mlp *trained, History *h)
{
    int ns, nc, ok = history_counts(d, n, trained->n_params, 2, &ns, &nc);
    memset(h, 0, sizeof *h);
    if (!ok)
        return 0;
    h->curve_step = malloc(sizeof(int) * (nc + 1));
    h->curve_loss = malloc(sizeof(double) * (nc + 1));
    h->curve_accuracy = malloc(sizeof(double) * (nc + 1));
    ok = h->curve_step && h->curve_loss && h->curve_accuracy;
    int classes = trained->n_out == 1 ? 2 : trained->n_out;
    for (int k = 0; ok && k < ns; k++, h->n_snapshots++)
        ok = mlp_alloc(&h->snapshot[k], trained->n_layers + 1, trained->widths, trained->act,
                       classes, NULL) == LW_OK &&
             h->snapshot[k].n_params == trained->n_params;
    if (ok) {
        h->n_curve = nc;
        HistoryView v = history_view(h, trained->n_params);
        history_unpack(d, &v);
    } else {
        history_free(h);
    }
    return ok;
}

int history_record_cached(const TrainCache *c, const NetSpec *net, const TrainConfig *cfg,
                          const TrainReport *report, const Dataset *ds,
                          const CheckpointSpec *spec, const Mlp *trained, History *h,
                          LwError *err)
{
    XXH128_canonical_t key;
    if (!c || !c->on || net->has_weights ||
        !history_key(net, cfg, report, ds, spec, trained, &key))
        return history_record(net, cfg, report, ds, spec, trained, h, err);
    size_t n = 0;
    double r[REPORT_SLOTS];
    double *d = load_payload(c, &key, &n, r);
    int hit = d && history_from(d, n, trained, h);
    free(d);
    if (hit)
        return LW_OK;
    int rc = history_record(net, cfg, report, ds, spec, trained, h, err);
    HistoryView v = history_view(h, trained->n_params);
    if (rc == LW_OK && (d = history_pack(&v, &n)))
        store(c, &key, d, n, (double[REPORT_SLOTS]){0});
    free(d);
    return rc;
}

static int gan_history_key(const GanConfig *cfg, const Dataset *ds, const CheckpointSpec *spec,
                           const Gan *trained, const GanMeasure *mm, XXH128_canonical_t *key)
{
    XXH3_state_t *st = key_begin("gan history");
    if (!st)
        return 0;
    put_gan(st, trained, ds, cfg); /* the trained parameters stand for the start */
    put_spec(st, spec);
    put_int(st, mm->n);
    put_int(st, (int64_t)mm->seed);
    put_int(st, mm->n_data);
    key_end(st, key);
    return 1;
}

static HistoryView gan_history_view(GanHistory *h, size_t P)
{
    HistoryView v = {h->n_snapshots, h->n_curve, 3, h->step, h->curve_step,
                     {h->d_loss, h->g_loss, h->mmd2}, {h->curve_d_loss, h->curve_g_loss}, {0}, P};
    for (int k = 0; k < h->n_snapshots; k++) v.slab[k] = h->snapshot[k].params;
    return v;
}

static int gan_history_from(const double *d, size_t n, const Gan *trained, GanHistory *h)
{
    size_t P = trained->n_gen_params + trained->n_disc_params;
    int ns, nc, ok = history_counts(d, n, P, 3, &ns, &nc);
    memset(h, 0, sizeof *h);
    if (!ok)
        return 0;
    h->curve_step = malloc(sizeof(int) * (nc + 1));
    h->curve_d_loss = malloc(sizeof(double) * (nc + 1));
    h->curve_g_loss = malloc(sizeof(double) * (nc + 1));
    ok = h->curve_step && h->curve_d_loss && h->curve_g_loss;
    for (int k = 0; ok && k < ns; k++, h->n_snapshots++)
        ok = gan_copy(&h->snapshot[k], trained, NULL) == LW_OK;
    if (ok) {
        h->n_curve = nc;
        HistoryView v = gan_history_view(h, P);
        history_unpack(d, &v);
    } else {
        gan_history_free(h);
    }
    return ok;
}

/* gan_history_record, then gan_history_measure as mm says. */
static int record_measured(const GanConfig *cfg, const Dataset *ds, const CheckpointSpec *spec,
                           const Gan *trained, const GanMeasure *mm, GanHistory *h, LwError *err)
{
    int rc = gan_history_record(cfg, ds, spec, trained, h, err);
    return rc ? rc : gan_history_measure(h, ds, mm->n, mm->seed, mm->n_data, err);
}

int gan_history_record_cached(const TrainCache *c, const GanConfig *cfg, const Dataset *ds,
                              const CheckpointSpec *spec, const Gan *trained,
                              const GanMeasure *mm, GanHistory *h, LwError *err)
{
    XXH128_canonical_t key;
    if (!c || !c->on || !gan_history_key(cfg, ds, spec, trained, mm, &key))
        return record_measured(cfg, ds, spec, trained, mm, h, err);
    size_t n = 0, P = trained->n_gen_params + trained->n_disc_params;
    double r[REPORT_SLOTS];
    double *d = load_payload(c, &key, &n, r);
    int hit = d && gan_history_from(d, n, trained, h);
    free(d);
    if (hit)
        return LW_OK;
    int rc = record_measured(cfg, ds, spec, trained, mm, h, err);
    HistoryView v = gan_history_view(h, P);
    if (rc == LW_OK && (d = history_pack(&v, &n)))
        store(c, &key, d, n, (double[REPORT_SLOTS]){0});
    free(d);
    return rc;
}
