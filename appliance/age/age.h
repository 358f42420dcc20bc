/* age v1 (C2SP age spec) reader and writer, built on libsodium.
 *
 * Only the X25519 recipient type is produced. The writer never holds an
 * identity: it wraps a fresh random file key for each recipient and wipes it
 * when the file closes. The reader tells its verdicts apart, so that a file
 * cut short by a power failure ("truncated") is never confused with one that
 * was altered ("tampered").
 *
 * Errors are negative errno values; readers also return an age_verdict.
 */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define AGE_KEY_LEN 32 /* X25519 public or secret key */
#define AGE_FILE_KEY_LEN 16
#define AGE_PAYLOAD_NONCE_LEN 16
#define AGE_CHUNK_SIZE 65536 /* plaintext bytes per STREAM chunk */
#define AGE_TAG_LEN 16
#define AGE_RECIPIENT_MAX 64 /* a header bigger than this is refused */

/* ---- file layout -------------------------------------------------------
 * An age v1 file is its header (the version line, the stanzas, and the
 * MAC line "--- <base64 MAC>\n"), the AGE_PAYLOAD_NONCE_LEN-byte payload
 * nonce, then STREAM chunks of AGE_ENC_CHUNK_SIZE sealed bytes each, the
 * last one possibly shorter. Code outside this module that needs the
 * geometry (the custody checkpoints, salvage) takes it from here. */
#define AGE_ENC_CHUNK_SIZE (AGE_CHUNK_SIZE + AGE_TAG_LEN) /* one sealed STREAM chunk */
#define AGE_HEADER_MAX (256 * 1024) /* bytes, version line to MAC line; a longer header is refused */

/* The length of the age header at the start of fd (read with pread from
 * offset 0, so fd's offset is left alone): up to and including the MAC
 * line's newline, as the reader finds it. -EBADMSG when fd does not start
 * with a whole age header of at most AGE_HEADER_MAX bytes, -errno when
 * reading fails. The header is only found, not parsed or authenticated.
 * ret_len is untouched on failure. */
int age_header_len_fd(int fd, uint64_t *ret_len);

/* ---- keys ------------------------------------------------------------ */

/* How every identity line begins (age-keygen's spelling). */
#define AGE_SECRET_PREFIX "AGE-SECRET-KEY-1"

/* "age1…" (Bech32, lower case) -> X25519 public key. -EINVAL when malformed
 * (including upper or mixed case: only the spelling age-keygen prints);
 * -EKEYREJECTED when it is a low-order X25519 point (all zero, or any other
 * point of small order in any encoding), with which nothing sealed would be
 * secret; -EPERM when s holds AGE_SECRET_PREFIX anywhere, in any case: a
 * secret identity given where its recipient belongs, which the caller must
 * not print (name it with age_recipient_shown). ret_pk is untouched on
 * failure. */
int age_recipient_parse(const char *s, uint8_t ret_pk[AGE_KEY_LEN]);
/* What may be shown of a refused recipient s: s itself, or only
 * "AGE-SECRET-KEY-1…" when it holds a secret identity. Static or s. */
const char *age_recipient_shown(const char *s);
/* Why age_recipient_parse refused a recipient with r, as the rest of a
 * sentence that begins by naming it ("--recipient 'age1…' ", "FILE line 3 "):
 * what is wrong and the fix. A static string. */
const char *age_recipient_refusal(int r);
/* X25519 public key -> "age1…" (caller frees). */
char *age_recipient_format(const uint8_t pk[AGE_KEY_LEN]);

/* "AGE-SECRET-KEY-1…" (Bech32, upper case) -> X25519 secret key.
 * ret_sk should be locked memory (sodium_malloc). */
int age_identity_parse(const char *s, uint8_t ret_sk[AGE_KEY_LEN]);
/* X25519 secret key -> "AGE-SECRET-KEY-1…" in sodium_malloc'd memory;
 * release with sodium_free. */
char *age_identity_format(const uint8_t sk[AGE_KEY_LEN]);
int age_identity_to_recipient(const uint8_t sk[AGE_KEY_LEN], uint8_t ret_pk[AGE_KEY_LEN]);

