# reference/bmsc/build.mk: the reference BM-SC (build/mbms-bmsc), its control client
# (build/mbms-ctl) and its CUnit tests (build/ref-bmsc-tests). Included by the main Makefile
# after BUILD, LIB, CC, CPPFLAGS, CFLAGS, LDFLAGS, PKG_CFLAGS, PKG_LIBS and DEPS_STAMP exist.
# Only the MIKEY codec, protection and crypto of $(LIB) are used; HTTP (libmicrohttpd), XML
# (libxml2) and the state machine are this directory's own.

# This fragment is read before the main Makefile's first rule: keep `make` meaning `make all`.
.DEFAULT_GOAL := all

BMSC_SRCS = reference/bmsc/log.c reference/bmsc/hexstr.c reference/bmsc/cause.c \
	    reference/bmsc/faults.c reference/bmsc/conf_syntax.c reference/bmsc/conf.c \
	    reference/bmsc/conf_named.c reference/bmsc/keys.c reference/bmsc/policy.c \
	    reference/bmsc/rng.c reference/bmsc/spread.c reference/bmsc/timers.c \
	    reference/bmsc/state.c reference/bmsc/msgs.c reference/bmsc/bodies.c \
	    reference/bmsc/core.c reference/bmsc/httpd.c reference/bmsc/control.c
BMSC_MAIN_SRCS = reference/bmsc/bmsc.c
BMSC_CTL_SRCS  = reference/bmsc/ctl.c
BMSC_TEST_SRCS = reference/bmsc/tests/run-tests.c reference/bmsc/tests/tu.c \
		 reference/bmsc/tests/test_conf.c reference/bmsc/tests/test_keys.c \
		 reference/bmsc/tests/test_policy.c reference/bmsc/tests/test_state.c \
		 reference/bmsc/tests/test_bodies.c reference/bmsc/tests/test_spread.c \
		 reference/bmsc/tests/test_msgs.c reference/bmsc/tests/test_core.c

BMSC_OBJS      = $(patsubst %.c,$(BUILD)/%.o,$(BMSC_SRCS))
BMSC_MAIN_OBJS = $(patsubst %.c,$(BUILD)/%.o,$(BMSC_MAIN_SRCS))
BMSC_CTL_OBJS  = $(patsubst %.c,$(BUILD)/%.o,$(BMSC_CTL_SRCS))
BMSC_TEST_OBJS = $(patsubst %.c,$(BUILD)/%.o,$(BMSC_TEST_SRCS))
BMSC_MHD_CFLAGS := $(shell pkg-config --cflags libmicrohttpd 2>/dev/null)
BMSC_MHD_LIBS   := $(shell pkg-config --libs libmicrohttpd 2>/dev/null)

REF_PROGS     += $(BUILD)/mbms-bmsc $(BUILD)/mbms-ctl
REF_TEST_BINS += $(BUILD)/ref-bmsc-tests

# More specific than the main $(BUILD)/%.o rule, so it wins for this directory.
$(BUILD)/reference/bmsc/%.o: reference/bmsc/%.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Ireference/bmsc $(CFLAGS) $(PKG_CFLAGS) $(BMSC_MHD_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/mbms-bmsc: $(BMSC_MAIN_OBJS) $(BMSC_OBJS) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(BMSC_MAIN_OBJS) $(BMSC_OBJS) $(LIB) $(PKG_LIBS) $(BMSC_MHD_LIBS) -lm

$(BUILD)/mbms-ctl: $(BMSC_CTL_OBJS)
	$(CC) $(LDFLAGS) -o $@ $(BMSC_CTL_OBJS)

$(BUILD)/ref-bmsc-tests: $(BMSC_TEST_OBJS) $(BMSC_OBJS) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(BMSC_TEST_OBJS) $(BMSC_OBJS) $(LIB) $(PKG_LIBS) $(BMSC_MHD_LIBS) -lm

-include $(BMSC_OBJS:.o=.d) $(BMSC_MAIN_OBJS:.o=.d) $(BMSC_CTL_OBJS:.o=.d) $(BMSC_TEST_OBJS:.o=.d)
