-- GET /api/v1/applications/{id}: a clerk opens cases of their office, spread over all years.
package.path = package.path .. ";" .. (os.getenv("LOAD_DIR") or "scripts/load") .. "/?.lua"
require "report"

local tokens = {}
local cases = {}
local i = 0

function init(args)
  for line in io.lines(os.getenv("LOAD_TOKENS")) do
    local code, token = line:match("^(%S+)%s+(%S+)$")
    tokens[code] = token
  end
  for line in io.lines(os.getenv("LOAD_CASES")) do
    local id, code = line:match("^(%S+)%s+(%S+)$")
    table.insert(cases, { id = id, token = tokens[code] })
  end
end

request = function()
  i = i + 1
  local c = cases[i % #cases + 1]
  return wrk.format("GET", "/api/v1/applications/" .. c.id, { Authorization = "Bearer " .. c.token })
end
