/* fuzz_weights.c — libFuzzer target for the weights file reader (`make
 * fuzz`, scripts/fuzz.sh): each input is a classifier's weights file
 * (docs/weights-format.md), read by mlp_load as `[weights] file` is; its
 * lines, tokens and matrices are weights_text.c's, shared with the
 * generative models' files.  Besides crashes, leaks and undefined
 * behaviour, the reader's contract (include/mlp.h) is checked:
 *   - the result is LW_OK or LW_EINPUT (LW_ERUNTIME only when out of memory);
 *   - a refusal is one line "PATH:..." without control bytes;
 *   - a network that loads has 1 to LW_MAX_LAYERS layers of widths 1 to
 *     LW_MAX_WIDTH, known activations, finite parameters, and a readout of
 *     1 to LW_MAX_CLASSES rows when it has one. */
#include "fuzz_input.h"
#include "mlp.h"

#include <math.h>

static void check_network(const Mlp *m)
{
    check(m->n_layers >= 1 && m->n_layers <= LW_MAX_LAYERS);
    for (int l = 0; l <= m->n_layers; l++)
        check(m->widths[l] >= 1 && m->widths[l] <= LW_MAX_WIDTH);
    for (int l = 0; l < m->n_layers; l++)
        check(m->act[l] >= 0 && m->act[l] < ACT_COUNT);
    check(m->n_params > 0);
    for (size_t i = 0; i < m->n_params; i++)
        check(isfinite(m->params[i]));
    if (m->has_readout)
        check(m->n_out >= 1 && m->n_out <= LW_MAX_CLASSES);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write("weights", data, size);
    if (!path)
        return 0;
    Mlp m;
    LwError err = {""};
    int rc = mlp_load(&m, path, &err);
    check(rc == LW_OK || rc == LW_EINPUT || rc == LW_ERUNTIME);
    if (rc == LW_OK) {
        check_network(&m);
        mlp_free(&m);
    } else if (rc == LW_EINPUT) {
        fuzz_check_error(&err, path);
    }
    return 0;
}
