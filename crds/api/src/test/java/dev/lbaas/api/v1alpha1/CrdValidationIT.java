package dev.lbaas.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.lbaas.api.testing.ControlPlane;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every admission rule of the generated CRDs, against a real kube-apiserver: one small invalid
 * object per rule, and every error the user reads for it, exactly (field, value and rule). A rule
 * that stops working, a message that loses the value, or a stray extra error fails its case.
 */
class CrdValidationIT {

    private static final AtomicInteger NAMES = new AtomicInteger();
    private static ControlPlane controlPlane;
    private static KubernetesClient client;

    /**
     * What the API server adds whenever a schema error (an unknown enum value, a missing required
     * field, a value too long) keeps it from evaluating the CEL rules: the user learns that more
     * errors may follow once this one is fixed.
     */
    private static final String NOT_CHECKED = "<nil>: Invalid value: null: some validation rules were not checked "
            + "because the object was invalid; correct the existing errors to complete validation";

    private static final String LISTENER = "loadBalancerRef: lb\nprotocol: HTTP\nprotocolPort: 80\n";
    private static final String POOL = "loadBalancerRef: lb\nprotocol: HTTP\n";
    private static final String MEMBER = "poolRef: p\nprotocolPort: 80\n";
    private static final String MONITOR = "poolRef: p\ndelaySeconds: 5\ntimeoutSeconds: 4\nmaxRetries: 3\n";
    private static final String RULE = "l7PolicyRef: pol\n";
    private static final String TLS_LISTENER = "loadBalancerRef: lb\nprotocol: TERMINATED_HTTPS\nprotocolPort: 443\n";

    /** The rule that compiles an L7Rule's regular expression: its errors are the API server's own. */
    private static final String REGEX_RULE = "self.compareType != 'REGEX' || ''.matches(self.value) || "
            + "!''.matches(self.value)";

    @BeforeAll
    static void startApiServer() {
        controlPlane = ControlPlane.start();
        client = controlPlane.client();
    }

    @AfterAll
    static void stopApiServer() {
        if (controlPlane != null) {
            controlPlane.close();
        }
    }

    @Test
    void seedObjectsAreAcceptedWithOctaviaDefaults() {
        GenericKubernetesResource member = create("Member", "poolRef: pool-web\naddress: 192.168.200.9\nprotocolPort: 80");
        assertThat(spec(member)).containsEntry("weight", 1).containsEntry("adminStateUp", true)
                .containsEntry("backup", false);
        GenericKubernetesResource monitor = create("HealthMonitor",
                "poolRef: pool-web\ntype: TCP\ndelaySeconds: 5\ntimeoutSeconds: 4\nmaxRetries: 3");
        assertThat(spec(monitor)).containsEntry("maxRetriesDown", 3);
        GenericKubernetesResource pool = create("Pool", "loadBalancerRef: lb-web\nprotocol: HTTP");
        assertThat(spec(pool)).containsEntry("lbAlgorithm", "ROUND_ROBIN");
        GenericKubernetesResource listener = create("Listener",
                "loadBalancerRef: lb-web\nprotocol: HTTP\nprotocolPort: 80\ndefaultPoolRef: pool-web");
        assertThat(spec(listener)).containsEntry("connectionLimit", -1);
        create("LoadBalancer", "description: LB_WEB");
    }