/* Reads recipients from a file as stock age does (-R): one "age1…" a line,
 * '#' comments and blank lines ignored, trailing whitespace/CR trimmed.
 * Fills pks[0..max) (to append, pass the free tail of your array); returns
 * the number read (also in *ret_count), -EINVAL, -EKEYREJECTED or -EPERM (as
 * age_recipient_parse) with *ret_bad_line set to the failing line, -E2BIG
 * (and the line) past max, or -errno from reading. */
int age_recipients_file_read(const char *path, uint8_t (*pks)[AGE_KEY_LEN], size_t max, size_t *ret_count,
                             unsigned *ret_bad_line);

/* Reads identities from a file as age-keygen writes them (comments allowed).
 * Returns them in a sodium_malloc'd array of *ret_count keys; free with
 * sodium_free. -EINVAL (with *ret_bad_line) for a bad line, -ENOKEY when the
 * file holds no identity. */
int age_identities_file_read(const char *path, uint8_t (**ret_sks)[AGE_KEY_LEN], size_t *ret_count,
                             unsigned *ret_bad_line);

/* ---- writer ---------------------------------------------------------- */

/* Where the writer's ciphertext goes. Returns 0 or -errno (e.g. -ENOSPC).
 * The sealing sink hashes and writes these bytes itself. */
typedef int (*age_output_fn)(void *userdata, const uint8_t *buf, size_t len);

typedef struct age_writer age_writer;

/* Starts a file for n recipients (1..AGE_RECIPIENT_MAX) and emits the whole
 * header at once. */
int age_writer_new(const uint8_t (*recipients)[AGE_KEY_LEN], size_t n, age_output_fn out, void *userdata,
                   age_writer **ret);
/* Buffers plaintext and emits every full 64 KiB chunk that is certainly not
 * the last one. */
int age_writer_write(age_writer *w, const void *buf, size_t len);
/* Emits the final chunk (last-chunk flag set) and wipes the file key. After
 * this the writer only accepts age_writer_free. */
int age_writer_finish(age_writer *w);
/* Wipes all key material; accepts NULL; returns NULL. A writer freed
 * without finish leaves a truncated file (no last chunk), by design. */
age_writer *age_writer_free(age_writer *w);
/* Plaintext bytes accepted so far. */
uint64_t age_writer_plaintext_bytes(const age_writer *w);

/* ---- reader ---------------------------------------------------------- */

typedef enum age_verdict {
        AGE_OK,         /* whole file authentic, last chunk present */
        AGE_NOT_AGE,    /* not an age v1 file, malformed or unsupported header */
        AGE_NO_MATCH,   /* no identity opens any recipient stanza */
        AGE_HEADER_MAC, /* header MAC mismatch: the header was altered */
        AGE_TAMPERED,   /* a chunk failed authentication */
        AGE_TRUNCATED,  /* ended without the last chunk */
        AGE_IO_ERROR,   /* could not read the input or write the output */
        _AGE_VERDICT_MAX,
        _AGE_VERDICT_INVALID = -EINVAL,
} age_verdict;

const char *age_verdict_to_string(age_verdict v);

typedef struct age_read_result {
        age_verdict verdict;
        uint64_t plaintext_bytes;    /* authenticated plaintext released */
        uint64_t intact_chunks;      /* chunks that authenticated */
        uint64_t bad_offset;         /* TAMPERED: byte offset of the failing chunk in the file */
        uint64_t unverifiable_bytes; /* TRUNCATED: bytes after the last intact chunk */
        char detail[256];            /* one sentence for the user */
} age_read_result;

/* Plaintext sink for the reader; NULL to only check. */
typedef int (*age_plain_fn)(void *userdata, const uint8_t *buf, size_t len);

/* Decrypts fd with the given identities. Each chunk is passed to plain
 * only after it has authenticated, so whatever plain receives is authentic;
 * but only AGE_OK means it is the whole file. The caller must discard the
 * output on any other verdict, or keep it as the authenticated prefix of a
 * truncated file (salvage) when the verdict is AGE_TRUNCATED.
 * Returns 0 when it ran (look at res->verdict), -errno on a local failure. */
int age_decrypt_fd(int fd, const uint8_t (*sks)[AGE_KEY_LEN], size_t n_sks, age_plain_fn plain,
                   void *userdata, age_read_result *res);

/* The same over a memory buffer (for the fuzz target and tests). */
int age_decrypt_buf(const uint8_t *data, size_t len, const uint8_t (*sks)[AGE_KEY_LEN], size_t n_sks,
                    age_plain_fn plain, void *userdata, age_read_result *res);
