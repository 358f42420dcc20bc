/* The wrong-PIN guard: three free tries, then 2, 4, 8 … s, the tenth locks
 * until an administrator unlocks; a right PIN resets the count. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

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

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_free_tries_then_doubling),
                cmocka_unit_test(test_success_resets),
                cmocka_unit_test(test_clock_edges),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
