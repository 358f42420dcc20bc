/* Built only while vault-s3.c does not exist (CMakeLists.txt): an s3://
 * vault is refused clearly instead of failing to link. */
#include <errno.h>

#include "vault-internal.h"

int vault_s3_open(const studio_uploader_conf *conf, vault **ret, const char **ret_key, gchar **ret_message) {
        (void) conf;
        *ret_key = "vault";
        (void) ret;
        *ret_message = g_strdup("this build has no S3 vault (the S3 vault arrives with the next step): use "
                                "[uploader] vault = dir:/path");
        return -EPROTONOSUPPORT;
}
