/* The custody log's entry signatures, checked on every core while the
 * log is being read: Ed25519 verification is most of the verifier's cost
 * for a long log, and it is independent per entry. Batches keep the
 * queue cheap; at most a few are in flight, so memory stays bounded. */
#include <string.h>

#include "verify.h"
#include "sigcheck.h"

#define BATCH 1024

typedef struct sig_item {
        verify_sig_bad where;
        uint8_t sig[MINISIGN_SIG_LEN];
        char *msg;
        size_t len;
} sig_item;

typedef struct sig_batch {
        sig_item items[BATCH];
        size_t n;
} sig_batch;

struct verify_sigcheck {
        minisign_public pk;
        GThreadPool *pool;
        sig_batch *cur;
        GMutex lock;
        GCond done_one;
        unsigned in_flight, max_in_flight;
        GArray *bad; /* verify_sig_bad */
};

static void batch_free(sig_batch *b) {
        for (size_t i = 0; i < b->n; i++)
                g_free(b->items[i].msg);
        g_free(b);
}

static void check_batch(gpointer data, gpointer user_data) {
        sig_batch *b = data;
        verify_sigcheck *s = user_data;
        verify_sig_bad bad[BATCH];
        size_t n_bad = 0;

        for (size_t i = 0; i < b->n; i++) {
                const sig_item *it = &b->items[i];
                if (minisign_verify_detached(&s->pk, (const uint8_t *) it->msg, it->len, it->sig) != 0)
                        bad[n_bad++] = it->where;
        }
        batch_free(b);
        g_mutex_lock(&s->lock);
        g_array_append_vals(s->bad, bad, (guint) n_bad);
        s->in_flight--;
        g_cond_signal(&s->done_one);
        g_mutex_unlock(&s->lock);
}

verify_sigcheck *verify_sigcheck_new(const minisign_public *pk) {
        verify_sigcheck *s = g_new0(verify_sigcheck, 1);
        unsigned n = MAX(1u, g_get_num_processors());

        s->pk = *pk;
        s->bad = g_array_new(FALSE, FALSE, sizeof(verify_sig_bad));
        s->max_in_flight = 2 * n;
        g_mutex_init(&s->lock);
        g_cond_init(&s->done_one);
        s->pool = g_thread_pool_new(check_batch, s, (gint) n, FALSE, NULL);
        return s;
}

static void submit(verify_sigcheck *s) {
        if (!s->cur)
                return;
        g_mutex_lock(&s->lock);
        while (s->in_flight >= s->max_in_flight)
                g_cond_wait(&s->done_one, &s->lock);
        s->in_flight++;
        g_mutex_unlock(&s->lock);
        (void) g_thread_pool_push(s->pool, g_steal_pointer(&s->cur), NULL);
}

void verify_sigcheck_add(verify_sigcheck *s, const custody_entry *e) {
        sig_item *it;

        if (!s->cur)
                s->cur = g_new0(sig_batch, 1);
        it = &s->cur->items[s->cur->n];
        it->where = (verify_sig_bad){.line_no = e->line_no, .seq = e->seq, .event = e->event};
        if (custody_line_signed_bytes(e->line, e->len, &it->msg, &it->len, it->sig) < 0) {
                /* the reader checked the signature's form; never happens */
                it->msg = g_strdup("");
                it->len = 0;
                memset(it->sig, 0, sizeof(it->sig));
        }
        if (++s->cur->n == BATCH)
                submit(s);
}

static gint cmp_line(gconstpointer a, gconstpointer b) {
        unsigned x = ((const verify_sig_bad *) a)->line_no, y = ((const verify_sig_bad *) b)->line_no;
        return x < y ? -1 : x > y;
}

GArray *verify_sigcheck_finish(verify_sigcheck *s) {
        GArray *bad;

        submit(s);
        g_thread_pool_free(s->pool, FALSE, TRUE); /* waits for every batch */
        g_mutex_clear(&s->lock);
        g_cond_clear(&s->done_one);
        bad = s->bad;
        g_array_sort(bad, cmp_line);
        g_free(s);
        return bad;
}
