package io.sluice.gateway.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.sluice.gateway.core.IndexEntry;
import io.sluice.gateway.core.ModelMetadata;
import io.sluice.gateway.core.ServingApi;
import io.sluice.gateway.core.TensorMetadata;
import io.sluice.runtime.Status;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The control-plane endpoints: health, server and model metadata, config, statistics and the
 * model repository. Each turns a {@link Route} (and, for the repository, a small JSON body) into
 * a call on {@link ServingApi} and its answer into JSON. None blocks: load and unload return the
 * api's future, the rest answer at once.
 *
 * <p>Not-ready answers are 503 with {@code {"error":…}}: tritonclient reads only the status, the
 * KServe SDK parses the body, and this form satisfies both.
 */
final class ControlEndpoints {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final ServingApi api;

  ControlEndpoints(ServingApi api) {
    this.api = api;
  }

  FullHttpResponse live() {
    if (!api.isLive()) {
      return HttpResponses.error(HttpResponseStatus.SERVICE_UNAVAILABLE, "server is not live");
    }
    return HttpResponses.json(HttpResponseStatus.OK, g -> {
      g.writeStartObject();
      g.writeBooleanField("live", true);
      g.writeEndObject();
    });
  }

  FullHttpResponse ready() {
    if (!api.isReady()) {
      return HttpResponses.error(
          HttpResponseStatus.SERVICE_UNAVAILABLE,
          "server is not ready: not every model that should be loaded is READY");
    }
    return HttpResponses.json(HttpResponseStatus.OK, g -> {
      g.writeStartObject();
      g.writeBooleanField("ready", true);
      g.writeEndObject();
    });
  }

  FullHttpResponse serverMetadata() {
    ServingApi.ServerInfo info = api.serverInfo();
    return HttpResponses.json(HttpResponseStatus.OK, g -> {
      g.writeStartObject();
      g.writeStringField("name", info.name());
      g.writeStringField("version", info.version());
      g.writeArrayFieldStart("extensions");
      for (String extension : info.extensions()) {
        g.writeString(extension);
      }
      g.writeEndArray();
      g.writeEndObject();
    });
  }

  FullHttpResponse modelReady(Route route) {
    if (!api.isModelReady(route.model(), route.version())) {
      String which = route.version().isEmpty() ? "" : " version " + route.version();
      return HttpResponses.error(
          HttpResponseStatus.SERVICE_UNAVAILABLE,
          "model '" + route.model() + "'" + which + " is not ready");
    }
    return HttpResponses.json(HttpResponseStatus.OK, g -> {
      g.writeStartObject();
      g.writeStringField("name", route.model());
      g.writeBooleanField("ready", true);
      g.writeEndObject();
    });
  }

  FullHttpResponse modelMetadata(Route route) {
    ModelMetadata m = api.modelMetadata(route.model(), route.version());
    return HttpResponses.json(HttpResponseStatus.OK, g -> {
      g.writeStartObject();
      g.writeStringField("name", m.name());
      g.writeArrayFieldStart("versions");
      for (String v : m.versions()) {
        g.writeString(v);
      }
      g.writeEndArray();
      g.writeStringField("platform", m.platform());
      writeTensors(g, "inputs", m.inputs());
      writeTensors(g, "outputs", m.outputs());
      g.writeEndObject();
    });
  }

