package dev.lbaas.operator.reconciler;

import dev.lbaas.api.v1alpha1.Pool;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;

/** Reports Pools that wait for a parent; see {@link ChildReconciler}. */
@ControllerConfiguration(name = "pool")
public class PoolReconciler extends ChildReconciler<Pool> {
}
