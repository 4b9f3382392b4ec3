# reference/ue/build.mk: the reference UE (build/mbms-ue) and its CUnit tests
# (build/ref-ue-tests). Included by the main Makefile after BUILD, LIB, CC, CPPFLAGS, CFLAGS,
# LDFLAGS, PKG_CFLAGS, PKG_LIBS and DEPS_STAMP exist. Only the MIKEY codec, protection and
# crypto of $(LIB) (with err, builder, cursor, hex) are used; HTTP (libcurl), XML (libxml2) and
# the state machine are this directory's own.

# This fragment is read before the main Makefile's first rule: keep `make` meaning `make all`.
.DEFAULT_GOAL := all

UE_SRCS = reference/ue/log.c reference/ue/faults.c reference/ue/conf.c reference/ue/keys.c \
	  reference/ue/bodies.c reference/ue/httpc.c reference/ue/store.c reference/ue/policy.c \
	  reference/ue/rx.c reference/ue/ue.c reference/ue/ue_http.c reference/ue/ue_keyreq.c \
	  reference/ue/ue_rule6.c reference/ue/ue_mikey.c reference/ue/ue_status.c \
	  reference/ue/control.c
UE_MAIN_SRCS = reference/ue/main.c
UE_TEST_SRCS = reference/ue/tests/run.c reference/ue/tests/tu.c \
	       reference/ue/tests/test_store.c reference/ue/tests/test_policy.c \
	       reference/ue/tests/test_conf.c reference/ue/tests/test_bodies.c \
	       reference/ue/tests/test_rx.c reference/ue/tests/test_ue.c

UE_OBJS      = $(patsubst %.c,$(BUILD)/%.o,$(UE_SRCS))
UE_MAIN_OBJS = $(patsubst %.c,$(BUILD)/%.o,$(UE_MAIN_SRCS))
UE_TEST_OBJS = $(patsubst %.c,$(BUILD)/%.o,$(UE_TEST_SRCS))
UE_CURL_CFLAGS := $(shell pkg-config --cflags libcurl 2>/dev/null)
UE_CURL_LIBS   := $(shell pkg-config --libs libcurl 2>/dev/null)

REF_PROGS     += $(BUILD)/mbms-ue
REF_TEST_BINS += $(BUILD)/ref-ue-tests

# More specific than the main $(BUILD)/%.o rule, so it wins for this directory.
$(BUILD)/reference/ue/%.o: reference/ue/%.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Ireference/ue $(CFLAGS) $(PKG_CFLAGS) $(UE_CURL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/mbms-ue: $(UE_MAIN_OBJS) $(UE_OBJS) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(UE_MAIN_OBJS) $(UE_OBJS) $(LIB) $(PKG_LIBS) $(UE_CURL_LIBS) -lm

$(BUILD)/ref-ue-tests: $(UE_TEST_OBJS) $(UE_OBJS) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(UE_TEST_OBJS) $(UE_OBJS) $(LIB) $(PKG_LIBS) $(UE_CURL_LIBS) -lm

-include $(UE_OBJS:.o=.d) $(UE_MAIN_OBJS:.o=.d) $(UE_TEST_OBJS:.o=.d)
