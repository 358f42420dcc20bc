/* appliance/session/pending-notes: notes that wait for the next session
 * keep their order and their words, the queue is bounded, and what was
 * past the bound is counted in a note of its own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

#include "pending-notes.h"

static void collect(const char *what, const char *detail, void *userdata) {
        g_ptr_array_add(userdata, g_strdup_printf("%s|%s", what, detail));
}

static void test_order_and_words(void **state) {
        pending_notes q = {0};
        g_autoptr(GPtrArray) got = g_ptr_array_new_with_free_func(g_free);

        (void) state;
        pending_notes_add(&q, "spool-recovery", "one session recovered");
        /* a tab or newline in a detail is kept as it is, not a separator */
        pending_notes_add(&q, "health-fault", "camera\tlost\n(at 10:00)");
        pending_notes_take(&q, collect, got);
        assert_int_equal(got->len, 2);
        assert_string_equal(got->pdata[0], "spool-recovery|one session recovered");
        assert_string_equal(got->pdata[1], "health-fault|camera\tlost\n(at 10:00)");
        assert_int_equal(q.n, 0);
        g_ptr_array_set_size(got, 0);
        pending_notes_take(&q, collect, got);
        assert_int_equal(got->len, 0);
}

static void test_bounded_and_counted(void **state) {
        pending_notes q = {0};
        g_autoptr(GPtrArray) got = g_ptr_array_new_with_free_func(g_free);

        (void) state;
        for (int i = 0; i < PENDING_NOTES_MAX + 10; i++) {
                g_autofree gchar *d = g_strdup_printf("fault %d", i);
                pending_notes_add(&q, "health-fault", d);
        }
        assert_int_equal(q.n, PENDING_NOTES_MAX);
        pending_notes_take(&q, collect, got);
        assert_int_equal(got->len, PENDING_NOTES_MAX + 1);
        assert_string_equal(got->pdata[0], "health-fault|fault 0");
        assert_non_null(strstr(got->pdata[PENDING_NOTES_MAX], "notes-dropped|10 more note(s)"));
        assert_int_equal(q.dropped, 0);
}

static void test_clear(void **state) {
        pending_notes q = {0};

        (void) state;
        pending_notes_add(&q, "a", "b");
        pending_notes_clear(&q);
        assert_int_equal(q.n, 0);
        pending_notes_clear(&q);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_order_and_words),
                cmocka_unit_test(test_bounded_and_counted),
                cmocka_unit_test(test_clear),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
