/* One pass over the spool: for each session, each file that may leave now
 * goes to the vault unless a receipt already matches it; each confirmation
 * is a receipt line before it counts; a closed session whose files are all
 * confirmed sends its receipts file, then may be wiped (wipe.c decides).
 * The backlog is what is left. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"
#include "fdutil.h"
#include "fsutil.h"
#include "log.h"
#include "notify.h"
#include "uploader.h"
#include "util.h"

/* A new process (a restart, or --once beside the daemon) must not tell the
 * room the vault is fine before its first pass has tried: what the last
 * published backlog said stands until then, so the room's warning never
 * flickers off and on. A missing or unreadable file is a first start. */
static void carry_last_backlog(upl_ctx *c) {
        backlog_doc last;
        g_autofree gchar *msg = NULL;

        if (backlog_read(c->conf->backlog_file, &last, &msg) < 0)
                return;
        c->published = last;
        c->published.in_flight = 0;
        c->vault_state = last.vault;
        c->last_error = last.last_error;
        c->last_error_us = last.last_error_us;
}

int upl_ctx_init(upl_ctx *c, const studio_uploader_conf *conf, vault *v, gchar **ret_message) {
        memset(c, 0, sizeof(*c));
        c->conf = conf;
        c->v = v;
        c->spool_fd = c->receipts_fd = -EBADF;
        c->spool_fd = open(conf->spool, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (c->spool_fd < 0) {
                int r = -errno;
                *ret_message = g_strdup_printf("cannot open the spool %s: %s", conf->spool, g_strerror(-r));
                return r;
        }
        if (mkdirat(c->spool_fd, UPL_RECEIPTS_DIR, 0750) == 0)
                (void) fsync(c->spool_fd);
        c->receipts_fd =
                openat(c->spool_fd, UPL_RECEIPTS_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (c->receipts_fd < 0) {
                int r = -errno;
                *ret_message = g_strdup_printf("cannot open %s/" UPL_RECEIPTS_DIR
                                               " (it must be a folder, not a link): %s",
                                               conf->spool, g_strerror(-r));
                return r;
        }
        c->reported = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        c->vaulted = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        /* "last transfer" survives a restart even once every session is wiped */
        c->last_transfer_us = upl_receipts_last_transfer(c->receipts_fd, vault_id(v));
        carry_last_backlog(c);
        if (g_strcmp0(conf->wipe_after, "verified") == 0) {
                c->verifier = upl_verifier_new(conf);
                if (c->verifier->unusable)
                        log_error("[uploader] wipe_after = verified, but no local copy can be wiped: %s",
                                  c->verifier->unusable);
        }
        return 0;
}

void upl_ctx_done(upl_ctx *c) {
        if (c->spool_fd >= 0)
                (void) close(c->spool_fd);
        if (c->receipts_fd >= 0)
                (void) close(c->receipts_fd);
        if (c->reported)
                g_hash_table_unref(c->reported);
        if (c->vaulted)
                g_hash_table_unref(c->vaulted);
        upl_verifier_free(c->verifier);
        memset(c, 0, sizeof(*c));
}

void upl_pass_result_clear(upl_pass_result *r) {
        g_free(r->message);
        memset(r, 0, sizeof(*r));
}

/* Logs msg at level once per process: a scan every 30 s must not repeat it. */
static void report_once(upl_ctx *c, int level, const char *msg) {
        if (g_hash_table_contains(c->reported, msg))
                return;
        g_hash_table_add(c->reported, g_strdup(msg));
        log_full(level, "%s", msg);
}

backlog_error upl_error_category(int r) {
        switch (r) {
        case 0:
                return BACKLOG_ERROR_NONE;
        case -EAGAIN: /* network, server down, 5xx, a clock the vault refuses */
        case -ECONNREFUSED:
        case -ETIMEDOUT:
        case -EHOSTUNREACH:
        case -ENETUNREACH:
        case -EROFS: /* the directory vault's folder mounted read-only, or gone so */
                return BACKLOG_ERROR_UNREACHABLE;
        case -EACCES:
                return BACKLOG_ERROR_CREDENTIALS;
        case -ENOLCK:
                return BACKLOG_ERROR_NOT_LOCKING;
        case -EBADMSG:
                return BACKLOG_ERROR_CONFLICT;
        default:
                return BACKLOG_ERROR_OTHER;
        }
}

/* The first failure of a pass is its result; kind is what the backlog
 * says of it (the spool's own failures are LOCAL whatever their errno). */
static void fail_as(upl_pass_result *res, int r, backlog_error kind, gchar *msg) {
        if (!res->error) {
                res->error = r;
                res->message = msg;
                res->backlog.last_error = kind;
        } else
                g_free(msg);
}

static void fail(upl_pass_result *res, int r, gchar *msg) {
        fail_as(res, r, upl_error_category(r), msg);
}

static void fail_local(upl_pass_result *res, int r, gchar *msg) {
        fail_as(res, r, BACKLOG_ERROR_LOCAL, msg);
}

/* ---- progress and the rate cap ---- */

typedef struct progress {
        upl_ctx *c;
        const char *key;
        int64_t start_us;
} progress;

/* A pass can hold one object for minutes: the status page sees it move,
 * at most once a second (a rename per callback would cost more than the
 * transfer). */
static void publish_in_flight(upl_ctx *c) {
        int64_t now = g_get_monotonic_time();

        if (now - c->in_flight_published_us < G_USEC_PER_SEC)
                return;
        c->in_flight_published_us = now;
        upl_backlog_publish(c, &c->published);
}

static void on_progress(uint64_t sent, uint64_t total, void *userdata) {
        progress *p = userdata;
        int64_t elapsed = MAX(g_get_monotonic_time() - p->start_us, 1);
        double rate = (double) sent * G_USEC_PER_SEC / (double) elapsed;

        notify_watchdog_progress(); /* a long PUT runs inside one loop callback */

        p->c->bytes_in_flight = (int64_t) sent;
        publish_in_flight(p->c);
        if (p->c->conf->max_rate > 0 && rate > (double) p->c->conf->max_rate) {
                /* sleep until the average is back at the cap */
                int64_t due = (int64_t) ((double) sent * G_USEC_PER_SEC / (double) p->c->conf->max_rate);
                g_usleep((gulong) MAX(due - elapsed, 0));
                rate = (double) p->c->conf->max_rate;
        }
        if (p->c->show_progress) {
                double eta = rate > 0 ? (double) (total - sent) / rate : 0;
                fprintf(stderr, "\r%s: %.1f/%.1f MiB, %.1f MiB/s, ETA %.0f s   ", p->key, sent / 1048576.0,
                        total / 1048576.0, rate / 1048576.0, eta);
                if (sent == total)
                        fputc('\n', stderr);
        }
}

/* ---- one object ---- */

/* A failure that is the vault's, not the object's: the rest would fail the same way. */
static bool vault_wide(int r) {
        return r == -EAGAIN || r == -EACCES || r == -ENOLCK || r == -ENOSPC || r == -EPROTONOSUPPORT ||
               r == -EROFS || r == -EPERM;
}

/* md5: the Content-MD5 from the scan's read, or NULL (the backend computes
 * it). *ret_local is set when the failure is the spool's (the file cannot
 * be opened), not the vault's. */
static int send_object(upl_ctx *c, int dfd, const char *name, const char *key, uint64_t size,
                       const char *sha, const char *md5, vault_receipt *ret, bool *ret_local,
                       gchar **ret_message) {
        progress p = {.c = c, .key = key, .start_us = g_get_monotonic_time()};
        g_auto(fd_owned) fd = fs_openat_regular(dfd, name, NULL);
        int r;

        if (fd < 0) {
                g_autofree char *shown = escape_text(key);
                *ret_message = g_strdup_printf("cannot open %s for the vault: %s", shown, g_strerror(-fd));
                *ret_local = true;
                return fd;
        }
        r = vault_put_md5(c->v, key, fd, size, sha, md5, on_progress, &p, ret, ret_message);
        c->bytes_in_flight = 0;
        /* refused credentials or a missing lock are answers: the vault was reached */
        c->vault_state = upl_error_category(r) == BACKLOG_ERROR_UNREACHABLE ? BACKLOG_VAULT_UNREACHABLE
                                                                            : BACKLOG_VAULT_REACHABLE;
        return r;
}

/* ---- one session ---- */

typedef struct session_tally {
        bool pending;      /* something of it is not yet in the vault */
        uint64_t bytes;    /* of the files not yet confirmed */
        int64_t oldest_us; /* the oldest of those files (or the manifest's time) */
} session_tally;

static void tally_pending(session_tally *t, const upl_file *f) {
        t->pending = true;
        t->bytes += f->size;
        if (!t->oldest_us || f->mtime_us < t->oldest_us)
                t->oldest_us = f->mtime_us;
}

/* Sends receipts/<session>.jsonl once the session's files are all
 * confirmed; its hash is remembered so a quiet pass does not send it again. */
static int send_receipts(upl_ctx *c, const char *session, bool send, bool *ret_local, gchar **ret_message) {
        g_autofree gchar *name = g_strdup_printf("%s.jsonl", session);
        g_autofree gchar *key = g_strdup_printf(UPL_RECEIPTS_DIR "/%s", name);
        g_auto(fd_owned) fd = fs_openat_regular(c->receipts_fd, name, NULL);
        uint8_t d[SHA256_LEN];
        char sha[SHA256_HEX_LEN + 1];
        uint64_t size;
        vault_receipt rc = {0};
        int r;

        if (fd < 0) {
                *ret_message =
                        g_strdup_printf("cannot read the receipts of %s: %s", session, g_strerror(-fd));
                *ret_local = true;
                return fd;
        }
        r = sha256_fd(fd, d, &size);
        if (r < 0) {
                *ret_message =
                        g_strdup_printf("cannot read the receipts of %s: %s", session, g_strerror(-r));
                *ret_local = true;
                return r;
        }
        sha256_hex(d, sha);
        const char *known = g_hash_table_lookup(c->vaulted, session);
        if (known && strcmp(known, sha) == 0)
                return 0;
        if (!send) { /* only look: is it there as it is here? */
                r = vault_head(c->v, key, &rc, ret_message);
                bool same = r == 0 && rc.size == size && strcmp(rc.sha256, sha) == 0;
                vault_receipt_clear(&rc);
                if (!same)
                        return r < 0 ? r : -ENOENT;
                g_hash_table_replace(c->vaulted, g_strdup(session), g_strdup(sha));
                return 0;
        }
        r = send_object(c, c->receipts_fd, name, key, size, sha, NULL, &rc, ret_local, ret_message);
        vault_receipt_clear(&rc);
        if (r < 0)
                return r;
        g_hash_table_replace(c->vaulted, g_strdup(session), g_strdup(sha));
        return 0;
}

static void report_session(upl_ctx *c, const upl_session *s, const upl_receipts *rc) {
        for (guint i = 0; i < s->ignored->len; i++) {
                g_autofree gchar *m = g_strdup_printf("%s: %s is not sent to the vault", s->name,
                                                      (char *) s->ignored->pdata[i]);
                report_once(c, LOG_WARNING, m);
        }
        if (rc->elsewhere) {
                g_autofree gchar *m = g_strdup_printf(
                        "receipts of %s: %u line(s) name another vault than %s (or none: written before "
                        "receipts named their vault); they prove nothing here, so their objects are "
                        "confirmed with this vault again",
                        s->name, rc->elsewhere, vault_describe(c->v));
                report_once(c, LOG_NOTICE, m);
        }
        if (rc->refused) {
                g_autofree char *why = escape_text(rc->first_refused);
                g_autofree gchar *m =
                        g_strdup_printf("receipts of %s: %u line(s) refused (%s); their objects are "
                                        "confirmed with the vault again",
                                        s->name, rc->refused, why);
                report_once(c, LOG_WARNING, m);
        }
}

static bool same_receipt(const upl_receipt *had, const vault_receipt *now) {
        return had && had->size == now->size && strcmp(had->sha256, now->sha256) == 0 &&
               g_strcmp0(had->version_id, now->version_id) == 0 &&
               had->retain_until_us == now->retain_until_us;
}

/* Sends again what the vault did not confirm before a wipe (keys of
 * unconfirmed): a file of the session, or its receipts file. */
static int resend(upl_ctx *c, const upl_session *s, upl_receipts *rc, GPtrArray *unconfirmed,
                  gchar **ret_message) {
        _cleanup_close_ int dfd =
                openat(c->spool_fd, s->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        size_t prefix = strlen(s->name) + 1;
        bool local = false;
        int r = 0;

        for (guint i = 0; i < unconfirmed->len && r == 0; i++) {
                const char *key = unconfirmed->pdata[i];
                if (g_str_has_prefix(key, UPL_RECEIPTS_DIR "/")) {
                        g_hash_table_remove(c->vaulted, s->name); /* sent again below */
                        continue;
                }
                for (guint j = 0; j < s->ready->len; j++) {
                        const upl_file *f = s->ready->pdata[j];
                        vault_receipt vr = {0};
                        if (strcmp(f->name, key + prefix) != 0)
                                continue;
                        r = send_object(c, dfd, f->name, key, f->size, f->sha256, f->content_md5, &vr,
                                        &local, ret_message);
                        /* the same confirmation again changes no receipt (nor the
                         * receipts file the vault holds): the wipe judges again */
                        if (r == 0 && !same_receipt(upl_receipts_get(rc, key), &vr))
                                r = upl_receipts_append(c->receipts_fd, s->name, rc, &vr, ret_message);
                        vault_receipt_clear(&vr);
                }
        }
        if (r == 0)
                r = send_receipts(c, s->name, true, &local, ret_message);
        return r;
}

/* wipe_after = verified kept a vaulted copy: the backlog counts it, and a
 * refused record is police IT's to hear of (logged once, as a warning). */
static void held_for_verification(upl_ctx *c, int hold, upl_pass_result *res, const char *msg) {
        if (hold == UPL_VERIFY_REFUSED) {
                res->backlog.verification_failed++;
                report_once(c, LOG_ERR, msg);
        } else {
                res->backlog.awaiting_verification++;
                report_once(c, LOG_INFO, msg);
        }
}

/* Wipes the session if wipe.c finds it may; what the vault did not confirm
 * goes again, then wipe.c judges once more: a vault that still does not
 * confirm it is a failure of the pass, and the local copy stays. */
static bool finish_wipe(upl_ctx *c, const upl_session *s, upl_receipts *rc, upl_pass_result *res,
                        session_tally *t) {
        gchar *msg = NULL;
        int r = 0, hold = UPL_VERIFY_OK;

        for (int round = 0; round < 2; round++) {
                g_autoptr(GPtrArray) unconfirmed = g_ptr_array_new_with_free_func(g_free);
                g_clear_pointer(&msg, g_free);
                r = upl_wipe_session_verified(c->spool_fd, c->receipts_fd, c->v, c->verifier, s->name,
                                              c->conf->local_retention_ns, unconfirmed, &hold, &msg);
                if (r != 0 || unconfirmed->len == 0)
                        break;
                log_warning("%s", msg);
                if (round == 1) {
                        t->pending = true;
                        res->pending += unconfirmed->len;
                        fail(res, -EBADMSG, g_steal_pointer(&msg));
                        return true;
                }
                g_clear_pointer(&msg, g_free);
                r = resend(c, s, rc, unconfirmed, &msg);
                if (r < 0) {
                        t->pending = true;
                        res->pending += unconfirmed->len;
                        fail(res, r, g_steal_pointer(&msg));
                        return !vault_wide(r);
                }
        }
        if (r > 0) {
                log_notice("%s", msg);
                res->wiped++;
        } else if (r == 0 && hold != UPL_VERIFY_OK)
                held_for_verification(c, hold, res, msg);
        else if (r == 0)
                report_once(c, LOG_INFO, msg);
        else
                fail_local(res, r, g_strdup(msg));
        g_free(msg);
        return true;
}

/* One ready file of the session: nothing when its receipt matches, sent
 * and its receipt kept when *send, else counted as pending. Returns false
 * when the file is still pending; a failure that is the vault's clears
 * *send, as the rest would fail alike. */
static bool upload_file(upl_ctx *c, int dfd, const char *name, upl_receipts *rc, const upl_file *f,
                        bool *send, upl_pass_result *res, session_tally *t) {
        g_autofree gchar *key = g_strdup_printf("%s/%s", name, f->name);
        vault_receipt vr = {0};
        gchar *msg = NULL;
        bool local = false;
        int r;

        if (upl_receipts_match(rc, key, f->size, f->sha256))
                return true;
        if (!*send) {
                res->pending++;
                tally_pending(t, f);
                return false;
        }
        r = send_object(c, dfd, f->name, key, f->size, f->sha256, f->content_md5, &vr, &local, &msg);
        if (r == 0 && (r = upl_receipts_append(c->receipts_fd, name, rc, &vr, &msg)) < 0)
                local = true;
        if (r == 0) {
                res->sent++;
                c->last_transfer_us = MAX(c->last_transfer_us, vr.confirmed_us);
                log_info("%s: confirmed by %s (%" G_GUINT64_FORMAT " bytes, sha256 %s)", key,
                         vault_describe(c->v), f->size, f->sha256);
        }
        vault_receipt_clear(&vr);
        if (r == 0)
                return true;
        res->pending++;
        tally_pending(t, f);
        if (local)
                fail_local(res, r, g_steal_pointer(&msg));
        else
                fail(res, r, g_steal_pointer(&msg));
        /* the vault's failure: the rest would fail alike; they are only counted */
        if (!local && vault_wide(r))
                *send = false;
        return false;
}

/* A closed session whose every file is confirmed: its receipts go to the
 * vault, then the local copy may be wiped. With send false only whether
 * the receipts are pending is noted. Returns as upload_session does. */
static bool finish_closed(upl_ctx *c, const upl_session *s, upl_receipts *rc, bool send,
                          upl_pass_result *res, session_tally *t) {
        gchar *msg = NULL;
        bool local = false;
        int r;

        if (!send) {
                t->pending = send_receipts(c, s->name, false, &local, &msg) < 0;
                g_free(msg);
                return false;
        }
        r = send_receipts(c, s->name, true, &local, &msg);
        if (r < 0) {
                t->pending = true;
                res->pending++;
                if (local)
                        fail_local(res, r, g_steal_pointer(&msg));
                else
                        fail(res, r, g_steal_pointer(&msg));
                return local || !vault_wide(r);
        }
        return finish_wipe(c, s, rc, res, t);
}

/* Returns false when the pass must stop sending (a failure that is the
 * vault's); with send false it only counts what is pending. */
static bool upload_session(upl_ctx *c, const char *name, bool send, upl_pass_result *res, session_tally *t) {
        g_autoptr(upl_session) s = NULL;
        g_autoptr(upl_receipts) rc = NULL;
        gchar *msg = NULL;
        int r;

        r = upl_session_scan(c->spool_fd, name, &s, &msg);
        if (r < 0) {
                report_once(c, LOG_WARNING, msg);
                g_free(msg);
                res->strangers += r == -EPERM || r == -ELOOP;
                return true;
        }
        r = upl_receipts_load(c->receipts_fd, name, vault_id(c->v), &rc, &msg);
        if (r < 0) {
                t->pending = true;
                fail_local(res, r, g_steal_pointer(&msg));
                return true;
        }
        report_session(c, s, rc);
        res->strangers += s->strangers;
        c->last_transfer_us = MAX(c->last_transfer_us, rc->last_us);
        g_auto(fd_owned) dfd = openat(c->spool_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        bool all = true;
        for (guint i = 0; i < s->ready->len; i++)
                if (!upload_file(c, dfd, name, rc, s->ready->pdata[i], &send, res, t))
                        all = false;
        if (!s->closed && s->empty && send)
                return finish_wipe(c, s, rc, res, t);
        if (!s->closed || !all)
                return send;
        return finish_closed(c, s, rc, send, res, t);
}

/* ---- the pass ---- */

static GPtrArray *session_names(upl_ctx *c, upl_pass_result *res) {
        GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
        g_auto(GStrv) all = NULL;

        if (fs_list_namesat(c->spool_fd, FS_LIST_MAX, &all) < 0)
                return names;
        for (char **n = all; *n; n++) {
                mode_t mode;
                if ((*n)[0] == '.' || strcmp(*n, UPL_RECEIPTS_DIR) == 0)
                        continue;
                if (fs_kindat(c->spool_fd, *n, &mode) < 0)
                        continue;
                if (!upl_session_name_valid(*n) || !S_ISDIR(mode)) {
                        g_autofree char *shown = escape_text(*n);
                        g_autofree gchar *m =
                                g_strdup_printf("spool entry \"%s\" (%s) is not a session folder: it is "
                                                "never followed nor sent to the vault",
                                                shown, S_ISDIR(mode) ? "a folder" : fs_kind_name(mode));
                        report_once(c, LOG_WARNING, m);
                        res->strangers++;
                        continue;
                }
                g_ptr_array_add(names, g_strdup(*n)); /* sorted, as the listing is */
        }
        return names;
}

/* An intake key or records place that could not be used (the bundle not
 * applied yet, a folder not mounted) is tried again on every pass. */
static void retry_verifier(upl_ctx *c) {
        if (!c->verifier || !c->verifier->unusable)
                return;
        upl_verifier *again = upl_verifier_new(c->conf);
        if (!again->unusable)
                log_notice("[uploader] wipe_after = verified: the intake's key and records (%s) can be used "
                           "now",
                           upl_records_describe(again->records));
        upl_verifier_free(c->verifier);
        c->verifier = again;
}

void upl_pass(upl_ctx *c, bool tries, upl_pass_result *res) {
        g_autoptr(GPtrArray) names = NULL;
        bool send = tries;

        memset(res, 0, sizeof(*res));
        retry_verifier(c);
        names = session_names(c, res);
        for (guint i = 0; i < names->len; i++) {
                session_tally t = {0};
                send = upload_session(c, names->pdata[i], send, res, &t) && send;
                if (t.pending) {
                        res->backlog.sessions++;
                        res->backlog.bytes += t.bytes;
                        if (t.oldest_us && (!res->backlog.oldest_us || t.oldest_us < res->backlog.oldest_us))
                                res->backlog.oldest_us = t.oldest_us;
                }
        }
        if (tries) { /* a pass that only counts has tried nothing: the last error stands */
                /* strangers are no failure of the pass (they never go), but staff
                 * and police IT must hear of them: the backlog says so while they stay */
                c->last_error = res->error       ? res->backlog.last_error
                                : res->strangers ? BACKLOG_ERROR_STRANGER
                                                 : BACKLOG_ERROR_NONE;
                c->last_error_us = c->last_error != BACKLOG_ERROR_NONE ? g_get_real_time() : 0;
        }
        res->backlog.last_transfer_us = c->last_transfer_us;
        res->backlog.vault = c->vault_state;
        res->backlog.last_error = c->last_error;
        res->backlog.last_error_us = c->last_error_us;
        upl_backlog_publish(c, &res->backlog);
}

void upl_backlog_publish(upl_ctx *c, const backlog_doc *doc) {
        backlog_doc d = *doc;
        int r;

        if (doc != &c->published)
                c->published = *doc;
        d.in_flight = (uint64_t) MAX(c->bytes_in_flight, 0);
        d.updated_us = g_get_real_time();
        r = backlog_publish(c->conf->backlog_file, &d);
        if (r < 0) {
                g_autofree gchar *m = g_strdup_printf("cannot publish the backlog to %s: %s",
                                                      c->conf->backlog_file, g_strerror(-r));
                report_once(c, LOG_WARNING, m);
        }
}
