-- GET /api/v1/applications?due_within=3: one page of each office's clerk queue in turn.
package.path = package.path .. ";" .. (os.getenv("LOAD_DIR") or "scripts/load") .. "/?.lua"
require "report"

local tokens = {}
local i = 0

function init(args)
  for line in io.lines(os.getenv("LOAD_TOKENS")) do
    local code, token = line:match("^(%S+)%s+(%S+)$")
    if code ~= "auditor" then table.insert(tokens, token) end
  end
end

request = function()
  i = i + 1
  local token = tokens[i % #tokens + 1]
  return wrk.format("GET", "/api/v1/applications?due_within=3", { Authorization = "Bearer " .. token })
end
