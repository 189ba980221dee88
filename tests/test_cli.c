/* test_cli.c — the command line's words (cli.c) without running anything:
 * manim's presets are whole words (-ql is not -q -l) and spell a size and a
 * rate; -s means --last for render and --stage for dump; an option of
 * another command is refused naming who takes it; encoder settings given
 * on the command line are noted; and every command's help lists exactly the
 * long options it accepts. */
#include "cli.h"

#include <stdlib.h>

#include "check.h"

/* Parses a NULL-terminated list of words, argv[0] the command. */
static int parse(Options *o, LwError *err, const char *const *words)
{
    char *argv[32];
    int argc = 0;
    while (words[argc] && argc < 31) {
        argv[argc] = (char *)words[argc];
        argc++;
    }
    argv[argc] = NULL;
    err->msg[0] = '\0';
    return cli_parse(argc, argv, o, err);
}

static int has_set(const Options *o, const char *set)
{
    for (int i = 0; i < o->n_sets; i++)
        if (strcmp(o->sets[i], set) == 0) return 1;
    return 0;
}

static void presets(void)
{
    static const struct { const char *word, *w, *h, *fps; } want[] = {
        {"-ql", "render.width=854", "render.height=480", "render.fps=15"},
        {"-qm", "render.width=1280", "render.height=720", "render.fps=30"},
        {"-qh", "render.width=1920", "render.height=1080", "render.fps=60"},
        {"-qk", "render.width=3840", "render.height=2160", "render.fps=60"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        Options o;
        LwError err;
        const char *words[] = {"render", "s.scene", want[i].word, NULL};
        CHECK_MSG(parse(&o, &err, words) == LW_OK, "%s: %s", want[i].word, err.msg);
        CHECK_MSG(o.n_sets == 3 && has_set(&o, want[i].w) && has_set(&o, want[i].h) &&
                  has_set(&o, want[i].fps) && !o.quiet && !o.help, "%s", want[i].word);
    }
    Options o;
    LwError err;
    /* -q alone is still --quiet; a later --fps follows the preset */
    const char *quiet[] = {"render", "-q", "s.scene", "-qh", "--fps", "24", NULL};
    CHECK(parse(&o, &err, quiet) == LW_OK && o.quiet && o.n_sets == 4 &&
          strcmp(o.sets[3], "render.fps=24") == 0);
    const char *word[] = {"info", "s.scene", "--quality", "4k", NULL};
    CHECK(parse(&o, &err, word) == LW_OK && has_set(&o, "render.width=3840"));
    const char *bad[] = {"info", "s.scene", "--quality", "ultra", NULL};
    CHECK(parse(&o, &err, bad) == LW_EINPUT && strstr(err.msg, "--quality 'ultra'"));
    /* after "--" a word is a word: the scene may be named -ql */
    const char *after[] = {"info", "--", "-ql", NULL};
    CHECK(parse(&o, &err, after) == LW_OK && o.n_sets == 0 && !strcmp(o.scene_path, "-ql"));
}

static void options_per_command(void)
{
    Options o;
    LwError err;
    const char *last[] = {"render", "s.scene", "-s", NULL};
    CHECK(parse(&o, &err, last) == LW_OK && o.last && !o.stage);
    const char *stage[] = {"dump", "s.scene", "-s", "bias", "-l", "1", NULL};
    CHECK(parse(&o, &err, stage) == LW_OK && !o.last && !strcmp(o.stage, "bias"));
    const char *foreign[] = {"render", "s.scene", "--stage", "bogus", NULL};
    CHECK(parse(&o, &err, foreign) == LW_EINPUT);
    CHECK_STR(err.msg, "layerwarp render: render takes no --stage (dump does) (see 'layerwarp "
                       "help render')");
    const char *letter[] = {"info", "s.scene", "-l", "2", NULL};
    CHECK(parse(&o, &err, letter) == LW_EINPUT && strstr(err.msg, "info takes no -l (step, dump do)"));
    const char *unknown[] = {"hash", "s.scene", "--bogus", NULL};
    CHECK(parse(&o, &err, unknown) == LW_EINPUT && strstr(err.msg, "unknown option '--bogus'"));
    const char *stdin_scene[] = {"render", "-", "-o", "-", "--format", ".MKV", NULL};
    CHECK(parse(&o, &err, stdin_scene) == LW_OK && !strcmp(o.scene_path, "-") &&
          !strcmp(o.output, "-") && !strcmp(o.format, "mkv"));
    const char *crf[] = {"render", "s.scene", "--set", "render.crf=3", "--preset", "slow", NULL};
    CHECK(parse(&o, &err, crf) == LW_OK && o.gave_crf && o.gave_preset);
    const char *nocrf[] = {"render", "s.scene", "--set", "render.crfx=3", NULL};
    CHECK(parse(&o, &err, nocrf) == LW_OK && !o.gave_crf);
}

/* Every long option any help names: in a command's help exactly when the
 * command accepts it. */
static void help_lists_what_is_taken(void)
{
    static const char *const longs[] = {
        "output", "last", "format", "quality", "frames", "at", "layer", "stage", "jobs", "crf",
        "preset", "fps", "size", "set", "quiet"};
    static const char *const values[] = {
        "x", NULL, "mkv", "l", "0", "1:linear:0", "1", "bias", "1", "20", "medium", "30",
        "320x180", "render.fps=30", NULL};
    for (int c = 0; c < CMD_COUNT; c++) {
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        cli_usage_command(f, (CommandId)c);
        fclose(f);
        for (size_t k = 0; k < sizeof longs / sizeof longs[0]; k++) {
            char spelled[32], listed[40];
            snprintf(spelled, sizeof spelled, "--%s", longs[k]);
            snprintf(listed, sizeof listed, " --%s ", longs[k]);
            int in_help = strstr(text, listed) != NULL;
            if (!in_help) { /* a flag ends its line */
                snprintf(listed, sizeof listed, " --%s\n", longs[k]);
                in_help = strstr(text, listed) != NULL;
            }
            Options o;
            LwError err;
            const char *words[] = {cli_command_name((CommandId)c), "s.scene", spelled,
                                   values[k], NULL};
            if (!values[k]) words[3] = NULL;
            int rc = parse(&o, &err, words);
            CHECK_MSG(in_help ? rc == LW_OK : rc == LW_EINPUT && strstr(err.msg, "takes no"),
                      "%s %s: listed %d, parse %d: %s", cli_command_name((CommandId)c),
                      spelled, in_help, rc, err.msg);
        }
        free(text);
    }
}

int main(void)
{
    presets();
    options_per_command();
    help_lists_what_is_taken();
    return check_done("test_cli");
}
