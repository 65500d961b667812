package dev.lbaas.operator.reconciler;

import dev.lbaas.api.v1alpha1.L7Policy;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;

/** Reports L7Policys that wait for a parent; see {@link ChildReconciler}. */
@ControllerConfiguration(name = "l7policy")
public class L7PolicyReconciler extends ChildReconciler<L7Policy> {
}
