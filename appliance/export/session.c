/* A session folder: verified first (with the device key or the registry,
 * as studio-verify does), then decrypted into the output folder. Media is
 * kept only when the verdict allows it and every segment decrypted whole
 * with the plaintext SHA-256 the signed manifest names (or, with --salvage
 * and a TRUNCATED session, as the authentic prefix of the cut segment);
 * otherwise only the report is written. */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "fsutil.h"
#include "json-bounded.h"
#include "log.h"
#include "session.h"

#define SIG_MAX (64 * 1024)

static const char *const report_names[] = {"verification.txt", "verification.json"};
static const char *const sums_names[] = {"SHA256SUMS", "SHA256SUMS.minisig"};
/* the device key the session verified under, so that `minisign -V -p
 * device.pub` works beside the copy as docs/export.md prints it */
static const char key_name[] = "device.pub";

/* The verifier reads the folder through /proc/self/fd, so that it checks
 * the very folder we decrypt from even if its name is moved meanwhile. */
static char *same_folder_path(const export_session *s) {
        g_autofree char *p = g_strdup_printf("/proc/self/fd/%d", s->fd);
        struct stat a, b;

        if (fstat(s->fd, &a) == 0 && stat(p, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
                return g_steal_pointer(&p);
        return g_strdup(s->dir);
}

/* c.error names the folder as the verifier saw it; say it as the user did */
static char *user_error(const export_session *s) {
        g_auto(GStrv) parts = g_strsplit(s->c.error ? s->c.error : "cannot verify the session", s->vdir, -1);
        return g_strjoinv(s->dir, parts);
}

static bool names_free(const export_session *s, bool media) {
        bool ok = true;

        for (size_t i = 0; i < G_N_ELEMENTS(report_names); i++)
                ok &= export_out_name_free(s->o, report_names[i]);
        if (!media)
                return ok;
        for (size_t i = 0; i < G_N_ELEMENTS(sums_names); i++)
                ok &= export_out_name_free(s->o, sums_names[i]);
        if (s->verified)
                ok &= export_out_name_free(s->o, key_name);
        for (size_t i = 0; i < s->n_items; i++) {
                g_autofree char *salvaged = export_output_name(s->items[i].name, true);
                ok &= export_out_name_free(s->o, s->items[i].output);
                if (s->opt->salvage)
                        ok &= export_out_name_free(s->o, salvaged);
        }
        return ok;
}

/* SHA256SUMS and its signature go beside the working copy (so that
 * `sha256sum -c` and `minisign -V` work there); verified, SHA256SUMS must
 * still be exactly what the checked manifest implies. */
static bool read_sums(export_session *s) {
        int r = fs_read_fileat(s->fd, sums_names[0], CUSTODY_MANIFEST_MAX, &s->sums, &s->sums_len);

        if (r < 0) {
                s->sums_problem = g_strdup_printf("%s not copied: %s", sums_names[0], g_strerror(-r));
                return !s->verified;
        }
        if (s->verified && s->c.m) {
                size_t len = 0;
                g_autofree char *want = custody_sums_format(s->c.m, false, &len);
                if (!want || len != s->sums_len || memcmp(want, s->sums, len) != 0) {
                        s->sums_problem =
                                g_strdup_printf("%s changed since it was verified: fetch the vault copy "
                                                "of the session again",
                                                sums_names[0]);
                        return false;
                }
        }
        r = fs_read_fileat(s->fd, sums_names[1], SIG_MAX, &s->sums_sig, &s->sums_sig_len);
        if (r < 0) {
                s->sums_problem = g_strdup_printf("%s not copied: %s", sums_names[1], g_strerror(-r));
                return !s->verified;
        }
        return true;
}

static int write_reports(export_session *s) {
        size_t tlen = 0, jlen = 0;
        g_autofree char *txt = export_report_text(s, &tlen), *json = export_report_json(s, &jlen);
        int r = export_out_write(s->o, report_names[0], txt, tlen);

        if (r >= 0)
                r = export_out_write(s->o, report_names[1], json, jlen);
        if (r < 0)
                return r;
        export_print("report: %s/%s", s->o->path, report_names[0]);
        return 0;
}

/* device.pub: the key the verifier checked every signature under and
 * trusted (from --device-key or the registry's entry), in minisign's
 * public key format. */
static int write_key(const export_session *s) {
        char id[2 * MINISIGN_KEY_ID_LEN + 1];
        g_autofree char *b64 = NULL, *text = NULL;

        if (!s->verified || !s->c.have_key || !s->c.trusted)
                return 0;
        b64 = minisign_public_to_base64(&s->c.key);
        minisign_key_id_hex(s->c.key.key_id, id);
        text = g_strdup_printf("untrusted comment: minisign public key %s\n%s\n", id, b64);
        return export_out_write(s->o, key_name, text, strlen(text));
}

static char *shell_word(const char *a) {
        for (const char *t = a; *t; t++)
                if (!g_ascii_isalnum(*t) && !strchr("_./=:@%+,-", *t))
                        return g_shell_quote(a);
        return g_strdup(*a ? a : "''");
}

/* The check printed after a working copy: a command that passes as
 * printed. SHA256SUMS lists complete segments only, and sha256sum -c
 * refuses a file without a line, so a session whose only segment was cut
 * gets the signature check alone. */
static void say_check(const export_session *s) {
        g_autofree char *dir = shell_word(s->o->path);
        bool sign = s->sums_sig && s->verified && s->c.have_key && s->c.trusted;
        const char *sig = sign ? "minisign -Vq -p device.pub -m SHA256SUMS" : NULL;

        if (!s->sums)
                return;
        if (s->sums_len > 0)
                export_print("check: cd %s && sha256sum -c SHA256SUMS%s%s", dir, sig ? " && " : "",
                             sig ? sig : "");
        else if (sig)
                export_print("check: cd %s && %s  # SHA256SUMS lists no complete segment: the only one "
                             "was cut short",
                             dir, sig);
}

/* Moves every decrypted segment to its name and copies the sums. */
static int commit(export_session *s) {
        for (size_t i = 0; i < s->n_items; i++) {
                export_item *it = &s->items[i];
                int r = export_partial_commit(s->o, &it->part, it->output);

                if (r == -EEXIST) {
                        export_out_say_taken(s->o, it->output);
                        return EXPORT_EXIT_USAGE;
                }
                if (r < 0) {
                        log_error("cannot write %s/%s: %s", s->o->path, it->output, g_strerror(-r));
                        return EXPORT_EXIT_USAGE;
                }
                if (it->salvaged) {
                        g_autofree char *after = export_unverifiable_words(s, it);
                        export_print("%s: TRUNCATED: salvaged %" G_GUINT64_FORMAT
                                     " authentic bytes (%" G_GUINT64_FORMAT " chunks) to %s/%s; %s",
                                     it->name, it->res.plaintext_bytes, it->res.intact_chunks, s->o->path,
                                     it->output, after);
                } else
                        export_print("%s: OK: %" G_GUINT64_FORMAT " bytes to %s/%s", it->name,
                                     it->res.plaintext_bytes, s->o->path, it->output);
        }
        if (s->sums && export_out_write(s->o, sums_names[0], s->sums, s->sums_len) < 0)
                return EXPORT_EXIT_USAGE;
        if (s->sums_sig && export_out_write(s->o, sums_names[1], s->sums_sig, s->sums_sig_len) < 0)
                return EXPORT_EXIT_USAGE;
        if (write_key(s) < 0)
                return EXPORT_EXIT_USAGE;
        say_check(s);
        if (s->sums_problem)
                log_notice("note: %s", s->sums_problem);
        return EXPORT_EXIT_WHOLE;
}

/* Runs the verifier; EXPORT_EXIT_WHOLE to go on decrypting, otherwise the
 * exit status (the report is then all that is written). */
static int verify_first(export_session *s) {
        verify_verdict v;

        s->vdir = same_folder_path(s);
        s->vo = (verify_options){.dir = s->vdir,
                                 .device_key = s->opt->device_key,
                                 .registry = s->opt->registry,
                                 .identity = s->opt->identity};
        s->verified = true;
        verify_ctx_init(&s->c, &s->vo);
        if (verify_run(&s->c) < 0) {
                g_autofree char *e = user_error(s);
                log_error("%s", e);
                return EXPORT_EXIT_USAGE;
        }
        v = s->c.verdict;
        s->verifier_text = export_verifier_text(&s->c);
        /* the report's first line: the verdict word, then the summary */
        g_autofree char *first = g_strndup(s->verifier_text, strcspn(s->verifier_text, "\n"));
        g_autofree char *word = g_strndup(first, strcspn(first, ":"));
        export_print("%s: %s", s->dir, first);
        if (v == VERIFY_INTACT || (v == VERIFY_TRUNCATED && s->opt->salvage)) {
                s->source = "manifest.json (verified)";
                if (s->c.m && export_plan_from_manifest(s, s->c.m) >= 0)
                        return EXPORT_EXIT_WHOLE;
                s->exit_code = EXPORT_EXIT_FAILED;
                export_plan_free(s);
                if (names_free(s, false))
                        (void) write_reports(s);
                return EXPORT_EXIT_FAILED;
        }
        s->exit_code = EXPORT_EXIT_FAILED;
        if (!names_free(s, false) || write_reports(s) < 0)
                return EXPORT_EXIT_USAGE;
        if (v == VERIFY_TRUNCATED)
                log_error("%s is TRUNCATED (the device lost power): nothing was decrypted; "
                          "run again with --salvage to keep its complete segments and the authentic prefix "
                          "of the cut one",
                          s->dir);
        else
                log_error("%s is %s: nothing was decrypted; fetch the vault copy of the "
                          "session again%s (the report says why)",
                          s->dir, word,
                          v == VERIFY_UNTRUSTED_KEY ? ", and check --device-key or --registry" : "");
        return EXPORT_EXIT_FAILED;
}

/* --no-verify: the manifest's segments, unchecked, or without a readable
 * manifest the seg-NNNNNN.mkv.age files of the folder. */
static int plan_unverified(export_session *s) {
        char *data = NULL, *err = NULL;
        size_t len = 0;
        int r = fs_read_fileat(s->fd, "manifest.json", CUSTODY_MANIFEST_MAX, &data, &len);

        /* the manifest parser recurses per nesting level: count the depth first */
        if (r >= 0 && json_depth_check(data, len, JSON_DEPTH_MAX) >= 0 &&
            custody_manifest_parse(data, len, &s->unverified, &err) < 0)
                s->unverified = custody_manifest_free(s->unverified);
        free(data);
        g_free(err);
        if (s->unverified) {
                s->source = "manifest.json (not verified)";
                return export_plan_from_manifest(s, s->unverified);
        }
        s->source = "the folder's seg-NNNNNN.mkv.age files (no readable manifest.json)";
        r = export_plan_from_folder(s);
        if (r < 0) {
                log_error("cannot list %s: %s", s->dir, g_strerror(-r));
                return r;
        }
        if (s->n_items == 0) {
                log_error("%s holds no sealed segments (seg-NNNNNN.mkv.age)", s->dir);
                return -ENOENT;
        }
        return 0;
}

static bool same_inode(const struct stat *a, const struct stat *b) {
        return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

static bool is_out(const export_session *s, const char *name) {
        struct stat a, b;
        return fstatat(s->fd, name, &a, AT_SYMLINK_NOFOLLOW) == 0 && fstat(s->o->fd, &b) == 0 &&
               same_inode(&a, &b);
}

/* A session folder holds regular files only. Anything else (a symlink out
 * of it, a FIFO, a device, a folder) is refused before anything in it is
 * read, by export or by the verifier it runs. */
static int scan_folder(export_session *s) {
        g_auto(GStrv) names = NULL;
        int r = fs_list_namesat(s->fd, EXPORT_FOLDER_MAX, &names);

        if (r == -E2BIG) {
                s->refused = g_strdup_printf("the folder holds more than %d files", EXPORT_FOLDER_MAX);
                return 0;
        }
        if (r < 0) {
                log_error("cannot list the session folder %s: %s", s->dir, g_strerror(-r));
                return r;
        }
        for (guint i = 0; names[i]; i++) {
                mode_t mode = 0;
                r = fs_kindat(s->fd, names[i], &mode);
                if (r == -ENOENT)
                        continue; /* gone meanwhile: the checks say what is missing */
                if (r >= 0 && S_ISDIR(mode) && is_out(s, names[i])) {
                        log_error("--out %s is inside the session folder %s: choose an --out "
                                  "folder outside it (the session is evidence and stays as it came)",
                                  s->o->path, s->dir);
                        return -EINVAL;
                }
                if (r < 0 || !S_ISREG(mode)) {
                        s->refused = g_strdup_printf("%s is %s, not a regular file", names[i],
                                                     r < 0 ? "unreadable" : fs_kind_name(mode));
                        return 0;
                }
        }
        return 0;
}

static int refuse(export_session *s) {
        s->exit_code = EXPORT_EXIT_FAILED;
        if (!names_free(s, false) || write_reports(s) < 0)
                return EXPORT_EXIT_USAGE;
        log_error("%s: %s: nothing was %s; studio-export reads only the session's own "
                  "regular files: fetch the vault copy of the session again",
                  s->dir, s->refused, s->opt->no_verify ? "decrypted" : "verified or decrypted");
        return EXPORT_EXIT_FAILED;
}

static int run(export_session *s) {
        int r;

        if (scan_folder(s) < 0)
                return EXPORT_EXIT_USAGE;
        if (s->refused)
                return refuse(s);
        if (!s->opt->no_verify) {
                r = verify_first(s);
                if (r != EXPORT_EXIT_WHOLE)
                        return r;
        } else if (plan_unverified(s) < 0)
                return EXPORT_EXIT_FAILED;
        if (!names_free(s, true))
                return EXPORT_EXIT_USAGE;
        if (!export_plan_decrypt(s) || !read_sums(s)) {
                if (s->sums_problem)
                        log_error("%s", s->sums_problem);
                if (s->exit_code == EXPORT_EXIT_USAGE)
                        return EXPORT_EXIT_USAGE;
                s->exit_code = EXPORT_EXIT_FAILED;
                for (size_t i = 0; i < s->n_items; i++) /* no media of it is kept */
                        export_partial_discard(s->o, &s->items[i].part);
                (void) write_reports(s);
                log_error("%s: no media was kept; fetch the vault copy of the session "
                          "again",
                          s->dir);
                return EXPORT_EXIT_FAILED;
        }
        s->exit_code = EXPORT_EXIT_WHOLE;
        if (s->verified && s->c.verdict == VERIFY_TRUNCATED)
                s->exit_code = EXPORT_EXIT_SALVAGED;
        for (size_t i = 0; i < s->n_items; i++)
                if (s->items[i].salvaged)
                        s->exit_code = EXPORT_EXIT_SALVAGED;
        r = commit(s);
        if (r != EXPORT_EXIT_WHOLE)
                return r;
        if (write_reports(s) < 0)
                return EXPORT_EXIT_USAGE;
        return s->exit_code;
}

int export_session_main(const export_options *opt, const export_keys *k, export_out *o, const char *dir) {
        export_session s = {.opt = opt, .k = k, .o = o, .dir = dir, .exit_code = EXPORT_EXIT_WHOLE};
        int code;

        s.fd = fs_open_dir(dir);
        if (s.fd < 0) {
                log_error("cannot open the session folder %s: %s", dir, g_strerror(-s.fd));
                return EXPORT_EXIT_USAGE;
        }
        struct stat a, b;
        if (fstat(s.fd, &a) == 0 && fstat(o->fd, &b) == 0 && same_inode(&a, &b)) {
                log_error("--out %s is the session folder: choose an --out folder outside it "
                          "(the session is evidence and stays as it came)",
                          o->path);
                fd_close_owned(s.fd);
                return EXPORT_EXIT_USAGE;
        }
        code = run(&s);
        export_plan_free(&s);
        if (s.verified)
                verify_ctx_done(&s.c);
        custody_manifest_free(s.unverified);
        g_free(s.vdir);
        g_free(s.refused);
        g_free(s.verifier_text);
        free(s.sums);
        free(s.sums_sig);
        g_free(s.sums_problem);
        fd_close_owned(s.fd);
        return code;
}
