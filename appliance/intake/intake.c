/* Opening what a pass needs: the vault's folder, the records' place (the
 * uploader's vault library writes, syncs, re-reads and locks each record)
 * and the intake's signing key. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdutil.h"
#include "fsutil.h"
#include "intake-internal.h"
#include "sha256.h"
#include "studio-conf.h"
#include "util.h"

intake *intake_free(intake *in) {
        if (!in)
                return NULL;
        if (in->vault_fd >= 0)
                (void) close(in->vault_fd);
        if (in->records_fd >= 0)
                (void) close(in->records_fd);
        vault_free(in->records);
        vault_free(in->vault);
        if (in->arrived_us)
                g_hash_table_unref(in->arrived_us);
        intake_index_free(in->index);
        minisign_secret_free(in->sk);
        g_free(in);
        return NULL;
}

static studio_uploader_conf s3_conf(const intake_conf *c, const char *address) {
        return (studio_uploader_conf){
                .vault = (char *) address,
                .endpoint = c->endpoint,
                .region = c->region,
                .credentials_file = c->credentials_file,
                .ca_file = c->ca_file,
                .retention_days = c->retention_days,
        };
}

/* An s3:// vault, read through the uploader's S3 client (GET, listing). */
static int open_s3_vault(intake *in, gchar **ret_message) {
        studio_uploader_conf u = s3_conf(in->conf, in->conf->vault);
        g_autofree gchar *msg = NULL;
        int r = vault_open(&u, &in->vault, &msg);

        if (r < 0) {
                *ret_message = g_strdup_printf("%s: [intake] %s", in->conf->path, msg);
                return r;
        }
        in->arrived_us = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        /* the scratch space, the intake's own (its parent, the state folder, exists) */
        if (mkdir(in->conf->scratch, 0700) < 0 && errno != EEXIST) {
                *ret_message = g_strdup_printf("%s: [intake] scratch %s cannot be made (%s): create it, "
                                               "writable by the intake's user only",
                                               in->conf->path, in->conf->scratch, g_strerror(errno));
                return -errno;
        }
        return 0;
}

static int open_records(intake *in, gchar **ret_message) {
        const intake_conf *c = in->conf;
        studio_uploader_conf u = {
                .vault = c->records,
                .endpoint = c->endpoint,
                .region = c->region,
                .credentials_file = c->credentials_file,
                .ca_file = c->ca_file,
                .retention_days = c->retention_days,
        };
        int r = vault_open(&u, &in->records, ret_message);

        if (r < 0)
                return r;
        if (!g_str_has_prefix(c->records, "dir:"))
                return 0;
        in->records_fd = fs_open_dir(c->records + strlen("dir:"));
        if (in->records_fd < 0) {
                *ret_message =
                        g_strdup_printf("%s: [intake] records %s cannot be opened (%s): create the folder",
                                        c->path, c->records, g_strerror(-in->records_fd));
                return in->records_fd;
        }
        return 0;
}

static int open_key(intake *in, gchar **ret_message) {
        int r = minisign_secret_load(in->conf->signing_key, &in->sk);

        if (r < 0) {
                *ret_message = g_strdup_printf(
                        "%s: [intake] signing_key %s cannot be loaded (%s): give the intake.key "
                        "'studio-keys intake-init' made",
                        in->conf->path, in->conf->signing_key, g_strerror(-r));
                return r;
        }
        minisign_secret_public(in->sk, &in->pk);
        minisign_key_id_hex(in->pk.key_id, in->key_id);
        return 0;
}

int intake_open(const intake_conf *conf, intake **ret, gchar **ret_message) {
        g_autoptr(intake) in = g_new0(intake, 1);
        int r;

        in->conf = conf;
        in->vault_fd = in->records_fd = -EBADF;
        if (!g_str_has_prefix(conf->vault, "dir:")) {
                if ((r = open_s3_vault(in, ret_message)) < 0)
                        return r;
        } else if ((in->vault_fd = fs_open_dir(conf->vault + strlen("dir:"))) < 0) {
                *ret_message = g_strdup_printf("%s: [intake] vault %s cannot be opened (%s): check the path "
                                               "and that the intake's user may read it",
                                               conf->path, conf->vault, g_strerror(-in->vault_fd));
                return in->vault_fd;
        }
        if ((r = open_key(in, ret_message)) < 0 || (r = open_records(in, ret_message)) < 0 ||
            (r = intake_index_open(conf->index, &in->index, ret_message)) < 0)
                return r;
        *ret = g_steal_pointer(&in);
        return 0;
}

char *intake_record_key(const char *session, const char *suffix) {
        return g_strdup_printf(INTAKE_RECORDS_FOLDER "/%s.json%s", session, suffix);
}

/* A record's object from an s3:// records place, bounded, through a memfd. */
static int records_read_s3(intake *in, const char *key, size_t max, char **ret_data, size_t *ret_len,
                           gchar **ret_message) {
        g_auto(fd_owned) fd = memfd_create("intake-record", MFD_CLOEXEC);
        g_autofree gchar *msg = NULL;
        int r;

        if (fd < 0)
                return -errno;
        r = vault_get(in->records, key, fd, max, NULL, &msg);
        if (r == -ENOENT)
                return r;
        if (r < 0) {
                *ret_message = TAKE_PTR(msg);
                return r;
        }
        if (lseek(fd, 0, SEEK_SET) < 0)
                return -errno;
        return fs_read_fd(fd, max, ret_data, ret_len);
}

int intake_records_read(intake *in, const char *key, size_t max, char **ret_data, size_t *ret_len,
                        gchar **ret_message) {
        const char *leaf = strchr(key, '/');
        g_auto(fd_owned) dfd = -EBADF;
        int r;

        g_assert(leaf);
        if (in->records_fd < 0)
                return records_read_s3(in, key, max, ret_data, ret_len, ret_message);
        dfd = openat(in->records_fd, INTAKE_RECORDS_FOLDER, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd < 0 && errno == ENOENT)
                return -ENOENT;
        if (dfd < 0) {
                r = -errno;
                *ret_message = g_strdup_printf("cannot open %s/%s: %s", in->conf->records,
                                               INTAKE_RECORDS_FOLDER, g_strerror(-r));
                return r;
        }
        r = fs_read_fileat(dfd, leaf + 1, max, ret_data, ret_len);
        if (r < 0 && r != -ENOENT)
                *ret_message =
                        g_strdup_printf("cannot read %s in %s: %s", key, in->conf->records, g_strerror(-r));
        return r;
}

int intake_records_put(intake *in, const char *key, const char *data, size_t len, gchar **ret_message) {
        g_auto(fd_owned) fd = memfd_create("intake-record", MFD_CLOEXEC);
        char hex[SHA256_HEX_LEN + 1];
        uint8_t d[SHA256_LEN];
        vault_receipt rc = {};
        int r;

        if (fd < 0 || write(fd, data, len) != (ssize_t) len) {
                *ret_message = g_strdup_printf("cannot stage %s: %s", key, g_strerror(errno));
                return -errno;
        }
        sha256_buf(data, len, d);
        sha256_hex(d, hex);
        r = vault_put(in->records, key, fd, len, hex, NULL, NULL, &rc, ret_message);
        vault_receipt_clear(&rc);
        return r;
}
