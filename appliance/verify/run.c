/* Loading the inputs and running the checks: what studio-verify and the
 * verify-session fuzz target share. Inputs the user names on the command
 * line that cannot be used are usage errors (exit 1); a file of the
 * session folder that cannot be used is a verdict. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "age.h"
#include "fsutil.h"
#include "json-bounded.h"
#include "util.h"
#include "verify.h"

/* What the signed session-start entry says before the log is checked:
 * the key it names (studio-session/2), its time, and the recipients that
 * --identity must be one of. Only the first whole entry is read. */
static void peek_start(verify_ctx *c) {
        const custody_entry *e = NULL;
        custody_log_reader *r = NULL;
        int fd = verify_open(c, "custody.jsonl", NULL);

        if (fd < 0)
                return;
        r = custody_log_reader_new(fd);
        while (custody_log_reader_next(r, &e, NULL) > 0 && e->fragment)
                ;
        if (e && !e->fragment && e->event == CUSTODY_EV_SESSION_START) {
                JsonNode *n = json_object_get_member(e->obj, "recipients");
                GPtrArray *v = g_ptr_array_new();
                for (guint i = 0;
                     n && JSON_NODE_HOLDS_ARRAY(n) && i < json_array_get_length(json_node_get_array(n));
                     i++) {
                        JsonNode *x = json_array_get_element(json_node_get_array(n), i);
                        if (JSON_NODE_HOLDS_VALUE(x) && json_node_get_value_type(x) == G_TYPE_STRING)
                                g_ptr_array_add(v, g_strdup(json_node_get_string(x)));
                }
                g_ptr_array_add(v, NULL);
                c->recipients = (char **) g_ptr_array_free(v, FALSE);
                c->start_public_key = g_strdup(custody_entry_str(e, "device_public_key"));
                c->start_utc = g_strdup(e->utc);
        }
        custody_log_reader_free(r);
        (void) close(fd);
}

/* A folder with neither a segment nor a custody log holds no session (an
 * empty folder, or the spool given instead of one of its sessions). */
static int check_is_session(verify_ctx *c) {
        g_auto(GStrv) names = NULL;
        bool found = false;
        int r = fs_list_namesat(c->dirfd, VERIFY_FOLDER_MAX, &names);

        if (r == -E2BIG)
                return 0; /* not an empty folder: the file check says what is wrong with it */
        if (r < 0)
                return verify_fail(c, "cannot list %s: %s", c->opt->dir, g_strerror(-r));
        for (char **n = names; !found && *n; n++)
                found = strcmp(*n, "custody.jsonl") == 0 ||
                        (g_str_has_prefix(*n, "seg-") && g_str_has_suffix(*n, ".age"));
        if (!found)
                return verify_fail(
                        c,
                        "%s holds no session (no seg-*.age and no custody.jsonl): give one session "
                        "folder (the spool holds one folder per session)",
                        c->opt->dir);
        return 0;
}

int verify_load_manifest(verify_ctx *c) {
        g_autofree char *err = NULL, *data = NULL;
        size_t len = 0;
        int r = fs_read_fileat(c->dirfd, "manifest.json", CUSTODY_MANIFEST_MAX, &data, &len);

        if (r == -ENOENT || r == -EISDIR || r == -EINVAL || r == -ELOOP)
                return 0; /* missing or not a regular file: INCOMPLETE, from the file check */
        if (r == -EFBIG) {
                verify_add(c, VERIFY_TAMPERED, "manifest.json", NULL, "manifest.json is implausibly large");
                return 0;
        }
        if (r < 0)
                return verify_fail(
                        c,
                        "cannot read manifest.json in %s: %s: make the session folder readable (or "
                        "copy it again from the vault)",
                        c->opt->dir, g_strerror(-r));
        uint8_t d[SHA256_LEN];
        sha256_buf(data, len, d);
        sha256_hex(d, c->manifest_sha256);
        if (custody_manifest_parse(data, len, &c->m, &err) < 0)
                verify_add(c, VERIFY_TAMPERED, "manifest.json", NULL, "manifest.json is malformed: %s", err);
        else
                c->manifest_text = g_strndup(data, len);
        return 0;
}

