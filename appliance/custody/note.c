/* A mark's note, sealed: the note can hold case content and the custody log
 * is plaintext on the appliance, so the note is an age v1 file for the
 * session's vault recipients, ASCII-armored as the age spec defines it
 * (C2SP age, "ASCII armor"), so that the text of the mark's "note_age"
 * member decrypts as is with stock `age -d -i vault.key`. Only this
 * ciphertext enters the entry, and so only it is signed.
 *
 * The armor is read strictly, as the spec asks of a decoder: the BEGIN
 * line, base64 lines of exactly 64 columns (the last one 4..64, a multiple
 * of 4), canonical base64 with padding, the END line and one LF, nothing
 * else. One spelling per ciphertext, so a reader never has to guess. */
#include <errno.h>
#include <sodium.h>
#include <string.h>

#include "custody.h"

#define ARMOR_BEGIN CUSTODY_NOTE_ARMOR_BEGIN "\n"
#define ARMOR_END CUSTODY_NOTE_ARMOR_END "\n"
#define ARMOR_COLS 64
#define B64_ALPHABET "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="

/* What the largest note sealed for AGE_RECIPIENT_MAX recipients armors to
 * must fit the limit the reader applies (and a custody line). */
_Static_assert(CUSTODY_NOTE_ARMOR_MAX + 1024 < CUSTODY_LINE_MAX, "an armored note fits a custody line");

typedef struct note_buf {
        GByteArray *bytes;
        size_t max;
        bool too_big;
} note_buf;

static int note_buf_append(void *userdata, const uint8_t *buf, size_t len) {
        note_buf *b = userdata;

        if (len > b->max - b->bytes->len) {
                b->too_big = true;
                return -E2BIG;
        }
        g_byte_array_append(b->bytes, buf, (guint) len);
        return 0;
}

/* Wipes and frees: a buffer that held a note's plaintext. */
static void note_buf_wipe(note_buf *b) {
        if (!b->bytes)
                return;
        sodium_memzero(b->bytes->data, b->bytes->len);
        g_byte_array_unref(b->bytes);
        b->bytes = NULL;
}

/* Why a plaintext cannot be a note (the rest of a sentence that begins
 * "the note "), or NULL. */
static const char *note_text_refusal(const char *text, size_t len) {
        if (len == 0)
                return "is empty";
        if (len > CUSTODY_NOTE_MAX)
                return "is longer than " G_STRINGIFY(CUSTODY_NOTE_MAX) " bytes";
        if (memchr(text, '\0', len))
                return "holds a NUL byte";
        if (!g_utf8_validate(text, (gssize) len, NULL))
                return "is not UTF-8 text";
        return NULL;
}

int custody_note_check(const char *note, size_t len, gchar **ret_message) {
        const char *why = note ? note_text_refusal(note, len) : "is missing";

        if (!why)
                return 0;
        if (ret_message)
                *ret_message = g_strdup_printf("the note %s: give 1 to %d bytes of UTF-8 text, or mark "
                                               "without a note",
                                               why, CUSTODY_NOTE_MAX);
        return -EINVAL;
}

static char *armor(const uint8_t *data, size_t len) {
        size_t b64_size = sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL);
        g_autofree char *b64 = g_malloc(b64_size);
        size_t b64_len;
        GString *s;

        sodium_bin2base64(b64, b64_size, data, len, sodium_base64_VARIANT_ORIGINAL);
        b64_len = strlen(b64);
        s = g_string_sized_new(b64_len + b64_len / ARMOR_COLS + sizeof(ARMOR_BEGIN) + sizeof(ARMOR_END) + 1);
        g_string_append(s, ARMOR_BEGIN);
        for (size_t i = 0; i < b64_len; i += ARMOR_COLS) {
                g_string_append_len(s, b64 + i, (gssize) MIN((size_t) ARMOR_COLS, b64_len - i));
                g_string_append_c(s, '\n');
        }
        g_string_append(s, ARMOR_END);
        return g_string_free(s, FALSE);
}

