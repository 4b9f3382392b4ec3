/*
 * conf: the reference BM-SC's configuration file (reference/CONF.md) — parsing into a struct
 * conf, with every error naming file:line.
 *
 * Three files implement it: conf_syntax.c the text format (lines, comments, headers), conf.c
 * the fixed sections' table of keys and the parse, conf_named.c the [service] and [subscriber]
 * sections, the checks between them, and the lookups and release below.
 *
 * Ownership: conf_load/conf_parse fill a caller-provided struct conf that owns its arrays;
 * conf_free releases them (safe on a zeroed or already freed struct). Values are checked for
 * form here (hex lengths, ranges, references between sections); what the keys mean is for the
 * other modules.
 */
#ifndef BMSC_CONF_H
#define BMSC_CONF_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "cause.h"
#include "err.h"

#define CONF_STR_MAX	256
#define CONF_KEY_MAX	64	/* bytes of a provisioned Ks, Ks_NAF, MRK or MUK */
#define CONF_RAND_MAX	64

/* An IPv4 address and port ("127.0.0.1:8080"). */
struct conf_addr {
	struct sockaddr_in sa;
	char text[64];
};

/* How MRK or MUK is obtained from Ks_NAF ([gba] mrk/muk). */
enum conf_rule_kind { CONF_RULE_KDF, CONF_RULE_KS_NAF, CONF_RULE_PROVISIONED };
struct conf_rule {
	enum conf_rule_kind kind;
	uint8_t fc;			/* kdf */
	char p0[CONF_STR_MAX];		/* kdf */
};

enum conf_password { CONF_PW_BASE64, CONF_PW_HEX, CONF_PW_RAW };
enum conf_held { CONF_HELD_NO_UPDATE_NEEDED, CONF_HELD_REDELIVER };

struct conf_key {
	uint8_t p[CONF_KEY_MAX];
	size_t len;			/* 0: not given */
};

struct conf_msk {
	uint8_t id[4];
	uint8_t key[16];
	uint16_t seql;
	uint16_t sequ;
	size_t line;
};

struct conf_service {
	char id[CONF_STR_MAX];
	size_t line;
	uint8_t kdid[3];
	int have_kdid;
	struct conf_msk *msk;		/* owned, in rotation order */
	size_t nmsk;
	size_t current;			/* index into msk */
	int have_current;
};

struct conf_subscriber {
	char btid[CONF_STR_MAX];
	size_t line;
	char impi[CONF_STR_MAX];
	struct conf_key ks, rand, ks_naf, mrk, muk;
	size_t *entitled;		/* owned: service indices */
	size_t nentitled;
	int expired;
};

struct conf {
	char path[CONF_STR_MAX];

	/* [node] */
	char role[16];
	char fqdn[CONF_STR_MAX];
	struct conf_addr http, mikey, control, mtk_dest;
	uint16_t ue_mikey_port;
	char btid[CONF_STR_MAX];	/* ue only; accepted and ignored */
	uint64_t seed;
	int have_seed;

	/* [http] */
	char http_path[CONF_STR_MAX];
	char query_param[CONF_STR_MAX];
	char query_register[CONF_STR_MAX];
	char query_deregister[CONF_STR_MAX];
	char query_msk[CONF_STR_MAX];
	char type_register[CONF_STR_MAX];
	char type_deregister[CONF_STR_MAX];
	char type_msk[CONF_STR_MAX];
	char type_register_response[CONF_STR_MAX];
	char type_msk_response[CONF_STR_MAX];
	char realm[CONF_STR_MAX];

	/* [xml] */
	struct conf_xml {
		char register_root[CONF_STR_MAX], register_ns[CONF_STR_MAX];
		char register_service[CONF_STR_MAX];
		char register_response_root[CONF_STR_MAX], register_response_ns[CONF_STR_MAX];
		char register_response_status[CONF_STR_MAX];
		char register_response_service_attr[CONF_STR_MAX];
		char register_response_code_attr[CONF_STR_MAX];
		char deregister_root[CONF_STR_MAX], deregister_ns[CONF_STR_MAX];
		char deregister_service[CONF_STR_MAX];
		char msk_request_root[CONF_STR_MAX], msk_request_ns[CONF_STR_MAX];
		char msk_request_item[CONF_STR_MAX];
		char msk_request_kdid_attr[CONF_STR_MAX], msk_request_mskid_attr[CONF_STR_MAX];
		char msk_response_root[CONF_STR_MAX], msk_response_ns[CONF_STR_MAX];
		char msk_response_status[CONF_STR_MAX];
		char msk_response_kdid_attr[CONF_STR_MAX], msk_response_mskid_attr[CONF_STR_MAX];
		char msk_response_code_attr[CONF_STR_MAX];
	} xml;

	/* [causes] */
	int code[CAUSE_COUNT];

	/* [gba] */
	uint8_t ua_protocol_id[32];
	size_t ua_protocol_id_len;
	char ks_naf_p0[CONF_STR_MAX];
	struct conf_rule mrk, muk;
	enum conf_password password;

	/* [mikey] */
	uint8_t keyid_ext_type, keyid_msk_type, keyid_mtk_type, id_type;
	uint8_t rand_len;
	int v_mac_reading;		/* enum protect_vmac_reading */
	uint32_t counter_start;
	int v_bit;			/* extension: V of MSK deliveries, default 1 */

	/* [timers], milliseconds */
	uint32_t t_request, t_delivery, t_leave, w_spread, retry_max, retry_window;
	uint32_t verify_timeout, verify_resend;
	enum conf_held held_key_answer;

	struct conf_service *svc;	/* owned */
	size_t nsvc;
	struct conf_subscriber *sub;	/* owned */
	size_t nsub;

	unsigned faults;		/* enum fault bits from [fault] */
};

/* Reads and parses path. */
int	conf_load(const char *path, struct conf *c, struct err *e);
/* Parses text (NUL-terminated); name is used in error messages as the file name. */
int	conf_parse(const char *name, const char *text, struct conf *c, struct err *e);
void	conf_free(struct conf *c);

/* Index of the service with this id, or -1. */
long	conf_service_find(const struct conf *c, const char *id);
/* Index of the subscriber with this B-TID, or -1. */
long	conf_subscriber_find(const struct conf *c, const char *btid);
/* 1 when subscriber s is entitled to service v. */
int	conf_entitled(const struct conf *c, size_t s, size_t v);
/* Parses "a.b.c.d:port" into a; -1 on a bad literal. */
int	conf_parse_addr(const char *s, struct conf_addr *a);

#endif
