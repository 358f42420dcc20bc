/* The record's RFC 3161 token (RECORD.tsr): asked for once the record and
 * its signature are in place, so that a TSA that is down delays the token,
 * never the verdict; the next pass asks again. A token that is there is
 * re-checked against the record under tsa_ca_file. */
#include <errno.h>

#include "intake-internal.h"
#include "log.h"
#include "tsa.h"

int intake_token(intake *in, const char *session, bool *ret_written, char **ret_time) {
        g_autofree char *key = intake_record_key(session, ""), *tsr_key = intake_record_key(session, ".tsr");
        g_autofree char *text = NULL, *tsr = NULL, *when = NULL;
        g_autofree uint8_t *der = NULL;
        g_autofree gchar *msg = NULL;
        size_t len = 0, tsr_len = 0, der_len = 0;
        int r;

        *ret_written = false;
        if (!in->conf->tsa_url)
                return 0;
        r = intake_records_read(in, key, INTAKE_RECORD_MAX, &text, &len, &msg);
        if (r < 0)
                return log_error("session %s: its record cannot be read for its token: %s", session,
                                 msg ? msg : g_strerror(-r)),
                       r;
        r = intake_records_read(in, tsr_key, TSA_RESPONSE_MAX, &tsr, &tsr_len, &msg);
        if (r >= 0) {
                r = tsa_verify((const uint8_t *) tsr, tsr_len, text, len, in->conf->tsa_ca_file, ret_time,
                               &msg);
                if (r < 0)
                        log_error("ALERT session %s: the time-stamp token beside its record: %s", session,
                                  msg);
                return r;
        }
        if (r != -ENOENT)
                return log_error("session %s: %s", session, msg), r;
        r = tsa_request(in->conf->tsa_url, in->conf->tsa_ca_file, text, len, &der, &der_len, &msg);
        if (r < 0) {
                log_warning("session %s: no time-stamp token yet (the next pass asks again): %s", session,
                            msg);
                return -EAGAIN;
        }
        r = intake_records_put(in, tsr_key, (const char *) der, der_len, &msg);
        if (r < 0)
                return log_error("session %s: its time-stamp token cannot be written: %s", session, msg), r;
        (void) tsa_verify(der, der_len, text, len, in->conf->tsa_ca_file, &when, &msg);
        log_info("session %s: time-stamp token from %s, time %s", session, in->conf->tsa_url,
                 when ? when : "?");
        *ret_written = true;
        *ret_time = g_steal_pointer(&when);
        return 0;
}

void intake_index_session(intake *in, const char *session, const char *token_time) {
        g_autofree char *key = intake_record_key(session, ""), *text = NULL;
        g_autofree gchar *msg = NULL;
        size_t len = 0;

        if (intake_records_read(in, key, INTAKE_RECORD_MAX, &text, &len, &msg) < 0 ||
            intake_index_put(in->index, text, len, token_time, &msg) < 0)
                log_warning("session %s: not in the index: %s", session,
                            msg ? msg : "its record cannot be read");
}
