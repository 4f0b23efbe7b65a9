-- Health of an autoscaling/v2 HorizontalPodAutoscaler, replacing Argo CD's
-- built-in check (v3.5.1: gitops-engine/pkg/health/health_hpa.go).
--
-- The built-in check calls an HPA Degraded as soon as its ScalingActive
-- condition says FailedGetResourceMetric, and a Degraded resource fails a
-- sync that has waves (gitops-engine/pkg/sync/sync_context.go marks the
-- running task failed). A new HPA always starts that way: metrics-server
-- has no metrics for pods it has not scraped yet (Minikube's addon scrapes
-- every 60 s), so prod's first sync failed on its HPA, and each retry ran
-- the migration hook again.
--
-- Here missing metrics (the metric could not be read, or no replica count
-- could be computed from it) are Progressing, which holds the wave until
-- the first scrape and then turns Healthy. What cannot fix itself stays
-- Degraded, as in the built-in check: no scale target, a failed scale, an
-- invalid selector, object or external metrics that fail.
--
-- Argo CD runs this in gopher-lua (Lua 5.1) without the string library:
-- keep to base and table functions and Lua 5.1 syntax.

local DEGRADED = {
  AbleToScale = { FailedGetScale = true, FailedUpdateScale = true },
  ScalingActive = { FailedGetObjectMetric = true, FailedGetExternalMetric = true, InvalidSelector = true },
}
local WAITING_FOR_METRICS = {
  FailedGetResourceMetric = true,
  FailedGetPodsMetric = true,
  FailedComputeMetricsReplicas = true,
}

local conditions = (obj.status or {}).conditions or {}

for _, condition in ipairs(conditions) do
  local reasons = DEGRADED[condition.type]
  if reasons ~= nil and reasons[condition.reason] then
    return { status = "Degraded", message = condition.message or condition.reason }
  end
end

for _, condition in ipairs(conditions) do
  if condition.type == "ScalingActive" and condition.status == "False" and WAITING_FOR_METRICS[condition.reason] then
    return { status = "Progressing", message = "Waiting for metrics: " .. (condition.message or condition.reason) }
  end
end

for _, condition in ipairs(conditions) do
  if (condition.type == "AbleToScale" or condition.type == "ScalingLimited") and condition.status == "True" then
    return { status = "Healthy", message = condition.message or "" }
  end
end

return { status = "Progressing", message = "Waiting to Autoscale" }
