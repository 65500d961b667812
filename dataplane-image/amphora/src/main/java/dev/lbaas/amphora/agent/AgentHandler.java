package dev.lbaas.amphora.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import dev.lbaas.amphora.config.AgentApi;
import dev.lbaas.amphora.config.AmphoraConfig;
import dev.lbaas.amphora.config.ApiError;
import dev.lbaas.amphora.config.ConfigAck;
import dev.lbaas.amphora.runtime.ApplyResult;
import dev.lbaas.amphora.runtime.Dataplane;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The agent API's endpoints (see {@link AgentApi}). */
@Sharable
final class AgentHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger LOG = LoggerFactory.getLogger(AgentHandler.class);

    private final Dataplane dataplane;
    private final StatusWaiters waiters;
    private final Executor configThread;

    AgentHandler(Dataplane dataplane, StatusWaiters waiters, Executor configThread) {
        this.dataplane = dataplane;
        this.waiters = waiters;
        this.configThread = configThread;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (request.decoderResult().isFailure()) {
            respond(ctx, false, HttpResponseStatus.BAD_REQUEST, new ApiError("malformed HTTP request"));
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        switch (uri.path()) {
            case AgentApi.CONFIG_PATH -> {
                if (allowed(ctx, keepAlive, request, HttpMethod.PUT)) {
                    putConfig(ctx, keepAlive, request);
                }
            }
            case AgentApi.STATUS_PATH -> {
                if (allowed(ctx, keepAlive, request, HttpMethod.GET)) {
                    getStatus(ctx, keepAlive, uri);
                }
            }
            case AgentApi.FAILOVER_PATH -> {
                if (allowed(ctx, keepAlive, request, HttpMethod.POST)) {
                    failover(ctx, keepAlive);
                }
            }
            default -> respond(ctx, keepAlive, HttpResponseStatus.NOT_FOUND, new ApiError("no such path: " + uri.path()));
        }
    }

    private boolean allowed(ChannelHandlerContext ctx, boolean keepAlive, FullHttpRequest request, HttpMethod method) {
        if (request.method().equals(method)) {
            return true;
        }
        FullHttpResponse response = response(HttpResponseStatus.METHOD_NOT_ALLOWED,
                new ApiError(request.method() + " is not allowed here, only " + method));
        response.headers().set(HttpHeaderNames.ALLOW, method.name());
        send(ctx, keepAlive, response);
        return false;
    }

    private void putConfig(ChannelHandlerContext ctx, boolean keepAlive, FullHttpRequest request) {
        AmphoraConfig config;
        try {
            // ByteBufInputStream is also a DataInput; the InputStream reading is the one meant.
            InputStream body = new ByteBufInputStream(request.content());
            config = AgentApi.json().readValue(body, AmphoraConfig.class);
        } catch (IOException e) {
            respond(ctx, keepAlive, HttpResponseStatus.BAD_REQUEST, new ApiError(describe(e)));
            return;
        }
        // Applying waits for sockets to bind, so it runs on the configuration thread; pushes queue there.
        CompletableFuture.supplyAsync(() -> dataplane.apply(config), configThread).whenComplete((result, error) -> {
            if (error != null) {
                LOG.error("config generation {} failed", config.generation(), error);
                respond(ctx, keepAlive, HttpResponseStatus.INTERNAL_SERVER_ERROR,
                        new ApiError("applying generation " + config.generation() + " failed: " + error));
            } else if (result instanceof ApplyResult.Applied applied) {
                respond(ctx, keepAlive, HttpResponseStatus.OK, new ConfigAck(applied.generation()));
            } else if (result instanceof ApplyResult.Stale stale) {
                respond(ctx, keepAlive, HttpResponseStatus.CONFLICT, new ConfigAck(stale.currentGeneration()));
            } else if (result instanceof ApplyResult.Rejected rejected) {
                respond(ctx, keepAlive, HttpResponseStatus.BAD_REQUEST, new ApiError(rejected.message()));
            }
        });
    }

    /**
     * A planned failover. It waits for the successor on the configuration thread, so that no
     * configuration is applied halfway through a handover.
     */
    private void failover(ChannelHandlerContext ctx, boolean keepAlive) {
        CompletableFuture.supplyAsync(() -> {
            try {
                return dataplane.handOverVip();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while handing over", e);
            }
        }, configThread).whenComplete((handover, error) -> {
            if (error != null) {
                LOG.error("failover failed", error);
                respond(ctx, keepAlive, HttpResponseStatus.INTERNAL_SERVER_ERROR,
                        new ApiError("failover failed: " + error));
                return;
            }
            switch (handover) {
                case HANDED_OVER -> respond(ctx, keepAlive, HttpResponseStatus.OK, dataplane.status());
                // A backup's status says who it is: nothing to fail over from here.
                case NOT_MASTER -> respond(ctx, keepAlive, HttpResponseStatus.CONFLICT, dataplane.status());
                case NO_PAIR -> respond(ctx, keepAlive, HttpResponseStatus.CONFLICT,
                        new ApiError("this amphora serves no ACTIVE_STANDBY pair: there is nothing to fail over to"));
                case NO_SUCCESSOR -> respond(ctx, keepAlive, HttpResponseStatus.CONFLICT,
                        new ApiError("no peer took the VIP within the master-down interval; this amphora takes it "
                                + "back"));
                default -> throw new IllegalStateException(handover.toString());
            }
        });
    }

    private void getStatus(ChannelHandlerContext ctx, boolean keepAlive, QueryStringDecoder uri) {
        long after;
        int waitSeconds;
        try {
            after = Long.parseLong(param(uri, AgentApi.AFTER_PARAM, "-1"));
            waitSeconds = Math.min(Integer.parseInt(param(uri, AgentApi.WAIT_SECONDS_PARAM, "0")),
                    AgentApi.MAX_WAIT_SECONDS);
        } catch (NumberFormatException e) {
            respond(ctx, keepAlive, HttpResponseStatus.BAD_REQUEST,
                    new ApiError(AgentApi.AFTER_PARAM + " and " + AgentApi.WAIT_SECONDS_PARAM + " must be numbers"));
            return;
        }
        if (after != dataplane.healthVersion() || waitSeconds <= 0) {
            respond(ctx, keepAlive, HttpResponseStatus.OK, dataplane.status());
            return;
        }
        // Held: no further request is read from this connection until this one is answered.
        ctx.channel().config().setAutoRead(false);
        StatusWaiters.Waiter waiter = waiters.hold(ctx, waitSeconds, () -> {
            ctx.channel().config().setAutoRead(true);
            respond(ctx, keepAlive, HttpResponseStatus.OK, dataplane.status());
        });
        if (dataplane.healthVersion() != after) {
            waiter.answer();
        }
    }

    private static String param(QueryStringDecoder uri, String name, String absent) {
        List<String> values = uri.parameters().get(name);
        return values == null || values.isEmpty() ? absent : values.get(0);
    }

    /** The message of a refused configuration: the rule of the record that refused it, or where the JSON is wrong. */
    static String describe(IOException e) {
        Throwable cause = e.getCause();
        if (e instanceof JsonMappingException && cause != null && cause.getMessage() != null
                && (cause instanceof IllegalArgumentException || cause instanceof NullPointerException)) {
            return cause.getMessage();
        }
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            return path(mapping.getPath()) + ": " + mapping.getOriginalMessage();
        }
        return "unreadable configuration: "
                + (e instanceof JsonProcessingException json ? json.getOriginalMessage() : e.getMessage());
    }

    private static String path(List<JsonMappingException.Reference> references) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference reference : references) {
            if (reference.getFieldName() != null) {
                path.append(path.length() == 0 ? "" : ".").append(reference.getFieldName());
            } else {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static void respond(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, Object body) {
        send(ctx, keepAlive, response(status, body));
    }

    private static FullHttpResponse response(HttpResponseStatus status, Object body) {
        byte[] json;
        try {
            json = AgentApi.json().writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("agent answers are plain records", e);
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(json));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, json.length);
        return response;
    }

    private static void send(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse response) {
        if (!keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        var written = ctx.writeAndFlush(response);
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("agent connection failed: {}", cause.toString());
        ctx.close();
    }
}
