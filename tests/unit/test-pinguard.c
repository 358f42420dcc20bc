/* The wrong-PIN guard: three free tries, then 2, 4, 8 … s, the tenth locks
 * until an administrator unlocks; a right PIN resets the count. Its state
 * survives a restart (and a corrupt file locks, never unlocks); the
 * refusals it keeps for the next session make one entry of bounded size;
 * an unknown officer number costs the same Argon2id run as a wrong PIN. */
#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <sodium.h>

#include "custody.h"
#include "pincheck-testing.h"
#include "pincheck.h"
#include "pinguard.h"

#define S 1000000000ULL

static void test_free_tries_then_doubling(void **state) {
        pinguard g = {0};
        uint64_t now = 1000 * S, wait = 0;

        (void) state;
        for (int i = 0; i < PINGUARD_FREE_TRIES; i++) {
                assert_int_equal(pinguard_may_try(&g, now, &wait), 0);
                pinguard_failed(&g, now);
        }
        /* The 4th try is still allowed at once; its refusal makes the next wait 2 s. */
        assert_int_equal(pinguard_may_try(&g, now, &wait), 0);
        uint64_t expect = 2 * S;
        for (unsigned f = PINGUARD_FREE_TRIES + 1; f < PINGUARD_LOCK_AFTER; f++) {
                pinguard_failed(&g, now);
                assert_int_equal(g.failures, f);
                assert_int_equal(pinguard_may_try(&g, now, &wait), -EAGAIN);
                assert_int_equal(wait, expect);
                assert_int_equal(pinguard_may_try(&g, now + expect - 1, &wait), -EAGAIN);
                assert_int_equal(wait, 1);
                now += expect;
                assert_int_equal(pinguard_may_try(&g, now, &wait), 0);
                expect *= 2;
        }
        assert_int_equal(expect, 128 * S); /* 2, 4, 8, 16, 32, 64 s were waited */
        pinguard_failed(&g, now);          /* the tenth */
        assert_true(g.locked);
        assert_int_equal(pinguard_may_try(&g, now, &wait), -ENOLCK);
        assert_int_equal(pinguard_may_try(&g, now + 1000000 * S, NULL), -ENOLCK);
        /* A right PIN cannot be tried while locked, and would not unlock. */
        pinguard_succeeded(&g);
        assert_int_equal(pinguard_may_try(&g, now, NULL), -ENOLCK);
        pinguard_unlock(&g);
        assert_int_equal(pinguard_may_try(&g, now, NULL), 0);
        assert_int_equal(g.failures, 0);
        /* After an unlock the free tries are back. */
        for (int i = 0; i < PINGUARD_FREE_TRIES; i++)
                pinguard_failed(&g, now);
        assert_int_equal(pinguard_may_try(&g, now, NULL), 0);
}

static void test_success_resets(void **state) {
        pinguard g = {0};
        uint64_t now = 5 * S, wait;

        (void) state;
        for (int i = 0; i < 5; i++)
                pinguard_failed(&g, now);
        assert_int_equal(pinguard_may_try(&g, now, &wait), -EAGAIN);
        assert_int_equal(wait, 4 * S);
        now += wait;
        assert_int_equal(pinguard_may_try(&g, now, NULL), 0);
        pinguard_succeeded(&g);
        assert_int_equal(g.failures, 0);
        for (int i = 0; i < PINGUARD_FREE_TRIES; i++) {
                pinguard_failed(&g, now);
                assert_int_equal(pinguard_may_try(&g, now, NULL), 0);
        }
        pinguard_failed(&g, now);
        assert_int_equal(pinguard_may_try(&g, now, &wait), -EAGAIN);
        assert_int_equal(wait, 2 * S);
}

static void test_clock_edges(void **state) {
        pinguard g = {0};
        uint64_t wait;

        (void) state;
        /* Near the end of the clock the wait saturates instead of wrapping to "now". */
        for (int i = 0; i < 8; i++)
                pinguard_failed(&g, UINT64_MAX - S);
        assert_int_equal(pinguard_may_try(&g, UINT64_MAX - S, &wait), -EAGAIN);
        assert_int_equal(g.next_try_ns, UINT64_MAX);
        /* More failures than the lock needs keep it locked, the count bounded. */
        for (int i = 0; i < 100; i++)
                pinguard_failed(&g, 0);
        assert_true(g.locked);
        assert_int_equal(g.failures, PINGUARD_LOCK_AFTER);
}

#define T0 1796000000000000LL /* 2026-11-30, µs */

/* 780 refusals (the case) and far more, with more distinct numbers
 * than are listed: the summary stays within PINGUARD_SUMMARY_MAX, which a
 * custody line holds with room to spare even if every byte were escaped. */
