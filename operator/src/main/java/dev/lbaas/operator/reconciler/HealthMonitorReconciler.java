package dev.lbaas.operator.reconciler;

import dev.lbaas.api.v1alpha1.HealthMonitor;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;

/** Reports HealthMonitors that wait for a parent; see {@link ChildReconciler}. */
@ControllerConfiguration(name = "healthmonitor")
public class HealthMonitorReconciler extends ChildReconciler<HealthMonitor> {
}
