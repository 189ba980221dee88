/* test_dataset.c — generated datasets are reproducible from their seed,
 * balanced, inside the common view, and curves are in order; the CSV reader
 * accepts good files and names file:line for every bad row. */
#include "check.h"
#include "dataset.h"

#include <stdlib.h>
#include <unistd.h>

static const char *const KIND_NAME[DATA_COUNT] = {
    "moons", "circles", "spiral", "xor", "gaussians", "curves", "csv",
};

static DatasetSpec spec_for(DatasetKind kind, uint64_t seed)
{
    DatasetSpec s;
    memset(&s, 0, sizeof s);
    s.kind = kind;
    s.n_points = 401; /* odd, so the split between classes is uneven */
    s.noise = -1;     /* the kind's default, as the scene parser passes it */
    s.seed = seed;
    s.classes = kind == DATA_GAUSSIANS ? 3 : 2;
    s.turns = 1.25;
    s.factor = 0.5;
    return s;
}

static void test_generated(void)
{
    for (int k = 0; k < DATA_CSV; k++) {
        const char *name = KIND_NAME[k];
        DatasetSpec s = spec_for((DatasetKind)k, 7);
        Dataset a = {0}, b = {0}, c = {0};
        LwError err = {{0}};
        CHECK_MSG(dataset_make(&s, &a, &err) == LW_OK, "%s: %s", name, err.msg);
        CHECK_MSG(dataset_make(&s, &b, &err) == LW_OK, "%s: %s", name, err.msg);
        s.seed = 8;
        CHECK_MSG(dataset_make(&s, &c, &err) == LW_OK, "%s: %s", name, err.msg);
        if (!a.x || !b.x || !c.x)
            goto next;
        CHECK(a.n == 401 && a.dim == 2 && a.classes == s.classes);
        CHECK_MSG(memcmp(a.x, b.x, 2 * sizeof(double) * a.n) == 0 &&
                      memcmp(a.label, b.label, sizeof(int) * a.n) == 0,
                  "%s: same seed, different points", name);
        /* curves has no noise by default, so only the jitter would differ */
        if (k != DATA_CURVES)
            CHECK_MSG(memcmp(a.x, c.x, 2 * sizeof(double) * a.n) != 0,
                      "%s: seeds 7 and 8 gave the same points", name);

        int count[LW_MAX_CLASSES] = {0};
        for (int i = 0; i < a.n; i++) {
            CHECK(a.label[i] >= 0 && a.label[i] < a.classes);
            count[a.label[i]]++;
        }
        int lo = a.n, hi = 0;
        for (int j = 0; j < a.classes; j++) {
            lo = count[j] < lo ? count[j] : lo;
            hi = count[j] > hi ? count[j] : hi;
        }
        CHECK_MSG(hi - lo <= 1, "%s: class sizes %d..%d", name, lo, hi);

        double box[6];
        dataset_bounds(&a, box);
        printf("  %-9s %d points, %d classes, box [%.2f, %.2f] x [%.2f, %.2f]\n", name, a.n,
               a.classes, box[0], box[1], box[2], box[3]);
        CHECK_MSG(box[0] >= -1.8 && box[1] <= 1.8 && box[2] >= -1.8 && box[3] <= 1.8,
                  "%s: outside the common view", name);
        CHECK_MSG(box[1] - box[0] > 1.0 && box[3] - box[2] > 1.0, "%s: too small", name);

        if (k == DATA_CURVES || k == DATA_SPIRAL) {
            CHECK(a.n_curves == a.classes && a.curve_start);
            /* order along the curve, seen without jitter: the noise is added
             * after each point's position, so it does not reorder them */
            DatasetSpec s0 = s;
            s0.noise = 0;
            Dataset z = {0};
            CHECK(dataset_make(&s0, &z, &err) == LW_OK);
            if (a.curve_start && z.curve_start) {
                CHECK(a.curve_start[0] == 0 && a.curve_start[a.n_curves] == a.n);
                double worst = 0, mean = 0;
                for (int cv = 0; cv < a.n_curves; cv++)
                    for (int i = a.curve_start[cv]; i + 1 < a.curve_start[cv + 1]; i++) {
                        CHECK(a.label[i] == cv && a.label[i + 1] == cv);
                        double d = hypot(z.x[2 * i + 2] - z.x[2 * i],
                                         z.x[2 * i + 3] - z.x[2 * i + 1]);
                        worst = d > worst ? d : worst;
                        mean += hypot(a.x[2 * i + 2] - a.x[2 * i],
                                      a.x[2 * i + 3] - a.x[2 * i + 1]) / a.n;
                    }
                printf("  %-9s consecutive curve points: at most %.3f apart without noise, "
                       "%.3f on average with it\n", name, worst, mean);
                /* ~200 points along a curve a few units long */
                CHECK_MSG(worst < 0.05, "%s: consecutive points %.3f apart", name, worst);
                CHECK_MSG(mean < 0.1, "%s: consecutive points %.3f apart on average", name,
                          mean);
            }
            dataset_free(&z);
        } else {
            CHECK(a.n_curves == 0 && a.curve_start == NULL);
        }
    next:
        dataset_free(&a);
        dataset_free(&b);
        dataset_free(&c);
    }

    /* bad specs */
    DatasetSpec s = spec_for(DATA_GAUSSIANS, 1);
    Dataset d = {0};
    LwError err = {{0}};
    s.classes = 9;
    CHECK(dataset_make(&s, &d, &err) == LW_EINPUT);
    CHECK_STR(err.msg, "dataset classes = 9 (expected 2..8)");
    s = spec_for(DATA_MOONS, 1);
    s.n_points = LW_MAX_POINTS + 1;
    CHECK(dataset_make(&s, &d, &err) == LW_EINPUT);
    CHECK_STR(err.msg, "dataset points = 200001 (expected 4..200000)");
    CHECK(d.x == NULL);
    dataset_free(&d);
}

