/* tu: the base configuration and small helpers of the reference BM-SC's tests. */
#include "tu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hexstr.h"

const char tu_base_conf[] =
    "# base configuration of the unit tests\n"
    "[node]\n"
    "role = bmsc\n"
    "fqdn = bmsc.example.org\n"
    "http = 127.0.0.1:0\n"
    "mikey = 127.0.0.1:0\n"
    "control = 127.0.0.1:0\n"
    "ue_mikey_port = 12369\n"
    "mtk_dest = 127.0.0.1:12369\n"
    "seed = 7\n"
    "[http]\n"
    "path = /keymanagement\n"
    "query_param = requesttype\n"
    "query_register = register\n"
    "query_deregister = deregister\n"
    "query_msk = msk-request\n"
    "type_register = application/mbms-register+xml\n"
    "type_deregister = application/mbms-deregister+xml\n"
    "type_msk = application/mbms-msk+xml\n"
    "type_register_response = application/mbms-register-response+xml\n"
    "type_msk_response = application/mbms-msk-response+xml\n"
    "realm = bmsc.example.org\n"
    "[xml]\n"
    "register_root = mbmsRegister\n"
    "register_ns = urn:3GPP:metadata:2005:MBMS:mbmsRegister\n"
    "register_service = serviceId\n"
    "register_response_root = mbmsRegisterResponse\n"
    "register_response_ns = urn:3GPP:metadata:2005:MBMS:mbmsRegisterResponse\n"
    "register_response_status = status\n"
    "register_response_service_attr = serviceId\n"
    "register_response_code_attr = code\n"
    "deregister_root = mbmsDeregister\n"
    "deregister_ns = urn:3GPP:metadata:2005:MBMS:mbmsDeregister\n"
    "deregister_service = serviceId\n"
    "msk_request_root = mskRequest\n"
    "msk_request_ns = urn:3GPP:metadata:2005:MBMS:mskRequest\n"
    "msk_request_item = msk\n"
    "msk_request_kdid_attr = keyDomainId\n"
    "msk_request_mskid_attr = mskId\n"
    "msk_response_root = mskResponse\n"
    "msk_response_ns = urn:3GPP:metadata:2005:MBMS:mskResponse\n"
    "msk_response_status = status\n"
    "msk_response_kdid_attr = keyDomainId\n"
    "msk_response_mskid_attr = mskId\n"
    "msk_response_code_attr = code\n"
    "[causes]\n"
    "SUCCESS = 200\n"
    "BAD_REQUEST = 400\n"
    "NOT_AUTHORIZED = 401\n"
    "UNKNOWN_KEY = 404\n"
    "NO_UPDATE_NEEDED = 304\n"
    "NOT_AVAILABLE = 503\n"
    "SERVER_ERROR = 500\n"
    "[gba]\n"
    "ua_protocol_id = 0100000001\n"
    "ks_naf_p0 = gba-me\n"
    "mrk = kdf 01 3gpp-mbms-mrk\n"
    "muk = ks_naf\n"
    "password = base64\n"
    "[mikey]\n"
    "keyid_ext_type = 2\n"
    "keyid_msk_type = 0\n"
    "keyid_mtk_type = 1\n"
    "id_type = 1\n"
    "rand_len = 16\n"
    "v_mac_reading = mykey\n"
    "counter_start = 1\n"
    "[timers]\n"
    "T_request = 500\n"
    "T_delivery = 500\n"
    "T_leave = 1000\n"
    "W_spread = 1000\n"
    "retry_max = 3\n"
    "retry_window = 6000\n"
    "verify_timeout = 100\n"
    "verify_resend = 2\n"
    "held_key_answer = no_update_needed\n"
    "[service urn:example:mbms:svc1]\n"
    "kdid = 00f110\n"
    "msk = 00010002 00112233445566778899aabbccddeeff 1 4095\n"
    "msk = 00010003 ffeeddccbbaa99887766554433221100 4096 4098\n"
    "current = 00010002\n"
    "[service urn:example:mbms:svc2]\n"
    "kdid = 00f110\n"
    "msk = 00020001 0f0e0d0c0b0a09080706050403020100 1 65535\n"
    "[subscriber B-TID-0001@bsf.example.org]\n"
    "impi = 001010123456789@ims.mnc001.mcc001.3gppnetwork.org\n"
    "ks = 00112233445566778899aabbccddeeffffeeddccbbaa99887766554433221100\n"
    "rand = a0a1a2a3a4a5a6a7a8a9aaabacadaeaf\n"
    "entitled = urn:example:mbms:svc1\n"
    "expired = 0\n"
    "[subscriber B-TID-0002@bsf.example.org]\n"
    "ks_naf = cb94c8c05d2797a537c537519ba239da12b70fe1c95f836d2a4e77c0d0f4c047\n"
    "entitled = urn:example:mbms:svc1\n"
    "entitled = urn:example:mbms:svc2\n"
    "[subscriber B-TID-EXPIRED@bsf.example.org]\n"
    "ks_naf = 2222222222222222222222222222222222222222222222222222222222222222\n"
    "entitled = urn:example:mbms:svc1\n"
    "expired = 1\n"
    "[fault]\n"
    "fault = none\n";

int
tu_register(const char *suite, const struct tu_test *tests)
{
	CU_pSuite s = CU_add_suite(suite, NULL, NULL);

	if (s == NULL)
		return -1;
	for (; tests->name != NULL; tests++)
		if (CU_add_test(s, tests->name, tests->fn) == NULL)
			return -1;
	return 0;
}

int
tu_conf(struct conf *c, const char *from, const char *to, struct err *e)
{
	const char *at;
	char *text;
	size_t n;
	int rc;

	if (from == NULL)
		return conf_parse("test.conf", tu_base_conf, c, e);
	if ((at = strstr(tu_base_conf, from)) == NULL) {
		fprintf(stderr, "tu_conf: '%s' is not in the base configuration\n", from);
		abort();
	}
	n = sizeof(tu_base_conf) + strlen(to);
	if ((text = malloc(n)) == NULL)
		abort();
	memcpy(text, tu_base_conf, (size_t)(at - tu_base_conf));
	strcpy(text + (at - tu_base_conf), to);
	strcat(text, at + strlen(from));
	rc = conf_parse("test.conf", text, c, e);
	free(text);
	return rc;
}

int
tu_has(const char *msg, const char *want)
{
	if (strstr(msg, want) != NULL)
		return 1;
	fprintf(stderr, "\n  expected a message containing \"%s\"\n  actual: \"%s\"\n", want, msg);
	return 0;
}

size_t
tu_unhex(const char *hex, uint8_t *out, size_t cap)
{
	long n = hexstr_parse(hex, out, 0, cap);

	if (n < 0) {
		fprintf(stderr, "tu_unhex: bad vector %s\n", hex);
		abort();
	}
	return (size_t)n;
}
