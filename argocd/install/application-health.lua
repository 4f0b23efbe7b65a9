-- Health of an Argo CD Application, as its parent (the root Application,
-- argocd/bootstrap) sees it. Argo CD stopped assessing Applications in 1.8,
-- so without this check every child Application counts as Healthy the
-- moment it exists, and the root's sync waves would not wait: dev's Dapr
-- Components and every environment's SealedSecrets would sync before the
-- control planes (wave 0) had installed their CRDs.
--
-- A child is Progressing until Argo CD has assessed it and while a sync
-- operation runs; after that it is as healthy as its own resources. A child
-- that is OutOfSync but Healthy (prod, which syncs by hand) does not hold
-- anything back.
--
-- Argo CD runs this in gopher-lua (Lua 5.1) without the string library:
-- keep to base and table functions and Lua 5.1 syntax.

local status = obj.status or {}
local operation = status.operationState or {}

if operation.phase == "Running" or operation.phase == "Terminating" then
  return { status = "Progressing", message = "Sync operation " .. operation.phase }
end

local health = status.health or {}
if health.status == nil or health.status == "" then
  return { status = "Progressing", message = "Waiting for Argo CD to assess the Application" }
end

return { status = health.status, message = health.message or "" }