int custody_note_seal(char *const *recipients, const char *note, gchar **ret_armored, gchar **ret_message) {
        g_autofree uint8_t(*pks)[AGE_KEY_LEN] = NULL;
        note_buf out = {.bytes = g_byte_array_new(), .max = CUSTODY_NOTE_ARMOR_MAX};
        age_writer *w = NULL;
        size_t n = 0;
        char *text = NULL;
        int r;

        r = custody_note_check(note, note ? strlen(note) : 0, ret_message);
        if (r < 0)
                goto out;
        while (recipients && recipients[n])
                n++;
        if (n == 0 || n > AGE_RECIPIENT_MAX) {
                r = -EINVAL;
                if (ret_message)
                        *ret_message =
                                g_strdup_printf("a note is sealed for 1 to %d vault recipients, not %zu: "
                                                "give the session's recipients",
                                                AGE_RECIPIENT_MAX, n);
                goto out;
        }
        pks = g_malloc0_n(n, AGE_KEY_LEN);
        for (size_t i = 0; i < n; i++) {
                r = age_recipient_parse(recipients[i], pks[i]);
                if (r < 0) {
                        if (ret_message)
                                *ret_message = g_strdup_printf("recipient '%s' %s",
                                                               age_recipient_shown(recipients[i]),
                                                               age_recipient_refusal(r));
                        goto out;
                }
        }
        r = age_writer_new((const uint8_t(*)[AGE_KEY_LEN]) pks, n, note_buf_append, &out, &w);
        if (r >= 0)
                r = age_writer_write(w, note, strlen(note));
        if (r >= 0)
                r = age_writer_finish(w);
        if (r < 0) {
                if (ret_message)
                        *ret_message = g_strdup_printf("the note could not be sealed: %s", g_strerror(-r));
                goto out;
        }
        text = armor(out.bytes->data, out.bytes->len);
        if (strlen(text) > CUSTODY_NOTE_ARMOR_MAX) {
                /* only with very many recipients: the reader would refuse it */
                g_free(text);
                r = -E2BIG;
                if (ret_message)
                        *ret_message = g_strdup("the sealed note is too large for so many recipients: "
                                                "shorten the note");
                goto out;
        }
        *ret_armored = text;
        r = 0;
out:
        age_writer_free(w);
        g_byte_array_unref(out.bytes);
        return r;
}

