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
#include "vae.h"

static const char MAGIC[8] = {'L', 'W', 'T', 'R', 'A', 'I', 'N', '2'};

#define REPORT_SLOTS 6

typedef struct {
    double report[REPORT_SLOTS];
    uint64_t n_params;
} EntryHead;

/* A new field in a trainer's configuration must enter its key (below):
 * these fail to compile until it does. */
_Static_assert(sizeof(TrainConfig) == 64, "TrainConfig changed: update classifier_key");
_Static_assert(sizeof(GanConfig) == 192, "GanConfig changed: update gan_key");
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

/* The entry's bytes when its size is exactly want. */
static unsigned char *read_entry(const char *path, size_t want)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    unsigned char *buf = malloc(want + 1);
    size_t got = buf ? fread(buf, 1, want + 1, f) : 0;
    fclose(f);
    if (got != want) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* Fills params (n of them) and report from the entry for key; 0 when there
 * is no valid one. */
static int load(const TrainCache *c, const XXH128_canonical_t *key, double *params, size_t n,
                double report[REPORT_SLOTS])
{
    char path[LW_PATH_MAX + 64];
    entry_path(c, key, path, sizeof path);
    size_t body = entry_body(n);
    unsigned char *buf = read_entry(path, body + sizeof(uint64_t));
    if (!buf)
        return 0;
    EntryHead h;
    uint64_t sum;
    const unsigned char *p = buf + sizeof MAGIC + sizeof *key;
    memcpy(&h, p, sizeof h);
    memcpy(&sum, buf + body, sizeof sum);
    int ok = memcmp(buf, MAGIC, sizeof MAGIC) == 0 &&
             memcmp(buf + sizeof MAGIC, key, sizeof *key) == 0 &&
             sum == XXH3_64bits(buf, body) && h.n_params == n;
    if (ok) {
        memcpy(params, p + sizeof h, n * sizeof(double));
        memcpy(report, h.report, sizeof h.report);
        utime(path, NULL); /* recently used: the last to be pruned */
    }
    free(buf);
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

/* Everything train_network reads; 0: no key. */
static int classifier_key(const NetSpec *net, const TrainConfig *cfg, const Dataset *ds,
                          XXH128_canonical_t *key)
{
    XXH3_state_t *st = key_begin("classifier");
    if (!st)
        return 0;
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

static int gan_key(const Gan *m, const Dataset *ds, const GanConfig *cfg,
                   XXH128_canonical_t *key)
{
    XXH3_state_t *st = key_begin("gan");
    if (!st)
        return 0;
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
