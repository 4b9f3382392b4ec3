-- Profile ts33246: the wire binding of ../shared/spec/key-update.md §2 and mikey.md §2.
--
-- Every value the spec tags [A] (assumed) or [D] (project decision) lives here and nowhere in
-- C, so that a user holding the TS 33.246 text can correct it without touching code. A profile
-- may start with `extend = "ts33246"` and override any field (tables merge key by key; arrays
-- are replaced whole). Tags in comments: [V] verified, [A] assumed, [D] decision.
return {
  name = "ts33246",
  description = "3GPP TS 33.246 key update as understood by mbmsct (spec pack key-update.md §2)",

  -- §2.1 GBA credentials: no BSF on the wire; identities are provisioned to both sides.
  gba = {
    -- NAF_Id = BM-SC FQDN || Ua security protocol id [V: TS 33.220 H.3]
    ua_protocol_id = "\x01\x00\x00\x00\x01",
    ks_naf_p0 = "gba-me",                -- [V: TS 33.220 B.3]; "gba-u" for GBA_U
    -- MRK/MUK from Ks_NAF [A: TS 33.246 Annex F not verified]. kind:
    --   "kdf"        HMAC-SHA-256(Ks_NAF, fc || p0 || len(p0))  (TS 33.220 B.2 form)
    --   "ks_naf"     the key is Ks_NAF itself
    --   "provisioned" the target file gives the key directly
    mrk = { kind = "kdf", fc = 0x01, p0 = "3gpp-mbms-mrk" },   -- [A]
    muk = { kind = "ks_naf" },                                 -- [A]
    -- Digest password = base64 (RFC 4648, padded) of the 32-byte MRK [A]
    password_encoding = "base64",
  },

  -- §2.2 HTTP, UE -> BM-SC.
  http = {
    port = 8080,                                               -- [D] reference BM-SC
    path = "/keymanagement",                                   -- [A]
    query_param = "requesttype",                               -- [A]
    requests = {
      register   = { query = "register",    media_type = "application/mbms-register+xml" },   -- [A] query, [V: IANA] type
      deregister = { query = "deregister",  media_type = "application/mbms-deregister+xml" }, -- [A], [V]
      msk        = { query = "msk-request", media_type = "application/mbms-msk+xml" },        -- [A], [V]
    },
    responses = {
      register = "application/mbms-register-response+xml",     -- [V: IANA]
      msk      = "application/mbms-msk-response+xml",          -- [V: IANA]
    },
    digest = {
      qop = "auth",              -- [D]; "auth-int" is a profile option [A]
      algorithm = "MD5",         -- [D]; "SHA-256" is a profile option [A]
      realm = nil,               -- taken from the challenge
    },
  },

  -- §2.2 XML bodies [A: shapes and names].
  xml = {
    register = {
      root = "mbmsRegister", ns = "urn:3GPP:metadata:2005:MBMS:mbmsRegister",
      service = "serviceId",
    },
    register_response = {
      root = "mbmsRegisterResponse", ns = "urn:3GPP:metadata:2005:MBMS:mbmsRegisterResponse",
      status = "status", service_attr = "serviceId", code_attr = "code",
    },
    deregister = {
      root = "mbmsDeregister", ns = "urn:3GPP:metadata:2005:MBMS:mbmsDeregister",
      service = "serviceId",
    },
    msk_request = {
      root = "mskRequest", ns = "urn:3GPP:metadata:2005:MBMS:mskRequest",
      item = "msk", kdid_attr = "keyDomainId", mskid_attr = "mskId",
    },
    msk_response = {
      root = "mskResponse",
      ns = "urn:3GPP:metadata:2005:MBMS:mskResponse",          -- [V: TS 26.346 C.12]
      status = "status", kdid_attr = "keyDomainId", mskid_attr = "mskId", code_attr = "code",
    },
  },

  -- §2.4 abstract causes -> codes [A for every number; NO_UPDATE_NEEDED is D].
  causes = {
    SUCCESS = 200,
    BAD_REQUEST = 400,
    NOT_AUTHORIZED = 401,
    UNKNOWN_KEY = 404,
    NO_UPDATE_NEEDED = 304,
    NOT_AVAILABLE = 503,
    SERVER_ERROR = 500,
  },
  -- [D] a request for a key the UE holds: "no_update_needed" or "redeliver" (SUCCESS again)
  held_key_answer = "no_update_needed",

  -- §2.5 leaving the user service [A]: which observable a scenario requires.
  leave = {
    -- or "igmp", or "either": an IGMP/MLD leave of the service's group (target services[].group)
    -- seen by the live capture, which those need (mbmsct run --capture-iface IFACE).
    observable = "deregistration",
  },

  -- §2.6 timers and windows, seconds [D]; a run scales them all with --time-scale.
  timers = {
    T_request = 5,
    T_delivery = 5,
    T_leave = 10,
    W_spread = 10,
  },
  retry = { max_requests = 3, per_seconds = 60 },   -- [D]

  -- "Still-valid older key" [A/D]: the MSK's SEQl..SEQu covers the current MTK IDs; before any
  -- MTK since joining every held MSK counts as valid [D]; optional wall-clock lifetime [D].
  key_validity = { by_mtk_interval = true, lifetime = nil },
  key_group_limit = 2,                              -- MSKs per key group [V: TS 31.102]

  -- §2.3 and mikey.md §2: MIKEY over UDP.
  mikey = {
    ports = { 2269 },                 -- [A; 2269 is IANA's MIKEY port, V]
    version = 1,
    prf_func = 0,                     -- MIKEY-1
    cs_count = 0,                     -- [A]
    cs_id_map_type = 1,               -- Empty map, RFC 4563 [A]
    keyid_ext_type = 2,               -- General Extension type carrying the Key ID [A]
    v_mac_reading = "mykey",          -- [D] "mykey" or "minisip" (mikey.md §2)
    counter_start = 1,                -- [D]
    rand_len = 16,
    -- Key IDs [A]: type 0 = Key Domain ID (3) || MSK ID (4); type 1 adds the MTK ID (2).
    keyid = { msk_type = 0, mtk_type = 1, kdid_len = 3, mskid_len = 4, mtkid_len = 2 },
    -- IDi = BM-SC FQDN, IDr = B-TID, both ID type 1 (URI) [A].
    id_type = 1,
    -- Message kinds the validator checks (payload order after HDR) [A].
    kinds = {
      { name = "msk_delivery", data_type = 0, order = { "EXT", "T", "RAND", "ID", "ID", "KEMAC" },
        keyid_type = 0, keyid_len = 7, ts_type = 2, rand_len = 16, id_type = 1,
        encr_alg = 1, mac_alg = 1, kemac_empty = false, nkeys = 1,
        key_type = 0, key_kv = 2, key_len = 16 },
      { name = "solicited_pull", data_type = 0, v = 0,
        order = { "EXT", "T", "RAND", "ID", "ID", "KEMAC" },
        keyid_type = 0, keyid_len = 7, ts_type = 2, rand_len = 16, id_type = 1,
        encr_alg = 1, mac_alg = 1, kemac_empty = true },
      { name = "mtk_delivery", data_type = 0, v = 0, order = { "EXT", "T", "RAND", "KEMAC" },
        keyid_type = 1, keyid_len = 9, ts_type = 2, rand_len = 16,
        encr_alg = 1, mac_alg = 1, kemac_empty = false, nkeys = 1,
        key_type = 2, key_kv = 1, key_len = 16 },
      { name = "verification", data_type = 1, v = 0, order = { "T", "ID", "V" },
        ts_type = 2, id_type = 1, auth_alg = 1 },
      { name = "error", data_type = 6, order = { "T", "ERR" }, ts_type = 2 },
    },
  },
}