static void test_summary_bounded(void **state) {
        static const unsigned counts[] = {1, 779, 780, 781, 100000};
        _Static_assert(PINGUARD_SUMMARY_MAX * 6 + 4096 < CUSTODY_LINE_MAX, "a summary fits a custody line");

        (void) state;
        for (size_t c = 0; c < G_N_ELEMENTS(counts); c++) {
                pinguard g = {0};
                for (unsigned i = 0; i < counts[c]; i++) {
                        char number[16];
                        g_snprintf(number, sizeof(number), "9%011u", i % 1000);
                        pinguard_refused(&g, 0, T0 + (int64_t) i * 1000000, number);
                        if (g.locked)
                                pinguard_unlock(&g); /* an administrator, again and again */
                }
                g_autofree char *s = pinguard_summary(&g);
                assert_non_null(s);
                assert_true(strlen(s) <= PINGUARD_SUMMARY_MAX);
                g_autofree char *count = g_strdup_printf("%u PIN refusal(s) between 2026-", counts[c]);
                assert_true(g_str_has_prefix(s, count));
                assert_non_null(strstr(s, "for officer number(s) 900000000000"));
                assert_int_equal(g.n_numbers,
                                 counts[c] < PINGUARD_NUMBERS_LISTED ? counts[c] : PINGUARD_NUMBERS_LISTED);
                assert_true(g.more_numbers == (counts[c] > PINGUARD_NUMBERS_LISTED));
                if (g.more_numbers)
                        assert_non_null(strstr(s, " and others"));
                pinguard_summary_taken(&g);
                assert_null(pinguard_summary(&g));
        }
}

/* The longest summary possible: every field at its widest. */
static void test_summary_widest(void **state) {
        pinguard g = {0};

        (void) state;
        for (unsigned i = 0; i < PINGUARD_NUMBERS_LISTED + 1; i++) {
                char number[16];
                g_snprintf(number, sizeof(number), "9999999999%02u", i);
                pinguard_refused(&g, 0, INT64_MAX - 1, number);
        }
        g.refused = UINT64_MAX;
        g.first_us = INT64_MIN;
        g_autofree char *s = pinguard_summary(&g);
        assert_true(strlen(s) <= PINGUARD_SUMMARY_MAX);
}

static char *make_state_dir(void) {
        char *dir = g_dir_make_tmp("pinguard-XXXXXX", NULL);
        assert_non_null(dir);
        return dir;
}

static void remove_state_dir(char *dir) {
        g_autofree char *f = g_build_filename(dir, PINGUARD_FILE, NULL);
        (void) g_unlink(f);
        (void) g_rmdir(dir);
        g_free(dir);
}

/* A restart (save, then load in a new process's guard) keeps the lock,
 * the count (with its wait counted again) and the pending refusals. */
static void test_state_survives_restart(void **state) {
        char *dir = make_state_dir();
        pinguard g = {0}, back;
        char *msg = NULL;

        (void) state;
        assert_int_equal(pinguard_load(dir, 0, &back, &msg), 0); /* no file: a fresh guard */
        assert_false(back.locked);
        assert_int_equal(back.failures, 0);
        for (int i = 0; i < 5; i++)
                pinguard_refused(&g, 0, T0 + i, i % 2 ? "1234" : "777");
        assert_int_equal(pinguard_save(&g, dir), 0);
        assert_int_equal(pinguard_load(dir, 50 * S, &back, &msg), 0);
        assert_int_equal(back.failures, 5);
        assert_int_equal(back.refused, 5);
        assert_int_equal(back.first_us, T0);
        assert_int_equal(back.last_us, T0 + 4);
        assert_int_equal(back.n_numbers, 2);
        assert_string_equal(back.numbers[0], "777");
        assert_string_equal(back.numbers[1], "1234");
        /* the wait the fifth refusal set counts again from the restart */
        assert_int_equal(pinguard_may_try(&back, 50 * S, NULL), -EAGAIN);
        assert_int_equal(pinguard_may_try(&back, 54 * S, NULL), 0);

        for (int i = 0; i < PINGUARD_LOCK_AFTER; i++)
                pinguard_refused(&g, 0, T0 + 10, "1234");
        assert_true(g.locked);
        assert_int_equal(pinguard_save(&g, dir), 0);
        assert_int_equal(pinguard_load(dir, 0, &back, &msg), 0);
        assert_true(back.locked);
        assert_int_equal(pinguard_may_try(&back, 1000000 * S, NULL), -ENOLCK);
        /* studioctl unlock: the lock goes, the refusals stay for the next session */
        pinguard_unlock(&back);
        assert_int_equal(pinguard_save(&back, dir), 0);
        assert_int_equal(pinguard_load(dir, 0, &g, &msg), 0);
        assert_false(g.locked);
        assert_int_equal(g.failures, 0);
        assert_int_equal(g.refused, 15);
        remove_state_dir(dir);
}

