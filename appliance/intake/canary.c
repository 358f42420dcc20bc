/* The lock canary (s3:// records only): one small object the intake puts
 * under the same COMPLIANCE lock as its records, and whose version every
 * pass asks the vault to delete. A store that accepts the lock headers but
 * does not enforce them (as some S3 servers have done) deletes it: that is
 * an alert on every pass until the store is fixed, since no record in it
 * is then safe. The canary is put again (the same bytes) whenever it is
 * gone, so the next pass asks again. */
#include <errno.h>
#include <string.h>

#include "intake-internal.h"
#include "log.h"

#define CANARY_TEXT                                                                                         \
        "studio-intake lock canary: every pass asks the vault to delete this version, and expects a "       \
        "refusal\n"

int intake_canary(intake *in) {
        g_autofree gchar *msg = NULL;
        vault_receipt rc = {};
        int r;

        if (in->records_fd >= 0)
                return 0; /* dir: the folder's permissions are the lock */
        r = intake_records_put(in, INTAKE_CANARY_KEY, CANARY_TEXT, strlen(CANARY_TEXT), &msg);
        if (r >= 0)
                r = vault_head(in->records, INTAKE_CANARY_KEY, &rc, &msg);
        if (r < 0) {
                log_error("the lock canary %s/%s cannot be put and confirmed locked: %s", in->conf->records,
                          INTAKE_CANARY_KEY, msg ? msg : g_strerror(-r));
                vault_receipt_clear(&rc);
                return r;
        }
        g_clear_pointer(&msg, g_free);
        r = vault_delete_version(in->records, INTAKE_CANARY_KEY, rc.version_id, &msg);
        vault_receipt_clear(&rc);
        if (r == -EACCES) {
                log_debug("lock canary: the vault refused to delete its locked version, as it must");
                return 0;
        }
        if (r == 0) {
                log_error(
                        "ALERT the vault %s DELETED the locked version of the lock canary %s when asked to: "
                        "it does not enforce Object Lock, so no record or session in it is safe from "
                        "deletion; have the store fixed (COMPLIANCE retention enforced) or move the vault",
                        in->conf->records, INTAKE_CANARY_KEY);
                return -ENOLCK;
        }
        log_error("the lock canary could not be checked: %s", msg ? msg : g_strerror(-r));
        return r;
}
