package dev.lbaas.operator.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Collection;
import java.util.stream.Collectors;

/** Enum values as the API spells them ("UDP-CONNECT", not the Java name UDP_CONNECT), for messages. */
public final class ApiSpelling {

    private ApiSpelling() {
    }

    public static String of(Enum<?> value) {
        try {
            JsonProperty property = value.getDeclaringClass().getField(value.name()).getAnnotation(JsonProperty.class);
            return property == null ? value.name() : property.value();
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
    }

    /** "A, B and C". */
    public static String of(Collection<? extends Enum<?>> values) {
        var spelled = values.stream().map(ApiSpelling::of).toList();
        if (spelled.size() < 2) {
            return String.join("", spelled);
        }
        return spelled.subList(0, spelled.size() - 1).stream().collect(Collectors.joining(", "))
                + " and " + spelled.get(spelled.size() - 1);
    }
}
