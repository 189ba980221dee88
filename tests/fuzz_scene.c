/* fuzz_scene.c — libFuzzer target for the scene parser (`make fuzz`,
 * scripts/fuzz.sh).
 *
 * Each input is handed to scene_load_string() as it is: in a buffer of
 * exactly its length, not NUL-terminated, so AddressSanitizer catches any
 * read past the end.  Besides crashes, leaks and undefined behaviour, the
 * target checks the parser's contract (include/scene.h) and traps when it
 * is broken:
 *   - the result is LW_OK or LW_EINPUT (LW_ERUNTIME only when out of memory);
 *   - a refusal comes with one line of text, "fuzz.scene:LINE: message",
 *     LINE from 1 to the input's line count + 1, with no newline or other
 *     control byte in it (it is printed to a terminal as it is);
 *   - a Scene that loads is complete and consistent: widths, sizes and rates
 *     within their documented ranges, and every fixed weight matrix present.
 * scene_free() runs on every outcome, so LeakSanitizer sees half-built
 * scenes too.  Build with -DFUZZ_ALLOW_CR (FUZZ_CFLAGS=-DFUZZ_ALLOW_CR
 * scripts/fuzz.sh) to look past a carriage return in a message, the one
 * finding still open (see tests/fuzz/README.md). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scene.h"

#define NAME "fuzz.scene"

/* A macro, so that the trap's stack frame names the check that failed. */
#define check(cond)                                                           \
    do {                                                                      \
        if (!(cond))                                                          \
            __builtin_trap();                                                 \
    } while (0)

static size_t count_lines(const uint8_t *data, size_t size)
{
    size_t n = 1;
    for (size_t i = 0; i < size; i++)
        n += data[i] == '\n';
    return n;
}

static void check_error(const LwError *err, const uint8_t *data, size_t size)
{
    const char *m = err->msg;
    size_t len = strnlen(m, sizeof err->msg);
    check(len > 0 && len < sizeof err->msg);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)m[i];
#ifdef FUZZ_ALLOW_CR
        /* while the lone-CR finding is open, to look past it */
        if (c == '\r')
            continue;
#endif
        check(c >= 0x20 || c == '\t');
        check(c != 0x7f);
    }
    size_t nl = strlen(NAME);
    check(strncmp(m, NAME ":", nl + 1) == 0);
    char *end;
    long line = strtol(m + nl + 1, &end, 10);
    check(end != m + nl + 1 && line >= 1 && (size_t)line <= count_lines(data, size) + 1);
    check(end[0] == ':' && end[1] == ' ' && end[2] != '\0');
}

static void check_scene(const Scene *sc)
{
    const NetSpec *net = &sc->net;
    check(net->n_widths >= 2 && net->n_widths <= LW_MAX_LAYERS + 1);
    /* a classifier's widths start at the data; a generative model's run from
     * the latent space to the data */
    if (sc->model.kind == MODEL_CLASSIFIER) {
        check(net->widths[0] == dataset_spec_dim(&sc->data));
        check(sc->model.n_networks == 0);
    } else {
        check(net->widths[0] == sc->model.latent);
        check(net->widths[net->n_widths - 1] == dataset_spec_dim(&sc->data));
        /* the show plays one or both of the model's own networks, each once */
        ModelNet has[MODEL_MAX_NETS];
        check(model_nets(sc->model.kind, has) == 2);
        check(sc->model.n_networks >= 1 && sc->model.n_networks <= 2);
        for (int i = 0; i < sc->model.n_networks; i++)
            check(sc->model.networks[i] == has[0] || sc->model.networks[i] == has[1]);
        check(sc->model.n_networks < 2 || sc->model.networks[0] != sc->model.networks[1]);
    }
    for (int l = 0; l < net->n_widths; l++)
        check(net->widths[l] >= 1 && net->widths[l] <= LW_MAX_WIDTH);
    for (int l = 0; l + 1 < net->n_widths; l++)
        check(net->act[l] >= 0 && net->act[l] < ACT_COUNT);
    if (net->has_weights && !net->weights_path[0])
        for (int l = 0; l + 1 < net->n_widths; l++)
            check(net->W[l] && net->b[l]);
    /* a generative model's weights come only from a file */
    if (sc->model.kind != MODEL_CLASSIFIER && net->has_weights)
        check(net->weights_path[0] && !net->W[0] && !net->has_readout);
    if (net->has_readout)
        check(net->Wout && net->bout && net->n_out >= 1 && net->n_out <= LW_MAX_CLASSES);
    const RenderConfig *r = &sc->render;
    check(r->style.width >= 16 && r->style.width <= 7680 && r->style.width % 2 == 0);
    check(r->style.height >= 16 && r->style.height <= 4320 && r->style.height % 2 == 0);
    check(r->timeline.fps >= 1 && r->timeline.fps <= 120);
    /* training = morph plays one checkpoint to the next over a layer's
     * stages, so the parser keeps that share of the stage_seconds written */
    double lo = 0.05, hi = 60;
    if (sc->training == TRAINING_MORPH) {
        lo /= STAGES_PER_LAYER;
        hi /= STAGES_PER_LAYER;
    }
    check(r->timeline.stage_seconds >= lo && r->timeline.stage_seconds <= hi);
    check(sc->data.kind >= 0 && sc->data.kind < DATA_COUNT);
    check(sc->data.classes >= 2 && sc->data.classes <= LW_MAX_CLASSES);
    check(memchr(sc->output.path, '\0', sizeof sc->output.path) != NULL);
    check(memchr(sc->render.style.font, '\0', sizeof sc->render.style.font) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* exactly `size` bytes, no terminating NUL: over-reads are caught */
    char *text = malloc(size ? size : 1);
    if (!text)
        return 0;
    if (size)
        memcpy(text, data, size);
    Scene sc;
    LwError err = {""};
    int rc = scene_load_string(NAME, text, size, &sc, &err);
    check(rc == LW_OK || rc == LW_EINPUT || rc == LW_ERUNTIME);
    if (rc == LW_OK)
        check_scene(&sc);
    else if (rc == LW_EINPUT)
        check_error(&err, data, size);
    scene_free(&sc);
    free(text);
    return 0;
}
