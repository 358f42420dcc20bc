/* studio-export (police side): decrypts sealed segments with the vault
 * identity into plaintext media files.
 *
 *   studio-export --identity FILE --out DIR [--salvage] INPUT…
 *
 * INPUT is a sealed file (seg-000001.mkv.age) or a session folder (every
 * seg-*.age in it). Output goes to DIR/<name without .age>, written to a
 * temporary name and renamed only when the whole file authenticated, so a
 * failing input never leaves a file that looks whole. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "age.h"
#include "fsutil.h"
#include "util.h"

enum {
        EXIT_WHOLE = 0,    /* every input decrypted whole */
        EXIT_USAGE = 1,    /* bad arguments, unreadable identity, output folder problem */
        EXIT_SALVAGED = 2, /* --salvage: some inputs were truncated; their authentic prefix was saved */
        EXIT_FAILED = 3,   /* some input failed: tampered, truncated (without --salvage, or with nothing to
                              salvage), no match, not age */
};

typedef struct keys {
        uint8_t (*sks)[AGE_KEY_LEN];
        size_t n;
} keys;

static int write_plain(void *userdata, const uint8_t *buf, size_t len) {
        return fs_write_all(*(int *) userdata, buf, len);
}

static gchar *output_name(const char *input, bool salvaged) {
        g_autofree gchar *base = g_path_get_basename(input);
        gchar *dot;

        if (g_str_has_suffix(base, ".age"))
                base[strlen(base) - 4] = '\0';
        if (!salvaged)
                return g_steal_pointer(&base);
        /* seg-000003.mkv -> seg-000003.salvaged.mkv: never mistaken for the whole file */
        dot = strrchr(base, '.');
        if (!dot)
                return g_strconcat(base, ".salvaged", NULL);
        *dot = '\0';
        return g_strconcat(base, ".salvaged.", dot + 1, NULL);
}

/* Decrypts one input; returns the exit class for it. */
static int export_one(const keys *k, const char *input, const char *out_dir, bool salvage) {
        g_autofree gchar *tmp = NULL, *final = NULL, *name = NULL;
        _cleanup_close_ int in = -EBADF, out = -EBADF;
        age_read_result res = {0};
        int r;

        in = open(input, O_RDONLY | O_CLOEXEC);
        if (in < 0) {
                g_printerr("%s: cannot open: %s\n", input, g_strerror(errno));
                return EXIT_FAILED;
        }
        name = output_name(input, false);
        tmp = g_strdup_printf("%s/.%s.partial", out_dir, name);
        out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
        if (out < 0) {
                g_printerr("%s: cannot write %s: %s (choose a writable --out folder)\n", input, tmp,
                           g_strerror(errno));
                return EXIT_USAGE;
        }
        r = age_decrypt_fd(in, (const uint8_t(*)[AGE_KEY_LEN]) k->sks, k->n, write_plain, &out, &res);
        if (r < 0 || (res.verdict == AGE_OK && fsync(out) < 0)) {
                g_printerr("%s: %s\n", input, g_strerror(r < 0 ? -r : errno));
                (void) unlink(tmp);
                return EXIT_FAILED;
        }
        if (res.verdict == AGE_TRUNCATED && salvage && res.plaintext_bytes == 0) {
                /* cut before its first chunk: nothing was saved, and an
                 * empty file would only mislead */
                g_printerr("%s: truncated: nothing authentic to salvage: %s\n", input, res.detail);
                (void) unlink(tmp);
                return EXIT_FAILED;
        }
        if (res.verdict == AGE_TRUNCATED && salvage) {
                g_free(name);
                name = output_name(input, true);
        } else if (res.verdict != AGE_OK) {
                g_printerr("%s: %s: %s\n", input, age_verdict_to_string(res.verdict), res.detail);
                (void) unlink(tmp);
                return EXIT_FAILED;
        }
        (void) fsync(out);
        final = g_build_filename(out_dir, name, NULL);
        if (rename(tmp, final) < 0) {
                g_printerr("%s: cannot rename %s to %s: %s\n", input, tmp, final, g_strerror(errno));
                (void) unlink(tmp);
                return EXIT_USAGE;
        }
        (void) fs_fsync_dir(out_dir);
        if (res.verdict == AGE_TRUNCATED) {
                printf("%s: TRUNCATED: salvaged %" G_GUINT64_FORMAT " authentic bytes (%" G_GUINT64_FORMAT
                       " chunks) to %s; %" G_GUINT64_FORMAT " bytes after them unverifiable\n",
                       input, res.plaintext_bytes, res.intact_chunks, final, res.unverifiable_bytes);
                return EXIT_SALVAGED;
        }
        printf("%s: OK: %" G_GUINT64_FORMAT " bytes to %s\n", input, res.plaintext_bytes, final);
        return EXIT_WHOLE;
}

static gint compare_paths(gconstpointer a, gconstpointer b) {
        return g_strcmp0(*(const char *const *) a, *(const char *const *) b);
}

