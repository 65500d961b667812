package dev.lbaas.operator.model;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Specs for the lbaas.dev kinds generated from the CRDs the build publishes: the shape, integer
 * bounds and enums come from each CRD's schema, and whether an object is admitted is decided by a
 * real kube-apiserver serving those CRDs (a server-side dry run), so every schema rule and every CEL
 * rule counts exactly as it does for users, and none is restated here.
 *
 * <p>Free strings are drawn from values users write (durations, addresses, networks, netmasks, status
 * codes, names, paths), the well-formed and the malformed alike. So that objects with several
 * strings still get admitted often enough, each string field first learns, one dry run per value on a
 * small valid object, which of those values the API server admits there; generated objects mostly
 * use those, and now and then any value, and the dry run of the whole object has the last word.
 */
final class SchemaSpecs {

    /** What users write into string fields, malformed included. */
    static final List<String> VOCABULARY = List.of(
            // durations
            "0s", "0ms", "1ms", "500ms", "5s", "50s", "1m30s", "24h", "576h", "576h1ms", "577h", "99999h", "10",
            "1.5s", "-5s", "1d",
            // addresses
            "10.0.0.1", "127.0.0.1", "192.168.200.9", "169.254.169.254", "0.0.0.0", "255.255.255.255",
            "2001:db8::1", "::1", "10.0.0.256", "010.0.0.1", "::ffff:10.0.0.1", "web1.local",
            // networks and netmasks
            "10.0.0.0/8", "0.0.0.0/0", "10.0.0.1/32", "10.0.0.0/33", "2001:db8::/32", "10.0.0.1/8",
            "255.255.255.0", "255.255.128.0", "255.0.255.0", "banana",
            // status codes
            "200", "200, 202", "200-204", "204-200", "200-204, 301", "99", "600", "2xx",
            // names, hosts, paths, cookies, versions
            "lb", "lb-web", "pool.web", "LB_WEB", "-x", "Health.example.com", "exa_mple.com", "a..b",
            "/", "/healthz?full=1", "health", "/a b", "/#top", "JSESSIONID", "my cookie", "a;b",
            "1.0", "1.1", "2.0",
            // URLs, patterns, header fields and L7 rule values
            "https://www.example.com", "http://[2001:db8::1]/v2/", "HTTPS://example.com:8443/moved?from=old",
            "ftp://example.com", "https://example.com/?a=1", "https:///path", "https://example.com/a\r\nSet-Cookie: x",
            "^/api/v[0-9]+/", "^/(api", "(?=x)", "\\d+", "X-Forwarded-For", "X Api", "CN", "1CN", "true", "True",
            "false", "0", "-1", "jpg", ".jpg", "\"quoted value\"", "a=b",
            "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256:TLS_AES_128_GCM_SHA256", "RC4-MD5",
            // free text
            "", " ", "anything at all", "x".repeat(300));

    /** A small valid spec (JSON) or two of each kind, that every string field is probed on. */
    private static final Map<String, List<String>> PROBE_BASES = Map.of(
            "LoadBalancer", List.of("{}"),
            "Listener", List.of("{\"loadBalancerRef\": \"lb\", \"protocol\": \"HTTP\", \"protocolPort\": 80}",
                    "{\"loadBalancerRef\": \"lb\", \"protocol\": \"TCP\", \"protocolPort\": 80}",
                    "{\"loadBalancerRef\": \"lb\", \"protocol\": \"TERMINATED_HTTPS\", \"protocolPort\": 443, "
                            + "\"tls\": {\"defaultSecretRef\": \"www-tls\", \"clientAuthentication\": \"MANDATORY\", "
                            + "\"clientCaSecretRef\": \"ca\"}}"),
            "Pool", List.of("{\"loadBalancerRef\": \"lb\", \"protocol\": \"HTTP\"}",
                    "{\"loadBalancerRef\": \"lb\", \"protocol\": \"HTTP\", \"sessionPersistence\": "
                            + "{\"type\": \"APP_COOKIE\", \"cookieName\": \"c\"}}",
                    "{\"loadBalancerRef\": \"lb\", \"protocol\": \"HTTP\", \"sessionPersistence\": "
                            + "{\"type\": \"SOURCE_IP\"}}"),
            "Member", List.of("{\"poolRef\": \"p\", \"address\": \"10.0.0.1\", \"protocolPort\": 80}"),
            "HealthMonitor", List.of("{\"poolRef\": \"p\", \"type\": \"HTTP\", \"delaySeconds\": 5, "
                    + "\"timeoutSeconds\": 4, \"maxRetries\": 3, \"httpVersion\": \"1.1\"}"),
            "L7Policy", List.of("{\"listenerRef\": \"l\", \"action\": \"REJECT\"}",
                    "{\"listenerRef\": \"l\", \"action\": \"REDIRECT_TO_URL\", \"redirectUrl\": \"https://a.example\"}",
                    "{\"listenerRef\": \"l\", \"action\": \"REDIRECT_PREFIX\", \"redirectPrefix\": \"https://a.example\"}",
                    "{\"listenerRef\": \"l\", \"action\": \"REDIRECT_TO_POOL\", \"redirectPoolRef\": \"p\"}"),
            "L7Rule", List.of("{\"l7PolicyRef\": \"p\", \"type\": \"PATH\", \"compareType\": \"EQUAL_TO\", "
                            + "\"value\": \"/\"}",
                    "{\"l7PolicyRef\": \"p\", \"type\": \"HEADER\", \"compareType\": \"REGEX\", \"key\": \"X-A\", "
                            + "\"value\": \"a\"}",
                    "{\"l7PolicyRef\": \"p\", \"type\": \"SSL_DN_FIELD\", \"compareType\": \"EQUAL_TO\", "
                            + "\"key\": \"CN\", \"value\": \"a\"}"));

