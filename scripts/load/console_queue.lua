-- GET /console/: the clerk's queue page in the browser's way (a session cookie), one signed-in
-- clerk per office in turn.
package.path = package.path .. ";" .. (os.getenv("LOAD_DIR") or "scripts/load") .. "/?.lua"
require "report"

local sessions = {}
local i = 0

function init(args)
  for line in io.lines(os.getenv("LOAD_SESSIONS")) do
    if line ~= "" then table.insert(sessions, line) end
  end
end

request = function()
  i = i + 1
  local secret = sessions[i % #sessions + 1]
  return wrk.format("GET", "/console/", { Cookie = "gongkai_session=" .. secret })
end
