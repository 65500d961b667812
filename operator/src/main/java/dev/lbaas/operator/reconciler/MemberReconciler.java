package dev.lbaas.operator.reconciler;

import dev.lbaas.api.v1alpha1.Member;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;

/** Reports Members that wait for a parent; see {@link ChildReconciler}. */
@ControllerConfiguration(name = "member")
public class MemberReconciler extends ChildReconciler<Member> {
}
