/*
 * conf: the reference UE's configuration file (reference/CONF.md) read into one struct.
 *
 * The file is the only place wire details come from (names, codes, timers, identities), so
 * that the UE is configured like any product would be. Every error names file:line. Keys that
 * only the BM-SC uses are accepted and ignored; keys unknown to either program are errors.
 * Defaults are the values of profile ts33246 as CONF.md shows them; [node] fqdn, http, mikey,
 * control and btid are required, and the B-TID must have a [subscriber] section.
 */
#ifndef UE_CONF_H
#define UE_CONF_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define CONF_STR		256
#define CONF_NAME		128
#define CONF_MAX_SERVICES	16
#define CONF_MAX_MSKS		16
#define CONF_MAX_SUBS		64
#define CONF_MAX_CAUSES		32
#define CONF_MAX_KEY		64

/* MBMS identifier lengths [V: TS 31.102 / mikey.md §2]: Key Domain ID 3, MSK ID 4 bytes. */
#define KDID_LEN		3
#define MSKID_LEN		4

/* host:port, kept as written too (the URL is built from the text). */
struct conf_addr {
	char host[64];
	uint16_t port;
	char text[80];
};

struct conf_msk {
	uint8_t mskid[MSKID_LEN];
	uint8_t key[CONF_MAX_KEY];
	size_t key_len;
	uint32_t seql, sequ;
};

struct conf_service {
	char id[CONF_STR];
	uint8_t kdid[KDID_LEN];
	int have_kdid;
	struct conf_msk msk[CONF_MAX_MSKS];
	size_t nmsk;
	uint8_t current[MSKID_LEN];	/* [service] current: the key a fresh member needs */
	int have_current;
	int line;
};

struct conf_subscriber {
	char btid[CONF_STR];
	char impi[CONF_STR];
	uint8_t ks[CONF_MAX_KEY], rand[CONF_MAX_KEY], ks_naf[CONF_MAX_KEY];
	uint8_t mrk[CONF_MAX_KEY], muk[CONF_MAX_KEY];
	size_t ks_len, rand_len, ks_naf_len, mrk_len, muk_len;
	int line;
};

/* How MRK or MUK comes out of Ks_NAF ([gba] mrk / muk). */
enum conf_keyrule_kind { KEYRULE_KDF, KEYRULE_KS_NAF, KEYRULE_PROVISIONED };
struct conf_keyrule {
	enum conf_keyrule_kind kind;
	uint8_t fc;
	char p0[CONF_NAME];
};

enum conf_pw { PW_BASE64, PW_HEX, PW_RAW };

struct conf_cause {
	char name[CONF_NAME];
	int code;
};

struct conf_xml {
	char register_root[CONF_NAME], register_ns[CONF_STR], register_service[CONF_NAME];
	char register_response_root[CONF_NAME], register_response_ns[CONF_STR];
	char register_response_status[CONF_NAME], register_response_service_attr[CONF_NAME];
	char register_response_code_attr[CONF_NAME];
	char deregister_root[CONF_NAME], deregister_ns[CONF_STR], deregister_service[CONF_NAME];
	char msk_request_root[CONF_NAME], msk_request_ns[CONF_STR], msk_request_item[CONF_NAME];
	char msk_request_kdid_attr[CONF_NAME], msk_request_mskid_attr[CONF_NAME];
	char msk_response_root[CONF_NAME], msk_response_ns[CONF_STR];
	char msk_response_status[CONF_NAME], msk_response_kdid_attr[CONF_NAME];
	char msk_response_mskid_attr[CONF_NAME], msk_response_code_attr[CONF_NAME];
};

struct conf_http {
	char path[CONF_STR], query_param[CONF_NAME];
	char query_register[CONF_NAME], query_deregister[CONF_NAME], query_msk[CONF_NAME];
	char type_register[CONF_NAME], type_deregister[CONF_NAME], type_msk[CONF_NAME];
	char type_register_response[CONF_NAME], type_msk_response[CONF_NAME];
	char realm[CONF_STR];
};

struct conf {
	char file[CONF_STR];
	/* [node] */
	char role[16];
	char fqdn[CONF_STR];
	struct conf_addr http, mikey, control;
	char btid[CONF_STR];
	unsigned long seed;
	/* [http], [xml], [causes] */
	struct conf_http h;
	struct conf_xml x;
	struct conf_cause causes[CONF_MAX_CAUSES];
	size_t ncauses;
	/* [gba] */
	uint8_t ua_protocol_id[32];
	size_t ua_protocol_id_len;
	char ks_naf_p0[CONF_NAME];
	struct conf_keyrule mrk, muk;
	enum conf_pw password;
	/* [mikey] */
	int keyid_ext_type, keyid_msk_type, keyid_mtk_type, id_type, rand_len;
	int v_mac_reading;		/* enum protect_vmac_reading */
	int counter_start;
	/* [timers], milliseconds (already scaled by gen-conf) */
	long t_request, t_delivery, t_leave, w_spread, retry_max, retry_window;
	/* [service NAME] and [subscriber B-TID] */
	struct conf_service svc[CONF_MAX_SERVICES];
	size_t nsvc;
	struct conf_subscriber sub[CONF_MAX_SUBS];
	size_t nsub;
	/* [fault] */
	unsigned faults;
};

/* Sets every default (profile ts33246 values of CONF.md); nothing required is set. */
void	conf_defaults(struct conf *c);
/* Reads path into c (defaults first). Returns 0 or -1 with "file:line: ..." in e. */
int	conf_load(const char *path, struct conf *c, struct err *e);
/* Parses text as if it were the file named name (for tests). */
int	conf_parse(const char *name, const char *text, struct conf *c, struct err *e);

/* The subscriber section of the node's B-TID, or NULL. */
const struct conf_subscriber *conf_self(const struct conf *c);
/* Index of the service with this id, or -1. */
int	conf_service_index(const struct conf *c, const char *id);
/* The code of a cause name, or -1 when the file maps none. */
int	conf_cause_code(const struct conf *c, const char *name);
/* The cause name of a code, or NULL. */
const char *conf_cause_name(const struct conf *c, int code);

#endif
