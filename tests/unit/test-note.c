/* Unit tests for sealed mark notes (custody note.c): seal/open round trip,
 * the armor's exact form, refused notes and recipients, malformed armor,
 * a wrong identity, and altered, cut or non-note ciphertext. */
#include "testutil.h"

#include <errno.h>
#include <sodium.h>
#include <string.h>

#include "custody.h"

typedef struct key {
        uint8_t sk[1][AGE_KEY_LEN];
        char *recipient;
} key;

static void key_new(key *k) {
        uint8_t pk[AGE_KEY_LEN];

        randombytes_buf(k->sk[0], AGE_KEY_LEN);
        assert_int_equal(age_identity_to_recipient(k->sk[0], pk), 0);
        k->recipient = age_recipient_format(pk);
        assert_non_null(k->recipient);
}

static void key_done(key *k) {
        free(k->recipient);
}

static char *seal1(const key *k, const char *note) {
        char *rcpts[] = {k->recipient, NULL};
        g_autofree char *msg = NULL;
        char *armored = NULL;

        assert_int_equal(custody_note_seal(rcpts, note, &armored, &msg), 0);
        assert_null(msg);
        assert_non_null(armored);
        return armored;
}

/* The armor as the spec writes it, for building altered notes. */
static char *armor_of(const uint8_t *data, size_t len) {
        g_autofree char *b64 = g_base64_encode(data, len);
        GString *s = g_string_new("-----BEGIN AGE ENCRYPTED FILE-----\n");

        for (size_t i = 0; i < strlen(b64); i += 64) {
                g_string_append_len(s, b64 + i, (gssize) MIN(64, strlen(b64) - i));
                g_string_append_c(s, '\n');
        }
        g_string_append(s, "-----END AGE ENCRYPTED FILE-----\n");
        return g_string_free(s, FALSE);
}

static void test_round_trip(void **state) {
        key k;
        const char *notes[] = {"witness identifies the photo",
                               "ü ñ 漢字 \u202e bidi <b>&amp;</b>\n\tline two", "x"};

        key_new(&k);
        for (size_t i = 0; i < G_N_ELEMENTS(notes); i++) {
                g_autofree char *armored = seal1(&k, notes[i]);
                g_autofree char *out = NULL, *msg = NULL;
                assert_int_equal(
                        custody_note_open(armored, (const uint8_t(*)[AGE_KEY_LEN]) k.sk, 1, &out, &msg), 0);
                assert_string_equal(out, notes[i]);
                if (strlen(notes[i]) > 8)
                        assert_null(strstr(armored, notes[i]));
        }
        key_done(&k);
}

static void test_max_and_many_recipients(void **state) {
        key k[3];
        char *rcpts[4] = {NULL};
        g_autofree char *note = g_strnfill(CUSTODY_NOTE_MAX, 'n');
        g_autofree char *armored = NULL, *msg = NULL;

        for (int i = 0; i < 3; i++) {
                key_new(&k[i]);
                rcpts[i] = k[i].recipient;
        }
        assert_int_equal(custody_note_seal(rcpts, note, &armored, &msg), 0);
        for (int i = 0; i < 3; i++) {
                g_autofree char *out = NULL;
                assert_int_equal(
                        custody_note_open(armored, (const uint8_t(*)[AGE_KEY_LEN]) k[i].sk, 1, &out, NULL),
                        0);
                assert_string_equal(out, note);
        }
        for (int i = 0; i < 3; i++)
                key_done(&k[i]);
}

/* BEGIN line, 64-column lines (the last shorter), canonical padded
 * base64 of an age v1 file, END line, LF; nothing else. */
