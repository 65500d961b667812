package dev.lbaas.operator.reconciler;

import dev.lbaas.api.v1alpha1.L7Rule;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;

/** Reports L7Rules that wait for a parent; see {@link ChildReconciler}. */
@ControllerConfiguration(name = "l7rule")
public class L7RuleReconciler extends ChildReconciler<L7Rule> {
}
