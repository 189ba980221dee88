/* fuzz_csv.c — libFuzzer target for the CSV dataset reader (`make fuzz`,
 * scripts/fuzz.sh).
 *
 * The input's first byte chooses how the scene describes the file (2 or 3
 * coordinates; columns by the file's order, by header names or by number);
 * the rest is the file, read by dataset_make as a user's CSV is.  Besides
 * crashes, leaks and undefined behaviour, the reader's contract
 * (include/dataset.h) is checked:
 *   - the result is LW_OK or LW_EINPUT (LW_ERUNTIME only when out of memory);
 *   - a refusal is one line "PATH:..." without control bytes;
 *   - a dataset that loads has 1 to LW_MAX_POINTS points of the chosen
 *     dimension, finite coordinates, 2 to LW_MAX_CLASSES classes, every
 *     label one of them, and class names that are NUL-terminated text. */
#include "dataset.h"
#include "fuzz_input.h"

#include <math.h>

static void describe(uint8_t choice, DatasetSpec *spec)
{
    static const char *const NAMES[2][4] = {{"x", "y", "label", ""}, {"x", "y", "z", "label"}};
    static const char *const NUMBERS[2][4] = {{"1", "2", "3", ""}, {"1", "2", "3", "4"}};
    memset(spec, 0, sizeof *spec);
    spec->kind = DATA_CSV;
    spec->csv_dim = choice & 1 ? 3 : 2;
    int how = (choice >> 1) % 3; /* 0: the file's order, 1: header names, 2: numbers */
    if (how) {
        spec->n_columns = spec->csv_dim + 1;
        for (int c = 0; c < spec->n_columns; c++)
            snprintf(spec->column[c], sizeof spec->column[c], "%s",
                     (how == 1 ? NAMES : NUMBERS)[choice & 1][c]);
    }
}

static void check_dataset(const Dataset *ds, const DatasetSpec *spec)
{
    check(ds->n >= 1 && ds->n <= LW_MAX_POINTS);
    check(ds->dim == spec->csv_dim);
    check(ds->classes >= 2 && ds->classes <= LW_MAX_CLASSES);
    for (int i = 0; i < ds->n; i++) {
        check(ds->label[i] >= 0 && ds->label[i] < ds->classes);
        for (int d = 0; d < ds->dim; d++)
            check(isfinite(ds->x[(size_t)i * ds->dim + d]));
    }
    for (int c = 0; c < LW_MAX_CLASSES; c++) {
        const char *name = ds->class_name[c];
        check(memchr(name, '\0', LW_CLASS_NAME_MAX) != NULL);
        for (const unsigned char *p = (const unsigned char *)name; *p; p++)
            check(*p >= 0x20 && *p != 0x7f);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    DatasetSpec spec;
    describe(data[0], &spec);
    const char *path = fuzz_write("csv", data + 1, size - 1);
    if (!path)
        return 0;
    snprintf(spec.csv_path, sizeof spec.csv_path, "%s", path);
    Dataset ds;
    LwError err = {""};
    int rc = dataset_make(&spec, &ds, &err);
    check(rc == LW_OK || rc == LW_EINPUT || rc == LW_ERUNTIME);
    if (rc == LW_OK)
        check_dataset(&ds, &spec);
    else if (rc == LW_EINPUT)
        fuzz_check_error(&err, path);
    dataset_free(&ds);
    return 0;
}
