/* Test-only session generator: writes a session folder exactly as the
 * recorder would (age-sealed segments of random plaintext, checkpoints,
 * segment-sealed entries, stop, close), or a crashed one that is then
 * recovered with custody_recover_spool.
 *
 *   make-session --gen-key SECRET PUBLIC
 *   make-session --spool DIR --state DIR --key SECRET --recipient age1…
 *                [--segments N] [--segment-bytes N] [--checkpoint-every N]
 *                [--session-id ID] [--seed N]
 *                [--crash] [--torn-tail N] [--partial-log] [--no-recover]
 *                [--gap-after N --gap-ms MS [--gap-break]] [--seal-recipient age1…]
 *                [--officer STRING] [--room STRING] [--bulk-marks N] [--bulk-checkpoints N]
 *                [--note TEXT]… [--note-age-file FILE]… [--time-zone ZONE|-]
 * Prints the session folder's path. Each --note TEXT adds one mark after
 * the first segment whose note is sealed for --recipient (note_age, with
 * custody_note_seal), as the recorder writes a mark's note; each
 * --note-age-file FILE then one whose note_age is FILE's text as is (what
 * stock `age -a` wrote, or a damaged note), signed like any entry. --officer and --room go into the
 * session-start entry (and so into the signed manifest) as given, control
 * characters and all; so does --time-zone (default Europe/Amsterdam; "-"
 * leaves it out, as sessions before the field did). The first mark comes
 * from the panel key, the sealed-note marks from studioctl, as their
 * entries' "source" says. --bulk-marks N and --bulk-checkpoints N append N
 * signed mark (~285 bytes) or checkpoint (~425 bytes) entries before the
 * stop entry, built with the custody module's entry builder but written
 * buffered and synced once (not one fdatasync per line), so a log of
 * hundreds of thousands of entries takes seconds. Both are capped at what
 * CUSTODY_ENTRIES_MAX and CUSTODY_LOG_MAX allow; the counts written are
 * printed on stderr. Marks are copied into the manifest's events, so more
 * than CUSTODY_EVENTS_MAX of them make a session the closer refuses (it is
 * then left unclosed, the log kept, and make-session fails); checkpoints
 * are not, so a bulk-checkpoint session closes. An attacker who holds the device key
 * (the tamper tests isolate single checks with these):
 *   make-session --resign-entry SESSION_DIR SEQ SECRET  re-signs one log entry
 *   make-session --reclose SESSION_DIR SECRET STATE     rewrites and re-signs the
 *                manifest and both SHA256SUMS from the log as it is now */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "age.h"
#include "custody-internal.h"
#include "custody.h"
#include "fsutil.h"
#include "sha256.h"
#include "util.h"

typedef struct opts {
        const char *spool, *state, *key, *recipient, *session_id, *seal_recipient, *officer, *room,
                *time_zone;
        uint64_t segments, segment_bytes, checkpoint_every, seed, torn_tail, gap_after, gap_ms, bulk_marks,
                bulk_checkpoints;
        bool crash, partial_log, no_recover, gap_break;
        GPtrArray *notes;     /* --note TEXT, in order */
        GPtrArray *note_ages; /* --note-age-file FILE, in order */
} opts;

typedef struct sealer {
        int fd;
        sha256_ctx *sealed;
        uint64_t sealed_bytes;
} sealer;

static int sealer_out(void *userdata, const uint8_t *buf, size_t len) {
        sealer *s = userdata;
        int r = fs_write_all(s->fd, buf, len);
        if (r < 0)
                return r;
        sha256_update(s->sealed, buf, len);
        s->sealed_bytes += len;
        return 0;
}

static char *utc_now(void) {
        g_autoptr(GDateTime) t = g_date_time_new_now_utc();
        return g_date_time_format(t, "%Y-%m-%dT%H:%M:%S.%fZ");
}

static char *hex_of(sha256_ctx *c, bool final) {
        uint8_t d[SHA256_LEN];
        char hex[SHA256_HEX_LEN + 1];
        if (final)
                (void) sha256_final(c, d);
        else
                (void) sha256_peek(c, d);
        sha256_hex(d, hex);
        return g_strdup(hex);
}

static int checkpoint(custody_log *log, const char *name, sealer *s, int64_t media_ns) {
        g_autoptr(JsonObject) f = json_object_new();
        g_autofree char *hex = hex_of(s->sealed, false);

        if (fdatasync(s->fd) < 0)
                return -errno;
        json_object_set_string_member(f, "segment", name);
        json_object_set_int_member(f, "sealed_bytes", (int64_t) s->sealed_bytes);
        json_object_set_string_member(f, "sealed_sha256", hex);
        json_object_set_int_member(f, "media_ns", media_ns);
        return custody_log_append(log, "checkpoint", f);
}