static int dearmor_fail(gchar **ret_message, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static int dearmor_fail(gchar **ret_message, const char *fmt, ...) {
        va_list ap;

        if (ret_message) {
                va_start(ap, fmt);
                *ret_message = g_strdup_vprintf(fmt, ap);
                va_end(ap);
        }
        return -EBADMSG;
}

int custody_note_dearmor(const char *armored, size_t len, uint8_t **ret_data, size_t *ret_len,
                         gchar **ret_message) {
        const size_t begin_len = strlen(ARMOR_BEGIN), end_len = strlen(ARMOR_END);
        g_autofree char *b64 = NULL;
        g_autofree uint8_t *bin = NULL;
        size_t b64_len = 0, bin_len = 0, pos;
        bool short_line = false;

        if (!armored || len > CUSTODY_NOTE_ARMOR_MAX)
                return dearmor_fail(ret_message, "the sealed note is longer than %d bytes",
                                    CUSTODY_NOTE_ARMOR_MAX);
        if (len < begin_len + end_len || memcmp(armored, ARMOR_BEGIN, begin_len) != 0)
                return dearmor_fail(ret_message, "the sealed note does not begin with the line %s",
                                    CUSTODY_NOTE_ARMOR_BEGIN);
        if (memcmp(armored + len - end_len, ARMOR_END, end_len) != 0)
                return dearmor_fail(ret_message, "the sealed note does not end with the line %s",
                                    CUSTODY_NOTE_ARMOR_END);
        b64 = g_malloc0(len + 1);
        for (pos = begin_len; pos < len - end_len;) {
                const char *nl = memchr(armored + pos, '\n', len - end_len - pos);
                size_t line = nl ? (size_t) (nl - (armored + pos)) : len - end_len - pos;
                if (!nl)
                        return dearmor_fail(ret_message, "the sealed note's base64 lines do not end in LF");
                if (short_line)
                        return dearmor_fail(ret_message,
                                            "a line of the sealed note before its last is shorter than %d "
                                            "columns",
                                            ARMOR_COLS);
                if (line == 0 || line > ARMOR_COLS || line % 4 != 0)
                        return dearmor_fail(ret_message,
                                            "a line of the sealed note has %zu columns (expected %d, the "
                                            "last one fewer, in fours)",
                                            line, ARMOR_COLS);
                short_line = line < ARMOR_COLS;
                memcpy(b64 + b64_len, armored + pos, line);
                b64_len += line;
                pos += line + 1;
        }
        if (b64_len == 0)
                return dearmor_fail(ret_message, "the sealed note has no base64 lines");
        bin = g_malloc(b64_len / 4 * 3);
        if (strspn(b64, B64_ALPHABET) != b64_len ||
            sodium_base642bin(bin, b64_len / 4 * 3, b64, b64_len, NULL, &bin_len, NULL,
                              sodium_base64_VARIANT_ORIGINAL) != 0)
                return dearmor_fail(ret_message, "the sealed note is not padded base64");
        /* one spelling only: what decodes must encode back to the same text
         * (padding, unused bits; libsodium's decoder is lenient about the
         * alphabet, so it is checked above too) */
        g_autofree char *again =
                g_malloc(sodium_base64_encoded_len(bin_len, sodium_base64_VARIANT_ORIGINAL));
        sodium_bin2base64(again, sodium_base64_encoded_len(bin_len, sodium_base64_VARIANT_ORIGINAL), bin,
                          bin_len, sodium_base64_VARIANT_ORIGINAL);
        if (strlen(again) != b64_len || memcmp(again, b64, b64_len) != 0)
                return dearmor_fail(ret_message, "the sealed note is not canonical base64");
        *ret_data = g_steal_pointer(&bin);
        *ret_len = bin_len;
        return 0;
}

/* A note is one short STREAM chunk: a cut and an alteration look alike. */
static const char *verdict_refusal(age_verdict v) {
        switch (v) {
        case AGE_NOT_AGE:
                return "is not an age file";
        case AGE_HEADER_MAC:
                return "has an altered header";
        case AGE_TAMPERED:
        case AGE_TRUNCATED:
                return "was altered or cut short";
        default:
                return "cannot be read";
        }
}

int custody_note_open(const char *armored, const uint8_t (*sks)[AGE_KEY_LEN], size_t n_sks, gchar **ret_note,
                      gchar **ret_message) {
        g_autofree uint8_t *bin = NULL;
        note_buf plain = {.bytes = g_byte_array_new(), .max = CUSTODY_NOTE_MAX + 1};
        age_read_result res;
        const char *why;
        size_t len = 0;
        int r;

        r = custody_note_dearmor(armored, armored ? strlen(armored) : 0, &bin, &len, ret_message);
        if (r >= 0)
                r = age_decrypt_buf(bin, len, sks, n_sks, note_buf_append, &plain, &res);
        if (plain.too_big) {
                r = dearmor_fail(ret_message, "the sealed note holds more than %d bytes", CUSTODY_NOTE_MAX);
                goto out;
        }
        if (r < 0) {
                if (r != -EBADMSG && ret_message)
                        *ret_message =
                                g_strdup_printf("the sealed note cannot be opened: %s", g_strerror(-r));
                goto out;
        }
        if (res.verdict == AGE_NO_MATCH) {
                r = -ENOKEY;
                if (ret_message)
                        *ret_message = g_strdup("the sealed note is not for this identity");
                goto out;
        }
        if (res.verdict != AGE_OK) {
                r = dearmor_fail(ret_message, "the sealed note %s", verdict_refusal(res.verdict));
                goto out;
        }
        why = note_text_refusal((const char *) plain.bytes->data, plain.bytes->len);
        if (why) {
                r = dearmor_fail(ret_message, "the sealed note opens, but its text %s", why);
                goto out;
        }
        *ret_note = g_strndup((const char *) plain.bytes->data, plain.bytes->len);
        r = 0;
out:
        note_buf_wipe(&plain);
        return r;
}
