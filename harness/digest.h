/*
 * digest: HTTP Digest access authentication, RFC 7616 (and RFC 2617's form without qop), as the
 * BM-SC and the UE use it with username = B-TID and password = MRK (key-update.md 2.2).
 *
 * Writers (challenge, Authorization) append a header value to a builder and write whatever
 * values they are given, so that a scenario can send a wrong realm, nonce, nc, uri or response
 * on purpose; they only refuse what would break the header itself (a control byte in a quoted
 * string, a token value that is not a token). digest_compute hashes with MD5 or SHA-256
 * through crypto.h. digest_parse reads one challenge or credentials value (RFC 9110 11.2-11.4:
 * a scheme, then a comma list of name=token or name="quoted string" with backslash escapes);
 * malformed input is an error naming the byte offset. digest_verify checks received
 * credentials against what the server expects and names the first check that failed with
 * expected vs actual; the response is compared in constant time.
 *
 * Return convention: 0 on success, -1 with a message in e. No function allocates.
 */
#ifndef MBMS_DIGEST_H
#define MBMS_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "builder.h"
#include "err.h"

enum digest_alg {
	DIGEST_ALG_MD5,
	DIGEST_ALG_MD5_SESS,
	DIGEST_ALG_SHA256,
	DIGEST_ALG_SHA256_SESS
};

enum digest_qop {
	DIGEST_QOP_NONE,	/* RFC 2617 3.2.2.1 legacy form: H(HA1:nonce:HA2) */
	DIGEST_QOP_AUTH,
	DIGEST_QOP_AUTH_INT	/* HA2 covers H(entity-body) */
};

#define DIGEST_HEX_MAX	64	/* SHA-256 in hex */

/* "MD5", "MD5-sess", "SHA-256", "SHA-256-sess", ASCII case-insensitive; -1 if unknown. */
int	digest_alg_parse(const char *name, enum digest_alg *alg);
const char *digest_alg_name(enum digest_alg alg);
/* "auth" or "auth-int"; -1 if anything else. */
int	digest_qop_parse(const char *name, enum digest_qop *qop);
const char *digest_qop_name(enum digest_qop qop);

/* WWW-Authenticate: Digest ... (RFC 7616 3.3). NULL members are omitted. */
struct digest_challenge {
	const char *realm;	/* required */
	const char *nonce;	/* required */
	const char *opaque;
	const char *qop;	/* quoted as given: "auth", "auth-int", "auth,auth-int" */
	const char *algorithm;	/* token as given: "MD5", "SHA-256"... */
	int stale;		/* writes stale=true */
	int userhash;		/* writes userhash=true */
};
int	digest_challenge_write(struct bld *b, const struct digest_challenge *c, struct err *e);

/* What the response is computed from; cnonce and nc are needed with a qop or a -sess algorithm. */
struct digest_input {
	enum digest_alg alg;
	enum digest_qop qop;
	const char *username;	/* unhashed, also with userhash */
	const char *realm;
	const char *password;
	const char *nonce;
	const char *cnonce;
	const char *nc;
	const char *method;
	const char *uri;
	const uint8_t *body;	/* auth-int only */
	size_t body_len;
};
/* Writes the lower-case hex response and a NUL into out. */
int	digest_compute(const struct digest_input *in, char out[DIGEST_HEX_MAX + 1], struct err *e);

/*
 * Authorization: Digest ... (RFC 7616 3.4), parameters in the RFC's example order. NULL
 * members are omitted. response NULL means "compute it" from password, method and body with
 * the algorithm (MD5 when NULL) and qop (none when NULL) named, which must then be known.
 * With userhash the username parameter carries H(username:realm) and userhash=true.
 */
struct digest_credentials {
	const char *username;
	const char *realm;
	const char *uri;
	const char *algorithm;
	const char *nonce;
	const char *nc;
	const char *cnonce;
	const char *qop;
	const char *response;
	const char *opaque;
	int userhash;
	const char *password;
	const char *method;
	const uint8_t *body;
	size_t body_len;
};
int	digest_authorization_write(struct bld *b, const struct digest_credentials *c,
	    struct err *e);

#define DIGEST_MAX_PARAMS	32
#define DIGEST_MAX_TEXT		8192

struct digest_param {
	const char *name;	/* as received */
	const char *value;	/* unescaped; NUL-terminated (quoted strings cannot hold NUL) */
	size_t value_len;
	int quoted;		/* the value was a quoted string */
	size_t offset;		/* byte offset of the name in the parsed value */
};

/*
 * A parsed challenge or credentials. Its pointers refer into its own text: do not copy the
 * structure, pass it by pointer.
 */
struct digest_params {
	const char *scheme;
	size_t n;
	struct digest_param p[DIGEST_MAX_PARAMS];
	size_t used;
	char text[DIGEST_MAX_TEXT];
};

/* Parses one header value. Names must be unique (ASCII case-insensitive), RFC 9110 11.2. */
int	digest_parse(const char *s, size_t len, struct digest_params *out, struct err *e);
/* Empties out and sets its scheme, for building a parameter set by hand. */
int	digest_params_init(struct digest_params *out, const char *scheme, struct err *e);
/* Adds one parameter; fails on a duplicate name or when the storage is full. */
int	digest_params_add(struct digest_params *out, const char *name, const char *value,
	    size_t value_len, int quoted, struct err *e);
/* The parameter of that name (ASCII case-insensitive), or NULL. */
const struct digest_param *digest_param_get(const struct digest_params *p, const char *name);

/* What the server knows when it checks credentials. */
struct digest_expect {
	const char *password;	/* required */
	const char *method;	/* required */
	const uint8_t *body;	/* the entity body, for auth-int */
	size_t body_len;
	const char *realm;	/* required */
	const char *nonce;	/* required */
	const char *username;	/* NULL: any */
	const char *uri;	/* NULL: any (but present) */
	const char *algorithm;	/* NULL: MD5; must be one digest_alg_parse knows */
	const char *qop;	/* offered list ("auth,auth-int"); NULL: auth, auth-int or none */
	const char *nc;		/* NULL: any 8 hex digits */
	const char *opaque;	/* NULL: not checked */
};

/* The checks digest_verify makes, in the order it makes them. */
enum digest_check {
	DIGEST_CHECK_NONE,
	DIGEST_CHECK_SCHEME,
	DIGEST_CHECK_USERNAME,
	DIGEST_CHECK_REALM,
	DIGEST_CHECK_NONCE,
	DIGEST_CHECK_URI,
	DIGEST_CHECK_ALGORITHM,
	DIGEST_CHECK_QOP,
	DIGEST_CHECK_NC,
	DIGEST_CHECK_CNONCE,
	DIGEST_CHECK_OPAQUE,
	DIGEST_CHECK_RESPONSE
};
const char *digest_check_name(enum digest_check c);

/*
 * Returns 0 when the credentials are right, -1 otherwise with *failed (may be NULL) set to the
 * first failing check and e holding "<check>: expected X vs actual Y". A bad expectation (no
 * password, an algorithm we cannot compute) fails with DIGEST_CHECK_NONE.
 */
int	digest_verify(const struct digest_params *p, const struct digest_expect *x,
	    enum digest_check *failed, struct err *e);

/* A fresh random nonce: 2*n lower-case hex digits and a NUL in out (n in 1..256). */
int	digest_nonce(size_t n, char *out, struct err *e);

#endif