static int event(custody_log *log, const char *ev, int64_t media_ns, const char *note) {
        g_autoptr(JsonObject) f = json_object_new();
        json_object_set_int_member(f, "media_ns", media_ns);
        json_object_set_string_member(f, "source", "panel");
        if (note)
                json_object_set_string_member(f, "note", note);
        return custody_log_append(log, ev, f);
}

/* A mark whose note is sealed for the session's recipient (note), or
 * whose note_age is a file's text as is (file). */
static int sealed_note_mark(const opts *o, custody_log *log, int64_t media_ns, const char *note,
                            const char *file) {
        g_autoptr(JsonObject) f = json_object_new();
        g_autofree char *armored = NULL, *msg = NULL;
        char *rcpts[] = {(char *) o->recipient, NULL};
        size_t len = 0;
        int r = note ? custody_note_seal(rcpts, note, &armored, &msg)
                     : fs_read_file(file, CUSTODY_NOTE_ARMOR_MAX * 2, &armored, &len);

        if (r < 0) {
                fprintf(stderr, "make-session: %s: %s\n", note ? "--note" : file,
                        msg ? msg : g_strerror(-r));
                return r;
        }
        json_object_set_int_member(f, "media_ns", media_ns);
        json_object_set_string_member(f, "source", "studioctl");
        json_object_set_string_member(f, "note_age", armored);
        return custody_log_append(log, "mark", f);
}

static int sealed_entry(custody_log *log, const char *name, sealer *s, sha256_ctx *plain,
                        uint64_t plain_bytes, int64_t media_start, int64_t duration,
                        const char *wall_start) {
        g_autoptr(JsonObject) f = json_object_new();
        g_autofree char *ph = hex_of(plain, true), *sh = hex_of(s->sealed, true), *end = utc_now();

        json_object_set_string_member(f, "segment", name);
        json_object_set_string_member(f, "plaintext_sha256", ph);
        json_object_set_string_member(f, "sealed_sha256", sh);
        json_object_set_int_member(f, "plaintext_bytes", (int64_t) plain_bytes);
        json_object_set_int_member(f, "sealed_bytes", (int64_t) s->sealed_bytes);
        json_object_set_int_member(f, "media_start_ns", media_start);
        json_object_set_int_member(f, "duration_ns", duration);
        json_object_set_string_member(f, "wall_start", wall_start);
        json_object_set_string_member(f, "wall_end", end);
        return custody_log_append(log, "segment-sealed", f);
}

/* Writes one segment; with crash set it stops half way like a power cut:
 * a few chunks after the last checkpoint, an optional torn tail, no
 * last chunk and no segment-sealed entry. */
static int write_segment(const opts *o, custody_log *log, const char *dir, uint64_t index,
                         const uint8_t (*rcpt)[AGE_KEY_LEN], int64_t *media, bool crash) {
        g_autofree char *name = g_strdup_printf("seg-%06" PRIu64 ".mkv.age", index);
        g_autofree char *path = g_build_filename(dir, name, NULL);
        g_autofree char *wall_start = utc_now();
        g_autofree uint8_t *buf = g_malloc(AGE_CHUNK_SIZE);
        sealer s = {.sealed = sha256_new()};
        sha256_ctx *plain = sha256_new();
        age_writer *w = NULL;
        uint64_t total = crash ? o->segment_bytes / 2 : o->segment_bytes, done = 0, chunks = 0;
        int64_t start = *media;
        int r;

        s.fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (s.fd < 0)
                return -errno;
        r = age_writer_new(rcpt, 1, sealer_out, &s, &w);
        while (r >= 0 && done < total) {
                size_t n = (size_t) MIN((uint64_t) AGE_CHUNK_SIZE, total - done);
                randombytes_buf(buf, n);
                sha256_update(plain, buf, n);
                r = age_writer_write(w, buf, n);
                done += n;
                bool last_stretch = crash && total - done < 2 * (uint64_t) AGE_CHUNK_SIZE;
                if (r >= 0 && ++chunks % o->checkpoint_every == 0 && !last_stretch)
                        r = checkpoint(log, name, &s, start + (int64_t) done * 1000);
        }
        if (r >= 0 && crash) {
                for (uint64_t i = 0; i < o->torn_tail && r >= 0; i++) {
                        uint8_t b = (uint8_t) randombytes_uniform(256);
                        r = fs_write_all(s.fd, &b, 1);
                }
                *media = start + (int64_t) done * 1000;
                goto out;
        }
        if (r >= 0)
                r = age_writer_finish(w);
        if (r >= 0 && fdatasync(s.fd) < 0)
                r = -errno;
        *media = start + (int64_t) done * 1000;
        if (r >= 0)
                r = sealed_entry(log, name, &s, plain, done, start, *media - start, wall_start);
out:
        age_writer_free(w);
        sha256_free(plain);
        sha256_free(s.sealed);
        (void) close(s.fd);
        return r;
}

