package dev.lbaas.amphora.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The amphora agent API: HTTP/1.1 with JSON bodies over two-way TLS.
 *
 * <ul>
 *   <li>{@code PUT /v1/config} with an {@link AmphoraConfig}: applied in place; answers {@link
 *       ConfigAck} once the generation is served, 400 with an {@link ApiError} if it is invalid,
 *       409 with the current {@link ConfigAck} if it is older than the generation already served.
 *   <li>{@code GET /v1/status?after=V&waitSeconds=S}: {@link AmphoraStatus}. When {@code after}
 *       equals the current {@link AmphoraStatus#healthVersion()} the answer is held until health
 *       changes or {@code S} seconds pass, so the operator learns of a member going down at once
 *       without polling hard (a long poll).
 *   <li>{@code POST /v1/failover}: a planned failover of an ACTIVE_STANDBY pair. A master resigns,
 *       waits until its peer has taken the VIP (at most one master-down interval) and answers
 *       with its {@link AmphoraStatus} (now BACKUP); a backup answers 409 with its status and
 *       changes nothing; a SINGLE amphora answers 409 with an {@link ApiError}.
 * </ul>
 */
public final class AgentApi {

    public static final String CONFIG_PATH = "/v1/config";
    public static final String STATUS_PATH = "/v1/status";
    public static final String FAILOVER_PATH = "/v1/failover";
    public static final String AFTER_PARAM = "after";
    public static final String WAIT_SECONDS_PARAM = "waitSeconds";
    /** The longest a status request is held, whatever the client asks. */
    public static final int MAX_WAIT_SECONDS = 30;

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();

    private AgentApi() {
    }

    /**
     * The JSON mapper both sides use. Unknown fields are refused: an amphora that does not know a
     * field would silently not serve it.
     */
    public static ObjectMapper json() {
        return MAPPER;
    }
}
