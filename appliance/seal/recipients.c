/* The seal sink's recipients property: age recipients separated by
 * spaces, commas, semicolons or new lines. */
#include "recipients.h"

#include <errno.h>

int seal_recipients_parse(const gchar *text, uint8_t (**ret)[AGE_KEY_LEN], size_t *ret_n, gchar **ret_bad) {
        g_auto(GStrv) words = g_strsplit_set(text ? text : "", " ,;\n\t", -1);
        g_autofree uint8_t(*pks)[AGE_KEY_LEN] = g_malloc0(AGE_RECIPIENT_MAX * AGE_KEY_LEN);
        size_t n = 0;

        for (gchar **w = words; *w; w++) {
                if (**w == '\0')
                        continue;
                if (n == AGE_RECIPIENT_MAX)
                        return -E2BIG;
                int r = age_recipient_parse(*w, pks[n]);
                if (r < 0) {
                        *ret_bad = g_strdup(*w);
                        return r;
                }
                n++;
        }
        if (n == 0)
                return -ENOKEY;
        *ret = g_steal_pointer(&pks);
        *ret_n = n;
        return 0;
}