static void test_armor_exact(void **state) {
        key k;
        key_new(&k);
        for (size_t n = 1; n <= 200; n += 7) {
                g_autofree char *note = g_strnfill(n, 'a');
                g_autofree char *armored = seal1(&k, note);
                g_auto(GStrv) lines = g_strsplit(armored, "\n", -1);
                guint nl = g_strv_length(lines);
                GString *b64 = g_string_new(NULL);

                assert_true(nl >= 4);
                assert_string_equal(lines[0], "-----BEGIN AGE ENCRYPTED FILE-----");
                assert_string_equal(lines[nl - 2], "-----END AGE ENCRYPTED FILE-----");
                assert_string_equal(lines[nl - 1], ""); /* ends in exactly one LF */
                for (guint i = 1; i < nl - 2; i++) {
                        if (i < nl - 3)
                                assert_int_equal(strlen(lines[i]), 64);
                        else
                                assert_true(strlen(lines[i]) >= 4 && strlen(lines[i]) <= 64);
                        g_string_append(b64, lines[i]);
                }
                assert_int_equal(b64->len % 4, 0);
                gsize len = 0;
                g_autofree guchar *bin = g_base64_decode(b64->str, &len);
                g_autofree char *again = g_base64_encode(bin, len);
                assert_string_equal(again, b64->str); /* canonical */
                assert_true(len > 22 && memcmp(bin, "age-encryption.org/v1\n", 22) == 0);
                g_autofree uint8_t *data = NULL;
                size_t dlen = 0;
                assert_int_equal(custody_note_dearmor(armored, strlen(armored), &data, &dlen, NULL), 0);
                assert_int_equal(dlen, len);
                assert_memory_equal(data, bin, len);
                g_string_free(b64, TRUE);
        }
        key_done(&k);
}

static void test_seal_refused(void **state) {
        key k;
        g_autofree char *too_long = g_strnfill(CUSTODY_NOTE_MAX + 1, 'n');
        const char *bad_notes[] = {"", too_long, "caf\xe9", "\xc3", NULL};

        key_new(&k);
        char *rcpts[] = {k.recipient, NULL};
        for (size_t i = 0; i < G_N_ELEMENTS(bad_notes); i++) {
                g_autofree char *armored = NULL, *msg = NULL;
                assert_int_equal(custody_note_seal(rcpts, bad_notes[i], &armored, &msg), -EINVAL);
                assert_null(armored);
                assert_non_null(msg);
                assert_non_null(strstr(msg, "the note "));
        }
        assert_int_equal(custody_note_check("a\0b", 3, NULL), -EINVAL);
        assert_int_equal(custody_note_check("ab", 2, NULL), 0);

        char *secret = age_identity_format(k.sk[0]);
        char *no_rcpts[] = {NULL}, *bad_rcpt[] = {"age1nope", NULL}, *secret_rcpt[] = {secret, NULL};
        char **bad_lists[] = {no_rcpts, bad_rcpt, secret_rcpt};
        for (size_t i = 0; i < G_N_ELEMENTS(bad_lists); i++) {
                g_autofree char *armored = NULL, *msg = NULL;
                assert_true(custody_note_seal(bad_lists[i], "fine", &armored, &msg) < 0);
                assert_null(armored);
                assert_non_null(msg);
                assert_null(strstr(msg, secret + strlen(AGE_SECRET_PREFIX))); /* never printed */
        }
        sodium_free(secret);
        key_done(&k);
}

static int open_with(const key *k, const char *armored, char **ret_msg) {
        g_autofree char *out = NULL;
        int r = custody_note_open(armored, (const uint8_t(*)[AGE_KEY_LEN]) k->sk, 1, &out, ret_msg);
        if (r < 0)
                assert_null(out);
        return r;
}

static char *replace(const char *s, const char *from, const char *to) {
        g_auto(GStrv) parts = g_strsplit(s, from, 2);
        assert_non_null(parts[1]);
        return g_strconcat(parts[0], to, parts[1], NULL);
}

