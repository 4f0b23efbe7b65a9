-- Health of Dapr's Component and Configuration (dapr.io/v1alpha1), which
-- Argo CD has no check for: neither kind has a status (sidecars load them
-- as they start; the operator pushes changes), so Argo CD would show no
-- health at all, and a broken one would surface only as a failing sidecar.
--
-- Here a Component is Healthy once it names its type and version and is
-- scoped to at least one app-id (an unscoped one is loadable by every app
-- in the namespace). A Configuration in an app namespace holds tracing and
-- metrics for the sidecars that name it: Healthy once it exists. Its spec
-- cannot turn mTLS on or off (only the control plane's `daprsystem`
-- Configuration can), so health is not judged on an `mtls` block.
--
-- Argo CD runs this in gopher-lua (Lua 5.1) without the string library:
-- keep to base and table functions and Lua 5.1 syntax.

local spec = obj.spec or {}

if obj.kind == "Component" then
  if spec.type == nil or spec.type == "" or spec.version == nil or spec.version == "" then
    return { status = "Degraded", message = "spec.type and spec.version are both required" }
  end
  local scopes = obj.scopes or {}
  if #scopes == 0 then
    return { status = "Degraded", message = "No scopes: every app in the namespace could load " .. spec.type }
  end
  return { status = "Healthy", message = spec.type .. " " .. spec.version .. ", scoped to " .. table.concat(scopes, ", ") }
end

if obj.kind == "Configuration" then
  return { status = "Healthy", message = "Loaded by the sidecars that name it; mTLS is the control plane's" }
end

return { status = "Unknown", message = "Not a Dapr Component or Configuration" }
