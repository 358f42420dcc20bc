/* Reading the S3 vault (the intake's side): a GET streamed into a file and
 * bounded by what the caller expects, and ListObjectsV2 page by page with
 * encoding-type=url, so that a key of any bytes comes back intact, decoded
 * and handed to a caller that checks it. The store is outside input. */
#include <errno.h>
#include <string.h>

#include "escape.h"
#include "s3-sign.h"
#include "s3-xml.h"
#include "util.h"
#include "vault-s3-internal.h"

#define LIST_PAGE_KEYS "1000"
/* 1,000 keys of up to 1,024 bytes, each byte %XX at worst, and their XML */
#define LIST_PAGE_MAX (8u << 20)
/* a store that hands out fresh tokens for ever would hold a pass for ever */
#define LIST_PAGES_MAX 100000

int vault_s3_get(vault *v, const char *key, int fd, uint64_t max, uint64_t *ret_size, gchar **ret_message) {
        vault_s3 *s = v->impl;
        g_autofree gchar *url = vault_s3_object_url(s, key);
        struct curl_slist *h = curl_slist_append(NULL, "x-amz-content-sha256: " S3_EMPTY_SHA256);
        s3_sink sink = {.fd = fd, .max = max};
        s3_response a;
        int r = s3_request_sink(&s->conn, url, h, &sink, &a);

        curl_slist_free_all(h);
        if (r == -EFBIG) {
                g_autofree char *k = escape_text(key);
                *ret_message = g_strdup_printf("%s holds %s larger than the %" G_GUINT64_FORMAT
                                               " bytes it may have: it was read no further",
                                               vault_describe(v), k, max);
        } else if (r == 0 && a.status == 404) {
                g_autofree char *k = escape_text(key);
                *ret_message = g_strdup_printf("%s holds no object %s", vault_describe(v), k);
                r = -ENOENT;
        } else if (r < 0 && sink.write_errno) {
                g_autofree char *k = escape_text(key);
                *ret_message = g_strdup_printf("cannot store %s from %s: %s (check the free space of the "
                                               "scratch folder)",
                                               k, vault_describe(v), g_strerror(sink.write_errno));
        } else if (r < 0 || a.status != 200) {
                r = vault_s3_answer_error(v, key, "GET", r, &a, ret_message);
        }
        s3_response_clear(&a);
        if (ret_size)
                *ret_size = sink.received;
        return r;
}

static gchar *list_url(const vault_s3 *s, const char *prefix, const char *token) {
        g_autofree gchar *full = g_strconcat(s->prefix, prefix, NULL);
        const char *const pairs[] = {"list-type", "2",        "encoding-type",
                                     "url",       "max-keys", LIST_PAGE_KEYS,
                                     "prefix",    full,       token ? "continuation-token" : NULL,
                                     token,       NULL};
        g_autofree char *query = s3_canonical_query(pairs);
        return g_strconcat(s->base_url, "?", query, NULL);
}

/* One page: its entries handed to fn with the vault's prefix taken off. */
static int list_page(vault *v, const char *prefix, const char *token, vault_list_fn fn, void *userdata,
                     unsigned *refused, s3_list_page *ret, gchar **ret_message) {
        vault_s3 *s = v->impl;
        g_autofree gchar *url = list_url(s, prefix, token);
        struct curl_slist *h = curl_slist_append(NULL, "x-amz-content-sha256: " S3_EMPTY_SHA256);
        s3_sink sink = {.fd = -1, .max = LIST_PAGE_MAX};
        s3_list_page page = {};
        s3_response a;
        int r = s3_request_sink(&s->conn, url, h, &sink, &a);

        curl_slist_free_all(h);
        if (r < 0 || a.status != 200) {
                g_autofree gchar *what = g_strconcat(prefix, "*", NULL);
                r = vault_s3_answer_error(v, what, "listing", r, &a, ret_message);
                s3_response_clear(&a);
                return r;
        }
        r = s3_list_parse(a.body->str, a.body->len, &page);
        s3_response_clear(&a);
        if (r < 0) {
                *ret_message = g_strdup_printf("%s answered a listing with something that is not a "
                                               "ListObjectsV2 page: check [intake] endpoint",
                                               vault_describe(v));
                return r;
        }
        *refused += page.refused;
        for (guint i = 0; i < page.entries->len && r >= 0; i++) {
                const s3_list_entry *e = &g_array_index(page.entries, s3_list_entry, i);
                if (!g_str_has_prefix(e->key, s->prefix)) {
                        (*refused)++; /* not what was asked for */
                        continue;
                }
                r = fn(e->key + strlen(s->prefix), e->size, e->modified_us, userdata);
        }
        *ret = page;
        return r;
}

int vault_s3_list(vault *v, const char *prefix, vault_list_fn fn, void *userdata, unsigned *ret_refused,
                  gchar **ret_message) {
        g_autofree char *token = NULL;
        int r;

        for (unsigned pages = 1;; pages++) {
                s3_list_page page = {};
                r = list_page(v, prefix, token, fn, userdata, ret_refused, &page, ret_message);
                if (r < 0) {
                        s3_list_page_clear(&page);
                        return r;
                }
                if (!page.truncated) {
                        s3_list_page_clear(&page);
                        return 0;
                }
                if (pages >= LIST_PAGES_MAX) {
                        s3_list_page_clear(&page);
                        *ret_message = g_strdup_printf("%s did not end a listing after %u pages: the "
                                                       "listing stops here",
                                                       vault_describe(v), pages);
                        return -E2BIG;
                }
                /* a store that hands back the token it was given would list forever */
                if (token && g_str_equal(token, page.next_token)) {
                        s3_list_page_clear(&page);
                        *ret_message = g_strdup_printf("%s answered a listing page with the continuation "
                                                       "token it was given: the listing stops here",
                                                       vault_describe(v));
                        return -EBADMSG;
                }
                g_free(token);
                token = TAKE_PTR(page.next_token);
                s3_list_page_clear(&page);
        }
}