static void test_malformed_armor(void **state) {
        key k;
        key_new(&k);
        g_autofree char *good = seal1(&k, "a note long enough to need more than one line of base64 armor");
        size_t len = strlen(good);
        g_auto(GStrv) lines = g_strsplit(good, "\n", -1);
        const char *l1 = lines[1], *l2 = lines[2];
        g_autofree char *l1_short = g_strndup(l1, 60);
        g_autofree char *l1_long = g_strconcat(l1, "AAAA", NULL);
        g_autofree char *l1_bad = g_strdup(l1);
        l1_bad[10] = '*';
        g_autofree char *l1_space = g_strdup(l1);
        l1_space[10] = ' ';
        /* the URL-safe alphabet, and padding inside (found by fuzz-note) */
        g_autofree char *l1_dash = g_strdup(l1), *l1_under = g_strdup(l1), *l1_pad = g_strdup(l1);
        l1_dash[40] = '-';
        l1_under[40] = '_';
        memcpy(l1_pad + 40, "AA==", 4);

        char *bad[] = {
                g_strdup(""),
                g_strdup("-----BEGIN AGE ENCRYPTED FILE-----\n-----END AGE ENCRYPTED FILE-----\n"),
                g_strndup(good, len - 1),                                            /* no final LF */
                g_strndup(good, len - strlen("-----END AGE ENCRYPTED FILE-----\n")), /* no END */
                g_strconcat(good, "x", NULL),                                        /* trailing garbage */
                g_strconcat(good, "\n", NULL), /* a trailing blank line */
                g_strconcat(" ", good, NULL),  /* leading whitespace */
                replace(good, "BEGIN AGE ENCRYPTED FILE", "BEGIN AGE ENCRYPTED FILES"),
                replace(good, "END AGE", "END  AGE"),
                replace(good, "\n", "\r\n"),   /* CRLF */
                replace(good, l1, l1_short),   /* a short line before the last */
                replace(good, l1, l1_long),    /* a line over 64 columns */
                replace(good, l1, l1_bad),     /* not base64 */
                replace(good, l1, l1_space),   /* a space inside */
                replace(good, l2, ""),         /* an empty line */
                g_strconcat(good, good, NULL), /* two files */
        };
        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                g_autofree char *msg = NULL;
                assert_int_equal(open_with(&k, bad[i], &msg), -EBADMSG);
                assert_non_null(msg);
                g_free(bad[i]);
        }
        assert_int_equal(open_with(&k, NULL, NULL), -EBADMSG);

        /* the last line: missing padding, non-canonical bits, padding in the middle */
        g_autofree uint8_t *data = NULL;
        size_t dlen = 0;
        assert_int_equal(custody_note_dearmor(good, len, &data, &dlen, NULL), 0);
        for (size_t cut = dlen; cut > dlen - 3; cut--) {
                g_autofree char *a = armor_of(data, cut);
                g_autofree char *b64 = g_base64_encode(data, cut);
                if (b64[strlen(b64) - 1] != '=')
                        continue; /* this length has no padding to drop */
                g_autofree char *nopad = replace(a, "=\n-----END", "\n-----END");
                assert_int_equal(
                        custody_note_dearmor(nopad, strlen(nopad), &(uint8_t *){NULL}, &(size_t){0}, NULL),
                        -EBADMSG);
                /* the character before the padding with a non-zero unused bit */
                g_autofree char *noncanon = g_strdup(a);
                char *pad = strstr(noncanon, "=\n-----END");
                while (pad[-1] == '=')
                        pad--;
                const char *alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
                pad[-1] = alpha[(strchr(alpha, pad[-1]) - alpha) | 1];
                assert_int_equal(custody_note_dearmor(noncanon, strlen(noncanon), &(uint8_t *){NULL},
                                                      &(size_t){0}, NULL),
                                 -EBADMSG);
                break;
        }
        /* too long, even when well formed */
        g_autofree uint8_t *big = g_malloc0(CUSTODY_NOTE_ARMOR_MAX);
        g_autofree char *huge = armor_of(big, CUSTODY_NOTE_ARMOR_MAX);
        assert_int_equal(custody_note_dearmor(huge, strlen(huge), &(uint8_t *){NULL}, &(size_t){0}, NULL),
                         -EBADMSG);
        key_done(&k);
}

