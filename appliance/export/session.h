/* studio-export's session folder: what is decrypted from it (the plan),
 * and the reports written beside the working copy. */
#pragma once

#include "custody.h"
#include "export.h"
#include "verify.h"

/* One segment to decrypt, and what came of it. */
typedef struct export_item {
        char *name;           /* seg-000001.mkv.age (valid, checked) */
        char *output;         /* seg-000001.mkv, or seg-000001.salvaged.mkv once salvaged */
        bool from_manifest;   /* else found in the folder (--no-verify without a manifest) */
        bool truncated;       /* the manifest says it was cut short */
        const char *want_sha; /* the manifest's plaintext SHA-256 (complete segments) */
        uint64_t sealed_bytes;
        /* results */
        export_partial part;
        age_read_result res;
        char sha[SHA256_HEX_LEN + 1];
        bool whole, salvaged;
        char *problem; /* why it failed, in words */
} export_item;

typedef struct export_session {
        const export_options *opt;
        const export_keys *k;
        export_out *o;
        const char *dir; /* as given */
        int fd;          /* the session folder, opened once */
        /* verified: the verifier's context; otherwise the unverified manifest, if any */
        bool verified;
        char *vdir; /* the folder as the verifier reads it */
        verify_options vo;
        verify_ctx c;
        char *verifier_text; /* verify_report_text, rendered once */
        custody_manifest *unverified;
        const char *source; /* where the segment list came from, for the report */
        char *refused;      /* a file that is not a regular file: nothing is read */
        export_item *items;
        size_t n_items;
        char *sums, *sums_sig; /* SHA256SUMS and its signature, read from the folder */
        size_t sums_len, sums_sig_len;
        char *sums_problem;
        int exit_code;
} export_session;

/* plan.c */
/* A session holds its segments and a handful of other files (the bound of
 * fs_list_namesat over a session folder). */
#define EXPORT_FOLDER_MAX (CUSTODY_SEGMENTS_MAX + 64)
int export_plan_from_manifest(export_session *s, const custody_manifest *m);
int export_plan_from_folder(export_session *s);
void export_plan_free(export_session *s);
/* Decrypts every item into a partial file; true when every one came out
 * whole (or salvaged, where that is allowed). */
bool export_plan_decrypt(export_session *s);

/* report.c: verification.txt and verification.json */
char *export_verifier_text(const verify_ctx *c);
/* What of a salvaged segment is unverifiable, in words: the verifier's
 * TRUNCATED sentence (its count of sealed bytes after the last signed
 * checkpoint), or without verification the bytes age could not
 * authenticate. */
char *export_unverifiable_words(const export_session *s, const export_item *it);
char *export_report_text(const export_session *s, size_t *ret_len);
char *export_report_json(const export_session *s, size_t *ret_len);