static int session_start(const opts *o, custody_log *log, const char *id) {
        g_autoptr(JsonObject) f = json_object_new();
        JsonArray *cams = json_array_new(), *mics = json_array_new(), *rcpts = json_array_new();

        json_object_set_string_member(f, "session", id);
        json_object_set_string_member(f, "officer", o->officer ? o->officer : "4711");
        json_object_set_string_member(f, "room", o->room ? o->room : "Studio A");
        json_object_set_string_member(f, "device_id", "studio-test-01");
        json_object_set_string_member(f, "software_version", STUDIO_VERSION);
        json_object_set_string_member(f, "profile", "test");
        json_object_set_string_member(f, "profile_sha256",
                                      "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
        json_array_add_string_element(cams, "usb:046d:0843 Logitech C930e SN 1A2B3C");
        json_array_add_string_element(mics, "usb:0d8c:0014 USB Audio");
        json_array_add_string_element(rcpts, o->recipient);
        json_object_set_array_member(f, "cameras", cams);
        json_object_set_array_member(f, "microphones", mics);
        json_object_set_string_member(f, "clock_sync", "ntp synchronised");
        if (g_strcmp0(o->time_zone, "-") != 0)
                json_object_set_string_member(f, "time_zone",
                                              o->time_zone ? o->time_zone : "Europe/Amsterdam");
        json_object_set_array_member(f, "recipients", rcpts);
        return custody_log_append(log, "session-start", f);
}

static int partial_log_line(const char *dir) {
        g_autofree char *path = g_build_filename(dir, "custody.jsonl", NULL);
        static const char frag[] = "{\"seq\":99999,\"utc\":\"2026-11-28T14:0";
        int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        int r = fs_write_all(fd, frag, sizeof(frag) - 1);
        (void) close(fd);
        return r;
}

/* --bulk-marks / --bulk-checkpoints: the log so far has seq 1..n (no
 * crash, no fragments) and ends in head. Appends the marks, then the
 * checkpoints (each repeating the last segment's sealed length and hash,
 * as a recorder does while nothing new is sealed), then the stop entry, as
 * signed lines through one buffered stream synced once at the end: this is
 * test data, not a recording, so no fdatasync per line. Stops early when
 * the log would pass CUSTODY_ENTRIES_MAX or CUSTODY_LOG_MAX. */
typedef struct bulk {
        FILE *f;
        const minisign_secret *key;
        uint64_t seq;
        size_t bytes;
        char head[SHA256_HEX_LEN + 1];
} bulk;

/* 1 when written, 0 when the log is full, -errno */
static int bulk_line(bulk *k, const char *event, JsonObject *fields, bool last) {
        g_autofree char *line = NULL;
        char utc[CUSTODY_UTC_LEN + 1];
        size_t len = 0;
        int r;

        custody_utc_now(utc);
        r = custody_entry_build(k->key, k->seq + 1, utc, custody_mono_ns(), event, fields, k->head, &line,
                                &len);
        if (r < 0)
                return r;
        /* keep room for the stop entry, about as long as this line */
        if (!last && (k->seq + 2 > CUSTODY_ENTRIES_MAX || k->bytes + 2 * len + 64 > CUSTODY_LOG_MAX))
                return 0;
        if (fwrite(line, 1, len, k->f) != len)
                return -EIO;
        k->seq++;
        k->bytes += len;
        custody_line_hash(line, len - 1, k->head);
        return 1;
}

static int bulk_and_stop(const opts *o, const char *dir, const minisign_secret *key, const char *head,
                         int64_t media) {
        g_autofree char *path = g_build_filename(dir, "custody.jsonl", NULL);
        g_autofree char *seg_name = g_strdup_printf("seg-%06" PRIu64 ".mkv.age", o->segments);
        g_autofree char *seg_path = g_build_filename(dir, seg_name, NULL);
        g_autoptr(JsonObject) mark = json_object_new();
        g_autoptr(JsonObject) cp = json_object_new();
        g_autoptr(JsonObject) stop = json_object_new();
        uint64_t marks = 0, cps = 0, seg_size = 0;
        uint8_t d[SHA256_LEN];
        char seg_hex[SHA256_HEX_LEN + 1];
        bulk k = {.key = key};
        int r = 0;

        g_strlcpy(k.head, head, sizeof(k.head));
        k.f = fopen(path, "re");
        if (!k.f)
                return -errno;
        for (int ch; (ch = getc(k.f)) != EOF;) {
                k.bytes++;
                if (ch == '\n')
                        k.seq++;
        }
        (void) fclose(k.f);
        r = sha256_file(seg_path, d, &seg_size);
        if (r < 0)
                return r;
        sha256_hex(d, seg_hex);
        k.f = fopen(path, "ae");
        if (!k.f)
                return -errno;
        (void) setvbuf(k.f, NULL, _IOFBF, 1 << 20);
        json_object_set_string_member(cp, "segment", seg_name);
        json_object_set_int_member(cp, "sealed_bytes", (int64_t) seg_size);
        json_object_set_string_member(cp, "sealed_sha256", seg_hex);
        json_object_set_int_member(cp, "media_ns", media);
        json_object_set_string_member(stop, "reason", "operator");
        json_object_set_int_member(stop, "segments", (int64_t) o->segments);
        for (; r >= 0 && marks < o->bulk_marks; marks++) {
                json_object_set_int_member(
                        mark, "media_ns",
                        (int64_t) ((double) media * (double) marks / (double) o->bulk_marks));
                r = bulk_line(&k, "mark", mark, false);
                if (r == 0)
                        break;
        }
        for (; r >= 0 && cps < o->bulk_checkpoints; cps++)
                if ((r = bulk_line(&k, "checkpoint", cp, false)) == 0)
                        break;
        if (r >= 0)
                r = bulk_line(&k, "stop", stop, true);
        if (fflush(k.f) != 0 || fdatasync(fileno(k.f)) < 0)
                r = r < 0 ? r : -errno;
        if (fclose(k.f) != 0)
                r = r < 0 ? r : -errno;
        if (r >= 0)
                fprintf(stderr,
                        "make-session: %" PRIu64 " bulk marks and %" PRIu64
                        " bulk checkpoints written; the log "
                        "holds %" PRIu64 " entries in %zu bytes\n",
                        marks, cps, k.seq, k.bytes);
        return r;
}

static int record(const opts *o, const minisign_secret *key, const uint8_t (*rcpt)[AGE_KEY_LEN]) {
        g_autofree char *id = NULL, *dir = NULL;
        g_autoptr(GDateTime) now = g_date_time_new_now_utc();
        custody_log *log = NULL;
        int64_t media = 0;
        int r;

        if (o->session_id)
                id = g_strdup(o->session_id);
        else {
                g_autofree char *t = g_date_time_format(now, "%Y%m%dT%H%M%SZ");
                id = g_strdup_printf("%s-%08" PRIx32, t, randombytes_random());
        }
        dir = g_build_filename(o->spool, id, NULL);
        if (g_mkdir_with_parents(dir, 0755) < 0)
                return -errno;
        r = custody_log_create(dir, o->state, key, &log);
        if (r >= 0)
                r = session_start(o, log, id);
        for (uint64_t i = 1; r >= 0 && i <= o->segments; i++) {
                bool crash = o->crash && i == o->segments;
                r = write_segment(o, log, dir, i, rcpt, &media, crash);
                if (r >= 0 && i == 1 && !crash)
                        r = event(log, "mark", media / 2, "witness identifies the photo");
                for (guint k = 0; r >= 0 && i == 1 && !crash && k < o->notes->len; k++)
                        r = sealed_note_mark(o, log, media / 2 + (int64_t) (k + 1) * 1000000,
                                             o->notes->pdata[k], NULL);
                for (guint k = 0; r >= 0 && i == 1 && !crash && k < o->note_ages->len; k++)
                        r = sealed_note_mark(o, log, media / 2 + (int64_t) (o->notes->len + k + 1) * 1000000,
                                             NULL, o->note_ages->pdata[k]);
                if (r >= 0 && i == 2 && !crash)
                        r = event(log, "break", media, NULL);
                if (r >= 0 && i == 2 && !crash)
                        r = event(log, "resume", media, "interview continues");
                if (r >= 0 && i == o->gap_after && o->gap_break)
                        r = event(log, "break", media, "gap test");
                if (i == o->gap_after)
                        media += (int64_t) o->gap_ms * 1000000;
                if (r >= 0 && i == o->gap_after && o->gap_break)
                        r = event(log, "resume", media, NULL);
        }
        if (r >= 0 && !o->crash && (o->bulk_marks > 0 || o->bulk_checkpoints > 0)) {
                g_autofree char *head = g_strdup(custody_log_head(log));
                log = custody_log_free(log);
                r = bulk_and_stop(o, dir, key, head, media);
        } else if (r >= 0 && !o->crash) {
                g_autoptr(JsonObject) f = json_object_new();
                json_object_set_string_member(f, "reason", "operator");
                json_object_set_int_member(f, "segments", (int64_t) o->segments);
                r = custody_log_append(log, "stop", f);
        }
        custody_log_free(log);
        if (r >= 0 && !o->crash) {
                r = custody_session_close(dir, o->state, key);
                if (r < 0 && (o->bulk_marks > 0 || o->bulk_checkpoints > 0))
                        fprintf(stderr,
                                "make-session: %s could not be closed (%s); its custody log is kept\n", dir,
                                g_strerror(-r));
        }
        if (r >= 0 && o->crash && o->partial_log)
                r = partial_log_line(dir);
        if (r >= 0 && o->crash && !o->no_recover) {
                g_autofree char *report = NULL;
                r = custody_recover_spool(o->spool, o->state, key, &report);
                fprintf(stderr, "%s", report ? report : "");
                if (r == 0)
                        r = -ENOENT;
        }
        if (r < 0)
                return r;
        printf("%s\n", dir);
        return 0;
}

/* Replaces the "sig" of the entry with the given seq by a fresh signature
 * of the line as it now reads. */
static int resign_entry(const char *dir, const char *seq_arg, const char *key_path) {
        g_autofree char *path = g_build_filename(dir, "custody.jsonl", NULL), *data = NULL;
        g_autofree char *want = g_strdup_printf("\n{\"seq\":%s,", seq_arg);
        minisign_secret *key = NULL;
        size_t len = 0;
        int r = fs_read_file(path, CUSTODY_LOG_MAX, &data, &len);

        if (r >= 0)
                r = minisign_secret_load(key_path, &key);
        /* the first entry is session-start: never the one an attacker edits */
        char *line = r >= 0 ? strstr(data, want) : NULL;
        if (line)
                line++;
        char *end = line ? strchr(line, '\n') : NULL;
        if (r >= 0 && (!end || (size_t) (end - line) < CUSTODY_SIG_SUFFIX_LEN + 2))
                r = -ENOENT;
        if (r >= 0) {
                size_t n = (size_t) (end - line) - CUSTODY_SIG_SUFFIX_LEN;
                g_autofree char *msg = g_strdup_printf("%.*s}", (int) n, line);
                uint8_t sig[MINISIGN_SIG_LEN];
                char b64[CUSTODY_SIG_B64_LEN + 1];
                minisign_sign_detached(key, (const uint8_t *) msg, n + 1, sig);
                sodium_bin2base64(b64, sizeof(b64), sig, sizeof(sig), sodium_base64_VARIANT_ORIGINAL);
                memcpy(line + n + 8, b64, CUSTODY_SIG_B64_LEN);
                r = fs_write_atomic(path, data, len, 0644);
        }
        minisign_secret_free(key);
        if (r < 0)
                fprintf(stderr, "make-session --resign-entry: %s\n", g_strerror(-r));
        return r;
}

static int reclose(const char *dir, const char *key_path, const char *state) {
        minisign_secret *key = NULL;
        int r = minisign_secret_load(key_path, &key);

        if (r >= 0) {
                (void) g_mkdir_with_parents(state, 0755);
                r = custody_session_close(dir, state, key);
        }
        minisign_secret_free(key);
        if (r < 0)
                fprintf(stderr, "make-session --reclose: %s\n", g_strerror(-r));
        return r;
}

static int parse_args(int argc, char **argv, opts *o) {
        for (int i = 1; i < argc; i++) {
                const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
                uint64_t *num = strcmp(a, "--segments") == 0           ? &o->segments
                                : strcmp(a, "--segment-bytes") == 0    ? &o->segment_bytes
                                : strcmp(a, "--checkpoint-every") == 0 ? &o->checkpoint_every
                                : strcmp(a, "--torn-tail") == 0        ? &o->torn_tail
                                : strcmp(a, "--gap-after") == 0        ? &o->gap_after
                                : strcmp(a, "--gap-ms") == 0           ? &o->gap_ms
                                : strcmp(a, "--bulk-marks") == 0       ? &o->bulk_marks
                                : strcmp(a, "--bulk-checkpoints") == 0 ? &o->bulk_checkpoints
                                                                       : NULL;
                const char **str = strcmp(a, "--spool") == 0            ? &o->spool
                                   : strcmp(a, "--state") == 0          ? &o->state
                                   : strcmp(a, "--key") == 0            ? &o->key
                                   : strcmp(a, "--recipient") == 0      ? &o->recipient
                                   : strcmp(a, "--session-id") == 0     ? &o->session_id
                                   : strcmp(a, "--seal-recipient") == 0 ? &o->seal_recipient
                                   : strcmp(a, "--officer") == 0        ? &o->officer
                                   : strcmp(a, "--room") == 0           ? &o->room
                                   : strcmp(a, "--time-zone") == 0      ? &o->time_zone
                                                                        : NULL;
                if (strcmp(a, "--crash") == 0)
                        o->crash = true;
                else if (strcmp(a, "--partial-log") == 0)
                        o->partial_log = true;
                else if (strcmp(a, "--no-recover") == 0)
                        o->no_recover = true;
                else if (strcmp(a, "--gap-break") == 0)
                        o->gap_break = true;
                else if (strcmp(a, "--note") == 0 && v)
                        g_ptr_array_add(o->notes, argv[++i]);
                else if (strcmp(a, "--note-age-file") == 0 && v)
                        g_ptr_array_add(o->note_ages, argv[++i]);
                else if (num && v && util_parse_u64(v, 0, UINT64_C(1) << 40, num) >= 0)
                        i++;
                else if (str && v)
                        *str = argv[++i];
                else
                        return -EINVAL;
        }
        if (!o->spool || !o->state || !o->key || !o->recipient || o->segments == 0 ||
            o->checkpoint_every == 0)
                return -EINVAL;
        return 0;
}

int main(int argc, char **argv) {
        g_autoptr(GPtrArray) notes = g_ptr_array_new(), note_ages = g_ptr_array_new();
        opts o = {.segments = 3,
                  .segment_bytes = 300000,
                  .checkpoint_every = 1,
                  .notes = notes,
                  .note_ages = note_ages};
        uint8_t rcpt[1][AGE_KEY_LEN];
        minisign_secret *key = NULL;
        int r;

        if (sodium_init() < 0)
                return 1;
        if (argc == 4 && strcmp(argv[1], "--gen-key") == 0) {
                r = minisign_secret_generate(&key);
                if (r >= 0)
                        r = minisign_secret_save(key, argv[2], argv[3]);
                minisign_secret_free(key);
                return r < 0 ? 1 : 0;
        }
        if (argc == 5 && strcmp(argv[1], "--resign-entry") == 0)
                return resign_entry(argv[2], argv[3], argv[4]) < 0 ? 1 : 0;
        if (argc == 5 && strcmp(argv[1], "--reclose") == 0)
                return reclose(argv[2], argv[3], argv[4]) < 0 ? 1 : 0;
        if (parse_args(argc, argv, &o) < 0) {
                fprintf(stderr,
                        "usage: make-session --spool DIR --state DIR --key SECRET --recipient age1… "
                        "[--segments N] [--segment-bytes N] [--checkpoint-every N] [--session-id ID] "
                        "[--crash [--torn-tail N] [--partial-log] [--no-recover]] "
                        "[--officer STRING] [--room STRING] [--bulk-marks N] [--bulk-checkpoints N] "
                        "[--note TEXT]… [--note-age-file FILE]… [--time-zone ZONE|-]\n");
                return 1;
        }
        r = age_recipient_parse(o.seal_recipient ? o.seal_recipient : o.recipient, rcpt[0]);
        if (r >= 0)
                r = minisign_secret_load(o.key, &key);
        if (r >= 0) {
                (void) g_mkdir_with_parents(o.state, 0755);
                r = record(&o, key, (const uint8_t(*)[AGE_KEY_LEN]) rcpt);
        }
        minisign_secret_free(key);
        if (r < 0) {
                fprintf(stderr, "make-session: %s\n", g_strerror(-r));
                return 1;
        }
        return 0;
}
