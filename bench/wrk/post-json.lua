-- bench/wrk/post-json.lua: POST a fixed ~1 KB benign JSON document (an e-commerce order)
-- to the target path, then report like report.lua (loaded from BENCH_WRK_DIR).
local dir = os.getenv("BENCH_WRK_DIR") or "."
dofile(dir .. "/report.lua")

local body = [[
{"order_id":"ord_7f3a9c21","created_at":"2026-11-22T10:41:07Z","currency":"EUR",
"customer":{"id":48213,"name":"Margaret O'Connell","email":"m.oconnell@example.org",
"phone":"+353 1 555 0142","loyalty_tier":"gold","marketing_opt_in":false},
"shipping":{"method":"standard","address":{"line1":"14 Harbour View Road","line2":"Apartment 3B",
"city":"Cork","postcode":"T12 X8YR","country":"IE"},"instructions":"Leave with the neighbour at number 16 if nobody is home."},
"items":[{"sku":"TEA-EARL-250","title":"Earl Grey loose leaf tea, 250 g","qty":2,"unit_price":8.95},
{"sku":"MUG-STNW-BLU","title":"Stoneware mug, blue glaze","qty":1,"unit_price":14.5},
{"sku":"BIS-OAT-12","title":"Oat and honey biscuits (pack of 12)","qty":3,"unit_price":3.2}],
"discounts":[{"code":"AUTUMN10","amount":4.39}],"totals":{"subtotal":42.0,"shipping":4.95,"tax":9.66,"grand_total":52.22},
"payment":{"provider":"card","last4":"4242","status":"authorised"},
"notes":"Gift wrap please, and include a note saying: Happy birthday, love from all of us!",
"tags":["gift","repeat-customer","web"]}
]]
body = body:gsub("\n", "")
-- shared with post-json-varied.lua, which varies the customer's fields per request
order_body = body

wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"