/* Whatever is wrong with the file, the guard comes back locked. */
static void test_corrupt_file_locks(void **state) {
        static const char *bad[] = {
                "",
                "garbage",
                "version 1\nfailures 0\nlocked 0\nrefused 0\nfirst 0\nlast 0\nmore 0", /* no newline */
                "version 2\nfailures 0\nlocked 0\nrefused 0\nfirst 0\nlast 0\nmore 0\n",
                "version 1\nfailures 11\nlocked 1\nrefused 0\nfirst 0\nlast 0\nmore 0\n",
                "version 1\nfailures 10\nlocked 0\nrefused 0\nfirst 0\nlast 0\nmore 0\n",
                "version 1\nfailures 0\nlocked 2\nrefused 0\nfirst 0\nlast 0\nmore 0\n",
                "version 1\nfailures -1\nlocked 0\nrefused 0\nfirst 0\nlast 0\nmore 0\n",
                "version 1\nfailures 0\nlocked 0\nrefused 1\nfirst 0\nlast 0\nmore 0\n",
                "version 1\nfailures 0\nlocked 0\nrefused 1\nfirst 5\nlast 4\nnumber 1\nmore 0\n",
                "version 1\nfailures 0\nlocked 0\nrefused 2\nfirst 0\nlast 0\nnumber 1\nnumber 1\nmore 0\n",
                "version 1\nfailures 0\nlocked 0\nrefused 1\nfirst 0\nlast 0\nnumber 12a\nmore 0\n",
                "version 1\nfailures 0\nlocked 0\nrefused 0\nfirst 0\nlast 0\nmore 0\nextra 1\n",
                "failures 0\nversion 1\nlocked 0\nrefused 0\nfirst 0\nlast 0\nmore 0\n",
                "version 1\nfailures  0\nlocked 0\nrefused 0\nfirst 0\nlast 0\nmore 0\n",
        };
        const char good[] = "version 1\nfailures 0\nlocked 0\nrefused 0\nfirst 0\nlast 0\nmore 0\n";
        pinguard g;

        (void) state;
        assert_int_equal(pinguard_parse(good, strlen(good), &g), 0);
        assert_false(g.locked);
        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                assert_int_equal(pinguard_parse(bad[i], strlen(bad[i]), &g), -EBADMSG);
                assert_true(g.locked);
        }
        /* a NUL inside a value, and a file cut anywhere: locked */
        char nul[] = "version 1\nfailures 0\nlocked 0\nrefused 0\nfirst 0\nlast 0\nmore 0\n";
        nul[18] = '\0';
        assert_int_equal(pinguard_parse(nul, sizeof(nul) - 1, &g), -EBADMSG);
        assert_true(g.locked);
        for (size_t cut = 0; cut < strlen(good); cut++) {
                assert_int_equal(pinguard_parse(good, cut, &g), -EBADMSG);
                assert_true(g.locked);
        }

        /* through the file: locked, and the message says what to do */
        char *dir = make_state_dir();
        g_autofree char *f = g_build_filename(dir, PINGUARD_FILE, NULL);
        char *msg = NULL;
        assert_true(g_file_set_contents(f, "locked 0\n", -1, NULL));
        assert_int_equal(pinguard_load(dir, 0, &g, &msg), -EBADMSG);
        assert_true(g.locked);
        assert_int_equal(pinguard_may_try(&g, 0, NULL), -ENOLCK);
        assert_non_null(strstr(msg, "studioctl unlock"));
        assert_non_null(strstr(msg, PINGUARD_FILE));
        g_free(msg);
        remove_state_dir(dir);
}

/* An unknown officer number runs the same Argon2id verification as a
 * known one with a wrong PIN: one run each, and the dummy hash has the
 * parameters of the officers' hashes. */
static void test_unknown_number_costs_the_same(void **state) {
        officers *o = officers_new();
        pincheck *p = NULL;

        (void) state;
        assert_int_equal(officers_add(o, "1234", "97531"), 0);
        assert_int_equal(pincheck_new(&p), 0);

        unsigned before = pincheck_kdf_runs();
        assert_int_equal(pincheck_verify(p, o, "1234", "97531"), 0);
        assert_int_equal(pincheck_kdf_runs(), before + 1);
        assert_int_equal(pincheck_verify(p, o, "1234", "86420"), -EACCES);
        assert_int_equal(pincheck_kdf_runs(), before + 2);
        assert_int_equal(pincheck_verify(p, o, "5678", "97531"), -ENOENT);
        assert_int_equal(pincheck_kdf_runs(), before + 3);
        assert_int_equal(pincheck_verify(p, NULL, "5678", "97531"), -ENOENT);
        assert_int_equal(pincheck_kdf_runs(), before + 4);
        assert_int_equal(crypto_pwhash_str_needs_rehash(officers_pin_hash(o, "1234"),
                                                        crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                                        crypto_pwhash_MEMLIMIT_INTERACTIVE),
                         0);
        pincheck_free(p);
        officers_free(o);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_free_tries_then_doubling),
                cmocka_unit_test(test_success_resets),
                cmocka_unit_test(test_clock_edges),
                cmocka_unit_test(test_summary_bounded),
                cmocka_unit_test(test_summary_widest),
                cmocka_unit_test(test_state_survives_restart),
                cmocka_unit_test(test_corrupt_file_locks),
                cmocka_unit_test(test_unknown_number_costs_the_same),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