    /** Values at the edges of every rule, which must be admitted. */
    static Stream<Arguments> admitted() {
        return Stream.of(
                Arguments.of("LoadBalancer", "vipAddress: 2001:db8::10\ntopology: SINGLE\ntags: [a, b]"),
                Arguments.of("Listener", LISTENER + "connectionLimit: 2147483647\nallowedCidrs: [10.0.0.0/8, 2001:db8::/32]"
                        + "\ninsertHeaders: [X-Forwarded-For, X-Real-IP]\nh2cPriorKnowledge: true"),
                Arguments.of("Listener", LISTENER + "timeouts: {clientData: 576h, memberConnect: 1ms, memberData: 1h30m,"
                        + " tcpInspect: 0s, httpRequest: 2s500ms}"),
                Arguments.of("Listener", "loadBalancerRef: lb\nprotocol: UDP\nprotocolPort: 53\nconnectionLimit: -1"
                        + "\ntimeouts: {clientData: 30s}"),
                Arguments.of("Listener", "loadBalancerRef: lb\nprotocol: PROMETHEUS\nprotocolPort: 9100"),
                Arguments.of("Pool", POOL + "sessionPersistence: {type: SOURCE_IP, persistenceTimeout: 2678400, "
                        + "persistenceGranularity: 255.255.255.0}"),
                Arguments.of("Pool", POOL + "sessionPersistence: {type: APP_COOKIE, cookieName: JSESSIONID, "
                        + "persistenceTimeout: 1}"),
                Arguments.of("Pool", "listenerRef: l\nprotocol: UDP\nsessionPersistence: {type: SOURCE_IP}"),
                Arguments.of("Member", MEMBER + "address: 2001:db8::1\nweight: 0\nmonitorAddress: 10.0.0.2\nmonitorPort: 65535"),
                Arguments.of("HealthMonitor", MONITOR + "type: HTTP\nexpectedCodes: 200-204, 301\nhttpVersion: \"1.1\"\n"
                        + "domainName: Health.example.com\nurlPath: /healthz?full=1\nhttpMethod: HEAD"),
                Arguments.of("HealthMonitor", "poolRef: p\ntype: UDP-CONNECT\ndelaySeconds: 86400\ntimeoutSeconds: 86399\n"
                        + "maxRetries: 10\nmaxRetriesDown: 10"),
                Arguments.of("LoadBalancerClass", "topology: ACTIVE_STANDBY\namphora: {image: lbaas/amphora:1.0, "
                        + "imagePullPolicy: Never, resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {memory: "
                        + "256Mi}}, nodeSelector: {kubernetes.io/os: linux}, tolerations: [{key: lb, operator: Exists, "
                        + "effect: NoSchedule}], priorityClassName: lb-critical}\nvipService: {type: LoadBalancer, "
                        + "annotations: {example.com/pool: public}}"),
                Arguments.of("LoadBalancerClass", "vipService: {type: NodePort}"),
                Arguments.of("LoadBalancerClass", "topology: ACTIVE_STANDBY\nfailover: {advertIntervalMillis: 10, "
                        + "preempt: true}"),
                Arguments.of("LoadBalancerClass", "failover: {advertIntervalMillis: 40950}"),
                Arguments.of("Pool", POOL + "memberSelector: {service: web, portName: http, weight: 256, backup: true}"),
                Arguments.of("Pool", POOL + "memberSelector: {service: web, port: 65535}"),
                Arguments.of("L7Policy", "listenerRef: l\naction: REDIRECT_TO_URL\nredirectUrl: "
                        + "HTTPS://www.example.com:8443/moved?from=old#top\nredirectHttpCode: 308\nposition: 2147483647"),
                Arguments.of("L7Policy", "listenerRef: l\naction: REDIRECT_PREFIX\nredirectPrefix: http://[2001:db8::1]/v2/"
                        + "\nredirectHttpCode: 301\nposition: 1"),
                Arguments.of("L7Policy", "listenerRef: l\naction: REDIRECT_TO_POOL\nredirectPoolRef: api"),
                Arguments.of("Listener", TLS_LISTENER + "tls: {defaultSecretRef: www-tls, sniSecretRefs: [api-tls, shop-tls], "
                        + "versions: [TLSv1.3, TLSv1.2], ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256:TLS_AES_128_GCM_SHA256', "
                        + "alpnProtocols: [h2, http/1.1, http/1.0], clientAuthentication: MANDATORY, clientCaSecretRef: "
                        + "clients-ca, clientCrlSecretRef: clients-crl, hsts: {maxAgeSeconds: 2147483647, "
                        + "includeSubdomains: true, preload: true}}\ninsertHeaders: [X-SSL-Client-CN, X-SSL-Client-Verify, "
                        + "X-Forwarded-Proto]"),
                Arguments.of("Pool", POOL + "tls: {caSecretRef: members-ca, crlSecretRef: members-crl, "
                        + "clientCertificateSecretRef: lb-client, serverName: members.example.com, versions: [TLSv1.3], "
                        + "ciphers: ECDHE-RSA-AES128-GCM-SHA256, alpnProtocols: [http/1.1]}"),
                Arguments.of("Pool", POOL + "tls: {}"),
                Arguments.of("Pool", POOL + "http2: true\ntls: {caSecretRef: members-ca}"),
                Arguments.of("Pool", POOL + "http2: true"),
                Arguments.of("Listener", TLS_LISTENER + "tls: {defaultSecretRef: www-tls, clientAuthentication: NONE, "
                        + "hsts: {maxAgeSeconds: 0}}"),
                Arguments.of("L7Policy", "listenerRef: l\naction: REJECT\nadminStateUp: false"),
                Arguments.of("L7Rule", RULE + "type: HEADER\ncompareType: EQUAL_TO\nkey: X-Api-Version\n"
                        + "value: \"\\\"two words\\\"\""),
                Arguments.of("L7Rule", RULE + "type: COOKIE\ncompareType: REGEX\nkey: session\nvalue: '^[a-f0-9]{32}$'"),
                Arguments.of("L7Rule", RULE + "type: HOST_NAME\ncompareType: ENDS_WITH\nvalue: .example.com\ninvert: true"),
                Arguments.of("L7Rule", RULE + "type: PATH\ncompareType: REGEX\nvalue: '^/api/v[0-9]+/(users|groups)'"),
                Arguments.of("L7Rule", RULE + "type: FILE_TYPE\ncompareType: EQUAL_TO\nvalue: jpg"),
                Arguments.of("L7Rule", RULE + "type: SSL_CONN_HAS_CERT\ncompareType: EQUAL_TO\nvalue: \"True\""),
                Arguments.of("L7Rule", RULE + "type: SSL_VERIFY_RESULT\ncompareType: EQUAL_TO\nvalue: \"0\""),
                Arguments.of("L7Rule", RULE + "type: SSL_DN_FIELD\ncompareType: STARTS_WITH\nkey: OU\nvalue: ops"));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("admitted")
    void valuesWithinTheRulesAreAdmitted(String kind, String spec) {
        assertThat(create(kind, spec).getMetadata().getUid()).isNotBlank();
    }

    /** One case per rule: the object and every error its creation gets, field first. */
    static Stream<Arguments> refusedAtCreation() {
        return Stream.of(
                // LoadBalancer
                refused("LoadBalancer", "vipAddress: not-an-ip",
                        "spec.vipAddress: Forbidden: must be an IPv4 or IPv6 address such as 192.0.2.10 or "
                                + "2001:db8::10; \"not-an-ip\" is not"),
                refused("LoadBalancer", "className: LB_WEB",
                        "spec.className: Forbidden: must be the name of a Kubernetes object: lower case "
                                + "letters, digits, \"-\" and \".\", beginning and ending with a letter or digit; "
                                + "\"LB_WEB\" is not"),
                refused("LoadBalancer", "topology: ACTIVE_ACTIVE",
                        "spec.topology: Unsupported value: \"ACTIVE_ACTIVE\": supported values: \"ACTIVE_STANDBY\", "
                                + "\"SINGLE\"", NOT_CHECKED),
                refused("LoadBalancer", "description: " + "d".repeat(256),
                        "spec.description: Too long: may not be more than 255 bytes", NOT_CHECKED),
                refused("LoadBalancer", "tags: [web, lb, web]",
                        "spec.tags: Forbidden: must not hold a value twice; \"web\" is there more than once"),
                refused("LoadBalancer", "tags: [\"\"]",
                        "spec.tags[0]: Invalid value: \"\": spec.tags[0] in body should be at least 1 chars long"),
                // Pool.memberSelector
                refused("Pool", POOL + "memberSelector: {service: web, port: 80, portName: http}",
                        "spec.memberSelector.port: Forbidden: port and portName name the same Service port two ways: "
                                + "set one of them"),
                refused("Pool", POOL + "memberSelector: {service: web}",
                        "spec.memberSelector.port: Required value: one of port (the Service port's number) or "
                                + "portName (its name) is required"),
                refused("Pool", POOL + "memberSelector: {service: Web_1, port: 80}",
                        "spec.memberSelector.service: Forbidden: must be the name of a Kubernetes object: lower case "
                                + "letters, digits, \"-\" and \".\", beginning and ending with a letter or digit; "
                                + "\"Web_1\" is not"),
                refused("Pool", POOL + "memberSelector: {service: web, port: 80, weight: 257}",
                        "spec.memberSelector.weight: Invalid value: 257: spec.memberSelector.weight in body should be "
                                + "less than or equal to 256"),
                // LoadBalancerClass
                refused("LoadBalancerClass", "amphora: {imagePullPolicy: Sometimes}",
                        "spec.amphora.imagePullPolicy: Forbidden: must be Always, IfNotPresent or Never; \"Sometimes\" "
                                + "is not"),
                refused("LoadBalancerClass", "vipService: {type: ExternalName}",
                        "spec.vipService.type: Unsupported value: \"ExternalName\": supported values: \"ClusterIP\", "
                                + "\"LoadBalancer\", \"NodePort\"", NOT_CHECKED),
                refused("LoadBalancerClass", "topology: ACTIVE_ACTIVE",
                        "spec.topology: Unsupported value: \"ACTIVE_ACTIVE\": supported values: \"ACTIVE_STANDBY\", "
                                + "\"SINGLE\"", NOT_CHECKED),
                refused("LoadBalancerClass", "failover: {advertIntervalMillis: 9}",
                        "spec.failover.advertIntervalMillis: Invalid value: 9: spec.failover.advertIntervalMillis in "
                                + "body should be greater than or equal to 10"),
                refused("LoadBalancerClass", "failover: {advertIntervalMillis: 40951}",
                        "spec.failover.advertIntervalMillis: Invalid value: 40951: spec.failover.advertIntervalMillis "
                                + "in body should be less than or equal to 40950"),
                refused("LoadBalancerClass", "amphora: {image: \"\"}",
                        "spec.amphora.image: Invalid value: \"\": spec.amphora.image in body should be at least 1 chars "
                                + "long"),
                // Listener
                refused("Listener", "loadBalancerRef: lb\nprotocol: FTP\nprotocolPort: 21",
                        "spec.protocol: Unsupported value: \"FTP\": supported values: \"HTTP\", \"HTTPS\", \"PROMETHEUS\", "
                                + "\"SCTP\", \"TCP\", \"TERMINATED_HTTPS\", \"UDP\"", NOT_CHECKED),
                refused("Listener", "loadBalancerRef: lb\nprotocol: TCP\nprotocolPort: 65536",
                        "spec.protocolPort: Invalid value: 65536: spec.protocolPort in body should be less than or equal "
                                + "to 65535"),
                refused("Listener", "protocol: TCP\nprotocolPort: 80", "spec.loadBalancerRef: Required value", NOT_CHECKED),
                refused("Listener", "loadBalancerRef: LB_WEB\nprotocol: TCP\nprotocolPort: 80",
                        "spec.loadBalancerRef: Forbidden: must be the name of a Kubernetes object: lower "
                                + "case letters, digits, \"-\" and \".\", beginning and ending with a letter or digit; "
                                + "\"LB_WEB\" is not"),
                refused("Listener", LISTENER + "connectionLimit: 99999999999",
                        "spec.connectionLimit: Invalid value: 99999999999: spec.connectionLimit in body should be less "
                                + "than or equal to 2147483647"),
                refused("Listener", LISTENER + "connectionLimit: -2",
                        "spec.connectionLimit: Invalid value: -2: spec.connectionLimit in body should be greater than or "
                                + "equal to -1"),
                refused("Listener", LISTENER + "defaultPoolRef: Pool_1",
                        "spec.defaultPoolRef: Forbidden: must be the name of a Kubernetes object: lower "
                                + "case letters, digits, \"-\" and \".\", beginning and ending with a letter or digit; "
                                + "\"Pool_1\" is not"),
                refused("Listener", "loadBalancerRef: lb\nprotocol: PROMETHEUS\nprotocolPort: 9100\ndefaultPoolRef: p",
                        "spec.defaultPoolRef: Forbidden: not allowed on a PROMETHEUS listener: it serves the load "
                                + "balancer's metrics, not a pool"),
                refused("Listener", "loadBalancerRef: lb\nprotocol: TCP\nprotocolPort: 80\ninsertHeaders: [X-Real-IP]",
                        "spec.insertHeaders: Forbidden: not allowed on a TCP listener: only HTTP and TERMINATED_HTTPS "
                                + "listeners read requests to insert headers into"),
                refused("Listener", LISTENER + "insertHeaders: [X-Real-IP, X-Real-IP]",
                        "spec.insertHeaders: Forbidden: must not hold a value twice; \"X-Real-IP\" is there more than "
                                + "once"),
                refused("Listener", LISTENER + "insertHeaders: [X-Forwarded-Host]",
                        "spec.insertHeaders[0]: Unsupported value: \"X-Forwarded-Host\": supported values: "
                                + "\"X-Forwarded-For\", \"X-Forwarded-Port\", \"X-Forwarded-Proto\", \"X-Real-IP\", "
                                + "\"X-SSL-Client-CN\", \"X-SSL-Client-DN\", \"X-SSL-Client-Has-Cert\", "
                                + "\"X-SSL-Client-Not-After\", \"X-SSL-Client-Not-Before\", \"X-SSL-Client-SHA1\", "
                                + "\"X-SSL-Client-Verify\", \"X-SSL-Issuer\"", NOT_CHECKED),
                refused("Listener", LISTENER + "allowedCidrs: [10.0.0.0/8, 10.0.0.0/33]",
                        "spec.allowedCidrs[1]: Forbidden: must be a network in CIDR notation such as "
                                + "10.0.0.0/8 or 2001:db8::/32; \"10.0.0.0/33\" is not"),
                refused("Listener", LISTENER + "allowedCidrs: [10.0.0.0/8, 10.0.0.0/8]",
                        "spec.allowedCidrs: Forbidden: must not hold a value twice; \"10.0.0.0/8\" is there more than "
                                + "once"),
                refused("Listener", LISTENER + "timeouts: {clientData: \"50\"}",
                        "spec.timeouts.clientData: Forbidden: must be a duration such as 50s, 1m30s or "
                                + "500ms (units h, m, s and ms); \"50\" is not"),
                refused("Listener", LISTENER + "timeouts: {clientData: 0s}",
                        "spec.timeouts.clientData: Forbidden: must be more than 0s (the amphora always "
                                + "bounds it) and at most 576h (24 days, Octavia's limit); 0s is not"),
                refused("Listener", LISTENER + "timeouts: {memberData: 99999h}",
                        "spec.timeouts.memberData: Forbidden: must be more than 0s (the amphora always "
                                + "bounds it) and at most 576h (24 days, Octavia's limit); 99999h is not"),
                refused("Listener", LISTENER + "timeouts: {httpRequest: 576h1ms}",
                        "spec.timeouts.httpRequest: Forbidden: must be more than 0s (the amphora always "
                                + "bounds it) and at most 576h (24 days, Octavia's limit); 576h1ms is not"),
                refused("Listener", LISTENER + "timeouts: {tcpInspect: 577h}",
                        "spec.timeouts.tcpInspect: Forbidden: must be at most 576h (24 days, Octavia's "
                                + "limit); 577h is not"),
                refused("Listener", "loadBalancerRef: lb\nprotocol: UDP\nprotocolPort: 53\ntimeouts: {memberConnect: 1s}",
                        "spec.timeouts.memberConnect: Forbidden: not allowed on a UDP listener: datagrams need no "
                                + "connection to a member"),
                refused("Listener", "loadBalancerRef: lb\nprotocol: UDP\nprotocolPort: 53\ntimeouts: {memberData: 1s}",
                        "spec.timeouts.memberData: Forbidden: not allowed on a UDP listener: a UDP session ends after "
                                + "timeouts.clientData without datagrams"),
                refused("Listener", "loadBalancerRef: lb\nprotocol: PROMETHEUS\nprotocolPort: 9100\n"
                                + "timeouts: {memberData: 1s}",
                        "spec.timeouts.memberData: Forbidden: not allowed on a PROMETHEUS listener: it has no members"),
                refused("Listener", "loadBalancerRef: lb\nprotocol: UDP\nprotocolPort: 53\ntimeouts: {tcpInspect: 1s}",
                        "spec.timeouts.tcpInspect: Forbidden: not allowed on a UDP listener: it inspects no TCP content"),
                refused("Listener", "loadBalancerRef: lb\nprotocol: TCP\nprotocolPort: 80\ntimeouts: {httpRequest: 5s}",
                        "spec.timeouts.httpRequest: Forbidden: not allowed on a TCP listener: only HTTP and "
                                + "TERMINATED_HTTPS listeners read request headers"),
                // Pool
                refused("Pool", "protocol: HTTP",
                        "spec.listenerRef: Required value: one of listenerRef (the pool is that listener's default pool)"
                                + " or loadBalancerRef is required"),
                refused("Pool", "loadBalancerRef: lb\nprotocol: QUIC",
                        "spec.protocol: Unsupported value: \"QUIC\": supported values: \"HTTP\", \"HTTPS\", \"PROXY\", "
                                + "\"PROXYV2\", \"SCTP\", \"TCP\", \"UDP\"", NOT_CHECKED),
                refused("Pool", POOL + "lbAlgorithm: RANDOM",
                        "spec.lbAlgorithm: Unsupported value: \"RANDOM\": supported values: \"LEAST_CONNECTIONS\", "
                                + "\"ROUND_ROBIN\", \"SOURCE_IP\", \"SOURCE_IP_PORT\"", NOT_CHECKED),
                refused("Pool", "listenerRef: Listener_1\nprotocol: HTTP",
                        "spec.listenerRef: Forbidden: must be the name of a Kubernetes object: lower "
                                + "case letters, digits, \"-\" and \".\", beginning and ending with a letter or digit; "
                                + "\"Listener_1\" is not"),
                refused("Pool", "loadBalancerRef: lb\nprotocol: UDP\nsessionPersistence: {type: HTTP_COOKIE}",
                        "spec.sessionPersistence.type: Forbidden: a UDP pool only keeps sessions by SOURCE_IP: "
                                + "HTTP_COOKIE needs HTTP cookies"),
                refused("Pool", POOL + "sessionPersistence: {type: APP_COOKIE}",
                        "spec.sessionPersistence.cookieName: Required value: required with type APP_COOKIE: the name of "
                                + "the application's session cookie"),
                refused("Pool", POOL + "sessionPersistence: {type: SOURCE_IP, cookieName: c}",
                        "spec.sessionPersistence.cookieName: Forbidden: only allowed with type APP_COOKIE, not "
                                + "SOURCE_IP: it names the application's own session cookie"),
                refused("Pool", POOL + "sessionPersistence: {type: APP_COOKIE, cookieName: \"my cookie\"}",
                        "spec.sessionPersistence.cookieName: Forbidden: must be a cookie name: letters, "
                                + "digits and !#$%&'*+-.^_`|~ (no spaces, quotes, commas, semicolons or =); "
                                + "\"my cookie\" is not"),
                refused("Pool", POOL + "sessionPersistence: {type: HTTP_COOKIE, persistenceTimeout: 60}",
                        "spec.sessionPersistence.persistenceTimeout: Forbidden: not allowed with type HTTP_COOKIE: the "
                                + "inserted cookie lasts as long as the client's session, and the amphora keeps no entry "
                                + "to expire"),
                refused("Pool", POOL + "sessionPersistence: {type: SOURCE_IP, persistenceTimeout: 2678401}",
                        "spec.sessionPersistence.persistenceTimeout: Invalid value: 2678401: "
                                + "spec.sessionPersistence.persistenceTimeout in body should be less than or equal to "
                                + "2678400"),
                refused("Pool", POOL + "sessionPersistence: {type: SOURCE_IP, persistenceTimeout: 0}",
                        "spec.sessionPersistence.persistenceTimeout: Invalid value: 0: "
                                + "spec.sessionPersistence.persistenceTimeout in body should be greater than or equal "
                                + "to 1"),
                refused("Pool", POOL + "sessionPersistence: {type: SOURCE_IP, persistenceGranularity: banana}",
                        "spec.sessionPersistence.persistenceGranularity: Forbidden: must be an IPv4 "
                                + "netmask such as 255.255.255.0 (ones, then zeros); \"banana\" is not"),
                refused("Pool", POOL + "sessionPersistence: {type: SOURCE_IP, persistenceGranularity: 255.0.255.0}",
                        "spec.sessionPersistence.persistenceGranularity: Forbidden: must be an IPv4 "
                                + "netmask such as 255.255.255.0 (ones, then zeros); \"255.0.255.0\" is not"),
                refused("Pool", POOL + "sessionPersistence: {type: APP_COOKIE, cookieName: c, "
                                + "persistenceGranularity: 255.255.255.0}",
                        "spec.sessionPersistence.persistenceGranularity: Forbidden: only allowed with type SOURCE_IP, "
                                + "not APP_COOKIE: a netmask groups client addresses, which APP_COOKIE does not use"),
                // Member
                refused("Member", MEMBER + "address: 10.0.0.1\nweight: 257",
                        "spec.weight: Invalid value: 257: spec.weight in body should be less than or equal to 256"),
                refused("Member", MEMBER + "address: 10.0.0.1\nweight: -1",
                        "spec.weight: Invalid value: -1: spec.weight in body should be greater than or equal to 0"),
                refused("Member", MEMBER + "address: web1.local",
                        "spec.address: Forbidden: must be an IPv4 or IPv6 address such as 192.0.2.10 or "
                                + "2001:db8::10; \"web1.local\" is not"),
                refused("Member", MEMBER + "address: 169.254.169.254",
                        "spec.address: Forbidden: must not be 169.254.169.254, the cloud metadata "
                                + "service (Octavia's reserved_ips)"),
                refused("Member", "poolRef: p\naddress: 10.0.0.1\nprotocolPort: 0",
                        "spec.protocolPort: Invalid value: 0: spec.protocolPort in body should be greater than or equal "
                                + "to 1"),
                refused("Member", MEMBER + "address: 10.0.0.1\nmonitorPort: 70000",
                        "spec.monitorPort: Invalid value: 70000: spec.monitorPort in body should be less than or equal "
                                + "to 65535"),
                refused("Member", MEMBER + "address: 10.0.0.1\nmonitorAddress: localhost",
                        "spec.monitorAddress: Forbidden: must be an IPv4 or IPv6 address such as "
                                + "192.0.2.10 or 2001:db8::10; \"localhost\" is not"),
                refused("Member", "address: 10.0.0.1\nprotocolPort: 80", "spec.poolRef: Required value", NOT_CHECKED),
                // HealthMonitor
                refused("HealthMonitor", "poolRef: p\ntype: TCP\ndelaySeconds: 4\ntimeoutSeconds: 4\nmaxRetries: 3",
                        "spec.timeoutSeconds: Forbidden: must be less than delaySeconds: a check must end before the "
                                + "next one starts"),
                refused("HealthMonitor", "poolRef: p\ntype: TCP\ndelaySeconds: 0\ntimeoutSeconds: 1\nmaxRetries: 3",
                        "spec.delaySeconds: Invalid value: 0: spec.delaySeconds in body should be greater than or equal "
                                + "to 1",
                        "spec.timeoutSeconds: Forbidden: must be less than delaySeconds: a check must end before the "
                                + "next one starts"),
                refused("HealthMonitor", MONITOR + "type: TCP\nmaxRetriesDown: 11",
                        "spec.maxRetriesDown: Invalid value: 11: spec.maxRetriesDown in body should be less than or "
                                + "equal to 10"),
                refused("HealthMonitor", "poolRef: p\ntype: TCP\ndelaySeconds: 5\ntimeoutSeconds: 4\nmaxRetries: 0",
                        "spec.maxRetries: Invalid value: 0: spec.maxRetries in body should be greater than or equal to 1"),
                refused("HealthMonitor", MONITOR + "type: GRPC",
                        "spec.type: Unsupported value: \"GRPC\": supported values: \"HTTP\", \"HTTPS\", \"PING\", "
                                + "\"SCTP\", \"TCP\", \"TLS-HELLO\", \"UDP-CONNECT\"", NOT_CHECKED),
                refused("HealthMonitor", MONITOR + "type: TLS-HELLO\nurlPath: /health",
                        "spec.urlPath: Forbidden: only allowed with type HTTP or HTTPS, not TLS-HELLO"),
                refused("HealthMonitor", MONITOR + "type: TCP\nhttpMethod: GET",
                        "spec.httpMethod: Forbidden: only allowed with type HTTP or HTTPS, not TCP"),
                refused("HealthMonitor", MONITOR + "type: PING\nexpectedCodes: \"200\"",
                        "spec.expectedCodes: Forbidden: only allowed with type HTTP or HTTPS, not PING"),
                refused("HealthMonitor", MONITOR + "type: UDP-CONNECT\nhttpVersion: \"1.1\"",
                        "spec.httpVersion: Forbidden: only allowed with type HTTP or HTTPS, not UDP-CONNECT"),
                refused("HealthMonitor", MONITOR + "type: HTTP\nhttpMethod: FETCH",
                        "spec.httpMethod: Unsupported value: \"FETCH\": supported values: \"CONNECT\", \"DELETE\", "
                                + "\"GET\", \"HEAD\", \"OPTIONS\", \"PATCH\", \"POST\", \"PUT\", \"TRACE\"", NOT_CHECKED),
                refused("HealthMonitor", MONITOR + "type: HTTP\nurlPath: health",
                        "spec.urlPath: Forbidden: must be a path beginning with / and an optional "
                                + "?query, in printable ASCII without spaces or #, such as /healthz; \"health\" is not"),
                refused("HealthMonitor", MONITOR + "type: HTTP\nurlPath: /a b",
                        "spec.urlPath: Forbidden: must be a path beginning with / and an optional "
                                + "?query, in printable ASCII without spaces or #, such as /healthz; \"/a b\" is not"),
                refused("HealthMonitor", MONITOR + "type: HTTP\nexpectedCodes: abc",
                        "spec.expectedCodes: Forbidden: must be a status code, a list or a range of "
                                + "codes 100-599 such as 200, \"200, 202\" or 200-204; \"abc\" is not"),
                refused("HealthMonitor", MONITOR + "type: HTTP\nexpectedCodes: \"99\"",
                        "spec.expectedCodes: Forbidden: must be a status code, a list or a range of "
                                + "codes 100-599 such as 200, \"200, 202\" or 200-204; \"99\" is not"),
                refused("HealthMonitor", MONITOR + "type: HTTP\nexpectedCodes: 200, 204-200",
                        "spec.expectedCodes: Forbidden: a range must go from the lower code to the "
                                + "higher (200-204, not 204-200); \"200, 204-200\" does not"),
                refused("HealthMonitor", MONITOR + "type: HTTP\nhttpVersion: \"2.0\"",
                        "spec.httpVersion: Forbidden: must be \"1.0\" or \"1.1\"; \"2.0\" is not"),
                refused("HealthMonitor", MONITOR + "type: HTTP\ndomainName: example.com",
                        "spec.domainName: Forbidden: needs httpVersion \"1.1\": HTTP/1.0 requests carry no Host header"),
                refused("HealthMonitor", MONITOR + "type: HTTP\nhttpVersion: \"1.1\"\ndomainName: exa_mple.com",
                        "spec.domainName: Forbidden: must be a host name such as health.example.com: "
                                + "labels of letters, digits and \"-\" separated by dots; \"exa_mple.com\" is not"),
                // Listener.tls
                refused("Listener", TLS_LISTENER, "spec.tls: Required value: required with protocol TERMINATED_HTTPS: "
                        + "the certificate the listener presents"),
                refused("Listener", "loadBalancerRef: lb\nprotocol: HTTPS\nprotocolPort: 443\ntls: {defaultSecretRef: a}",
                        "spec.tls: Forbidden: only allowed with protocol TERMINATED_HTTPS, not HTTPS (an HTTPS listener "
                                + "passes TLS through to the members)"),
                refused("Listener", LISTENER + "insertHeaders: [X-Forwarded-For, X-SSL-Client-DN]",
                        "spec.insertHeaders: Forbidden: the X-SSL-* headers need a TERMINATED_HTTPS listener, which sees "
                                + "client certificates; HTTP listeners do not"),
                refused("Listener", TLS_LISTENER + "tls: {sniSecretRefs: [a]}", "spec.tls.defaultSecretRef: Required value",
                        NOT_CHECKED),
                refused("Listener", TLS_LISTENER + "tls: {defaultSecretRef: a, clientAuthentication: OPTIONAL}",
                        "spec.tls.clientCaSecretRef: Required value: required with clientAuthentication OPTIONAL: the "
                                + "Secret whose ca.crt client certificates must chain to"),
                refused("Listener", TLS_LISTENER + "tls: {defaultSecretRef: a, clientCaSecretRef: ca}",
                        "spec.tls.clientCaSecretRef: Forbidden: only allowed with clientAuthentication OPTIONAL or "
                                + "MANDATORY: without them no client is asked for a certificate"),
                refused("Listener", TLS_LISTENER + "tls: {defaultSecretRef: a, clientCrlSecretRef: crl}",
                        "spec.tls.clientCrlSecretRef: Forbidden: needs clientCaSecretRef: a revocation list revokes "
                                + "certificates of that CA"),
                refused("Listener", TLS_LISTENER + "tls: {defaultSecretRef: a, ciphers: 'ECDHE-RSA-AES128-GCM-SHA256:RC4-MD5'}",
                        "spec.tls.ciphers: Forbidden: must be OpenSSL cipher suite names separated by colons, each one "
                                + "the amphora serves (such as ECDHE-RSA-AES128-GCM-SHA256); \"RC4-MD5\" is not"),
                refused("Listener", TLS_LISTENER + "tls: {defaultSecretRef: a, versions: [TLSv1.2], ciphers: "
                                + "'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384'}",
                        "spec.tls.ciphers: Forbidden: must name a TLS 1.2 suite when versions is [TLSv1.2] alone: "
                                + "TLS_AES_* and TLS_CHACHA20_* are TLS 1.3's, and no handshake could succeed"),
                refused("Listener", TLS_LISTENER + "tls: {defaultSecretRef: a, versions: [TLSv1.1]}",
                        "spec.tls.versions[0]: Unsupported value: \"TLSv1.1\": supported values: \"TLSv1.2\", "
                                + "\"TLSv1.3\"", NOT_CHECKED),
                refused("Listener", TLS_LISTENER + "tls: {defaultSecretRef: a, alpnProtocols: [h3]}",
                        "spec.tls.alpnProtocols[0]: Unsupported value: \"h3\": supported values: \"h2\", "
                                + "\"http/1.0\", \"http/1.1\"", NOT_CHECKED),
                refused("Listener", TLS_LISTENER + "tls: {defaultSecretRef: a}\nh2cPriorKnowledge: true",
                        "spec.h2cPriorKnowledge: Forbidden: only allowed with protocol HTTP, not TERMINATED_HTTPS "
                                + "(TERMINATED_HTTPS listeners offer HTTP/2 by ALPN: tls.alpnProtocols)"),
                refused("Listener", "loadBalancerRef: lb\nprotocol: TCP\nprotocolPort: 80\nh2cPriorKnowledge: true",
                        "spec.h2cPriorKnowledge: Forbidden: only allowed with protocol HTTP, not TCP"),
                refused("Listener", TLS_LISTENER + "tls: {defaultSecretRef: a, hsts: {maxAgeSeconds: -1}}",
                        "spec.tls.hsts.maxAgeSeconds: Invalid value: -1: spec.tls.hsts.maxAgeSeconds in body should be "
                                + "greater than or equal to 0"),
                refused("Listener", TLS_LISTENER + "tls: {defaultSecretRef: a, sniSecretRefs: [b, b]}",
                        "spec.tls.sniSecretRefs: Forbidden: must not hold a value twice; \"b\" is there more than once"),
                // Pool.tls
                refused("Pool", POOL + "tls: {alpnProtocols: [http/1.1, h2]}",
                        "spec.tls.alpnProtocols: Forbidden: h2 is offered to members by the pool's http2: true, alone"),
                refused("Pool", POOL + "http2: true\ntls: {alpnProtocols: [http/1.1]}",
                        "spec.tls.alpnProtocols: Forbidden: not allowed with http2: a pool that speaks HTTP/2 to its "
                                + "members offers h2 alone"),
                refused("Pool", "loadBalancerRef: lb\nprotocol: TCP\nhttp2: true",
                        "spec.http2: Forbidden: only allowed with protocol HTTP, whose requests the amphora sends to "
                                + "the members, not TCP"),
                refused("Pool", "loadBalancerRef: lb\nprotocol: HTTPS\ntls: {}",
                        "spec.tls: Forbidden: only allowed with protocol HTTP, whose members the amphora re-encrypts "
                                + "to, not HTTPS (an HTTPS pool passes TLS through)"),
                refused("Pool", POOL + "tls: {crlSecretRef: crl}",
                        "spec.tls.crlSecretRef: Forbidden: needs caSecretRef: a revocation list revokes certificates of "
                                + "that CA"),
                refused("Pool", POOL + "tls: {serverName: Members.example.com}",
                        "spec.tls.serverName: Forbidden: must be a host name in lower case such as members.example.com; "
                                + "\"Members.example.com\" is not"),
                refused("Pool", POOL + "tls: {ciphers: RC4-MD5}",
                        "spec.tls.ciphers: Forbidden: must be OpenSSL cipher suite names separated by colons, each one "
                                + "the amphora serves (such as ECDHE-RSA-AES128-GCM-SHA256); \"RC4-MD5\" is not"),
                // L7Policy
                refused("L7Policy", "action: REJECT", "spec.listenerRef: Required value", NOT_CHECKED),
                refused("L7Policy", "listenerRef: l\naction: DROP",
                        "spec.action: Unsupported value: \"DROP\": supported values: \"REDIRECT_PREFIX\", "
                                + "\"REDIRECT_TO_POOL\", \"REDIRECT_TO_URL\", \"REJECT\"", NOT_CHECKED),
                refused("L7Policy", "listenerRef: l\naction: REDIRECT_TO_POOL",
                        "spec.redirectPoolRef: Required value: required with action REDIRECT_TO_POOL: the Pool that "
                                + "gets the matching requests"),
                refused("L7Policy", "listenerRef: l\naction: REJECT\nredirectPoolRef: api",
                        "spec.redirectPoolRef: Forbidden: only allowed with action REDIRECT_TO_POOL, not REJECT"),
                refused("L7Policy", "listenerRef: l\naction: REDIRECT_TO_URL",
                        "spec.redirectUrl: Required value: required with action REDIRECT_TO_URL: where matching "
                                + "requests are redirected"),
                refused("L7Policy", "listenerRef: l\naction: REDIRECT_TO_POOL\nredirectPoolRef: api\n"
                                + "redirectUrl: https://example.com",
                        "spec.redirectUrl: Forbidden: only allowed with action REDIRECT_TO_URL, not REDIRECT_TO_POOL"),
                refused("L7Policy", "listenerRef: l\naction: REDIRECT_PREFIX",
                        "spec.redirectPrefix: Required value: required with action REDIRECT_PREFIX: what is put before "
                                + "the request's path and query"),
                refused("L7Policy", "listenerRef: l\naction: REJECT\nredirectPrefix: https://example.com",
                        "spec.redirectPrefix: Forbidden: only allowed with action REDIRECT_PREFIX, not REJECT"),
                refused("L7Policy", "listenerRef: l\naction: REJECT\nredirectHttpCode: 301",
                        "spec.redirectHttpCode: Forbidden: only allowed with action REDIRECT_TO_URL or "
                                + "REDIRECT_PREFIX, not REJECT"),
                refused("L7Policy", "listenerRef: l\naction: REDIRECT_TO_URL\nredirectUrl: https://example.com\n"
                                + "redirectHttpCode: 304",
                        "spec.redirectHttpCode: Forbidden: must be 301, 302, 303, 307 or 308; 304 is not"),
                refused("L7Policy", "listenerRef: l\naction: REDIRECT_TO_URL\nredirectUrl: https://example.com\n"
                                + "redirectHttpCode: 300",
                        "spec.redirectHttpCode: Invalid value: 300: spec.redirectHttpCode in body should be greater "
                                + "than or equal to 301"),
                refused("L7Policy", "listenerRef: l\naction: REDIRECT_TO_URL\nredirectUrl: /moved",
                        "spec.redirectUrl: Forbidden: must be an absolute http or https URL with a host, in printable "
                                + "ASCII without spaces, such as https://www.example.com/moved; \"/moved\" is not"),
                refused("L7Policy", "listenerRef: l\naction: REDIRECT_TO_URL\nredirectUrl: \"https://example.com/a\\r\\n"
                                + "Set-Cookie: x=1\"",
                        "spec.redirectUrl: Forbidden: must be an absolute http or https URL with a host, in printable "
                                + "ASCII without spaces, such as https://www.example.com/moved; \"https://example.com/a\\r\\n"
                                + "Set-Cookie: x=1\" is not"),
                refused("L7Policy", "listenerRef: l\naction: REDIRECT_TO_URL\nredirectUrl: ftp://example.com/file",
                        "spec.redirectUrl: Forbidden: must be an absolute http or https URL with a host, in printable "
                                + "ASCII without spaces, such as https://www.example.com/moved; \"ftp://example.com/file\" is not"),
                refused("L7Policy", "listenerRef: l\naction: REDIRECT_PREFIX\nredirectPrefix: https://example.com/?a=1",
                        "spec.redirectPrefix: Forbidden: must not hold a query or a fragment: the request's path and "
                                + "query follow it; \"https://example.com/?a=1\" does"),
                refused("L7Policy", "listenerRef: l\naction: REJECT\nposition: 0",
                        "spec.position: Invalid value: 0: spec.position in body should be greater than or equal to 1"),
                refused("L7Policy", "listenerRef: l\naction: REDIRECT_TO_POOL\nredirectPoolRef: API_POOL",
                        "spec.redirectPoolRef: Forbidden: must be the name of a Kubernetes object: lower case letters, "
                                + "digits, \"-\" and \".\", beginning and ending with a letter or digit; \"API_POOL\" is not"),
                // L7Rule
                refused("L7Rule", "type: PATH\ncompareType: EQUAL_TO\nvalue: /", "spec.l7PolicyRef: Required value",
                        NOT_CHECKED),
                refused("L7Rule", RULE + "type: METHOD\ncompareType: EQUAL_TO\nvalue: GET",
                        "spec.type: Unsupported value: \"METHOD\": supported values: \"COOKIE\", \"FILE_TYPE\", "
                                + "\"HEADER\", \"HOST_NAME\", \"PATH\", \"SSL_CONN_HAS_CERT\", \"SSL_DN_FIELD\", "
                                + "\"SSL_VERIFY_RESULT\"", NOT_CHECKED),
                refused("L7Rule", RULE + "type: PATH\ncompareType: EQUAL_TO",
                        "spec.value: Required value", NOT_CHECKED),
                refused("L7Rule", RULE + "type: HEADER\ncompareType: EQUAL_TO\nvalue: v",
                        "spec.key: Required value: required with type HEADER: the name of the header field to compare"),
                refused("L7Rule", RULE + "type: COOKIE\ncompareType: EQUAL_TO\nvalue: v",
                        "spec.key: Required value: required with type COOKIE: the name of the cookie to compare"),
                refused("L7Rule", RULE + "type: SSL_DN_FIELD\ncompareType: EQUAL_TO\nvalue: v",
                        "spec.key: Required value: required with type SSL_DN_FIELD: the name of the field of the "
                                + "client certificate's subject to compare"),
                refused("L7Rule", RULE + "type: PATH\ncompareType: EQUAL_TO\nkey: k\nvalue: /",
                        "spec.key: Forbidden: only allowed with type HEADER, COOKIE or SSL_DN_FIELD, not PATH"),
                refused("L7Rule", RULE + "type: HEADER\ncompareType: EQUAL_TO\nkey: \"X Api\"\nvalue: v",
                        "spec.key: Forbidden: must be a header field name: letters, digits and !#$%&'*+-.^_`|~; "
                                + "\"X Api\" is not"),
                refused("L7Rule", RULE + "type: COOKIE\ncompareType: EQUAL_TO\nkey: \"a=b\"\nvalue: v",
                        "spec.key: Forbidden: must be a cookie name: letters, digits and !#$%&'*+-.^_`|~; "
                                + "\"a=b\" is not"),
                refused("L7Rule", RULE + "type: SSL_DN_FIELD\ncompareType: EQUAL_TO\nkey: 1CN\nvalue: v",
                        "spec.key: Forbidden: must be a distinguished name field such as CN, O or OU: a letter, then "
                                + "letters, digits and -; \"1CN\" is not"),
                refused("L7Rule", RULE + "type: SSL_CONN_HAS_CERT\ncompareType: CONTAINS\nvalue: \"true\"",
                        "spec.compareType: Forbidden: a SSL_CONN_HAS_CERT rule compares with EQUAL_TO only, not CONTAINS"),
                refused("L7Rule", RULE + "type: FILE_TYPE\ncompareType: STARTS_WITH\nvalue: jp",
                        "spec.compareType: Forbidden: a FILE_TYPE rule compares with EQUAL_TO or REGEX, not STARTS_WITH"),
                refused("L7Rule", RULE + "type: SSL_CONN_HAS_CERT\ncompareType: EQUAL_TO\nvalue: \"false\"",
                        "spec.value: Forbidden: must be \"true\" for a SSL_CONN_HAS_CERT rule (invert it to match "
                                + "connections without a certificate); \"false\" is not"),
                refused("L7Rule", RULE + "type: SSL_VERIFY_RESULT\ncompareType: EQUAL_TO\nvalue: ok",
                        "spec.value: Forbidden: must be the verification result to compare with, a number such as 0 "
                                + "(verified); \"ok\" is not"),
                refused("L7Rule", RULE + "type: PATH\ncompareType: STARTS_WITH\nvalue: /a b",
                        "spec.value: Forbidden: must be printable ASCII without spaces, or a \"quoted\" string that may "
                                + "hold spaces; \"/a b\" is not"),
                refused("L7Rule", RULE + "type: HEADER\ncompareType: EQUAL_TO\nkey: X-A\nvalue: \"a\\r\\nSet-Cookie: b\"",
                        "spec.value: Forbidden: must be printable ASCII without spaces, or a \"quoted\" string that may "
                                + "hold spaces; \"a\\r\\nSet-Cookie: b\" is not"),
                refused("L7Rule", RULE + "type: COOKIE\ncompareType: EQUAL_TO\nkey: k\nvalue: a;b",
                        "spec.value: Forbidden: must be a cookie value: printable ASCII without spaces, quotes, commas, "
                                + "semicolons or backslashes; \"a;b\" is not"),
                refused("L7Rule", RULE + "type: PATH\ncompareType: REGEX\nvalue: '^/(api'",
                        "spec: Invalid value: \"object\": error parsing regexp: missing closing ): `^/(api` evaluating "
                                + "rule: " + REGEX_RULE),
                refused("L7Rule", RULE + "type: PATH\ncompareType: REGEX\nvalue: '^/(?=api)'",
                        "spec: Invalid value: \"object\": error parsing regexp: invalid or unsupported Perl syntax: "
                                + "`(?=` evaluating rule: " + REGEX_RULE));
    }

    private static Arguments refused(String kind, String spec, String... errors) {
        return Arguments.of(kind, spec, List.of(errors));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("refusedAtCreation")
    void everyRuleIsEnforcedWithItsMessage(String kind, String spec, List<String> errors) {
        assertThat(errors(() -> client.resource(object(kind, spec)).create())).containsExactlyElementsOf(errors);
    }

    /** Changes refused after creation: the object, the change and every error it gets. */
    static Stream<Arguments> refusedOnUpdate() {
        return Stream.of(
                changed("LoadBalancer", "vipAddress: 127.0.0.10", "vipAddress: 127.0.0.11",
                        "spec.vipAddress: Forbidden: cannot be changed after creation (from "
                                + "\"127.0.0.10\" to \"127.0.0.11\"): create a new object instead"),
                changed("LoadBalancer", "description: d", "description: d\nvipAddress: 127.0.0.10",
                        "spec.vipAddress: Forbidden: cannot be added or removed after creation: the VIP is "
                                + "chosen when the load balancer is created (create a new load balancer for another VIP)"),
                changed("LoadBalancer", "vipAddress: 127.0.0.10", "description: d",
                        "spec.vipAddress: Forbidden: cannot be added or removed after creation: the VIP is "
                                + "chosen when the load balancer is created (create a new load balancer for another VIP)"),
                changed("LoadBalancer", "description: d", "className: gold",
                        "spec.className: Forbidden: cannot be added or removed after creation: the "
                                + "class (Octavia's flavor) is fixed when the load balancer is created"),
                changed("LoadBalancer", "className: gold", "className: silver",
                        "spec.className: Forbidden: cannot be changed after creation (from \"gold\" to "
                                + "\"silver\"): create a new object instead"),
                changed("LoadBalancer", "topology: SINGLE", "topology: ACTIVE_STANDBY",
                        "spec.topology: Forbidden: cannot be changed after creation (from \"SINGLE\" to "
                                + "\"ACTIVE_STANDBY\"): create a new object instead"),
                changed("LoadBalancer", "description: d", "topology: SINGLE",
                        "spec.topology: Forbidden: cannot be added or removed after creation: the "
                                + "topology is fixed when the load balancer is created"),
                changed("Listener", LISTENER, "loadBalancerRef: other\nprotocol: HTTP\nprotocolPort: 80",
                        "spec.loadBalancerRef: Forbidden: cannot be changed after creation (from \"lb\" "
                                + "to \"other\"): create a new object instead"),
                changed("Listener", LISTENER, "loadBalancerRef: lb\nprotocol: TCP\nprotocolPort: 80",
                        "spec.protocol: Forbidden: cannot be changed after creation (from \"HTTP\" to "
                                + "\"TCP\"): create a new object instead"),
                changed("Pool", POOL, "loadBalancerRef: lb\nprotocol: PROXY",
                        "spec.protocol: Forbidden: cannot be changed after creation (from \"HTTP\" to "
                                + "\"PROXY\"): create a new object instead"),
                changed("Pool", POOL, "loadBalancerRef: lb2\nprotocol: HTTP",
                        "spec.loadBalancerRef: Forbidden: cannot be changed after creation (from \"lb\" "
                                + "to \"lb2\"): create a new object instead"),
                changed("Pool", "listenerRef: l\nprotocol: HTTP", "listenerRef: l2\nprotocol: HTTP",
                        "spec.listenerRef: Forbidden: cannot be changed after creation (from \"l\" to "
                                + "\"l2\"): create a new object instead"),
                changed("Pool", POOL, POOL + "listenerRef: l",
                        "spec.listenerRef: Forbidden: cannot be added or removed after creation"),
                changed("Pool", "listenerRef: l\nloadBalancerRef: lb\nprotocol: HTTP", "listenerRef: l\nprotocol: HTTP",
                        "spec.loadBalancerRef: Forbidden: cannot be added or removed after creation"),
                changed("Member", MEMBER + "address: 10.0.0.1", "poolRef: q\nprotocolPort: 80\naddress: 10.0.0.1",
                        "spec.poolRef: Forbidden: cannot be changed after creation (from \"p\" to "
                                + "\"q\"): create a new object instead"),
                changed("HealthMonitor", MONITOR + "type: TCP",
                        "poolRef: q\ndelaySeconds: 5\ntimeoutSeconds: 4\nmaxRetries: 3\ntype: TCP",
                        "spec.poolRef: Forbidden: cannot be changed after creation (from \"p\" to "
                                + "\"q\"): create a new object instead"),
                changed("L7Policy", "listenerRef: l\naction: REJECT", "listenerRef: m\naction: REJECT",
                        "spec.listenerRef: Forbidden: cannot be changed after creation (from \"l\" to "
                                + "\"m\"): create a new object instead"),
                changed("L7Rule", RULE + "type: PATH\ncompareType: EQUAL_TO\nvalue: /",
                        "l7PolicyRef: other\ntype: PATH\ncompareType: EQUAL_TO\nvalue: /",
                        "spec.l7PolicyRef: Forbidden: cannot be changed after creation (from \"pol\" to "
                                + "\"other\"): create a new object instead"));
    }

    private static Arguments changed(String kind, String spec, String newSpec, String... errors) {
        return Arguments.of(kind, spec, newSpec, List.of(errors));
    }

    @ParameterizedTest(name = "{0}: {1} -> {2}")
    @MethodSource("refusedOnUpdate")
    void immutableFieldsStayAsCreated(String kind, String spec, String newSpec, List<String> errors) {
        GenericKubernetesResource created = create(kind, spec);
        GenericKubernetesResource changed = object(kind, newSpec);
        changed.getMetadata().setName(created.getMetadata().getName());
        changed.getMetadata().setResourceVersion(created.getMetadata().getResourceVersion());
        assertThat(errors(() -> client.resource(changed).update())).containsExactlyElementsOf(errors);
    }

    @Test
    void serverSideApplyGetsTheSameRefusals() {
        // kubectl apply --server-side and Argo CD's server-side sync go through a different path.
        for (var refused : List.of(
                List.of("Listener", LISTENER + "insertHeaders: [X-Real-IP, X-Real-IP]",
                        "spec.insertHeaders: Forbidden: must not hold a value twice; \"X-Real-IP\" is there more than "
                                + "once"),
                List.of("Listener", LISTENER + "connectionLimit: 99999999999",
                        "spec.connectionLimit: Invalid value: 99999999999: spec.connectionLimit in body should be less "
                                + "than or equal to 2147483647"))) {
            assertThat(errors(() -> client.resource(object(refused.get(0), refused.get(1))).fieldManager("test")
                    .forceConflicts().serverSideApply())).containsExactly(refused.get(2));
        }
    }

    /**
     * The admission policies of the API (two objects' rules, which CEL in a CRD cannot see): a Pool
     * whose members come from a Service and Members written by hand for that Pool may not be mixed,
     * whichever comes first; what the operator writes for a selector, and changes to objects already
     * created, pass.
     */
    @Test
    void selectedAndHandWrittenMembersAreNotMixedInOnePool() {
        create("Pool", "loadBalancerRef: lb\nprotocol: HTTP\nmemberSelector:\n  service: web\n  port: 80", "selecting");
        String handWritten = "poolRef: selecting\naddress: 10.0.0.1\nprotocolPort: 80";
        String refusal = "spec.poolRef: Invalid value: \"selecting\": Pool selecting takes its members from Service "
                + "web (spec.memberSelector); a Member written by hand may not join it";
        // the API server takes up a new policy, and each new Pool, a moment after they are written
        // (tried as dry runs, so that the tries before it does leave nothing behind)
        GenericKubernetesResource member = object("Member", handWritten);
        String refused = policyRefusal("members", member, "member-selection.members.lbaas.dev", refusal);
        await(() -> assertThat(refusal(() -> client.resource(member).dryRun().create())).isEqualTo(refused));
        assertThat(refusal(() -> client.resource(member).create())).isEqualTo(refused);

        GenericKubernetesResource selected = object("Member", handWritten);
        selected.getMetadata().setLabels(Map.of(Member.SELECTED_BY, "selecting"));
        client.resource(selected).create();
        GenericKubernetesResource forged = object("Member", handWritten);
        forged.getMetadata().setLabels(Map.of(Member.SELECTED_BY, "another-pool"));
        assertThat(refusal(() -> client.resource(forged).create()))
                .isEqualTo(policyRefusal("members", forged, "member-selection.members.lbaas.dev", refusal));
        create("Member", "poolRef: another-pool\naddress: 10.0.0.1\nprotocolPort: 80");
        named("Pool", "selecting")
                .edit(pool -> {
                    spec(pool).put("description", "still editable");
                    return pool;
                });

        GenericKubernetesResource byHandPool = create("Pool", "loadBalancerRef: lb\nprotocol: HTTP", "by-hand");
        GenericKubernetesResource byHand = create("Member", "poolRef: by-hand\naddress: 10.0.0.2\nprotocolPort: 80");
        String poolRefused = policyRefusal("pools", byHandPool, "member-selection.pools.lbaas.dev",
                "spec.memberSelector: Invalid value: {\"service\": \"web\"}: Member " + byHand.getMetadata().getName()
                + " is written by hand for Pool by-hand; members written by hand and selected members may not be "
                + "mixed in one pool (delete the hand-written members first)");
        await(() -> assertThat(refusal(() -> named("Pool", "by-hand").dryRun().edit(CrdValidationIT::selectingWeb)))
                .isEqualTo(poolRefused));
        assertThat(refusal(() -> named("Pool", "by-hand").edit(CrdValidationIT::selectingWeb)))
                .isEqualTo(poolRefused);
        named("Member", byHand.getMetadata().getName()).delete();
        await(() -> named("Pool", "by-hand").dryRun().edit(CrdValidationIT::selectingWeb));
        named("Pool", "by-hand").edit(CrdValidationIT::selectingWeb);
    }

    private static Resource<GenericKubernetesResource> named(String kind, String name) {
        return client.genericKubernetesResources("lbaas.dev/v1alpha1", kind).inNamespace("default").withName(name);
    }

    private static GenericKubernetesResource selectingWeb(GenericKubernetesResource pool) {
        spec(pool).put("memberSelector", Map.of("service", "web", "port", 80));
        return pool;
    }

    /** What the API server answers when a ValidatingAdmissionPolicy of the API refuses an object. */
    private static String policyRefusal(String plural, GenericKubernetesResource object, String policy, String message) {
        return plural + ".lbaas.dev \"" + object.getMetadata().getName() + "\" is forbidden: ValidatingAdmissionPolicy '"
                + policy + "' with binding '" + policy + "' denied request: " + message;
    }

    /** The message of a refused request, which must be refused as invalid (422). */
    private static String refusal(Runnable request) {
        KubernetesClientException error = catchThrowableOfType(KubernetesClientException.class, request::run);
        assertThat(error).as("the request must be refused").isNotNull();
        assertThat(error.getCode()).as(error.getMessage()).isEqualTo(422);
        return error.getStatus().getMessage();
    }

    private static void await(Runnable assertion) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(assertion::run);
    }

    private static GenericKubernetesResource create(String kind, String specYaml, String name) {
        GenericKubernetesResource resource = object(kind, specYaml);
        resource.getMetadata().setName(name);
        return client.resource(resource).create();
    }

    private static GenericKubernetesResource create(String kind, String specYaml) {
        return client.resource(object(kind, specYaml)).create();
    }

    /** The API server's errors for a refused request, as "field: message" lines. */
    private static List<String> errors(Runnable request) {
        KubernetesClientException error = catchThrowableOfType(KubernetesClientException.class, request::run);
        assertThat(error).as("the request must be refused").isNotNull();
        assertThat(error.getCode()).as(error.getMessage()).isEqualTo(422);
        return error.getStatus().getDetails().getCauses().stream()
                .map(CrdValidationIT::line)
                .toList();
    }

    private static String line(StatusCause cause) {
        return cause.getField() + ": " + cause.getMessage();
    }

    private static GenericKubernetesResource object(String kind, String specYaml) {
        // LoadBalancerClass is the one cluster-scoped kind.
        String namespace = "LoadBalancerClass".equals(kind) ? "" : "\n  namespace: default";
        String yaml = "apiVersion: lbaas.dev/v1alpha1\nkind: " + kind + "\nmetadata:\n  name: t"
                + NAMES.incrementAndGet() + namespace + "\nspec:\n  "
                + specYaml.strip().replace("\n", "\n  ") + "\n";
        return (GenericKubernetesResource) client.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)))
                .items().get(0);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> spec(GenericKubernetesResource resource) {
        return (Map<String, Object>) resource.getAdditionalProperties().get("spec");
    }
}