/* Writes text to a fresh temporary file; path must hold "/tmp/...XXXXXX". */
static void temp_file(char *path, const char *text)
{
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
}

static void test_csv(void)
{
    char path[] = "/tmp/test_dataset_XXXXXX";
    temp_file(path, "x,y,label\n"
                    "# a comment\n"
                    "0.5, -1, 0\n"
                    "\n"
                    "1e-1,2,2\r\n"
                    "  -3 ,4.25, 1\n");
    DatasetSpec s = spec_for(DATA_CSV, 0);
    snprintf(s.csv_path, sizeof s.csv_path, "%s", path);
    Dataset d = {0};
    LwError err = {{0}};
    int ret = dataset_make(&s, &d, &err);
    CHECK_MSG(ret == LW_OK, "%s", err.msg);
    if (ret == LW_OK) {
        CHECK(d.n == 3 && d.classes == 3 && d.n_curves == 0);
        CHECK(d.x[0] == 0.5 && d.x[1] == -1 && d.label[0] == 0);
        CHECK(d.x[2] == 0.1 && d.x[3] == 2 && d.label[1] == 2);
        CHECK(d.x[4] == -3 && d.x[5] == 4.25 && d.label[2] == 1);
    }
    dataset_free(&d);
    unlink(path);

    static const struct {
        const char *text, *msg; /* msg follows "path" */
    } BAD[] = {
        {"0,0,0\n1,1\n", ":2: 2 fields (expected x,y,label)"},
        {"0,0,0\n1,1,1,1\n", ":2: 4 fields (expected x,y,label)"},
        {"x,y,label\n0,0,0\nabc,1,1\n", ":3: bad number 'abc' (expected x,y,label)"},
        {"0,0,0\n# c\n\n1,,1\n", ":4: bad number '' (expected x,y,label)"},
        {"0,0,0\n1,1,1.5\n", ":2: bad label '1.5', not an integer 0..7 (expected x,y,label)"},
        {"0,0,8\n", ":1: bad label '8', not an integer 0..7 (expected x,y,label)"},
        {"0,0,-1\n", ":1: bad label '-1', not an integer 0..7 (expected x,y,label)"},
        {"0,nan,0\n", ":1: bad number 'nan' (expected x,y,label)"},
        {"0,0,1\n1,1,1\n", ": all points have one label (need points of at least 2 classes)"},
        {"x,y,label\n# nothing\n", ": no points (need points of at least 2 classes)"},
    };
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        char p[] = "/tmp/test_dataset_XXXXXX";
        temp_file(p, BAD[i].text);
        snprintf(s.csv_path, sizeof s.csv_path, "%s", p);
        char want[1200];
        snprintf(want, sizeof want, "%s%s", p, BAD[i].msg);
        CHECK(dataset_make(&s, &d, &err) == LW_EINPUT);
        CHECK_STR(err.msg, want);
        CHECK(d.x == NULL && d.n == 0);
        dataset_free(&d);
        unlink(p);
    }

    snprintf(s.csv_path, sizeof s.csv_path, "/nonexistent/points.csv");
    CHECK(dataset_make(&s, &d, &err) == LW_EINPUT);
    CHECK_STR(err.msg, "/nonexistent/points.csv: No such file or directory");

    /* one row too many */
    char p[] = "/tmp/test_dataset_XXXXXX";
    int fd = mkstemp(p);
    FILE *f = fdopen(fd, "w");
    for (int i = 0; i <= LW_MAX_POINTS; i++)
        fprintf(f, "%d,%d,%d\n", i % 7, i % 5, i % 2);
    fclose(f);
    snprintf(s.csv_path, sizeof s.csv_path, "%s", p);
    char want[1200];
    snprintf(want, sizeof want, "%s:%d: more than %d points", p, LW_MAX_POINTS + 1,
             LW_MAX_POINTS);
    CHECK(dataset_make(&s, &d, &err) == LW_EINPUT);
    CHECK_STR(err.msg, want);
    unlink(p);
}

int main(void)
{
    test_generated();
    test_csv();
    return check_done("test_dataset");
}
