/* sweep.h — a sweep: scene keys each given several values, expanded into
 * the product, one render job per combination (`layerwarp sweep`).
 *
 * An axis is "S.KEY=V1,V2,..." (or V1|V2 when a value holds commas, as
 * network.widths does), "S.KEY=A..B" or "S.KEY=A..B..STEP" (integers).  Jobs
 * are numbered with the first axis varying slowest, so with two axes job
 * r * columns + c is row r, column c of the montage.  A job is a command
 * line GNU parallel or a shell can run:
 *   layerwarp render SCENE --set S.KEY=V ... -o DIR/NAME-KEY_V-KEY2_W.mp4 */
#ifndef SWEEP_H
#define SWEEP_H

#include <stddef.h>

#include "lw_common.h"

#define SWEEP_MAX_AXES 64
#define SWEEP_MAX_JOBS 100000

typedef struct {
    char *key;        /* "network.widths" (owned) */
    char **values;    /* (n_values) owned */
    int n_values;
} SweepAxis;

typedef struct {
    SweepAxis axes[SWEEP_MAX_AXES];
    int n_axes;
    long n_jobs;
} Sweep;

/* Reads the axes.  LW_EINPUT naming the --set for a malformed one or a
 * product over SWEEP_MAX_JOBS. */
int sweep_parse(Sweep *s, const char *const *sets, int n_sets, LwError *err);
void sweep_free(Sweep *s);

/* The value of each axis in job j: values[a] borrowed from s. */
void sweep_values(const Sweep *s, long j, const char **values);
/* "S.KEY=V" of axis a in job j into buf. */
void sweep_override(const Sweep *s, long j, int a, char *buf, size_t cap);
/* The job's output file name without folder: NAME, then "-KEY_VALUE" for
 * every axis with more than one value (KEY without its section, characters
 * other than letters, digits, '.', '_' and '-' as '-'), then ".EXT". */
void sweep_output_name(const Sweep *s, long j, const char *scene_name, const char *ext,
                       char *buf, size_t cap);
/* The axes with more than one value, in order: their indices into out;
 * returns how many. */
int sweep_varied(const Sweep *s, int *out);

/* Job j's command line, its words quoted for a POSIX shell where needed:
 * PROGRAM render SCENE --set S.KEY=V ... -o DIR/NAME-KEY_V....EXT.
 * 0, or -1 when it does not fit in cap bytes. */
int sweep_job_line(const Sweep *s, long j, const char *program, const char *scene_path,
                   const char *name, const char *dir, const char *ext, char *line, size_t cap);
/* The montage command of the jobs' videos: the first swept key's values as
 * rows, the second's as columns, labelled "KEY VALUE".  LW_EINPUT unless one
 * or two keys have several values, or when it does not fit. */
int sweep_montage_line(const Sweep *s, const char *program, const char *name, const char *dir,
                       const char *ext, char *line, size_t cap, LwError *err);

#endif
