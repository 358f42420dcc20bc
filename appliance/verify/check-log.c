/* The custody log: every entry's signature, the hash chain, contiguous
 * seq, monotonic time. */
#include <errno.h>
#include <string.h>

#include "verify.h"

#define LOG "custody.jsonl"

static bool entry_sig_ok(const verify_ctx *c, const custody_parsed_log *log, const custody_entry *e) {
        g_autofree char *msg = NULL;
        uint8_t sig[MINISIGN_SIG_LEN];
        size_t len = 0;

        if (custody_line_signed_bytes(log->data + e->offset, e->len, &msg, &len, sig) < 0)
                return false;
        return minisign_verify_detached(&c->key, (const uint8_t *) msg, len, sig) == 0;
}

static void check_entry(verify_ctx *c, const custody_entry *e, const custody_entry *prev) {
        g_autofree char *where = g_strdup_printf("line %u (seq %" G_GUINT64_FORMAT ", %s)", e->line_no,
                                                 e->seq, custody_event_to_string(e->event));

        if (c->have_key && !entry_sig_ok(c, c->log, e))
                verify_add(c, VERIFY_TAMPERED, LOG, where, "the entry's signature does not verify");
        if (!prev)
                return;
        if (strcmp(e->prev, prev->hash) != 0)
                verify_add_hash(c, VERIFY_TAMPERED, LOG, where, e->prev, prev->hash,
                                "\"prev\" is not the hash of the line before it");
        if (e->seq != prev->seq + 1)
                verify_add(c, VERIFY_TAMPERED, LOG, where,
                           "seq %" G_GUINT64_FORMAT " follows seq %" G_GUINT64_FORMAT, e->seq, prev->seq);
        if (e->mono_ns < prev->mono_ns) {
                if (e->event == CUSTODY_EV_RECOVERY || prev->event == CUSTODY_EV_RECOVERY)
                        verify_warn(c, LOG, where,
                                    "monotonic clock restarted (the device rebooted after a crash)");
                else
                        verify_add(c, VERIFY_TAMPERED, LOG, where, "monotonic time runs backwards");
        }
        if (strcmp(e->utc, prev->utc) < 0)
                verify_warn(c, LOG, where,
                            "wall clock jumped back from %s to %s (clock change, not tampering)", prev->utc,
                            e->utc);
}

/* A log begins with session-start; or, when the power failed while that
 * first line was written, with the partial line and the recovery entry that
 * declares it (recovery never rewrites a line). A fragment has no event of
 * its own, so it is never taken for the start. */
static void check_first_entry(verify_ctx *c) {
        const custody_parsed_log *log = c->log;
        const custody_entry *first = NULL;

        for (size_t i = 0; i < log->n_entries && !first; i++)
                if (!log->entries[i].fragment)
                        first = &log->entries[i];
        if (first && first->event == CUSTODY_EV_SESSION_START && first == &log->entries[0])
                return;
        if (first && first->event == CUSTODY_EV_RECOVERY && log->n_entries > 0 && log->entries[0].fragment)
                verify_add(c, VERIFY_INCOMPLETE, LOG, "line 1",
                           "the session-start entry was cut short by a crash; the recovery entry after it "
                           "closes "
                           "a session that never began recording");
        else
                verify_add(c, VERIFY_TAMPERED, LOG, "line 1", "the log does not begin with session-start");
}

void verify_check_log(verify_ctx *c) {
        g_autofree char *path = g_build_filename(c->opt->dir, LOG, NULL);
        g_autofree char *err = NULL;
        const custody_entry *prev = NULL;
        int r;

        if (!verify_session_file(c, LOG, NULL))
                return; /* missing or not a regular file: reported by the file check */
        r = custody_log_parse_file(path, &c->log, &err);
        if (r < 0 && r != -EBADMSG && r != -EFBIG) {
                verify_add(c, VERIFY_INCOMPLETE, LOG, NULL, "the custody log cannot be read: %s",
                           g_strerror(-r));
                return;
        }
        if (r < 0) {
                verify_add(c, VERIFY_TAMPERED, LOG, NULL, "the custody log is malformed: %s",
                           err ? err : g_strerror(-r));
                return;
        }
        check_first_entry(c);
        for (size_t i = 0; i < c->log->n_entries; i++) {
                const custody_entry *e = &c->log->entries[i];
                if (e->fragment) {
                        g_autofree char *where = g_strdup_printf("line %u", e->line_no);
                        verify_warn(c, LOG, where,
                                    "a partial line of %zu bytes left by the crash, declared by the "
                                    "recovery entry that follows",
                                    e->len);
                        continue;
                }
                check_entry(c, e, prev);
                prev = e;
        }
        if (c->log->trailing_bytes > 0)
                verify_add(c, VERIFY_TAMPERED, LOG, "end",
                           "the log ends in %zu bytes that are not a whole line", c->log->trailing_bytes);
        else if (prev && prev->event != CUSTODY_EV_STOP)
                verify_add(c, VERIFY_INCOMPLETE, LOG, "end", "the log does not end with a stop entry");
}
