#include "recovery.h"

#include <glib.h>
#include <string.h>

#include "custody.h"
#include "log.h"
#include "reserve.h"

#define RECOVERY_NOTE_MAX 8000

int rec_recover_spool(const char *spool, const char *state_dir, const minisign_secret *key,
                      char **ret_note) {
        g_autofree char *report = NULL;
        int n;

        /* a recorder that crashed left its close reserve: its room is
         * recovery's now (a full disk is why a session may need it) */
        (void) rec_reserve_drop_stale(spool);
        n = custody_recover_spool(spool, state_dir, key, &report);
        if (n < 0)
                return log_error_errno(n, "recovery of the spool %s failed: %s", spool, g_strerror(-n));
        /* the report also names folders left untouched (n may be 0) */
        if (!report || !*report)
                return 0;
        log_notice("recovery of the spool %s closed %d interrupted session(s):\n%s", spool, n, report);
        if (ret_note)
                *ret_note =
                        strlen(report) > RECOVERY_NOTE_MAX
                                ? g_strdup_printf("%.*s … (cut; the full report is in the recorder's log)",
                                                  RECOVERY_NOTE_MAX, report)
                                : g_steal_pointer(&report);
        return n;
}
