-- Argo CD health of an lbaas.dev object (LoadBalancer, Listener, Pool, Member, HealthMonitor, L7Policy,
-- L7Rule), from the status the operator writes: Octavia's provisioningStatus and operatingStatus and the
-- conditions Accepted, ResolvedRefs, Programmed and Ready. The same check for every kind with a
-- status: Argo CD looks for one per kind, and a test keeps the copies equal.
local hs = {}
if obj.status == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the lbaas operator to report a status"
  return hs
end
local generation = obj.metadata.generation
local observed = obj.status.observedGeneration
if generation ~= nil and (observed == nil or observed < generation) then
  hs.status = "Progressing"
  hs.message = "Waiting for the lbaas operator to observe generation " .. generation
  return hs
end

local conditions = {}
if obj.status.conditions ~= nil then
  for _, condition in ipairs(obj.status.conditions) do
    conditions[condition.type] = condition
  end
end
local function firstFalse()
  for _, name in ipairs({"Accepted", "ResolvedRefs", "Programmed", "Ready"}) do
    local condition = conditions[name]
    if condition ~= nil and condition.status == "False" then
      return condition
    end
  end
  return nil
end
local function describe(condition)
  if condition == nil then
    return ""
  end
  local text = condition.reason or condition.type
  if condition.message ~= nil and condition.message ~= "" then
    text = text .. ": " .. condition.message
  end
  return text
end

local provisioning = obj.status.provisioningStatus
local operating = obj.status.operatingStatus
if provisioning == "ERROR" then
  hs.status = "Degraded"
  hs.message = describe(firstFalse())
  return hs
end
local ready = conditions["Ready"]
if ready == nil or ready.status ~= "True" or provisioning ~= "ACTIVE" then
  hs.status = "Progressing"
  hs.message = provisioning or "PENDING"
  local waiting = firstFalse()
  if waiting ~= nil then
    hs.message = hs.message .. ": " .. describe(waiting)
  end
  return hs
end
if operating == "ERROR" or operating == "DEGRADED" then
  hs.status = "Degraded"
  hs.message = "operatingStatus " .. operating
  return hs
end
if obj.spec ~= nil and obj.spec.adminStateUp == false then
  hs.status = "Suspended"
  hs.message = "adminStateUp is false: no traffic (operatingStatus " .. (operating or "OFFLINE") .. ")"
  return hs
end
hs.status = "Healthy"
hs.message = "ACTIVE, " .. (operating or "")
return hs
