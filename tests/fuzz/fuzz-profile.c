/* libFuzzer: the room profile reader (appliance/capture/profile.c and
 * tracks.c), whose input is a provisioned file. Oracle: a refusal says
 * why; whatever loads has 1 to CAPTURE_MAX_TRACKS tracks, each with a role
 * from the fixed list used once, a label and a source, and a channel of
 * the multichannel source within its channels (or 0 with a source of its
 * own); and loading the same bytes again gives the same profile. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz-check.h"
#include "profile-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool known_role(const char *role) {
        for (const char *const *r = capture_track_roles; *r; r++)
                if (strcmp(*r, role) == 0)
                        return true;
        return false;
}

static void check_tracks(const capture_profile *p) {
        size_t n;
        const capture_track *t = capture_profile_tracks(p, &n);

        FUZZ_CHECK(n >= 1 && n <= CAPTURE_MAX_TRACKS);
        for (size_t i = 0; i < n; i++) {
                FUZZ_CHECK(t[i].role && known_role(t[i].role) && t[i].label && t[i].source);
                FUZZ_CHECK(t[i].channel >= 0 && t[i].channel <= p->audio_channels);
                FUZZ_CHECK(!t[i].language || strlen(t[i].language) == 3);
                for (size_t k = 0; k < i; k++)
                        FUZZ_CHECK(strcmp(t[k].role, t[i].role) != 0);
        }
        FUZZ_CHECK(capture_profile_bitrate_kbps(p) > 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        capture_profile *p = NULL, *again = NULL;
        gchar *msg = NULL;
        size_t n1, n2;

        if (capture_profile_parse_data("fuzz.profile", (const char *) data, size, &p, &msg) < 0) {
                FUZZ_CHECK(msg != NULL && p == NULL);
                g_free(msg);
                return 0;
        }
        FUZZ_CHECK(msg == NULL);
        check_tracks(p);
        FUZZ_CHECK(capture_profile_parse_data("fuzz.profile", (const char *) data, size, &again, NULL) == 0);
        (void) capture_profile_tracks(p, &n1);
        (void) capture_profile_tracks(again, &n2);
        FUZZ_CHECK(n1 == n2 && strcmp(capture_profile_sha256(p), capture_profile_sha256(again)) == 0);
        capture_profile_free(again);
        capture_profile_free(p);
        return 0;
}
