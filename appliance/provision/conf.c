/* studio.conf after provisioning. The config loader reads one file and
 * refuses unknown keys, so provisioning edits that file in place (through
 * GKeyFile, comments and every other key kept) rather than adding a drop-in
 * folder the loader would have to learn; the result is checked with the
 * daemons' own loader before anything is written. */
#include "provision.h"

#include <errno.h>
#include <string.h>

#include "studio-conf.h"

static void set_or_remove(GKeyFile *kf, const char *group, const char *key, const char *value) {
        if (value)
                g_key_file_set_string(kf, group, key, value);
        else
                (void) g_key_file_remove_key(kf, group, key, NULL);
}

/* The path provisioning wrote, unless the file already takes it from a
 * systemd credential (credential:NAME: the same file, handed over by the
 * unit's LoadCredential=), which stays. */
static void set_path(GKeyFile *kf, const char *key, const char *path) {
        g_autofree gchar *old = g_key_file_get_value(kf, "recorder", key, NULL);

        if (!old || !g_str_has_prefix(old, "credential:"))
                g_key_file_set_string(kf, "recorder", key, path);
}

static void apply_bundle(GKeyFile *kf, const provision_paths *p, const keys_bundle *b) {
        g_autofree gchar *key = g_build_filename(p->keys_dir, "device.key", NULL);

        /* the bundle's recipients are the device's: none kept from before */
        (void) g_key_file_remove_key(kf, "recorder", "recipients", NULL);
        g_key_file_set_string(kf, "recorder", "recipients_file", p->recipients);
        set_path(kf, "officers", p->officers);
        set_path(kf, "device_key", key);
        if (b->room)
                g_key_file_set_string(kf, "recorder", "room", b->room);
        if (b->profile)
                g_key_file_set_string(kf, "recorder", "profile", b->profile);
        /* the vault settings are exactly the bundle's: what it leaves out
         * goes back to its default */
        g_key_file_set_string(kf, "uploader", "vault", b->vault);
        set_or_remove(kf, "uploader", "endpoint", b->endpoint);
        set_or_remove(kf, "uploader", "region", b->region);
        if (b->retention_days)
                g_key_file_set_integer(kf, "uploader", "retention_days", b->retention_days);
        else
                (void) g_key_file_remove_key(kf, "uploader", "retention_days", NULL);
        set_or_remove(kf, "uploader", "wipe_after", b->wipe_after);
        set_or_remove(kf, "uploader", "intake_key", b->intake_keys ? p->intake_key : NULL);
}

int provision_conf_text(const provision_paths *p, const keys_bundle *b, const char *old_text, size_t old_len,
                        gchar **ret_text, gchar **ret_message) {
        g_autoptr(GKeyFile) kf = g_key_file_new();
        g_autoptr(GError) error = NULL;
        g_autoptr(studio_conf) conf = NULL;
        g_autofree gchar *text = NULL, *why = NULL;
        gsize len = 0;
        int r;

        if (old_text &&
            !g_key_file_load_from_data(kf, old_text, old_len,
                                       G_KEY_FILE_KEEP_COMMENTS | G_KEY_FILE_KEEP_TRANSLATIONS, &error)) {
                *ret_message =
                        g_strdup_printf("%s cannot be read as a configuration (%s): fix it, or remove "
                                        "it to start from the defaults",
                                        p->conf, error->message);
                return -EBADMSG;
        }
        apply_bundle(kf, p, b);
        text = g_key_file_to_data(kf, &len, NULL);
        r = studio_conf_load_data(p->conf, text, len, &conf, &why);
        if (r >= 0)
                r = studio_conf_check_recording(conf, &why);
        if (r < 0) {
                *ret_message =
                        g_strdup_printf("the configuration the bundle gives would be refused: %s", why);
                return r;
        }
        *ret_text = g_steal_pointer(&text);
        return 0;
}
