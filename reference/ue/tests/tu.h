/*
 * tu: helpers of the reference UE's unit tests — a configuration matching the repository's
 * MIKEY vectors, MIKEY messages built through the harness codec (protect_encode), and a fake
 * world (struct ue_io) that records what the UE posts and sends.
 */
#ifndef UE_TU_H
#define UE_TU_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "keys.h"
#include "ue.h"

/* Identities of vectors/mikey/valid/mbms-*.hex. */
#define TU_FQDN		"bmsc.example.org"
#define TU_BTID		"B-TID-0001@bsf.example.org"
#define TU_SVC		"urn:example:mbms:svc1"

extern const uint8_t tu_muk[32];	/* 00 01 .. 1f, the vectors' PSK */
extern const uint8_t tu_kdid[3];	/* 00 f1 10 */
extern const uint8_t tu_msk1_id[4], tu_msk2_id[4], tu_msk3_id[4];
extern const uint8_t tu_msk1[16], tu_msk2[16], tu_msk3[16];

/* The test configuration text ([timers] in ms: T_request 500, T_delivery 500, T_leave 1000,
 * W_spread 1000, retry 3 per 6000), with extra lines appended (e.g. "[fault]\nfault = x\n"). */
void	tu_conf(struct conf *c, const char *extra);
/* Keys with MUK = tu_muk and password "pw". */
void	tu_keys(struct keys *k);

/* An MSK delivery (key != NULL) or solicited pull (key == NULL) under muk. Returns length. */
size_t	tu_delivery(uint8_t *out, size_t cap, const uint8_t *muk, uint32_t counter,
	    const char *idi, const char *idr, const uint8_t *mskid, const uint8_t *key,
	    uint16_t seql, uint16_t sequ, int v);
/* An MTK message under msk (16 bytes) naming mskid and mtk_id. */
size_t	tu_mtk(uint8_t *out, size_t cap, const uint8_t *msk, uint32_t counter,
	    const uint8_t *mskid, uint16_t mtk_id);
/* Reads the first message of a vector file (vectors/mikey/valid/NAME). */
size_t	tu_vector(const char *name, uint8_t *out, size_t cap);

/* The fake world. */
#define TU_MAX_POSTS	64
struct tu_post {
	char url[512];
	char type[128];
	char user[300];
	char body[2048];
	unsigned long id;
};
struct tu_world {
	struct tu_post post[TU_MAX_POSTS];
	size_t nposts;
	uint8_t sent[TU_MAX_POSTS][512];
	size_t sent_len[TU_MAX_POSTS];
	size_t nsent;
	int fail_post;
};
void	tu_world_init(struct tu_world *w, struct ue_io *io);
/* The last post, or NULL. */
const struct tu_post *tu_last_post(const struct tu_world *w);
/* Number of posts whose URL ends in "=query". */
size_t	tu_count(const struct tu_world *w, const char *query);
/* Answers post id with HTTP 200 and body (NULL body: a timeout). */
void	tu_answer(struct ue *u, unsigned long id, const char *body, int64_t now);
/* A registration answer naming TU_SVC with code, and an MSK answer for up to two keys. */
void	tu_reg_answer(char *out, size_t size, int code);
void	tu_msk_answer(char *out, size_t size, const uint8_t *mskid_a, int code_a,
	    const uint8_t *mskid_b, int code_b);

#endif
