-- KU-BM-14: an MTK stream under one MSK -> MTK IDs strictly increase and stay within the MSK's
-- SEQl..SEQu; the MTK messages verify under the MSK.
local mbms = require("mbms")
local mikey = require("mbms.mikey")

return {
  id = "bm14-mtk-stream",
  requirements = { "KU-BM-14", "KU-MK-01", "KU-MK-02" },
  clause = "6.3.3",
  title = "MTK stream: IDs strictly increasing within SEQl..SEQu, valid under the MSK",
  role = "ue",
  tags = { "mtk" },
  needs = { "send_mtk" },
  run = function(t)
    local svc = mbms.service(t)
    local ue = mbms.ue(t, mbms.pick(t, { entitled = svc.id }))
    local push = ue:join(svc)
    local key = ue:key_of(push)
    local msk = key.key
    local seql, sequ = string.unpack(">I2", key.valid_from), string.unpack(">I2", key.valid_to)
    local last
    for i = 1, 5 do
      t:step("MTK message " .. i)
      mbms.trigger(t, "send_mtk", { service = svc.id })
      local _, ev = t:expect(ue.mikey, { { name = "mtk_delivery", match = function(e) return e.kind == "mtk_delivery" end } },
        { within = t.timer.T_delivery, ignore = function(e) return e.bytes == push.bytes end,
          describe = function(e) return e.what end })
      if #ev.violations > 0 then
        t:fail{ kind = "field-mismatch", field = "KU-MK-01 mtk_delivery", expected = "no profile violation",
          actual = table.concat(ev.violations, "; "), bytes = ev.bytes }
      end
      local m, err = mikey.unprotect(ev.bytes, msk)
      if not m then t:fail{ kind = "field-mismatch", field = "KU-MK-02 MTK MAC under the MSK", expected = "valid", actual = err, bytes = ev.bytes } end
      local spi
      for _, p in ipairs(m.payloads) do if p.name == "KEMAC" then spi = p.keys[1].spi end end
      local id = string.unpack(">I" .. #spi, spi)
      t:log("MTK ID %d", id)
      if id < seql or id > sequ then
        t:fail{ kind = "field-mismatch", field = "MTK ID", expected = string.format("within %d..%d", seql, sequ), actual = id }
      end
      if last and id <= last then
        t:fail{ kind = "field-mismatch", field = "MTK ID", expected = "> " .. last, actual = id, bytes = ev.bytes }
      end
      last = id
    end
  end,
}
