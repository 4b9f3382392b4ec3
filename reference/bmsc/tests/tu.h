/* tu: helpers shared by the reference BM-SC's CUnit tests (a base configuration, hex, registration). */
#ifndef BMSC_TU_H
#define BMSC_TU_H

#include <stddef.h>
#include <stdint.h>

#include <CUnit/CUnit.h>

#include "conf.h"
#include "err.h"

struct tu_test {
	const char *name;
	CU_TestFunc fn;
};

/* Adds a suite with a NULL-terminated list of tests. */
int	tu_register(const char *suite, const struct tu_test *tests);

/* The base configuration text (two services, three subscribers) the tests edit. */
extern const char tu_base_conf[];

/*
 * Parses the base configuration with the first occurrence of from replaced by to (from NULL:
 * unchanged; to may hold several lines). Returns conf_parse's result.
 */
int	tu_conf(struct conf *c, const char *from, const char *to, struct err *e);
/* 1 when msg contains want; otherwise prints both and returns 0. */
int	tu_has(const char *msg, const char *want);
/* Decodes hex text into out (aborts on bad hex: the tests own their vectors); returns length. */
size_t	tu_unhex(const char *hex, uint8_t *out, size_t cap);

int	test_conf_register(void);
int	test_keys_register(void);
int	test_policy_register(void);
int	test_state_register(void);
int	test_bodies_register(void);
int	test_spread_register(void);
int	test_msgs_register(void);
int	test_core_register(void);

#endif
