package dev.lbaas.api.crdgen;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A list whose items are a set ({@code x-kubernetes-list-type: set}): the API server refuses an item
 * given twice and names it ({@code spec.insertHeaders[1]: Duplicate value: "X-Real-IP"}). Applied
 * by {@link CrdPostProcessor}; the fabric8 generator has no annotation for it.
 */
@Target(ElementType.FIELD)
@Retention(RetentionPolicy.RUNTIME)
public @interface ListSet {
}