    /** Fields that name other objects: the tree sets them, to names of its own objects. */
    static final Set<String> REFERENCES = Set.of("loadBalancerRef", "listenerRef", "defaultPoolRef", "poolRef",
            "redirectPoolRef", "l7PolicyRef");

    private final KubernetesClient client;
    private final String namespace;
    private final Map<String, JSONSchemaProps> specSchemas = new LinkedHashMap<>();
    /** For each string field ("Listener:timeouts.clientData"), the vocabulary values admitted there. */
    private final Map<String, List<String>> admittedStrings = new ConcurrentHashMap<>();
    private final AtomicInteger names = new AtomicInteger();

    SchemaSpecs(KubernetesClient client, String namespace, List<CustomResourceDefinition> crds) {
        this.client = client;
        this.namespace = namespace;
        for (CustomResourceDefinition crd : crds) {
            if (!PROBE_BASES.containsKey(crd.getSpec().getNames().getKind())) {
                // Not part of a load balancer's tree (LoadBalancerClass): CrdValidationIT covers its rules.
                continue;
            }
            specSchemas.put(crd.getSpec().getNames().getKind(),
                    crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema().getProperties().get("spec"));
        }
    }

    /** Learns, for every free string field of every kind, which vocabulary values are admitted there. */
    void probeStrings() {
        specSchemas.forEach((kind, schema) -> stringFields(schema, "").forEach(path -> {
            List<String> admitted = new ArrayList<>();
            for (String value : VOCABULARY) {
                if (fitsLength(leaf(schema, path), value) && PROBE_BASES.get(kind).stream()
                        .anyMatch(base -> admitted(kind, with(Serialization.unmarshal(base, Map.class), path, value)))) {
                    admitted.add(value);
                }
            }
            admittedStrings.put(kind + ":" + path, admitted);
        }));
    }

    Map<String, List<String>> admittedStrings() {
        return admittedStrings;
    }

    /** Specs of one kind as the schema shapes them (references left to the caller). */
    Arbitrary<Map<String, Object>> specs(String kind) {
        @SuppressWarnings("unchecked")
        Arbitrary<Map<String, Object>> spec = (Arbitrary<Map<String, Object>>) (Arbitrary<?>) value(kind,
                specSchemas.get(kind), "");
        return spec;
    }

    private Arbitrary<Object> value(String kind, JSONSchemaProps schema, String path) {
        String type = schema.getType();
        if (schema.getEnum() != null && !schema.getEnum().isEmpty()) {
            return Arbitraries.of(schema.getEnum().stream().map(node -> (Object) node.asText()).toList());
        }
        return switch (type) {
            case "object" -> object(kind, schema, path);
            case "array" -> {
                long max = Math.min(schema.getMaxItems() == null ? 3 : schema.getMaxItems(), 3);
                yield value(kind, schema.getItems().getSchema(), path + "[]").list().ofMaxSize((int) max)
                        .map(list -> (Object) list);
            }
            case "integer" -> integer(schema);
            case "boolean" -> Arbitraries.of(true, false).map(b -> (Object) b);
            case "string" -> string(kind, schema, path);
            default -> throw new IllegalStateException(kind + " " + path + ": type " + type + " not generated");
        };
    }

    private Arbitrary<Object> object(String kind, JSONSchemaProps schema, String path) {
        List<String> required = schema.getRequired() == null ? List.of() : schema.getRequired();
        List<Arbitrary<Map.Entry<String, Object>>> fields = new ArrayList<>();
        schema.getProperties().forEach((name, property) -> {
            if (REFERENCES.contains(name)) {
                return;
            }
            String fieldPath = path.isEmpty() ? name : path + "." + name;
            Arbitrary<Map.Entry<String, Object>> entry = value(kind, property, fieldPath)
                    .map(v -> Map.entry(name, v));
            fields.add(required.contains(name) ? entry : entry.injectNull(0.65));
        });
        return Combinators.combine(fields).as(entries -> {
            Map<String, Object> map = new LinkedHashMap<>();
            entries.stream().filter(e -> e != null).forEach(e -> map.put(e.getKey(), e.getValue()));
            return (Object) map;
        });
    }

