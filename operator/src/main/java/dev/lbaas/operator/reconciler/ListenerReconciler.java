package dev.lbaas.operator.reconciler;

import dev.lbaas.api.v1alpha1.Listener;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;

/** Reports Listeners that wait for a parent; see {@link ChildReconciler}. */
@ControllerConfiguration(name = "listener")
public class ListenerReconciler extends ChildReconciler<Listener> {
}
