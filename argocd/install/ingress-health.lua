-- Health of a networking.k8s.io/Ingress, replacing Argo CD's built-in check.
--
-- The built-in check is Healthy only once status.loadBalancer.ingress lists
-- an address, and Progressing until then. Minikube's ingress addon publishes
-- that address late or, depending on the driver, never; an Ingress stuck in
-- Progressing keeps the whole sync from reaching its PostSync hooks.
--
-- Here an Ingress is Healthy once it has an address (as before) or once it
-- names an ingress class, the point from which that class's controller
-- serves it. With neither, no controller has claimed it: Progressing.
--
-- Argo CD runs this in gopher-lua (Lua 5.1) without the string library:
-- keep to base functions and Lua 5.1 syntax (no goto, no //, no bit operators).

local status = obj.status or {}
local loadBalancer = status.loadBalancer or {}
for _, entry in ipairs(loadBalancer.ingress or {}) do
  local address = entry.ip or entry.hostname
  if address ~= nil and address ~= "" then
    return { status = "Healthy", message = "Reachable at " .. address }
  end
end

local spec = obj.spec or {}
local annotations = (obj.metadata or {}).annotations or {}
local class = spec.ingressClassName or annotations["kubernetes.io/ingress.class"]
if class ~= nil and class ~= "" then
  return {
    status = "Healthy",
    message = "Served by ingress class " .. class .. " (no load-balancer address published)",
  }
end

return { status = "Progressing", message = "Waiting for an ingress controller: no ingress class and no address" }
