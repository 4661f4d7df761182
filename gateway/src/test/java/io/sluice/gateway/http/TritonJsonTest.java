package io.sluice.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.MessageOrBuilder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.sluice.proto.inference.GrpcService.ModelStatistics;
import io.sluice.proto.inference.GrpcService.ModelStatisticsResponse;
import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import io.sluice.proto.inference.ModelConfigProto.ModelDynamicBatching;
import io.sluice.proto.inference.ModelConfigProto.ModelParameter;
import io.sluice.proto.inference.ModelConfigProto.ModelQueuePolicy;
import io.sluice.proto.inference.ModelConfigProto.ModelVersionPolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TritonJsonTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static JsonNode print(MessageOrBuilder message, TritonJson.Unset unset)
      throws IOException {
    ByteBuf buf = Json.write(UnpooledByteBufAllocator.DEFAULT, TritonJson.body(message, unset));
    try {
      return MAPPER.readTree(buf.toString(StandardCharsets.UTF_8));
    } finally {
      buf.release();
    }
  }

  private static JsonNode config(ModelConfig config) throws IOException {
    return print(config, TritonJson.Unset.OMIT);
  }

  @Test
  void fieldsKeepTheirProtoNames() throws IOException {
    JsonNode json = config(FakeServingApi.config("m"));
    assertThat(json.has("max_batch_size")).isTrue();
    assertThat(json.has("maxBatchSize")).isFalse();
    assertThat(json.get("input").get(0).has("data_type")).isTrue();
  }

  @Test
  void int64ValuesAreJsonNumbers() throws IOException {
    JsonNode json = config(FakeServingApi.config("m"));
    assertThat(json.get("input").get(0).get("dims").get(0).isNumber()).isTrue();
    assertThat(json.get("dynamic_batching").get("max_queue_delay_microseconds").isNumber())
        .isTrue();
    assertThat(json.get("dynamic_batching").get("max_queue_delay_microseconds").asLong())
        .isEqualTo(100L);
  }

  @Test
  void uint64AboveLongMaxIsAnUnsignedNumber() throws IOException {
    JsonNode json = config(ModelConfig.newBuilder()
        .setDynamicBatching(ModelDynamicBatching.newBuilder().setPriorityLevels(-1L)).build());
    JsonNode levels = json.get("dynamic_batching").get("priority_levels");
    assertThat(levels.isBigInteger()).isTrue();
    assertThat(levels.bigIntegerValue().toString()).isEqualTo("18446744073709551615");
  }

  @Test
  void enumsArePrintedByName() throws IOException {
    assertThat(config(FakeServingApi.config("m")).get("input").get(0).get("data_type").asText())
        .isEqualTo("TYPE_FP32");
  }

  @Test
  void scalarsAndListsAtTheirDefaultsArePrinted() throws IOException {
    JsonNode json = config(ModelConfig.getDefaultInstance());
    assertThat(json.get("max_batch_size").asInt(-1)).isZero();
    assertThat(json.get("name").asText("x")).isEmpty();
    assertThat(json.get("input").isArray()).isTrue();
    assertThat(json.get("parameters").isObject()).isTrue();
  }

  @Test
  void unsetMessagesAndOneofMembersAreLeftOutOfTheConfig() throws IOException {
    JsonNode json = config(ModelConfig.getDefaultInstance());
    assertThat(json.has("dynamic_batching")).isFalse();
    assertThat(json.has("sequence_batching")).isFalse();
    assertThat(json.has("version_policy")).isFalse();
  }

  @Test
  void aSetOneofMemberIsPrintedAndItsSiblingsAreNot() throws IOException {
    JsonNode json = config(ModelConfig.newBuilder()
        .setVersionPolicy(ModelVersionPolicy.newBuilder()
            .setLatest(ModelVersionPolicy.Latest.newBuilder().setNumVersions(1)))
        .build());
    JsonNode policy = json.get("version_policy");
    assertThat(policy.get("latest").get("num_versions").asInt()).isEqualTo(1);
    assertThat(policy.has("all")).isFalse();
    assertThat(policy.has("specific")).isFalse();
  }

  @Test
  void mapsArePrintedAsObjectsWithStringKeys() throws IOException {
    JsonNode json = config(ModelConfig.newBuilder()
        .putParameters("k", ModelParameter.newBuilder().setStringValue("v").build())
        .setDynamicBatching(ModelDynamicBatching.newBuilder()
            .putPriorityQueuePolicy(2L, ModelQueuePolicy.newBuilder().setMaxQueueSize(5).build()))
        .build());
    assertThat(json.get("parameters").get("k").get("string_value").asText()).isEqualTo("v");
    assertThat(json.get("dynamic_batching").get("priority_queue_policy").get("2")
        .get("max_queue_size").asInt()).isEqualTo(5);
  }

  @Test
  void statisticsPrintEveryCounterEvenWhenUnset() throws IOException {
    JsonNode json = print(ModelStatisticsResponse.newBuilder()
            .addModelStats(ModelStatistics.newBuilder().setName("m").setVersion("1"))
            .build(),
        TritonJson.Unset.PRINT_DEFAULTS);
    JsonNode stats = json.get("model_stats").get(0);
    assertThat(stats.get("version").asText()).isEqualTo("1");
    assertThat(stats.get("last_inference").isIntegralNumber()).isTrue();
    assertThat(stats.get("inference_count").isIntegralNumber()).isTrue();
    assertThat(stats.get("execution_count").isIntegralNumber()).isTrue();
    for (String name : new String[] {"success", "fail", "queue", "compute_input",
        "compute_infer", "compute_output", "cache_hit", "cache_miss"}) {
      JsonNode d = stats.get("inference_stats").get(name);
      assertThat(d.get("count").isIntegralNumber()).as(name).isTrue();
      assertThat(d.get("ns").isIntegralNumber()).as(name).isTrue();
    }
    assertThat(stats.get("batch_stats").isArray()).isTrue();
    assertThat(stats.get("memory_usage").isArray()).isTrue();
  }
}
