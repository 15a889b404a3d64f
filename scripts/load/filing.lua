-- POST /api/v1/applications: online filings by many different applicants (valid resident
-- identity numbers, ten offices), as the public intake sees them.
package.path = package.path .. ";" .. (os.getenv("LOAD_DIR") or "scripts/load") .. "/?.lua"
require "report"

local offices = { "ZFB", "FGW", "JYJ", "GAJ", "MZJ", "CZJ", "RSJ", "ZRZY", "STHJ", "ZJW" }
local weights = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 }
local checks = "10X98765432"
local threads = 0

function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

local counter = 0

-- A resident identity number with a real birth date and the right check character.
local function id_number(n)
  local born = os.time { year = 1950, month = 1, day = 1, hour = 12 } + (n % 20000) * 86400
  local body = "110105" .. os.date("!%Y%m%d", born) .. string.format("%03d", math.floor(n / 20000) % 1000)
  local sum = 0
  for i = 1, 17 do sum = sum + tonumber(body:sub(i, i)) * weights[i] end
  local k = sum % 11 + 1
  return body .. checks:sub(k, k)
end

request = function()
  counter = counter + 1
  local n = tid * 7919 + counter * 64
  local body = string.format([[{"agency_code":"%s","applicant":{"kind":"natural_person","name":"王五","id_document_type":"resident_id_card","id_number":"%s","phone":"138 0000 %04d","email":"applicant%d@example.com"},"request":{"description":"2025年海淀区道路维修工程合同及验收报告","information_form":"electronic","delivery_method":"email"}}]],
    offices[n % 10 + 1], id_number(n), n % 10000, n)
  return wrk.format("POST", "/api/v1/applications", { ["Content-Type"] = "application/json" }, body)
end