static bool same_file(const char *a, const char *b) {
        struct stat sa, sb;
        return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static int check_previous_arg(verify_ctx *c) {
        const char *p = c->opt->previous;

        if (!p)
                return 0;
        if (!g_file_test(p, G_FILE_TEST_IS_DIR))
                return verify_fail(
                        c, "--previous %s is not a folder: give the device's previous session folder", p);
        if (same_file(p, c->opt->dir))
                return verify_fail(c,
                                   "--previous %s is the session being checked: give the device's previous "
                                   "session folder",
                                   p);
        _cleanup_close_ int dfd = fs_open_dir(p);
        mode_t mode = 0;
        if (dfd < 0 || fs_kindat(dfd, "custody.jsonl", &mode) < 0 || !S_ISREG(mode))
                return verify_fail(c,
                                   "--previous %s has no custody.jsonl: give the device's previous session "
                                   "folder",
                                   p);
        return 0;
}

/* --identity must open this session: one of its keys must be a recipient
 * the manifest lists, or the plaintext would silently go unchecked. */
static int check_identity_is_recipient(verify_ctx *c) {
        g_autofree char *first = NULL;

        if (!c->sks || !c->recipients)
                return 0;
        for (size_t i = 0; i < c->n_sks; i++) {
                uint8_t pk[AGE_KEY_LEN];
                if (age_identity_to_recipient(c->sks[i], pk) < 0)
                        continue;
                g_autofree char *r = age_recipient_format(pk);
                if (r && g_strv_contains((const char *const *) c->recipients, r))
                        return 0;
                if (!first)
                        first = g_steal_pointer(&r);
        }
        return verify_fail(
                c,
                "--identity %s is not a recipient of this session (its recipient %s is not among the "
                "recipients the signed session-start entry names): give the vault identity",
                c->opt->identity, first ? first : "(none)");
}

/* Segments and nothing signed beside them: recorded without a device key
 * (studio-recorder --once without --device-key). */
static bool unsigned_recording(const verify_ctx *c) {
        static const char *const signed_files[] = {"custody.jsonl", "manifest.json", "manifest.json.minisig",
                                                   "SHA256SUMS.minisig", "SHA256SUMS.sealed.minisig"};
        mode_t mode = 0;

        for (size_t i = 0; i < G_N_ELEMENTS(signed_files); i++)
                if (fs_kindat(c->dirfd, signed_files[i], &mode) != -ENOENT)
                        return false;
        return true;
}

/* A folder named otherwise than its signed session id was renamed on the
 * way; that changes no verdict, but the examiner should know. */
static void check_folder_name(verify_ctx *c) {
        g_autofree char *given = g_path_get_basename(c->opt->dir);
        g_autofree char *real = realpath(c->opt->dir, NULL);
        g_autofree char *real_base = real ? g_path_get_basename(real) : NULL;

        if (!c->m || !*c->m->session || strcmp(given, c->m->session) == 0 ||
            g_strcmp0(real_base, c->m->session) == 0)
                return;
        verify_warn(c, NULL, NULL,
                    "the folder is named %s, but the signed session id is %s: it was renamed after "
                    "recording (this does not change the verdict)",
                    real_base ? real_base : given, c->m->session);
}

static void run_checks(verify_ctx *c) {
        check_folder_name(c);
        verify_check_signatures(c);
        verify_check_log(c);
        verify_check_manifest_vs_log(c);
        verify_check_previous(c);
        verify_check_files(c);
        verify_check_segments(c);
        verify_check_sums(c);
        verify_check_decrypt(c);
        verify_check_media(c);
}

int verify_run(verify_ctx *c) {
        int r;

        c->dirfd = c->opt->dirfd ? fcntl(*c->opt->dirfd, F_DUPFD_CLOEXEC, 3) : fs_open_dir(c->opt->dir);
        if (c->opt->dirfd && c->dirfd < 0)
                c->dirfd = -errno;
        if (c->dirfd < 0)
                return verify_fail(c, "%s is not a session folder (%s): give the session folder to check",
                                   c->opt->dir, g_strerror(-c->dirfd));
        r = check_is_session(c);
        if (r >= 0 && unsigned_recording(c)) {
                verify_add(
                        c, VERIFY_UNSIGNED, NULL, NULL,
                        "the session was recorded without a device key: nothing in it is signed, so nothing "
                        "proves which device made it, when, or that it is complete");
                return 0;
        }
        if (r >= 0)
                r = check_previous_arg(c);
        if (r >= 0)
                peek_start(c);

        if (r >= 0)
                r = verify_load_manifest(c);
        if (r >= 0)
                r = verify_load_trust(c);
        if (r >= 0)
                r = verify_load_identity(c);
        if (r >= 0)
                r = check_identity_is_recipient(c);
        if (r < 0) {
                if (!c->error)
                        verify_fail(c, "cannot read the inputs: %s", g_strerror(-r));
                return r;
        }
        run_checks(c);
        return 0;
}
