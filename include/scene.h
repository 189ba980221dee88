/* scene.h — a scene file: what to animate and how.
 *
 * A scene is an INI file read with libinih (see docs/scene-format.md for every
 * key, its type, range and default).  scene_load_* parse AND validate: a Scene
 * that comes back with LW_OK is complete and consistent (defaults filled in,
 * weight shapes checked against the widths), so later stages never re-check.
 * Errors are one line, "path:line: message", and LW_EINPUT. */
#ifndef SCENE_H
#define SCENE_H

#include "lw_common.h"

typedef enum {
    DATA_MOONS,
    DATA_CIRCLES,
    DATA_SPIRAL,
    DATA_XOR,
    DATA_GAUSSIANS,
    DATA_CURVES,
    DATA_CSV,
    DATA_INTERVAL,   /* 1-D: Olah's A = [-1/3,1/3], B = [-1,-2/3] u [2/3,1] */
    DATA_RINGS,      /* 3-D: two linked rings */
    DATA_UNLINKED,   /* 3-D: two rings side by side, not linked */
    DATA_COUNT
} DatasetKind;

typedef enum { DRAW_POINTS, DRAW_CURVES } DrawAs;

typedef struct {
    DatasetKind kind;
    int n_points;          /* total points, all classes together */
    double noise;          /* std-dev of Gaussian jitter, data units */
    uint64_t seed;
    int classes;           /* gaussians: blobs; spiral: arms; others: 2 */
    double turns;          /* spiral: turns of each arm */
    double factor;         /* circles: inner radius / outer radius */
    char csv_path[LW_PATH_MAX]; /* csv: resolved against the scene's folder */
    DrawAs draw;           /* curves only for curve datasets (curves, spiral) */
} SceneDataset;

typedef enum { OPT_ADAM, OPT_SGD } Optimizer;

typedef struct {
    Optimizer optimizer;
    double learning_rate;
    int steps;
    int batch;             /* 0 = full batch */
    double l2;             /* weight decay on W (not b) */
    double momentum;       /* SGD only */
    double target_accuracy;/* 0 = off; stop early once reached */
    uint64_t seed;         /* initialisation and mini-batch order */
} TrainConfig;

typedef struct {
    int n_widths;                   /* input + hidden layers */
    int widths[LW_MAX_LAYERS + 1];  /* widths[0] = input dimension */
    Activation act[LW_MAX_LAYERS];  /* one per hidden layer */
    /* Fixed weights written in the scene ([weights] section) or a file. */
    int has_weights;
    char weights_path[LW_PATH_MAX]; /* "" unless [weights] file = ... */
    double *W[LW_MAX_LAYERS];       /* (widths[l+1], widths[l]) row-major */
    double *b[LW_MAX_LAYERS];       /* (widths[l+1]) */
    int has_readout;                /* Wout/bout given (fixed weights only) */
    int n_out;                      /* rows of Wout */
    double *Wout;                   /* (n_out, widths[last]) */
    double *bout;                   /* (n_out) */
} SceneNetwork;

typedef enum { EASE_SMOOTHSTEP, EASE_LINEAR, EASE_SMOOTHERSTEP } Easing;
typedef enum { INTERP_POLAR, INTERP_STRAIGHT } Interpolation;
typedef enum { VIEW_AUTO, VIEW_FIXED } ViewMode;
/* A layer with det W < 0 is shown as a page turn through one more axis
 * (turn), or its first two units are swapped, Olah's fix, giving an
 * equivalent network whose W has det > 0 (swap); auto: turn for 2-D layers,
 * swap for wider ones (a 3-D page turn would need a fourth axis). */
typedef enum { REFLECT_AUTO, REFLECT_TURN, REFLECT_SWAP } Reflection;
/* Layers wider than 3: principal axes, a slow tour through them, or units. */
typedef enum { WIDE_PCA, WIDE_TOUR, WIDE_UNITS } WideView;
typedef enum { PROJ_ORTHOGRAPHIC, PROJ_PERSPECTIVE } Projection;

typedef struct { double r, g, b; } Rgb;

typedef struct {
    int width, height;     /* pixels, even */
    double fps;
    double stage_seconds;
    double hold_start, hold_between, hold_end; /* seconds */
    Easing easing;
    Interpolation interpolation;
    Reflection reflection;
    WideView wide_view;
    int n_units, units[3]; /* wide_view = units: 0-based units for x, y(, z) */
    int grid_lines;        /* lines per direction */
    int grid_samples;      /* base samples per line */
    int grid_adaptive;     /* subdivide where a line bends on screen */
    int has_region;        /* region given; else from the data */
    double region[4];      /* xmin, xmax, ymin, ymax of the input grid */
    ViewMode view;
    double view_box[4];    /* xmin, xmax, ymin, ymax when view = fixed */
    double margin;         /* auto view: fraction of the frame left free */
    int show_grid, show_domain, show_points, show_boundary, show_captions,
        show_shade, show_progress;
    char output[LW_PATH_MAX];
    int crf;               /* video quality (x264/VP9) */
    char preset[32];       /* x264 preset */
    /* 3-D camera, used for layers of width 3 */
    Projection projection;
    double yaw, pitch;     /* degrees */
    double orbit;          /* degrees per second of slow turn */
} SceneRender;

typedef struct {
    Rgb background, grid, domain, boundary, text;
    Rgb classes[LW_MAX_CLASSES];
    double point_radius;   /* px at 720p; scaled with height */
    double grid_width, domain_width, curve_width, boundary_width; /* px at 720p */
    double caption_size;   /* px at 720p */
    char font[64];
} SceneStyle;

typedef struct {
    char path[LW_PATH_MAX];  /* as given, used in messages */
    char name[256];          /* file name without folder and extension */
    SceneDataset data;
    SceneNetwork net;
    TrainConfig train;
    SceneRender render;
    SceneStyle style;
} Scene;

/* Reads and validates the file at path.  On failure *scene is left freeable. */
int scene_load_file(const char *path, Scene *scene, LwError *err);

/* Same from text in memory; `name` is used in messages as the file name and
 * relative paths resolve against the current directory. */
int scene_load_string(const char *name, const char *text, size_t len,
                      Scene *scene, LwError *err);

/* The same, with overrides applied after the last line and before the
 * checks across keys: each is "section.key=value" ("render.fps=24"), read by
 * the same key table and range checks as a line of the file, replacing what
 * the file says (a later override of the same key wins).  Paths resolve as in
 * the file; [weights] cannot be overridden.  An error names the override:
 * "--set render.fps=500: fps must be from 1 to 120, got 500".  overrides may
 * be NULL when n_overrides is 0. */
int scene_load_file_with(const char *path, const char *const *overrides, int n_overrides,
                         Scene *scene, LwError *err);
int scene_load_string_with(const char *name, const char *text, size_t len,
                           const char *const *overrides, int n_overrides, Scene *scene,
                           LwError *err);

/* Frees the weight arrays; accepts a zeroed or half-built scene. */
void scene_free(Scene *scene);

const char *dataset_kind_name(DatasetKind k);
/* Input dimension of a dataset kind: 1 (interval), 3 (rings, unlinked), else 2. */
int dataset_kind_dim(DatasetKind k);

#endif
