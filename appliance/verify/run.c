/* Loading the inputs and running the checks: what studio-verify and the
 * verify-session fuzz target share. Inputs the user names on the command
 * line that cannot be used are usage errors (exit 1); a file of the
 * session folder that cannot be used is a verdict. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "age.h"
#include "fsutil.h"
#include "json-bounded.h"
#include "util.h"
#include "verify.h"

/* The manifest's "recipients" (the parsed manifest does not keep them). */
static void load_recipients(verify_ctx *c, const char *data, size_t len) {
        g_autoptr(JsonParser) p = json_parser_new_immutable();
        JsonNode *root, *n;

        if (json_load_bounded(p, data, len, CUSTODY_MANIFEST_MAX, NULL) < 0)
                return;
        root = json_parser_get_root(p);
        if (!root || !JSON_NODE_HOLDS_OBJECT(root))
                return;
        n = json_object_get_member(json_node_get_object(root), "recipients");
        if (!n || !JSON_NODE_HOLDS_ARRAY(n))
                return;
        JsonArray *a = json_node_get_array(n);
        GPtrArray *v = g_ptr_array_new();
        for (guint i = 0; i < json_array_get_length(a); i++) {
                JsonNode *e = json_array_get_element(a, i);
                if (JSON_NODE_HOLDS_VALUE(e) && json_node_get_value_type(e) == G_TYPE_STRING)
                        g_ptr_array_add(v, g_strdup(json_node_get_string(e)));
        }
        g_ptr_array_add(v, NULL);
        c->recipients = (char **) g_ptr_array_free(v, FALSE);
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
                load_recipients(c, data, len);
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
                "--identity %s is not a recipient of this session (its recipient %s is not in the "
                "manifest's recipients): give the vault identity",
                c->opt->identity, first ? first : "(none)");
}

static void run_checks(verify_ctx *c) {
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

        c->dirfd = fs_open_dir(c->opt->dir);
        if (c->dirfd < 0)
                return verify_fail(c, "%s is not a session folder (%s): give the session folder to check",
                                   c->opt->dir, g_strerror(-c->dirfd));
        r = check_previous_arg(c);

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