  private static void writeTensors(JsonGenerator g, String field, List<TensorMetadata> tensors)
      throws IOException {
    g.writeArrayFieldStart(field);
    for (TensorMetadata t : tensors) {
      g.writeStartObject();
      g.writeStringField("name", t.name());
      g.writeStringField("datatype", t.datatype().v2Name());
      g.writeArrayFieldStart("shape");
      for (long d : t.shape()) {
        g.writeNumber(d);
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  /** {@code GET /v2/models/{m}/traffic}: the policy and its live state. */
  FullHttpResponse traffic(Route route) {
    noVersion(route, "traffic");
    api.checkTraffic(route.model());
    return HttpResponses.json(HttpResponseStatus.OK, g -> api.writeTraffic(route.model(), g));
  }

  /** {@code PUT /v2/models/{m}/traffic}: a new policy; answers the state now in force. */
  FullHttpResponse putTraffic(Route route, ByteBuf body) {
    noVersion(route, "traffic");
    api.putTraffic(route.model(), io.netty.buffer.ByteBufUtil.getBytes(body));
    return traffic(route);
  }

  /** {@code POST /v2/models/{m}/promote}. */
  FullHttpResponse promote(Route route, ByteBuf body) {
    noVersion(route, "promote");
    api.promote(route.model(), io.netty.buffer.ByteBufUtil.getBytes(body));
    return traffic(route);
  }

  /** {@code POST /v2/models/{m}/rollback}. */
  FullHttpResponse rollback(Route route, ByteBuf body) {
    noVersion(route, "rollback");
    api.rollback(route.model(), io.netty.buffer.ByteBufUtil.getBytes(body));
    return traffic(route);
  }

  /** {@code POST /v2/models/{m}/rollout}. */
  FullHttpResponse rollout(Route route, ByteBuf body) {
    noVersion(route, "rollout");
    api.rollout(route.model(), io.netty.buffer.ByteBufUtil.getBytes(body));
    return traffic(route);
  }

  /** {@code PUT /v2/models/{m}/versions/{v}/faults}. */
  FullHttpResponse faults(Route route, ByteBuf body) {
    api.putFaults(route.model(), route.version(), io.netty.buffer.ByteBufUtil.getBytes(body));
    return traffic(new Route(route.endpoint(), route.model(), ""));
  }

  private static void noVersion(Route route, String action) {
    if (!route.version().isEmpty()) {
      throw Status.notFound("/" + action + " is per model (expected: /v2/models/" + route.model()
          + "/" + action + ")").asException();
    }
  }

  /** The drift monitor's document; NOT_FOUND before any body is written. */
  FullHttpResponse drift(Route route) {
    api.checkDrift(route.model(), route.version());
    return HttpResponses.json(
        HttpResponseStatus.OK, g -> api.writeDrift(route.model(), route.version(), g));
  }

  /**
   * {@code POST /v2/models/{m}/feedback}: {@code {"labels": [{"id": "…", "label": 2}, …]}} (or
   * one {@code {"id", "label"}}); answers the outcome counts.
   */
  FullHttpResponse feedback(Route route, ByteBuf body) {
    JsonNode root;
    try {
      root = MAPPER.readTree(new ByteBufInputStream(body.duplicate()));
    } catch (IOException e) {
      throw Status.invalidArgument("feedback body is not JSON"
          + " (expected: {\"labels\": [{\"id\": \"<request id>\", \"label\": <number>}]})")
          .asException();
    }
    JsonNode items = root == null ? null : root.has("labels") ? root.get("labels") : root;
    List<io.sluice.gateway.core.MonitorQueries.Label> labels = new java.util.ArrayList<>();
    if (items != null && items.isObject()) {
      labels.add(label(items));
    } else if (items != null && items.isArray() && !items.isEmpty()) {
      for (JsonNode item : items) {
        labels.add(label(item));
      }
    } else {
      throw Status.invalidArgument("feedback body has no labels (expected: {\"labels\": [{\"id\":"
          + " \"<request id>\", \"label\": <number>}]})").asException();
    }
    io.sluice.gateway.core.FeedbackResult r = api.feedback(route.model(), labels);
    return HttpResponses.json(HttpResponseStatus.OK, g -> {
      g.writeStartObject();
      g.writeNumberField("matched", r.matched());
      g.writeNumberField("unknown_id", r.unknownId());
      g.writeNumberField("expired", r.expired());
      g.writeNumberField("duplicate", r.duplicate());
      g.writeEndObject();
    });
  }

  private static io.sluice.gateway.core.MonitorQueries.Label label(JsonNode item) {
    JsonNode id = item.get("id");
    JsonNode value = item.get("label");
    if (id == null || !id.isTextual() || id.asText().isEmpty() || value == null
        || !value.isNumber()) {
      throw Status.invalidArgument("feedback label " + item + " (expected: {\"id\": \"<request"
          + " id>\", \"label\": <number>})").asException();
    }
    return new io.sluice.gateway.core.MonitorQueries.Label(id.asText(), value.asDouble());
  }

  FullHttpResponse modelConfig(Route route) {
    return HttpResponses.json(
        HttpResponseStatus.OK,
        TritonJson.body(api.modelConfig(route.model(), route.version()), TritonJson.Unset.OMIT));
  }

  FullHttpResponse statistics(Route route) {
    return HttpResponses.json(
        HttpResponseStatus.OK,
        TritonJson.body(
            api.statistics(route.model(), route.version()), TritonJson.Unset.PRINT_DEFAULTS));
  }

  /** Body: empty, or {@code {"ready":true|false}}. */
  FullHttpResponse repositoryIndex(ByteBuf body) {
    JsonNode root = readBody(body, "the repository index request");
    boolean readyOnly = false;
    if (root.has("ready")) {
      JsonNode ready = root.get("ready");
      if (!ready.isBoolean()) {
        throw Status.invalidArgument("'ready': " + ready + " (expected: true or false)")
            .asException();
      }
      readyOnly = ready.booleanValue();
    }
    List<IndexEntry> entries = api.repositoryIndex(readyOnly);
    return HttpResponses.json(HttpResponseStatus.OK, g -> {
      g.writeStartArray();
      for (IndexEntry e : entries) {
        g.writeStartObject();
        g.writeStringField("name", e.name());
        g.writeStringField("version", e.version());
        g.writeStringField("state", e.state());
        g.writeStringField("reason", e.reason());
        g.writeEndObject();
      }
      g.writeEndArray();
    });
  }

  /**
   * Body: empty, or {@code {"parameters":{"config":"<json>", …}}}. Every parameter reaches the
   * api as a string; a non-string value is passed as its JSON text.
   */
  CompletableFuture<Void> load(Route route, ByteBuf body) {
    JsonNode root = readBody(body, "the load request");
    Map<String, String> parameters = new LinkedHashMap<>();
    JsonNode params = root.get("parameters");
    if (params != null) {
      if (!params.isObject()) {
        throw Status.invalidArgument(
                "'parameters': " + params + " (expected: an object of named parameters)")
            .asException();
      }
      for (Map.Entry<String, JsonNode> p : params.properties()) {
        JsonNode v = p.getValue();
        parameters.put(p.getKey(), v.isTextual() ? v.textValue() : v.toString());
      }
    }
    return api.load(route.model(), parameters);
  }

  CompletableFuture<Void> unload(Route route) {
    return api.unload(route.model());
  }

  /** The body as a JSON object; an empty body is an empty object. */
  private static JsonNode readBody(ByteBuf body, String what) {
    if (!body.isReadable()) {
      return MAPPER.createObjectNode();
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(new ByteBufInputStream(body.duplicate()));
    } catch (JsonProcessingException e) {
      throw Status.invalidArgument(
              what + " is not valid JSON: " + e.getOriginalMessage()
                  + " (expected: a JSON object, or no body)")
          .asException();
    } catch (IOException e) {
      throw Status.invalidArgument(what + " cannot be read: " + e.getMessage()).asException();
    }
    if (root == null || root.isMissingNode()) {
      return MAPPER.createObjectNode();
    }
    if (!root.isObject()) {
      throw Status.invalidArgument(what + " is " + root.getNodeType() + " (expected: a JSON"
              + " object, or no body)")
          .asException();
    }
    return root;
  }
}
