package dev.lbaas.amphora.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cipher suites a TERMINATED_HTTPS listener may be given, by their OpenSSL names (Octavia's
 * tls_ciphers syntax: names separated by colons) with the Java names the amphora enables them by.
 * A fixed table, not what one JVM happens to offer, so that the operator refuses a name before any
 * amphora sees it: every suite here is one the JDK's TLS implementation provides. TLS 1.3 suites
 * have one name in both worlds.
 */
public final class TlsCiphers {

    /** OpenSSL name to Java name, strongest first (the order of Octavia's default list). */
    private static final Map<String, String> SUITES = new LinkedHashMap<>();

    static {
        SUITES.put("TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384");
        SUITES.put("TLS_CHACHA20_POLY1305_SHA256", "TLS_CHACHA20_POLY1305_SHA256");
        SUITES.put("TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256");
        SUITES.put("ECDHE-ECDSA-AES256-GCM-SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");
        SUITES.put("ECDHE-RSA-AES256-GCM-SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
        SUITES.put("ECDHE-ECDSA-CHACHA20-POLY1305", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");
        SUITES.put("ECDHE-RSA-CHACHA20-POLY1305", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
        SUITES.put("ECDHE-ECDSA-AES128-GCM-SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
        SUITES.put("ECDHE-RSA-AES128-GCM-SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
        SUITES.put("ECDHE-ECDSA-AES256-SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384");
        SUITES.put("ECDHE-RSA-AES256-SHA384", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384");
        SUITES.put("ECDHE-ECDSA-AES128-SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256");
        SUITES.put("ECDHE-RSA-AES128-SHA256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256");
        SUITES.put("DHE-RSA-AES256-GCM-SHA384", "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384");
        SUITES.put("DHE-RSA-CHACHA20-POLY1305", "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
        SUITES.put("DHE-RSA-AES128-GCM-SHA256", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256");
        SUITES.put("DHE-RSA-AES256-SHA256", "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256");
        SUITES.put("DHE-RSA-AES128-SHA256", "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256");
    }

    private TlsCiphers() {
    }

    /** Every OpenSSL name a listener may be given, in the table's order. */
    public static List<String> names() {
        return List.copyOf(SUITES.keySet());
    }

    /**
     * The Java names of a colon-separated OpenSSL cipher list, in its order.
     *
     * @throws IllegalArgumentException naming the first unknown suite, or for an empty list
     */
    public static List<String> toJava(String openSslList, String field) {
        List<String> java = new ArrayList<>();
        for (String name : openSslList.split(":", -1)) {
            String suite = SUITES.get(name.strip());
            if (suite == null) {
                throw new IllegalArgumentException(field + ": \"" + name + "\" is not a cipher suite the amphora "
                        + "serves; use OpenSSL names such as ECDHE-RSA-AES128-GCM-SHA256 or TLS_AES_128_GCM_SHA256");
            }
            if (!java.contains(suite)) {
                java.add(suite);
            }
        }
        return java;
    }
}