static void test_wrong_identity(void **state) {
        key k, other;
        key_new(&k);
        key_new(&other);
        g_autofree char *armored = seal1(&k, "for the vault only");
        g_autofree char *msg = NULL;

        assert_int_equal(open_with(&other, armored, &msg), -ENOKEY);
        assert_non_null(msg);
        key_done(&k);
        key_done(&other);
}

static void test_altered_and_cut(void **state) {
        key k;
        key_new(&k);
        g_autofree char *armored = seal1(&k, "the ciphertext is signed, and authenticated too");
        g_autofree uint8_t *data = NULL;
        size_t len = 0, hdr = 0;

        assert_int_equal(custody_note_dearmor(armored, strlen(armored), &data, &len, NULL), 0);
        hdr = (size_t) ((uint8_t *) strstr((char *) data, "\n--- ") - data);
        hdr = (size_t) ((uint8_t *) memchr(data + hdr + 1, '\n', len - hdr - 1) - data) + 1;
        /* a flipped byte in the header MAC, in the payload nonce, in the
         * payload; the payload cut */
        size_t flips[] = {hdr - 10, hdr + 3, hdr + 20, len - 1};
        for (size_t i = 0; i < G_N_ELEMENTS(flips); i++) {
                g_autofree uint8_t *x = g_memdup2(data, len);
                x[flips[i]] ^= 0x01;
                g_autofree char *a = armor_of(x, len);
                assert_int_equal(open_with(&k, a, NULL), -EBADMSG);
        }
        size_t cuts[] = {hdr, hdr + AGE_PAYLOAD_NONCE_LEN, len - 1, 10};
        for (size_t i = 0; i < G_N_ELEMENTS(cuts); i++) {
                g_autofree char *a = armor_of(data, cuts[i]);
                g_autofree char *msg = NULL;
                assert_int_equal(open_with(&k, a, &msg), -EBADMSG);
                assert_non_null(msg);
        }
        key_done(&k);
}

/* An age file whose plaintext is no note (what only a forger who holds
 * the device key could put in a signed entry): refused. */
static void test_not_a_note(void **state) {
        key k;
        key_new(&k);
        uint8_t pk[1][AGE_KEY_LEN];
        g_autofree char *big = g_strnfill(CUSTODY_NOTE_MAX + 1, 'b');
        const struct {
                const char *text;
                size_t len;
        } plains[] = {{"a\0b", 3}, {"caf\xe9", 4}, {"", 0}, {big, CUSTODY_NOTE_MAX + 1}};

        assert_int_equal(age_identity_to_recipient(k.sk[0], pk[0]), 0);
        for (size_t i = 0; i < G_N_ELEMENTS(plains); i++) {
                test_sink c = {0};
                age_writer *w = NULL;
                assert_int_equal(
                        age_writer_new((const uint8_t(*)[AGE_KEY_LEN]) pk, 1, test_sink_append, &c, &w), 0);
                assert_int_equal(age_writer_write(w, plains[i].text, plains[i].len), 0);
                assert_int_equal(age_writer_finish(w), 0);
                age_writer_free(w);
                g_autofree char *a = armor_of(c.data, c.len);
                g_autofree char *msg = NULL;
                assert_int_equal(open_with(&k, a, &msg), -EBADMSG);
                assert_non_null(msg);
                test_sink_done(&c);
        }
        key_done(&k);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_round_trip),      cmocka_unit_test(test_max_and_many_recipients),
                cmocka_unit_test(test_armor_exact),     cmocka_unit_test(test_seal_refused),
                cmocka_unit_test(test_malformed_armor), cmocka_unit_test(test_wrong_identity),
                cmocka_unit_test(test_altered_and_cut), cmocka_unit_test(test_not_a_note),
        };

        if (sodium_init() < 0)
                return 1;
        return cmocka_run_group_tests(tests, NULL, NULL);
}
