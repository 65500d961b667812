-- Argo CD health of a LoadBalancerClass: a class is configuration with no status of its own; the
-- load balancers that use it say whether they are served.
local hs = {}
hs.status = "Healthy"
hs.message = "LoadBalancerClass " .. obj.metadata.name
return hs
