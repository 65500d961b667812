package dev.lbaas.api.crdgen;

import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A CEL validation rule for each item of a list, so that the API server's message names the
 * offending item's index ({@code spec.allowedCidrs[2]}), which a rule on the whole list cannot.
 * Applied by {@link CrdPostProcessor}: the fabric8 generator reads validation rules on fields only.
 */
@Target(ElementType.FIELD)
@Retention(RetentionPolicy.RUNTIME)
@Repeatable(ItemRules.class)
public @interface ItemRule {

    /** The rule; {@code self} is the item. */
    String value();

    /** The message, as a CEL expression over {@code self}, so that it can show the value. */
    String messageExpression();
}
