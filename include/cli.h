/* cli.h — the command line's words: the commands, the options each one
 * takes, their help, and argv parsed into Options.  Nothing here runs a
 * command or exits; main.c does both.
 *
 * One table lists every option with the commands that take it; getopt
 * sees only those, so an option of another command is refused (exit 2),
 * and `layerwarp help CMD` prints exactly those rows.  manim's quality
 * presets -ql, -qm, -qh, -qk (and -qp) are whole words, read before getopt
 * would split them into -q -l. */
#ifndef CLI_H
#define CLI_H

#include <stdio.h>

#include "lw_common.h"

typedef enum {
    CMD_RENDER, CMD_FRAMES, CMD_STEP, CMD_HASH, CMD_TRAIN, CMD_DUMP, CMD_INFO, CMD_SCENE,
    CMD_JOIN, CMD_SWEEP, CMD_MONTAGE, CMD_COUNT
} CommandId;

#define CLI_MAX_SETS 64
#define CLI_MAX_AT 64
#define CLI_MAX_INPUTS 256
#define CLI_MAX_LABELS 64

typedef struct {
    CommandId cmd;
    const char *cmd_name;
    const char *scene_path;  /* "-": the scene comes from stdin; scene: the FILE;
                                NULL for join, montage */
    int argc;                /* the command line from the command's name on, as */
    char *const *argv;       /* outputs record it (share.c); borrowed */
    const char *inputs[CLI_MAX_INPUTS]; /* join's pieces, montage's videos */
    int n_inputs;
    const char *program;     /* how the program was run (argv[0]), for sweep's jobs */
    int index;               /* sweep --index I; -1 when not given */
    int montage;             /* sweep --montage: print the montage of the jobs instead */
    int grid_rows, grid_cols; /* montage --grid RxC; 0 when not given */
    const char *row_labels[CLI_MAX_LABELS], *col_labels[CLI_MAX_LABELS];
    int n_row_labels, n_col_labels;
    const char *output;      /* "-": stdout */
    const char *format;      /* --format, lower case without dot ("mkv"), or NULL */
    int jobs;                /* 0: default */
    int quiet;
    int no_cache;            /* --no-cache: train again, store nothing (train_cache.h) */
    int last;                /* render -s/--last: the last frame as one PNG */
    int help;                /* -h: print the command's help and stop */
    const char *layer;       /* --layer as given, checked by cli_layer_ref */
    const char *stage;
    const char *frames;
    int piece_k, piece_n;    /* render --piece K/N; 0 when not given */
    const char *at[CLI_MAX_AT];
    int n_at;
    /* scene keys set on the command line, "section.key=value", checked by the
     * scene's own key table (--set, and --fps, --size, --crf, --preset,
     * the quality presets) */
    const char *sets[CLI_MAX_SETS];
    int n_sets;
    char spelled[CLI_MAX_SETS][80];  /* the sets the short options spell out */
    /* encoder settings the command line gave (--crf, --preset, or --set
     * render.crf / render.preset): a format that ignores them refuses them */
    int gave_crf, gave_preset;
    int hash_algo;           /* hash --algo: a HashAlgo (hash.h), XXH3-128 unless given */
} Options;

/* A layer as the command line names it: "2", counted over the whole show,
 * or "G2", layer 2 of the network lettered G (a segment's tag: L classifier,
 * G generator or decoder, D discriminator, E encoder). */
typedef struct {
    char tag;      /* 0: counted over the whole show */
    int number;    /* 1-based */
} LayerRef;

/* Reads a LayerRef at the start of s; returns the text after it, or NULL
 * when s does not start with one. */
const char *cli_layer_ref(const char *s, LayerRef *ref);

/* The command named `name`, or -1. */
int cli_command(const char *name);
const char *cli_command_name(CommandId cmd);

/* Parses argv[0] = the command's name, argv[1..] its options and SCENE.
 * LW_OK (with o->help set when -h was given: print cli_usage_command and
 * stop), or LW_EINPUT with one line in err naming the option ("layerwarp
 * render: ..."). */
int cli_parse(int argc, char **argv, Options *o, LwError *err);

/* Help: every command, or one command's options (exactly those it takes). */
void cli_usage_all(FILE *f);
void cli_usage_command(FILE *f, CommandId cmd);

#endif
