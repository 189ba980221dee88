/* test_share.c — the command line's settings written into a scene's text
 * (share_apply_sets): a key the text sets is rewritten in its own section,
 * a key it lacks is added under its section at the end (once per section
 * run), a later setting of a key wins, and everything else stays as
 * written; and the result reads as the same scene as the text with the
 * overrides (scene_load_string_with), key by key, for the keys checked. */
#include "check.h"
#include "scene.h"
#include "share.h"

#include <stdlib.h>

static char *applied(const char *text, const char *const *sets, int n)
{
    char *out = NULL;
    LwError err;
    CHECK(share_apply_sets(text, sets, n, &out, &err) == LW_OK);
    return out;
}

static const char TEXT[] =
    "; a comment: steps = 1\n"
    "[dataset]\n"
    "kind = xor\n"
    "seed = 7\n"
    "\n"
    "[train]\n"
    "steps: 2000   ; long\n"
    "seed = 1\n"
    "\n"
    "[render]\n"
    "output = out/x.mp4\n";

int main(void)
{
    /* rewritten where it stands, comments elsewhere kept, other sections' seed untouched */
    const char *one[] = {"train.seed=9"};
    char *s = applied(TEXT, one, 1);
    CHECK_STR(s, "; a comment: steps = 1\n[dataset]\nkind = xor\nseed = 7\n\n[train]\n"
                 "steps: 2000   ; long\nseed = 9\n\n[render]\noutput = out/x.mp4\n");
    free(s);

    /* "name: value" rewritten too (its comment goes); a later one wins */
    const char *two[] = {"train.steps=10", " train . steps = 500 "};
    s = applied(TEXT, two, 2);
    CHECK_STR(s, "; a comment: steps = 1\n[dataset]\nkind = xor\nseed = 7\n\n[train]\n"
                 "steps = 500\nseed = 1\n\n[render]\noutput = out/x.mp4\n");
    free(s);

    /* keys the text lacks: under the last section when it is theirs, else a new one */
    const char *three[] = {"render.width=854", "render.height=480", "style.background=#ffffff",
                           "render.fps=15"};
    s = applied(TEXT, three, 4);
    CHECK_STR(s, "; a comment: steps = 1\n[dataset]\nkind = xor\nseed = 7\n\n[train]\n"
                 "steps: 2000   ; long\nseed = 1\n\n[render]\noutput = out/x.mp4\nwidth = 854\n"
                 "height = 480\n\n[style]\nbackground = #ffffff\n\n[render]\nfps = 15\n");
    /* and it reads as the text with the overrides does */
    Scene a, b;
    LwError err;
    CHECK(scene_load_string_with("t.scene", TEXT, sizeof TEXT - 1, three, 4, &a, &err) == LW_OK);
    CHECK(scene_load_string("t.scene", s, strlen(s), &b, &err) == LW_OK);
    CHECK(a.render.style.width == 854 && b.render.style.width == 854);
    CHECK(a.render.style.height == b.render.style.height);
    CHECK(a.render.timeline.fps == b.render.timeline.fps);
    CHECK(memcmp(&a.render.style.background, &b.render.style.background,
                 sizeof a.render.style.background) == 0);
    /* the loader keeps the text it read */
    CHECK(b.text && b.text_len == strlen(s) && strcmp(b.text, s) == 0);
    scene_free(&a);
    scene_free(&b);
    free(s);

    /* no final newline; a [compare] key with dots in its name */
    const char *four[] = {"compare.network.widths=2,4,2"};
    s = applied("[dataset]\nkind = moons", four, 1);
    CHECK_STR(s, "[dataset]\nkind = moons\n\n[compare]\nnetwork.widths = 2,4,2\n");
    free(s);

    /* no overrides: the text as it is */
    s = applied(TEXT, NULL, 0);
    CHECK_STR(s, TEXT);
    free(s);
    return check_done("test_share");
}
