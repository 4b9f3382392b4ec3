/*
 * mikey: RFC 3830 MIKEY messages (with RFC 4563 Empty map and RFC 6043 IDR) — decoding into a
 * struct of borrowed byte views, and encoding that struct back to bytes.
 *
 * Ownership: a decoded struct mikey_msg borrows the buffer it was decoded from (and, for key
 * data parsed after decryption, the plaintext buffer passed to mikey_parse_keys); it owns no
 * memory, so there is nothing to free. Decoding never trusts a length: every read goes through
 * a cursor and errors name the payload, the field and the absolute byte offset.
 *
 * This module knows RFC 3830's layouts only. What the MBMS profile expects of a message (kinds,
 * payload order, Key ID extension type) is data handed to mikey_rules.h by the profile.
 */
#ifndef MBMS_MIKEY_H
#define MBMS_MIKEY_H

#include <stddef.h>
#include <stdint.h>

#include "builder.h"
#include "err.h"

#define MIKEY_MAX_PAYLOADS	32
#define MIKEY_MAX_KEYS		8
#define MIKEY_MAX_CS		32
#define MIKEY_MAX_SP_PARAMS	32

/* Payload types (RFC 3830 6.1, RFC 6043 6.6) [V]. */
enum mikey_pt {
	MIKEY_PT_LAST = 0,
	MIKEY_PT_KEMAC = 1,
	MIKEY_PT_PKE = 2,
	MIKEY_PT_DH = 3,
	MIKEY_PT_SIGN = 4,
	MIKEY_PT_T = 5,
	MIKEY_PT_ID = 6,
	MIKEY_PT_CERT = 7,
	MIKEY_PT_CHASH = 8,
	MIKEY_PT_V = 9,
	MIKEY_PT_SP = 10,
	MIKEY_PT_RAND = 11,
	MIKEY_PT_ERR = 12,
	MIKEY_PT_IDR = 14,
	MIKEY_PT_KEYDATA = 20,
	MIKEY_PT_GENEXT = 21
};

enum mikey_map { MIKEY_MAP_SRTP = 0, MIKEY_MAP_EMPTY = 1 };
enum mikey_ts { MIKEY_TS_NTP_UTC = 0, MIKEY_TS_NTP = 1, MIKEY_TS_COUNTER = 2 };
enum mikey_encr { MIKEY_ENCR_NULL = 0, MIKEY_ENCR_AES_CM_128 = 1, MIKEY_ENCR_AES_KW_128 = 2 };
enum mikey_mac { MIKEY_MAC_NULL = 0, MIKEY_MAC_HMAC_SHA1_160 = 1 };
enum mikey_kv { MIKEY_KV_NULL = 0, MIKEY_KV_SPI = 1, MIKEY_KV_INTERVAL = 2 };

/* A {value, name} table entry, for logs and tools ("KEMAC (1)"). */
struct mikey_name {
	int value;
	const char *name;
};
extern const struct mikey_name mikey_payload_names[];
extern const struct mikey_name mikey_data_type_names[];
extern const struct mikey_name mikey_ts_names[];
extern const struct mikey_name mikey_id_type_names[];
extern const struct mikey_name mikey_encr_names[];
extern const struct mikey_name mikey_mac_names[];
extern const struct mikey_name mikey_key_type_names[];
extern const struct mikey_name mikey_kv_names[];
extern const struct mikey_name mikey_err_names[];
/* Returns the name of value in table, or NULL. */
const char *mikey_name(const struct mikey_name *table, int value);
/* Returns the value named name (case-insensitive) in table, or -1. */
int	mikey_value(const struct mikey_name *table, const char *name);

/* A borrowed run of bytes. */
struct mikey_bytes {
	const uint8_t *p;
	size_t len;
};

struct mikey_srtp_cs {
	uint8_t policy_no;
	uint32_t ssrc;
	uint32_t roc;
};

struct mikey_hdr {
	uint8_t version;
	uint8_t data_type;
	uint8_t v;
	uint8_t prf;
	uint32_t csb_id;
	uint8_t cs_count;
	uint8_t map_type;
	struct mikey_srtp_cs cs[MIKEY_MAX_CS];	/* map type SRTP: cs_count entries */
};

