package dev.lbaas.api.crdgen;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRuleBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.AnnotatedParameterizedType;
import java.lang.reflect.AnnotatedType;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Build step run right after the fabric8 CRD generator, for what it does not do:
 *
 * <ul>
 *   <li>It sorts printer columns by JSON path, which makes {@code kubectl get} print AGE first and
 *       OPERATING before PROVISIONING. The order of the {@link AdditionalPrinterColumn} annotations
 *       is restored, because column order is part of what users see.
 *   <li>It ignores {@link Size} on list elements ({@code List<@Size(max = 43) String>}). Those
 *       bounds are copied to the items' schema: the API server prices CEL rules by the longest
 *       string they may see, and refuses rules over unbounded strings as too expensive.
 *   <li>It has no annotation for rules on each item of a list ({@link ItemRule}) or for lists that
 *       hold no value twice ({@link UniqueItems}).
 *   <li>It leaves integers without a format. Every integer gets int32 or int64 after its Java
 *       type, and an int32 of a spec must have both bounds: an integer the operator cannot read
 *       would stop its watch of the whole kind, so the build fails rather than admit one.
 *   <li>A CEL rule without a reason makes the API server print the value's type where the value
 *       belongs ({@code Invalid value: "string"}). Every such rule gets FieldValueForbidden, and
 *       the messages show the value themselves.
 * </ul>
 *
 * <p>Arguments: the directory holding the generated CRDs, then the custom resource class names.
 */
public final class CrdPostProcessor {

    private CrdPostProcessor() {
    }

    public static void main(String[] args) throws Exception {
        Path directory = Path.of(args[0]);
        for (int i = 1; i < args.length; i++) {
            Class<? extends CustomResource> type = Class.forName(args[i]).asSubclass(CustomResource.class);
            Path file = directory.resolve(CustomResource.getCRDName(type) + "-v1.yml");
            CustomResourceDefinition crd;
            try (InputStream in = Files.newInputStream(file)) {
                crd = Serialization.unmarshal(in, CustomResourceDefinition.class);
            }
            List<String> columnOrder = declaredColumnOrder(type);
            Type[] typeArguments = ((ParameterizedType) type.getGenericSuperclass()).getActualTypeArguments();
            Class<?> specType = (Class<?>) typeArguments[0];
            Class<?> statusType = (Class<?>) typeArguments[1];
            for (CustomResourceDefinitionVersion version : crd.getSpec().getVersions()) {
                List<CustomResourceColumnDefinition> columns = new ArrayList<>(version.getAdditionalPrinterColumns());
                columns.sort(Comparator.comparingInt(column -> columnOrder.indexOf(column.getName())));
                version.setAdditionalPrinterColumns(columns);
                Map<String, JSONSchemaProps> top = version.getSchema().getOpenAPIV3Schema().getProperties();
                complete(specType, top.get("spec"), "spec", true);
                complete(statusType, top.get("status"), "status", false);
                forbidByDefault(version.getSchema().getOpenAPIV3Schema());
            }
            write(file, crd);
        }
    }

    static List<String> declaredColumnOrder(Class<?> type) {
        List<String> names = new ArrayList<>();
        for (AdditionalPrinterColumn column : type.getAnnotationsByType(AdditionalPrinterColumn.class)) {
            names.add(column.name());
        }
        return names;
    }

    private static void forbidByDefault(JSONSchemaProps schema) {
        if (schema == null) {
            return;
        }
        if (schema.getXKubernetesValidations() != null) {
            for (ValidationRule rule : schema.getXKubernetesValidations()) {
                if (rule.getReason() == null || rule.getReason().isEmpty()) {
                    rule.setReason("FieldValueForbidden");
                }
            }
        }
        if (schema.getProperties() != null) {
            schema.getProperties().values().forEach(CrdPostProcessor::forbidByDefault);
        }
        if (schema.getItems() != null) {
            forbidByDefault(schema.getItems().getSchema());
        }
        if (schema.getAdditionalProperties() != null) {
            forbidByDefault(schema.getAdditionalProperties().getSchema());
        }
    }

    /**
     * Completes the schema of {@code type} from its field annotations: item sizes, item rules and
     * set semantics of lists, and the format of integers. Every int32 of a spec must have both
     * bounds: an integer the operator cannot read would stop its watch of the whole kind, so the
     * build fails rather than generate a CRD that admits one.
     */
    private static void complete(Class<?> type, JSONSchemaProps schema, String path, boolean spec) {
        if (schema == null || schema.getProperties() == null || type.getName().startsWith("java.")
                || type.getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Field field : type.getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers())) {
                continue;
            }
            JSONSchemaProps property = schema.getProperties().get(field.getName());
            if (property == null) {
                continue;
            }
            String fieldPath = path + "." + field.getName();
            Class<?> fieldType = field.getType();
            if (fieldType == Integer.class || fieldType == int.class) {
                property.setFormat("int32");
                if (spec && (property.getMinimum() == null || property.getMaximum() == null)) {
                    throw new IllegalStateException(fieldPath + ": an integer of a spec needs @Min and @Max");
                }
            } else if (fieldType == Long.class || fieldType == long.class) {
                property.setFormat("int64");
            } else if (List.class.equals(fieldType)) {
                completeList(field, property, fieldPath, spec);
            } else if (!fieldType.isEnum() && !Map.class.isAssignableFrom(fieldType)) {
                complete(fieldType, property, fieldPath, spec);
            }
        }
    }

    private static void completeList(Field field, JSONSchemaProps property, String path, boolean spec) {
        JSONSchemaProps items = property.getItems() == null ? null : property.getItems().getSchema();
        if (items == null) {
            return;
        }
        if (field.isAnnotationPresent(UniqueItems.class)) {
            List<ValidationRule> listRules = new ArrayList<>(Objects.requireNonNullElse(
                    property.getXKubernetesValidations(), List.of()));
            listRules.add(new ValidationRuleBuilder().withRule("self.all(x, self.exists_one(y, y == x))")
                    .withMessageExpression("'must not hold a value twice; \"' + self.filter(x, "
                            + "!self.exists_one(y, y == x))[0] + '\" is there more than once'")
                    .build());
            property.setXKubernetesValidations(listRules);
        }
        List<ValidationRule> rules = new ArrayList<>();
        for (ItemRule rule : field.getAnnotationsByType(ItemRule.class)) {
            rules.add(new ValidationRuleBuilder().withRule(rule.value())
                    .withMessageExpression(rule.messageExpression()).build());
        }
        if (!rules.isEmpty()) {
            items.setXKubernetesValidations(rules);
        }
        if (field.getAnnotatedType() instanceof AnnotatedParameterizedType parameterized) {
            AnnotatedType element = parameterized.getAnnotatedActualTypeArguments()[0];
            Size size = element.getAnnotation(Size.class);
            if (size != null) {
                if (size.min() > 0) {
                    items.setMinLength((long) size.min());
                }
                if (size.max() < Long.MAX_VALUE) {
                    items.setMaxLength((long) size.max());
                }
            }
            if (element.getType() instanceof Class<?> elementType && !elementType.isEnum()) {
                complete(elementType, items, path + "[]", spec);
            }
        }
    }

    private static void write(Path file, CustomResourceDefinition crd) throws IOException {
        Files.writeString(file, "# Generated from the lbaas.dev API classes by the build; do not edit.\n"
                + Serialization.asYaml(crd));
    }
}
