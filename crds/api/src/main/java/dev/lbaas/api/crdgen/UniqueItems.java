package dev.lbaas.api.crdgen;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A list that holds no value twice. Applied by {@link CrdPostProcessor} as a CEL rule whose message
 * shows the repeated value, rather than as {@code x-kubernetes-list-type: set}: with a set, a
 * server-side apply that repeats a value fails with an internal error (500) instead of a refusal.
 */
@Target(ElementType.FIELD)
@Retention(RetentionPolicy.RUNTIME)
public @interface UniqueItems {
}