/* Key data sub-payload (RFC 3830 6.13). */
struct mikey_keydata {
	uint8_t type;		/* 0 TGK, 1 TGK+SALT, 2 TEK, 3 TEK+SALT */
	uint8_t kv;		/* 0 none, 1 SPI, 2 interval */
	struct mikey_bytes key;
	struct mikey_bytes salt;	/* present for types 1 and 3 */
	struct mikey_bytes spi;		/* kv 1 */
	struct mikey_bytes valid_from;	/* kv 2 */
	struct mikey_bytes valid_to;	/* kv 2 */
};

struct mikey_kemac {
	uint8_t encr_alg;
	struct mikey_bytes encr;	/* encrypted data exactly as on the wire */
	uint8_t mac_alg;
	struct mikey_bytes mac;
	size_t mac_offset;		/* absolute offset of the MAC field (decode only) */
	int keys_parsed;		/* keys[] valid: encr NULL, or after mikey_parse_keys */
	size_t nkeys;
	struct mikey_keydata keys[MIKEY_MAX_KEYS];
};

struct mikey_sp_param {
	uint8_t type;
	struct mikey_bytes value;
};

struct mikey_payload {
	uint8_t type;		/* enum mikey_pt */
	size_t offset;		/* absolute offset of the payload's first byte (decode only) */
	union {
		struct mikey_kemac kemac;
		struct {
			uint8_t ts_type;
			struct mikey_bytes value;
		} t;
		struct {
			uint8_t id_type;
			struct mikey_bytes data;
		} id;
		struct {
			uint8_t role;
			uint8_t id_type;
			struct mikey_bytes data;
		} idr;
		struct {
			struct mikey_bytes data;
		} rand;
		struct {
			uint8_t auth_alg;
			struct mikey_bytes data;
			size_t data_offset;	/* absolute offset of the verification data */
		} v;
		struct {
			uint8_t code;
			uint16_t reserved;
		} err;
		struct {
			uint8_t policy_no;
			uint8_t prot_type;
			size_t nparams;
			struct mikey_sp_param params[MIKEY_MAX_SP_PARAMS];
		} sp;
		struct {
			uint8_t ext_type;
			struct mikey_bytes data;
		} ext;
	} u;
};

struct mikey_msg {
	struct mikey_hdr hdr;
	size_t npayloads;
	struct mikey_payload p[MIKEY_MAX_PAYLOADS];
};

/* Length of a T value for a TS type, or -1 if unknown. */
int	mikey_ts_len(uint8_t ts_type);
/* Length of a MAC / verification data for a MAC algorithm, or -1 if unknown. */
int	mikey_mac_len(uint8_t mac_alg);

/* Decodes a whole message; trailing bytes after the last payload are an error. */
int	mikey_decode(const uint8_t *buf, size_t len, struct mikey_msg *m, struct err *e);
/*
 * Parses a chain of Key data sub-payloads (the KEMAC's encrypted data once decrypted) into
 * kemac->keys. origin is the absolute offset of the chain for error messages. An empty chain
 * gives zero keys.
 */
int	mikey_parse_keys(const uint8_t *buf, size_t len, size_t origin,
	    struct mikey_kemac *kemac, struct err *e);

/* Appends the encoding of m to b; next-payload fields are derived from the payload order. */
int	mikey_encode(const struct mikey_msg *m, struct bld *b, struct err *e);
/* Appends the encoding of a Key data chain (keys[0..n)) to b. */
int	mikey_encode_keys(const struct mikey_keydata *keys, size_t n, struct bld *b,
	    struct err *e);

/* Returns the first payload of the given type at or after index *from (updated), or NULL. */
const struct mikey_payload *mikey_find(const struct mikey_msg *m, uint8_t type, size_t *from);

/* The value of a T payload as the 64-bit integer RFC 3830 uses as IV/PRF input. */
uint64_t mikey_ts_u64(const struct mikey_bytes *value);

#endif
