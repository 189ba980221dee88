/* bad_scenes.h — scene texts that must be refused, and how: each loaded
 * (as `name`) must fail with LW_EINPUT and a message that starts with its
 * own (file:line and the words).  For the tests of one feature's scene
 * errors; tests/cli_bad_scenes.sh checks the files under tests/bad-scenes. */
#ifndef BAD_SCENES_H
#define BAD_SCENES_H

#include <string.h>

#include "check.h"
#include "scene.h"

typedef struct {
    const char *text, *msg;
} BadScene;

static inline void check_bad_scenes(const char *name, const BadScene *bad, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        Scene sc;
        LwError err = {""};
        CHECK(scene_load_string(name, bad[i].text, strlen(bad[i].text), &sc, &err) == LW_EINPUT);
        CHECK_MSG(strncmp(err.msg, bad[i].msg, strlen(bad[i].msg)) == 0, "got '%s'", err.msg);
        scene_free(&sc);
    }
}

#endif
