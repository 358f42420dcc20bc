/* Opening the S3 vault: its address (s3://bucket/prefix, the endpoint,
 * the region), checked before any request, and its credentials. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <sodium.h>
#include <string.h>

#include "escape.h"
#include "util.h"
#include "vault-s3-internal.h"

static bool bucket_valid(const char *b) {
        size_t n = strlen(b);
        if (n < 3 || n > 63)
                return false;
        for (const char *p = b; *p; p++)
                if (!g_ascii_islower(*p) && !g_ascii_isdigit(*p) && *p != '-' && *p != '.')
                        return false;
        return true;
}

/* s3://bucket[/prefix] into bucket and "prefix/" (or ""). */
static int parse_vault(const char *spec, gchar **ret_bucket, gchar **ret_prefix, gchar **ret_message) {
        const char *rest = spec + strlen("s3://");
        const char *slash = strchr(rest, '/');
        g_autofree gchar *bucket = slash ? g_strndup(rest, slash - rest) : g_strdup(rest);
        g_autofree gchar *prefix = g_strdup(slash ? slash + 1 : "");

        while (*prefix && g_str_has_suffix(prefix, "/"))
                prefix[strlen(prefix) - 1] = '\0';
        if (!bucket_valid(bucket) || (*prefix && !vault_key_valid(prefix))) {
                g_autofree char *shown = escape_text(spec);
                *ret_message =
                        g_strdup_printf("[uploader] vault \"%s\" is not s3://bucket/prefix (a bucket of "
                                        "3-63 lower-case letters, digits, '-' and '.'; a prefix of "
                                        "plain names)",
                                        shown);
                return -EINVAL;
        }
        *ret_bucket = TAKE_PTR(bucket);
        *ret_prefix = *prefix ? g_strconcat(prefix, "/", NULL) : g_strdup("");
        return 0;
}

/* Clear text is for a test server on this machine only, and "this
 * machine" is judged from an address literal, never a name: a name
 * (127.vault.example, even localhost) is whatever a resolver says, so it is
 * refused before any lookup. 127.0.0.0/8 as four decimal parts (inet_pton
 * takes no other form), or [::1]. */
static bool loopback_host(const char *host) {
        struct in_addr a4;
        struct in6_addr a6;

        if (host[0] == '[') {
                size_t n = strlen(host);
                g_autofree gchar *inner = n >= 2 && host[n - 1] == ']' ? g_strndup(host + 1, n - 2) : NULL;
                return inner && inet_pton(AF_INET6, inner, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
        }
        return inet_pton(AF_INET, host, &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127;
}

/* https://host[:port], or http:// to a loopback test server: credentials
 * and evidence never cross a network in clear. */
static int parse_endpoint(const char *endpoint, gchar **ret, gchar **ret_message) {
        g_autofree char *shown = escape_text(endpoint ? endpoint : "");
        g_autofree gchar *e = g_strdup(endpoint ? endpoint : "");
        while (g_str_has_suffix(e, "/"))
                e[strlen(e) - 1] = '\0';
        bool https = g_str_has_prefix(e, "https://"), http = g_str_has_prefix(e, "http://");
        const char *host = e + (https ? strlen("https://") : http ? strlen("http://") : 0);
        g_autofree gchar *hostname = g_strndup(host, strcspn(host, host[0] == '[' ? "]" : ":"));
        if (host[0] == '[' && host[strlen(hostname)] == ']') {
                g_free(hostname);
                hostname = g_strndup(host, strlen(host) - strlen(strchr(host, ']')) + 1);
        }
        bool clean = *host && !strpbrk(host, "/?#@ \\") && !escape_code_point_unsafe((unsigned char) *host);
        for (const char *p = host; *p; p++)
                clean = clean && (unsigned char) *p > 0x20 && (unsigned char) *p < 0x7f;

        if (!(https || http) || !clean) {
                *ret_message =
                        g_strdup_printf("[uploader] endpoint \"%s\" is not https://host[:port]", shown);
                return -EINVAL;
        }
        if (http && !loopback_host(hostname)) {
                *ret_message =
                        g_strdup_printf("[uploader] endpoint \"%s\" is plain http to another machine: "
                                        "use https:// (with ca_file); http:// is for a test server "
                                        "on this machine, named by its address (127.0.0.1 or [::1], "
                                        "never a name such as localhost)",
                                        shown);
                return -EINVAL;
        }
        *ret = TAKE_PTR(e);
        return 0;
}

static int parse_region(const char *region, gchar **ret_sigv4, gchar **ret_message) {
        const char *r = region && *region ? region : "us-east-1";
        bool ok = strlen(r) <= 32;
        for (const char *p = r; *p; p++)
                ok = ok && (g_ascii_islower(*p) || g_ascii_isdigit(*p) || *p == '-');
        if (!ok) {
                g_autofree char *shown = escape_text(r);
                *ret_message =
                        g_strdup_printf("[uploader] region \"%s\" is not a region name (us-east-1)", shown);
                return -EINVAL;
        }
        *ret_sigv4 = g_strdup_printf("aws:amz:%s:s3", r);
        return 0;
}

int vault_s3_open(const studio_uploader_conf *conf, vault **ret, const char **ret_key, gchar **ret_message) {
        g_autofree gchar *bucket = NULL, *prefix = NULL, *endpoint = NULL, *sigv4 = NULL;
        int r;

        *ret_key = "vault";
        if ((r = parse_vault(conf->vault, &bucket, &prefix, ret_message)) < 0)
                return r;
        *ret_key = "endpoint";
        if ((r = parse_endpoint(conf->endpoint, &endpoint, ret_message)) < 0)
                return r;
        *ret_key = "region";
        if ((r = parse_region(conf->region, &sigv4, ret_message)) < 0)
                return r;
        *ret_key = "retention_days";
        if (conf->retention_days < 1 || conf->retention_days > 36500) {
                *ret_message = g_strdup_printf("[uploader] retention_days %d is out of range (1..36500)",
                                               conf->retention_days);
                return -EINVAL;
        }
        if (sodium_init() < 0) {
                *ret_message =
                        g_strdup("libsodium could not be initialised (locked memory for the credentials)");
                return -ENOMEM;
        }
        vault_s3 *s = g_new0(vault_s3, 1);
        *ret_key = "credentials_file";
        if ((r = s3_creds_load(conf->credentials_file, &s->creds, ret_message)) < 0) {
                vault_s3_free(s);
                return r;
        }
        s->conn.curl = curl_easy_init();
        if (!s->conn.curl) {
                vault_s3_free(s);
                *ret_message = g_strdup("libcurl could not be initialised");
                return -ENOMEM;
        }
        s->base_url = g_strconcat(endpoint, "/", bucket, NULL);
        s->prefix = TAKE_PTR(prefix);
        s->sigv4 = TAKE_PTR(sigv4);
        s->ca_file = g_strdup(conf->ca_file);
        s->pinned_key = g_strdup(conf->pinned_key);
        s->retention_days = conf->retention_days;
        s->conn.userpwd = s->creds->userpwd;
        s->conn.sigv4 = s->sigv4;
        s->conn.ca_file = s->ca_file;
        s->conn.pinned_key = s->pinned_key;
        s->conn.max_rate = conf->max_rate;

        gchar *description = g_strdup_printf("s3://%s/%s at %s", bucket, s->prefix, endpoint);
        *ret = vault_new(&vault_s3_ops, s, description);
        return 0;
}
