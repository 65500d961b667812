package dev.lbaas.api.crdgen;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.AnnotatedParameterizedType;
import java.lang.reflect.AnnotatedType;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Build step run right after the fabric8 CRD generator, for two things it does not do:
 *
 * <ul>
 *   <li>It sorts printer columns by JSON path, which makes {@code kubectl get} print AGE first and
 *       OPERATING before PROVISIONING. The order of the {@link AdditionalPrinterColumn} annotations
 *       is restored, because column order is part of what users see.
 *   <li>It ignores {@link Size} on list elements ({@code List<@Size(max = 43) String>}). Those
 *       bounds are copied to the items' schema: the API server prices CEL rules by the longest
 *       string they may see, and refuses rules over unbounded strings as too expensive.
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
            Class<?> specType = (Class<?>) ((ParameterizedType) type.getGenericSuperclass()).getActualTypeArguments()[0];
            for (CustomResourceDefinitionVersion version : crd.getSpec().getVersions()) {
                List<CustomResourceColumnDefinition> columns = new ArrayList<>(version.getAdditionalPrinterColumns());
                columns.sort(Comparator.comparingInt(column -> columnOrder.indexOf(column.getName())));
                version.setAdditionalPrinterColumns(columns);
                applyElementSizes(specType, version.getSchema().getOpenAPIV3Schema().getProperties().get("spec"));
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

    private static void applyElementSizes(Class<?> type, JSONSchemaProps schema) {
        if (schema == null || schema.getProperties() == null || type.getName().startsWith("java.")) {
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
            AnnotatedType annotated = field.getAnnotatedType();
            if (annotated instanceof AnnotatedParameterizedType parameterized && List.class.equals(field.getType())) {
                Size size = parameterized.getAnnotatedActualTypeArguments()[0].getAnnotation(Size.class);
                if (size != null && property.getItems() != null && property.getItems().getSchema() != null) {
                    JSONSchemaProps items = property.getItems().getSchema();
                    if (size.min() > 0) {
                        items.setMinLength((long) size.min());
                    }
                    if (size.max() < Long.MAX_VALUE) {
                        items.setMaxLength((long) size.max());
                    }
                }
            } else if (!field.getType().isEnum() && !Map.class.isAssignableFrom(field.getType())) {
                applyElementSizes(field.getType(), property);
            }
        }
    }

    private static void write(Path file, CustomResourceDefinition crd) throws IOException {
        Files.writeString(file, "# Generated from the lbaas.dev API classes by the build; do not edit.\n"
                + Serialization.asYaml(crd));
    }
}
