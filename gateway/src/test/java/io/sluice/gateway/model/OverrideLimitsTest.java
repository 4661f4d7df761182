package io.sluice.gateway.model;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.util.JsonFormat;
import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import io.sluice.runtime.Status;
import io.sluice.runtime.StatusException;
import org.junit.jupiter.api.Test;

/** Each limit of a load request's config override, written as the JSON a client sends. */
class OverrideLimitsTest {
  private final OverrideLimits limits = new OverrideLimits(8, 4, 1_000_000, 4096, 1024);

  private static ModelConfig json(String json) throws Exception {
    ModelConfig.Builder b = ModelConfig.newBuilder();
    JsonFormat.parser().merge(json, b);
    return b.build();
  }

  private void assertRefused(String json, String... inMessage) {
    assertThatThrownBy(() -> limits.check("m", json(json)))
        .isInstanceOfSatisfying(StatusException.class, e -> {
          org.assertj.core.api.Assertions.assertThat(e.status().code())
              .isEqualTo(Status.Code.INVALID_ARGUMENT);
          org.assertj.core.api.Assertions.assertThat(e.status().description())
              .startsWith("config override").contains(inMessage);
        });
  }

  @Test
  void anOverrideWithinEveryLimitPasses() {
    assertThatCode(() -> limits.check("m", json("""
        {"name": "m", "max_batch_size": 1024,
         "instance_group": [{"count": 4}, {"count": 4}],
         "parameters": {"intra_op_thread_count": {"string_value": "4"},
                        "inter_op_thread_count": {"string_value": "0"}},
         "dynamic_batching": {"max_queue_delay_microseconds": 1000000, "priority_levels": 2,
                              "default_queue_policy": {"max_queue_size": 4096}},
         "model_warmup": [{"name": "w", "batch_size": 8, "count": 3,
                           "inputs": {"x": {"data_type": "TYPE_FP32", "dims": [32],
                                            "zero_data": true}}}]}
        """))).doesNotThrowAnyException();
    assertThatCode(() -> limits.check("m", ModelConfig.getDefaultInstance()))
        .doesNotThrowAnyException();
  }

  @Test
  void aNameOtherThanTheModelsIsRefused() {
    assertRefused("{\"name\": \"other\"}", "'name': 'other'", "expected: 'm'");
  }

  @Test
  void tooManyInstancesAreRefusedNamingTheFlag() {
    assertRefused("{\"instance_group\": [{\"count\": 200}]}",
        "instance_group", "200", "<= 8", "--max-override-instances");
    // Groups add up; a count of 0 is one instance.
    assertRefused("{\"instance_group\": [{\"count\": 8}, {\"count\": 0}]}", "9", "<= 8");
  }

  @Test
  void tooManyThreadsAreRefused() {
    assertRefused("{\"parameters\": {\"intra_op_thread_count\": {\"string_value\": \"256\"}}}",
        "intra_op_thread_count", "256", "<= 4", "--max-override-threads");
    assertRefused("{\"parameters\": {\"inter_op_thread_count\": {\"string_value\": \"lots\"}}}",
        "inter_op_thread_count", "'lots'", "whole number");
  }

  @Test
  void anHourOfQueueDelayIsRefused() {
    assertRefused("{\"dynamic_batching\": {\"max_queue_delay_microseconds\": 3600000000}}",
        "max_queue_delay_microseconds", "3600000000", "<= 1000000",
        "--max-override-queue-delay-us");
  }

  @Test
  void tooLargeQueuesAreRefusedPerPolicy() {
    assertRefused("{\"dynamic_batching\": {\"default_queue_policy\": {\"max_queue_size\": 5000}}}",
        "default_queue_policy.max_queue_size", "5000", "--max-override-queue-size");
    assertRefused("{\"dynamic_batching\": {\"priority_levels\": 2, \"priority_queue_policy\":"
        + " {\"2\": {\"max_queue_size\": 100000}}}}", "priority_queue_policy[2]");
  }

  @Test
  void tooManyPriorityLevelsAreRefused() {
    assertRefused("{\"dynamic_batching\": {\"priority_levels\": 2147483647}}",
        "priority_levels", "<= 16");
  }

  @Test
  void tooLargeBatchesAreRefused() {
    assertRefused("{\"max_batch_size\": 100000}", "max_batch_size", "<= 1024",
        "--max-override-batch-size");
    assertRefused("{\"max_batch_size\": -1}", "max_batch_size", ">= 0");
  }

  @Test
  void warmUpsThatWouldClaimTheMachineAreRefused() {
    assertRefused("{\"model_warmup\": [{\"name\": \"w\", \"count\": 1000000}]}",
        "model_warmup 'w' count");
    assertRefused("{\"model_warmup\": [{\"name\": \"w\", \"batch_size\": 1000000}]}",
        "model_warmup 'w' batch_size");
    assertRefused("{\"model_warmup\": [{\"name\": \"w\", \"batch_size\": 1024, \"inputs\": {\"x\":"
        + " {\"data_type\": \"TYPE_FP32\", \"dims\": [1000000, 1000000, 1000000]}}}]}",
        "input 'x' elements");
  }
}
