-- bench/wrk/post-json-varied.lua: the order of post-json.lua, but each request carries
-- a different customer: order id, timestamp, name, e-mail, phone, address, delivery
-- instructions, notes, card digits and quantities change, as they do between real
-- orders. 4096 distinct bodies are built per wrk thread at start (fixed seed per
-- thread) and sent in turn, so the gateway cannot profit from seeing the same
-- free-text values again; keys and enum-like values (currency, tier, status, SKUs)
-- stay as a real API's schema and catalogue keep them.
local dir = os.getenv("BENCH_WRK_DIR") or "."
dofile(dir .. "/post-json.lua")

local first = { "Margaret", "Aoife", "Jean-Luc", "Zoë", "Rahul", "Ngozi", "Pádraig", "Ana Luísa",
  "Tomasz", "Yuki", "Fatima", "Oliver", "Chloé", "Dmitri", "Siobhán", "Mateo", "Ingrid", "Kwame",
  "Hannah", "Luca", "Amara", "Seán", "Elif", "Björn" }
local last = { "O'Connell", "Nic Giolla Phádraig", "Dubois-Martin", "Okafor", "Kowalski", "Tanaka",
  "D'Arcy", "van der Berg", "Murphy", "Al-Sayed", "Fitzgerald", "Müller", "Rossi", "Ó Briain",
  "Smith-Jones", "Nakamura", "García López", "O'Neill", "Lindqvist", "Mensah" }
local streets = { "Harbour View Road", "Main Street", "Rue des Fleurs", "Church Lane",
  "Oak Avenue", "Quay Street", "Station Road", "Market Square", "Mill Lane", "Castle Hill" }
local towns = { "Cork", "Galway", "Limerick", "Kilkenny", "Sligo", "Dublin 8", "Tralee", "Ennis" }
local when = { "Leave with the neighbour at number %d if nobody is home.",
  "Ring the bell twice; flat %d is at the back of the building.",
  "Please use the side gate (code %d) and leave it in the porch.",
  "Deliver after 6pm if possible, or to the shop on the corner (no. %d).",
  "Don't leave it outside: it rained all week. Try unit %d instead!" }
local notes = { "Gift wrap please, and include a note saying: Happy birthday, love from all of us!",
  "It's a present for my mum's %dth birthday - no receipt in the box, please.",
  "Could you send the biscuits separately? Last time 2 of %d packs were crushed.",
  "Order #%d was missing the mug; please check this one before it ships :)",
  "No plastic packaging if you can avoid it. Thanks a million & have a good weekend." }

local function esc(s) return (s:gsub('"', '\\"')) end

local function vary(n)
  local f, l = first[math.random(#first)], last[math.random(#last)]
  local mail = (f:sub(1, 1) .. "." .. l:gsub("[^%a]", "")):lower() .. math.random(99) .. "@example.org"
  local b = order_body
  local function put(old, new)
    local s, e = b:find(old, 1, true)
    if s then b = b:sub(1, s - 1) .. new .. b:sub(e + 1) end
  end
  put("ord_7f3a9c21", string.format("ord_%08x", math.random(0, 0x7fffffff)))
  put("2026-11-22T10:41:07Z", string.format("2026-%02d-%02dT%02d:%02d:%02dZ",
    math.random(12), math.random(28), math.random(0, 23), math.random(0, 59), math.random(0, 59)))
  put('"id":48213', '"id":' .. math.random(100000))
  put("Margaret O'Connell", esc(f .. " " .. l))
  put("m.oconnell@example.org", mail)
  put("+353 1 555 0142", string.format("+353 %d %03d %04d", math.random(1, 99), math.random(999), math.random(9999)))
  put("14 Harbour View Road", math.random(200) .. " " .. streets[math.random(#streets)])
  put("Apartment 3B", "Apartment " .. math.random(40) .. string.char(64 + math.random(6)))
  put('"city":"Cork"', '"city":"' .. towns[math.random(#towns)] .. '"')
  put("T12 X8YR", string.format("T%02d %s%d%s%s", math.random(99), string.char(64 + math.random(26)),
    math.random(9), string.char(64 + math.random(26)), string.char(64 + math.random(26))))
  put("Leave with the neighbour at number 16 if nobody is home.",
    esc(string.format(when[math.random(#when)], math.random(2, 99))))
  put("Gift wrap please, and include a note saying: Happy birthday, love from all of us!",
    esc(string.format(notes[math.random(#notes)], math.random(2, 99))))
  put('"last4":"4242"', string.format('"last4":"%04d"', math.random(0, 9999)))
  put('"qty":2', '"qty":' .. math.random(5))
  return b
end

local reqs, i = {}, 0
local id = 0

setup = function(thread)
  id = id + 1
  thread:set("seed", id)
end

init = function(args)
  math.randomseed(1000 + (seed or 0))
  for n = 1, 4096 do
    reqs[n] = wrk.format("POST", nil, nil, vary(n))
  end
end

request = function()
  i = i % #reqs + 1
  return reqs[i]
end
