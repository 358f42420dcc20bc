/* One session of the vault: verified exactly as `studio-verify --registry
 * … --registry-key …` does (the same library, the same options), its
 * record written and signed; or, when its record is there, that record
 * re-checked (its signature under the intake's key, its bytes as the
 * vault confirms them), never rewritten. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"
#include "fdutil.h"
#include "fsutil.h"
#include "intake-internal.h"
#include "log.h"
#include "sha256.h"
#include "util.h"

#define SIG_MAX (64 * 1024)

static void facts_from(const char *data, size_t len, int64_t arrived_us, char hex[SHA256_HEX_LEN + 1],
                       char arrived[32]) {
        uint8_t d[SHA256_LEN];

        sha256_buf(data, len, d);
        sha256_hex(d, hex);
        g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc(arrived_us / G_USEC_PER_SEC);
        g_autofree char *s = g_date_time_format(t, "%Y-%m-%dT%H:%M:%SZ");
        g_strlcpy(arrived, s, 32);
}

/* The receipts file's SHA-256 and when it arrived (its time in the vault). */
static int receipts_facts(intake *in, const char *session, char hex[SHA256_HEX_LEN + 1], char arrived[32]) {
        g_autofree char *name = g_strdup_printf("%s.jsonl", session), *data = NULL;
        g_auto(fd_owned) dfd = -EBADF;
        g_auto(fd_owned) fd = -EBADF;
        int64_t arrived_us = 0;
        struct stat st;
        size_t len = 0;
        int r;

        if (in->vault) {
                r = intake_s3_receipts(in, session, &data, &len, &arrived_us);
                if (r < 0)
                        return r;
                facts_from(data, len, arrived_us, hex, arrived);
                return 0;
        }
        dfd = openat(in->vault_fd, "receipts", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        fd = fs_openat_regular(dfd, name, &st);
        if (fd < 0)
                return fd;
        r = fs_read_fd(fd, INTAKE_RECEIPTS_MAX, &data, &len);
        if (r < 0)
                return r;
        facts_from(data, len, (int64_t) st.st_mtime * G_USEC_PER_SEC, hex, arrived);
        return 0;
}

/* The session folder: below the vault's root, opened without following a
 * link (dir:), or fetched into the scratch space (s3:). */
static int open_session(intake *in, const char *session, char **ret_path, unsigned *ret_refused,
                        char **ret_error) {
        int fd, r;

        *ret_refused = 0;
        if (in->vault) {
                *ret_path = g_strdup_printf("%s/%s", in->conf->vault, session);
                r = intake_s3_fetch(in, session, &fd, ret_refused);
                if (r < 0)
                        *ret_error = g_strdup_printf("the session %s cannot be fetched from the vault into "
                                                     "%s (%s): the next pass tries again",
                                                     *ret_path, in->conf->scratch, g_strerror(-r));
                return r < 0 ? r : fd;
        }
        *ret_path = g_build_filename(in->conf->vault + strlen("dir:"), session, NULL);
        fd = openat(in->vault_fd, session, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
                r = -errno;
                *ret_error = g_strdup_printf("the session folder %s cannot be opened (%s): its receipts "
                                             "arrived without it",
                                             *ret_path, g_strerror(-r));
                return r;
        }
        return fd;
}

/* Runs the verifier's checks on the session folder. < 0: no verdict
 * (c->error says why, or the folder is missing). */
static int verify_session(intake *in, const char *session, verify_options *o, verify_ctx *c,
                          char **ret_path) {
        char *error = NULL;
        unsigned refused = 0;
        _cleanup_close_ int fd = open_session(in, session, ret_path, &refused, &error);
        int r;

        *o = (verify_options){
                .dir = *ret_path,
                .registry = in->conf->registry,
                .registry_key = in->conf->registry_key,
                .examiner = "studio-intake",
        };
        verify_ctx_init(c, o);
        if (fd < 0) {
                c->error = error;
                return fd;
        }
        o->dirfd = &fd;
        r = verify_run(c);
        o->dirfd = NULL; /* fd closes here; verify_run keeps its own copy */
        if (r >= 0 && refused)
                verify_add(c, VERIFY_INCOMPLETE, NULL, NULL,
                           "%u objects under the session's prefix in the vault have names no session file "
                           "has (a path, \"..\", a control character): they were not read",
                           refused);
        if (in->vault)
                intake_s3_drop(in, session);
        return r;
}

static void log_verdict(const char *session, const char *device, const char *verdict, const char *summary) {
        g_autofree char *dev = escape_text(device ? device : "(unknown)");
        g_autofree char *why = escape_text(summary ? summary : "");

        if (intake_verdict_alert(verdict))
                log_error("ALERT session %s device %s verdict %s: %s", session, dev, verdict, why);
        else
                log_info("session %s device %s verdict %s", session, dev, verdict);
}

static int write_record(intake *in, const char *session, const char *text, size_t len, gchar **msg) {
        g_autofree char *key = intake_record_key(session, ""),
                        *sig_key = intake_record_key(session, ".minisig");
        g_autofree char *sig = NULL, *comment = g_strdup_printf("studio-intake record %s", session);
        int r;

        r = minisign_sign_buf(in->sk, (const uint8_t *) text, len, comment, &sig);
        if (r < 0) {
                *msg = g_strdup_printf("cannot sign the record of %s: %s", session, g_strerror(-r));
                return r;
        }
        /* the record first, its signature after: a pass killed between them
         * leaves a record the next pass signs once it says what a fresh
         * verification says (recheck_unsigned) */
        r = intake_records_put(in, key, text, len, msg);
        if (r >= 0)
                r = intake_records_put(in, sig_key, sig, strlen(sig), msg);
        return r;
}

/* A record there without its signature (a pass killed between the two
 * puts) is signed only when it says what this verification says. */
static bool record_agrees(const char *text, size_t len, const char *session, const verify_ctx *c) {
        g_autofree gchar *msg = NULL;
        intake_record rec = {};
        bool same = intake_record_parse(text, len, &rec, &msg) >= 0 && strcmp(rec.session, session) == 0 &&
                    strcmp(rec.verdict, verify_verdict_to_string(c->verdict)) == 0 &&
                    g_strcmp0(rec.manifest_sha256, *c->manifest_sha256 ? c->manifest_sha256 : NULL) == 0;

        intake_record_clear(&rec);
        if (!same)
                log_error(
                        "ALERT session %s: its record has no signature and does not say what a verification "
                        "says now: it was not written by this intake; investigate, then remove it",
                        session);
        return same;
}

static intake_outcome sign_left_record(intake *in, const char *session, const char *text, size_t len) {
        g_autofree char *sig = NULL, *comment = g_strdup_printf("studio-intake record %s", session);
        g_autofree char *sig_key = intake_record_key(session, ".minisig");
        g_autofree gchar *msg = NULL;

        if (minisign_sign_buf(in->sk, (const uint8_t *) text, len, comment, &sig) < 0 ||
            intake_records_put(in, sig_key, sig, strlen(sig), &msg) < 0)
                return log_error("session %s: cannot sign its record: %s", session,
                                 msg ? msg : "signing failed"),
                       INTAKE_FAILED;
        log_notice("session %s: its record, left unsigned by an interrupted pass, is signed now", session);
        return INTAKE_CHECKED;
}

/* Verifies the session; writes its record, or with expect_text (a record
 * there without signature) signs that record if it says what this
 * verification says. */
static intake_outcome session_verify(intake *in, const char *session, const char *expect_text,
                                     size_t expect_len, bool *ret_alert) {
        g_autofree char *path = NULL, *text = NULL, *summary = NULL;
        g_autofree gchar *msg = NULL;
        char receipts[SHA256_HEX_LEN + 1], arrived[32];
        intake_facts f = {.session = session,
                          .arrived = arrived,
                          .receipts_sha256 = receipts,
                          .tsa_url = in->conf->tsa_url};
        verify_options o;
        verify_ctx c;
        size_t len = 0;
        int r;

        r = receipts_facts(in, session, receipts, arrived);
        if (r < 0)
                return log_error("session %s: its receipts file cannot be read: %s", session,
                                 g_strerror(-r)),
                       INTAKE_FAILED;
        r = verify_session(in, session, &o, &c, &path);
        if (r < 0) {
                g_autofree char *why = escape_text(c.error ? c.error : g_strerror(-r));
                log_error("session %s: not verified: %s", session, why);
                verify_ctx_done(&c);
                return INTAKE_FAILED;
        }
        g_strlcpy(f.intake_key_id, in->key_id, sizeof f.intake_key_id);
        summary = verify_summary(&c);
        *ret_alert = intake_verdict_alert(verify_verdict_to_string(c.verdict));
        if (expect_text) {
                bool same = record_agrees(expect_text, expect_len, session, &c);
                verify_ctx_done(&c);
                return same ? sign_left_record(in, session, expect_text, expect_len) : INTAKE_FAILED;
        }
        text = intake_record_build(&c, &f, g_get_real_time(), &len);
        log_verdict(session, c.m ? c.m->device_id : NULL, verify_verdict_to_string(c.verdict), summary);
        verify_ctx_done(&c);
        r = write_record(in, session, text, len, &msg);
        if (r < 0)
                return log_error("session %s: its record cannot be written: %s", session, msg),
                       INTAKE_FAILED;
        return INTAKE_WRITTEN;
}

/* A record that is there: signed by this intake's key, and the bytes the
 * records' place confirms (HEAD: for S3 the lock too). */
static intake_outcome session_recheck(intake *in, const char *session, const char *text, size_t len,
                                      bool *ret_alert) {
        g_autofree char *sig_key = intake_record_key(session, ".minisig"),
                        *key = intake_record_key(session, "");
        g_autofree char *sig = NULL;
        g_autofree gchar *msg = NULL;
        intake_record rec = {};
        vault_receipt rc = {};
        size_t sig_len = 0;
        int r;

        r = intake_records_read(in, sig_key, SIG_MAX, &sig, &sig_len, &msg);
        if (r == -ENOENT)
                return session_verify(in, session, text, len, ret_alert);
        if (r < 0)
                return log_error("session %s: %s", session, msg), INTAKE_FAILED;
        if (minisign_verify_buf(&in->pk, (const uint8_t *) text, len, sig, sig_len, NULL) < 0)
                return log_error("ALERT session %s: its record in %s does not verify under the intake's key "
                                 "%s: "
                                 "it was altered or planted; investigate",
                                 session, in->conf->records, in->key_id),
                       INTAKE_FAILED;
        if (intake_record_parse(text, len, &rec, &msg) < 0 || strcmp(rec.session, session) != 0) {
                intake_record_clear(&rec);
                return log_error("ALERT session %s: its signed record names another session", session),
                       INTAKE_FAILED;
        }
        *ret_alert = intake_verdict_alert(rec.verdict);
        intake_record_clear(&rec);
        r = vault_head(in->records, key, &rc, &msg);
        vault_receipt_clear(&rc);
        if (r < 0)
                return log_error("session %s: the records' place does not confirm its record: %s", session,
                                 msg ? msg : g_strerror(-r)),
                       INTAKE_FAILED;
        return INTAKE_CHECKED;
}

intake_outcome intake_session(intake *in, const char *session, bool *ret_alert) {
        g_autofree char *key = intake_record_key(session, ""), *text = NULL;
        g_autofree gchar *msg = NULL;
        size_t len = 0;
        int r;

        *ret_alert = false;
        r = intake_records_read(in, key, INTAKE_RECORD_MAX, &text, &len, &msg);
        if (r == -ENOENT)
                return session_verify(in, session, NULL, 0, ret_alert);
        if (r < 0)
                return log_error("session %s: %s", session, msg), INTAKE_FAILED;
        return session_recheck(in, session, text, len, ret_alert);
}
