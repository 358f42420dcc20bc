/* Appending signed entries to a session's custody log. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "custody-internal.h"
#include "fsutil.h"
#include "util.h"

struct custody_log {
        int fd;
        uint64_t seq; /* of the last entry written */
        off_t end;    /* end of the last whole line */
        char head[SHA256_HEX_LEN + 1];
        const minisign_secret *key;
};

int custody_chain_head_read(const char *state_dir, char out[SHA256_HEX_LEN + 1]) {
        g_autofree char *path = g_build_filename(state_dir, CUSTODY_CHAIN_HEAD, NULL);
        g_autofree char *data = NULL;
        size_t len = 0;
        int r;

        r = fs_read_file(path, 256, &data, &len);
        if (r == -ENOENT) {
                memcpy(out, CUSTODY_ZERO_HASH, SHA256_HEX_LEN + 1);
                return 0;
        }
        if (r < 0)
                return r;
        if (len > 0 && data[len - 1] == '\n')
                data[--len] = '\0';
        if (len != SHA256_HEX_LEN || !custody_hex64_valid(data))
                return -EBADMSG;
        memcpy(out, data, SHA256_HEX_LEN + 1);
        return 0;
}

int custody_chain_head_write(const char *state_dir, const char *hash) {
        g_autofree char *path = g_build_filename(state_dir, CUSTODY_CHAIN_HEAD, NULL);
        g_autofree char *text = g_strdup_printf("%s\n", hash);

        return fs_write_atomic(path, text, strlen(text), 0644);
}

static custody_log *log_new(int fd, const minisign_secret *key) {
        custody_log *log = g_new0(custody_log, 1);

        log->fd = fd;
        log->key = key;
        return log;
}

int custody_log_create(const char *session_dir, const char *state_dir, const minisign_secret *key,
                       custody_log **ret) {
        g_autofree char *path = NULL;
        char head[SHA256_HEX_LEN + 1];
        int fd, r;

        if (!session_dir || !state_dir || !key || !ret)
                return -EINVAL;
        r = custody_chain_head_read(state_dir, head);
        if (r < 0)
                return r;
        path = g_build_filename(session_dir, CUSTODY_LOG_NAME, NULL);
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, CUSTODY_FILE_MODE);
        if (fd < 0)
                return -errno;
        if (fchmod(fd, CUSTODY_FILE_MODE) < 0) { /* whatever the umask */
                r = -errno;
                (void) close(fd);
                return r;
        }
        r = fs_fsync_parent(path);
        if (r < 0) {
                (void) close(fd);
                return r;
        }
        custody_log *log = log_new(fd, key);
        memcpy(log->head, head, sizeof(head));
        *ret = log;
        return 0;
}

int custody_log_open_append(const char *session_dir, const char *state_dir, const custody_parsed_log *parsed,
                            const minisign_secret *key, custody_log **ret) {
        g_autofree char *path = g_build_filename(session_dir, CUSTODY_LOG_NAME, NULL);
        const custody_entry *last = NULL;
        char head[SHA256_HEX_LEN + 1];
        int fd, r;

        for (size_t i = parsed->n_entries; i > 0 && !last; i--)
                if (!parsed->entries[i - 1].fragment)
                        last = &parsed->entries[i - 1];
        if (last)
                memcpy(head, last->hash, sizeof(head));
        else if ((r = custody_chain_head_read(state_dir, head)) < 0)
                return r;
        fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        custody_log *log = log_new(fd, key);
        log->seq = last ? last->seq : 0;
        log->end = (off_t) parsed->len;
        memcpy(log->head, head, sizeof(log->head));
        *ret = log;
        return 0;
}

/* One write() per line; on any failure the file is cut back to the end of
 * the previous line so no half line is left behind. */
static int log_write_line(custody_log *log, const char *buf, size_t len) {
        ssize_t n = write(log->fd, buf, len);
        int r = 0;

        if (n < 0)
                r = -errno;
        else if ((size_t) n != len)
                r = -ENOSPC;
        else if (fdatasync(log->fd) < 0)
                r = -errno;
        if (r < 0) {
                if (ftruncate(log->fd, log->end) == 0)
                        (void) fdatasync(log->fd);
                return r;
        }
        log->end += (off_t) len;
        return 0;
}

int custody_log_append_with_prefix(custody_log *log, const char *prefix, const char *event,
                                   JsonObject *fields) {
        g_autofree char *line = NULL;
        char utc[CUSTODY_UTC_LEN + 1];
        size_t len = 0, plen = prefix ? strlen(prefix) : 0;
        int r;

        char err[200];

        if (!log || !event || custody_event_from_string(event) < 0)
                return -EINVAL;
        /* never write what the parser would refuse */
        if (custody_schema_check(custody_event_from_string(event), fields, err, sizeof(err)) < 0)
                return -EINVAL;
        custody_utc_now(utc);
        r = custody_entry_build(log->key, log->seq + 1, utc, custody_mono_ns(), event, fields, log->head,
                                &line, &len);
        if (r < 0)
                return r;
        if (plen > 0) {
                char *both = g_malloc(plen + len);
                memcpy(both, prefix, plen);
                memcpy(both + plen, line, len);
                r = log_write_line(log, both, plen + len);
                g_free(both);
        } else
                r = log_write_line(log, line, len);
        if (r < 0)
                return r;
        log->seq++;
        custody_line_hash(line, len - 1, log->head);
        return 0;
}

int custody_log_append(custody_log *log, const char *event, JsonObject *fields) {
        return custody_log_append_with_prefix(log, NULL, event, fields);
}

const char *custody_log_head(const custody_log *log) {
        return log ? log->head : NULL;
}

custody_log *custody_log_free(custody_log *log) {
        if (!log)
                return NULL;
        if (log->fd >= 0)
                (void) close(log->fd);
        g_free(log);
        return NULL;
}
