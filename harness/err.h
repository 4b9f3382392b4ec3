/* err: the one error convention of mbmsct — functions return 0 / -1 and leave a message here. */
#ifndef MBMS_ERR_H
#define MBMS_ERR_H

#include <stddef.h>

#define ERR_MSG_MAX 512

/* A caller-owned error slot. Functions that fail write a complete sentence into msg. */
struct err {
	char msg[ERR_MSG_MAX];
};

/* Formats the message, appends ": strerror(errno)" and returns -1. */
int err_set(struct err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Formats the message and returns -1. */
int err_setx(struct err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Prepends "<context>: " to the message already set and returns -1. */
int err_prefix(struct err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Empties the message. Accepts NULL. */
void err_clear(struct err *e);

#endif
