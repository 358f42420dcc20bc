/* The attention reasons' table (room-reasons.h). */
#include "room-reasons.h"

#include <string.h>

#include "util.h"

typedef enum reason_kind {
        BLOCKS,
        IT,
} reason_kind;

static const struct {
        const char *en, *nl;
        reason_kind kind;
} reasons[] = {
#define ROOM_REASON_ROW_(name, k, e, n) [name] = {.en = e, .nl = n, .kind = k},
        ROOM_REASONS(ROOM_REASON_ROW_)
#undef ROOM_REASON_ROW_
};

/* One row per reason, each with both words (the X-macro takes all four
 * arguments, so a row without its Dutch words does not compile either). */
_Static_assert(ELEMENTSOF(reasons) == _ROOM_REASON_MAX, "every attention reason has its row");

const char *room_reason_to_string(room_reason r) {
        if (r < 0 || r >= _ROOM_REASON_MAX)
                return NULL;
        return reasons[r].en;
}

room_reason room_reason_from_string(const char *s) {
        if (!s)
                return _ROOM_REASON_INVALID;
        for (size_t i = 0; i < ELEMENTSOF(reasons); i++)
                if (strcmp(reasons[i].en, s) == 0)
                        return (room_reason) i;
        return _ROOM_REASON_INVALID;
}

const char *room_reason_words(room_reason r, const char *language) {
        if (r < 0 || r >= _ROOM_REASON_MAX)
                return NULL;
        return language && strcmp(language, "nl") == 0 ? reasons[r].nl : reasons[r].en;
}

const char *room_reason_translate(const char *reason, const char *language) {
        room_reason r = room_reason_from_string(reason);

        return r < 0 ? reason : room_reason_words(r, language);
}

bool room_reason_is_it_warning(const char *reason) {
        room_reason r = room_reason_from_string(reason);

        return r >= 0 && reasons[r].kind == IT;
}