    private static Arbitrary<Object> integer(JSONSchemaProps schema) {
        long min = schema.getMinimum() != null ? schema.getMinimum().longValue()
                : "int64".equals(schema.getFormat()) ? Long.MIN_VALUE : Integer.MIN_VALUE;
        long max = schema.getMaximum() != null ? schema.getMaximum().longValue()
                : "int64".equals(schema.getFormat()) ? Long.MAX_VALUE : Integer.MAX_VALUE;
        // The bounds, values next to the lower one (so that ports and weights collide now and then), and any.
        Arbitrary<Long> any = Arbitraries.longs().between(min, max)
                .withDistribution(net.jqwik.api.RandomDistribution.uniform());
        return Arbitraries.frequencyOf(Tuple.of(2, Arbitraries.of(min, max)),
                Tuple.of(4, Arbitraries.longs().between(min, Math.min(max, min + 3))), Tuple.of(4, any))
                .map(v -> (Object) v);
    }

    private Arbitrary<Object> string(String kind, JSONSchemaProps schema, String path) {
        List<String> fitting = VOCABULARY.stream().filter(v -> fitsLength(schema, v)).toList();
        List<String> admitted = admittedStrings.getOrDefault(kind + ":" + path, List.of());
        Arbitrary<String> anyValue = Arbitraries.of(fitting);
        Arbitrary<String> value = admitted.isEmpty() ? anyValue
                : Arbitraries.frequencyOf(Tuple.of(9, Arbitraries.of(admitted)), Tuple.of(1, anyValue));
        return value.map(v -> (Object) v);
    }

    private static boolean fitsLength(JSONSchemaProps schema, String value) {
        return (schema.getMaxLength() == null || value.length() <= schema.getMaxLength())
                && (schema.getMinLength() == null || value.length() >= schema.getMinLength());
    }

    /** Paths of the string fields that take free text: no enum, not a reference. */
    private static List<String> stringFields(JSONSchemaProps schema, String path) {
        List<String> paths = new ArrayList<>();
        schema.getProperties().forEach((name, property) -> {
            String fieldPath = path.isEmpty() ? name : path + "." + name;
            JSONSchemaProps leaf = "array".equals(property.getType()) ? property.getItems().getSchema() : property;
            if (REFERENCES.contains(name)) {
                return;
            }
            if ("object".equals(leaf.getType()) && leaf.getProperties() != null) {
                paths.addAll(stringFields(leaf, fieldPath));
            } else if ("string".equals(leaf.getType()) && (leaf.getEnum() == null || leaf.getEnum().isEmpty())) {
                paths.add("array".equals(property.getType()) ? fieldPath + "[]" : fieldPath);
            }
        });
        return paths;
    }

    private static JSONSchemaProps leaf(JSONSchemaProps schema, String path) {
        JSONSchemaProps current = schema;
        for (String part : path.split("\\.")) {
            boolean item = part.endsWith("[]");
            current = current.getProperties().get(item ? part.substring(0, part.length() - 2) : part);
            if (item) {
                current = current.getItems().getSchema();
            }
        }
        return current;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> with(Map<String, Object> base, String path, String value) {
        Map<String, Object> copy = Serialization.unmarshal(Serialization.asJson(base), Map.class);
        Map<String, Object> current = copy;
        String[] parts = path.split("\\.");
        for (int i = 0; i < parts.length - 1; i++) {
            current = (Map<String, Object>) current.computeIfAbsent(parts[i], k -> new LinkedHashMap<>());
        }
        String last = parts[parts.length - 1];
        current.put(last.replace("[]", ""), last.endsWith("[]") ? List.of(value) : value);
        return copy;
    }

    /** Whether the API server admits an object of this kind with this spec. */
    boolean admitted(String kind, Map<String, Object> spec) {
        return admit(kind, "probe-" + names.incrementAndGet(), spec) != null;
    }

    /** The object as the API server admits it (defaults applied, uid and creation time set), or null. */
    GenericKubernetesResource admit(String kind, String name, Map<String, Object> spec) {
        GenericKubernetesResource object = new GenericKubernetesResource();
        object.setApiVersion("lbaas.dev/v1alpha1");
        object.setKind(kind);
        object.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name)
                .withNamespace(namespace).build());
        object.setAdditionalProperty("spec", spec);
        try {
            return client.resource(object).dryRun().create();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 422) {
                return null;
            }
            throw e;
        }
    }

    /** Reads an admitted object as the operator's informers do. */
    static <T extends HasMetadata> T typed(GenericKubernetesResource admitted, Class<T> type) {
        return Serialization.unmarshal(Serialization.asJson(admitted), type);
    }
}