/* A session folder stands for every sealed segment in it, in order. */
static int expand_input(const char *input, GPtrArray *files) {
        g_autoptr(GDir) dir = NULL;
        g_autoptr(GPtrArray) found = NULL;
        const char *name;

        if (!g_file_test(input, G_FILE_TEST_IS_DIR)) {
                g_ptr_array_add(files, g_strdup(input));
                return 0;
        }
        dir = g_dir_open(input, 0, NULL);
        if (!dir) {
                g_printerr("studio-export: cannot read the folder %s\n", input);
                return -EIO;
        }
        found = g_ptr_array_new();
        while ((name = g_dir_read_name(dir)))
                if (g_str_has_suffix(name, ".age"))
                        g_ptr_array_add(found, g_build_filename(input, name, NULL));
        if (found->len == 0) {
                g_printerr("studio-export: %s holds no sealed segments (*.age)\n", input);
                return -ENOENT;
        }
        g_ptr_array_sort(found, compare_paths);
        for (guint i = 0; i < found->len; i++)
                g_ptr_array_add(files, found->pdata[i]);
        return 0;
}

/* With one session folder as input, its signed plaintext checksums go beside
 * the working copy, so that `sha256sum -c SHA256SUMS` and
 * `minisign -V -p device.pub -m SHA256SUMS` work right there. */
static void copy_sums(const char *session, const char *out_dir) {
        static const char *const names[] = {"SHA256SUMS", "SHA256SUMS.minisig"};

        for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
                g_autofree gchar *from = g_build_filename(session, names[i], NULL);
                g_autofree gchar *to = g_build_filename(out_dir, names[i], NULL);
                g_autofree gchar *data = NULL;
                gsize len = 0;

                if (!g_file_get_contents(from, &data, &len, NULL))
                        continue;
                if (fs_write_atomic(to, data, len, 0644) < 0)
                        g_printerr("studio-export: could not copy %s to %s\n", from, to);
        }
        printf("checksums: cd %s && sha256sum -c SHA256SUMS\n", out_dir);
}

static int load_identity(const char *path, keys *k) {
        unsigned bad = 0;
        int r = age_identities_file_read(path, &k->sks, &k->n, &bad);

        if (r < 0) {
                if (bad)
                        g_printerr("studio-export: %s line %u is not an age identity (expected "
                                   "AGE-SECRET-KEY-1…)\n",
                                   path, bad);
                else
                        g_printerr("studio-export: cannot read the identity file %s: %s\n", path,
                                   g_strerror(-r));
                return r;
        }
        if (k->n == 0) {
                g_printerr("studio-export: %s holds no age identity (expected AGE-SECRET-KEY-1…)\n", path);
                return -ENOKEY;
        }
        return 0;
}

int main(int argc, char **argv) {
        g_autofree gchar *identity = NULL, *out = NULL;
        gboolean salvage = FALSE;
        const GOptionEntry entries[] = {
                {"identity", 'i', 0, G_OPTION_ARG_FILENAME, &identity, "The vault's age identity file",
                 "FILE"},
                {"out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Folder for the decrypted media", "DIR"},
                {"salvage", 0, 0, G_OPTION_ARG_NONE, &salvage,
                 "Keep the authentic prefix of a truncated input as NAME.salvaged.EXT", NULL},
                G_OPTION_ENTRY_NULL,
        };
        g_autoptr(GOptionContext) ctx =
                g_option_context_new("INPUT… - decrypt sealed segments or session folders");
        g_autoptr(GError) error = NULL;
        g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
        keys k = {0};
        int worst = EXIT_WHOLE;

        (void) prctl(PR_SET_DUMPABLE, 0);
        g_option_context_add_main_entries(ctx, entries, NULL);
        g_option_context_set_description(
                ctx, "Exit status: 0 every input decrypted whole; 1 usage or set-up error;\n"
                     "2 (--salvage) some inputs were truncated and their authentic prefix was saved;\n"
                     "3 some input failed (tampered, truncated without --salvage, no matching identity, not "
                     "an age file).");
        if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
                g_printerr("studio-export: %s (see --help)\n", error->message);
                return EXIT_USAGE;
        }
        if (!identity || !out || argc < 2) {
                g_printerr("studio-export: give --identity FILE --out DIR and at least one INPUT (see "
                           "--help)\n");
                return EXIT_USAGE;
        }
        if (sodium_init() < 0 || load_identity(identity, &k) < 0)
                return EXIT_USAGE;
        if (g_mkdir_with_parents(out, 0750) < 0) {
                g_printerr("studio-export: cannot create the output folder %s: %s\n", out,
                           g_strerror(errno));
                sodium_free(k.sks);
                return EXIT_USAGE;
        }
        for (int i = 1; i < argc; i++)
                if (expand_input(argv[i], files) < 0)
                        worst = EXIT_FAILED;
        for (guint i = 0; i < files->len; i++) {
                int r = export_one(&k, files->pdata[i], out, salvage);
                /* failures outrank salvages, which outrank whole files */
                if (r == EXIT_USAGE || (r == EXIT_FAILED && worst != EXIT_USAGE) ||
                    (r == EXIT_SALVAGED && worst == EXIT_WHOLE))
                        worst = r;
        }
        if (argc == 2 && g_file_test(argv[1], G_FILE_TEST_IS_DIR) && worst != EXIT_USAGE)
                copy_sums(argv[1], out);
        sodium_free(k.sks);
        return worst;
}
