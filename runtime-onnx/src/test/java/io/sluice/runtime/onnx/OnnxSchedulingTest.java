package io.sluice.runtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.runtime.BatcherConfig;
import io.sluice.runtime.InferenceRequest;
import io.sluice.runtime.InferenceResponse;
import io.sluice.runtime.Scheduler;
import io.sluice.runtime.SchedulerListener;
import io.sluice.runtime.Schedulers;
import io.sluice.runtime.Tensor;
import io.sluice.runtime.Ticker;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A real model behind the batcher: batched answers equal unbatched ones, and nothing leaks. */
class OnnxSchedulingTest {
  @AfterEach
  void nothingLeftOpen() {
    assertThat(OnnxBackend.openNativeObjects()).isZero();
  }

  static Tensor flower(float a, float b, float c, float d) {
    return Tensor.ofFloats("float_input", new long[] {1, 4}, a, b, c, d);
  }

  @Test
  void batchedIrisRequestsGetTheirOwnRowsBack() throws Exception {
    List<Tensor> flowers = List.of(
        flower(5.1f, 3.5f, 1.4f, 0.2f), flower(6.7f, 3.0f, 5.2f, 2.3f),
        flower(5.9f, 3.0f, 4.2f, 1.5f), flower(4.9f, 3.0f, 1.4f, 0.2f));
    List<long[]> expected = new ArrayList<>();
    try (OnnxBackend direct = OnnxBackendTest.open("iris_classifier", 1)) {
      for (Tensor f : flowers) {
        expected.add(OnnxBackendTest.longs(direct.run(List.of(f), Set.of("label")).get(0)));
      }
    }

    OnnxBackend backend = OnnxBackendTest.open("iris_classifier", 1);
    try (Scheduler scheduler = Schedulers.create("iris-1", BatcherConfig.dynamic(32),
        List.of(backend), Ticker.SYSTEM, SchedulerListener.NOOP)) {
      List<CompletableFuture<InferenceResponse>> futures = new ArrayList<>();
      for (Tensor f : flowers) {
        futures.add(scheduler.enqueue(new InferenceRequest(List.of(f), Set.of("label"), 0, 0,
            Long.MAX_VALUE, null)));
      }
      for (int i = 0; i < flowers.size(); i++) {
        InferenceResponse r = futures.get(i).get(10, TimeUnit.SECONDS);
        assertThat(r.outputs()).extracting(Tensor::name).containsExactly("label");
        assertThat(r.outputs().get(0).shape()).containsExactly(1, 1);
        assertThat(OnnxBackendTest.longs(r.outputs().get(0))).containsExactly(expected.get(i));
      }
    }
  }

  @Test
  void stringsAreBatchedThroughTheCategoryEncoder() throws Exception {
    OnnxBackend backend = OnnxBackendTest.open("category_encoder", 1);
    try (Scheduler scheduler = Schedulers.create(BatcherConfig.dynamic(8), List.of(backend),
        Ticker.SYSTEM, SchedulerListener.NOOP)) {
      List<CompletableFuture<InferenceResponse>> futures = new ArrayList<>();
      List<String> words = List.of("blue", "nope", "red", "green");
      for (String w : words) {
        futures.add(scheduler.enqueue(
            InferenceRequest.of(List.of(Tensor.ofStrings("text", new long[] {1, 1}, List.of(w))))));
      }
      long[] ids = new long[words.size()];
      for (int i = 0; i < ids.length; i++) {
        ByteBuffer b = futures.get(i).get(10, TimeUnit.SECONDS).outputs().get(0).data();
        ids[i] = b.getLong();
      }
      assertThat(ids).containsExactly(2, -1, 0, 1);
    }
  }
}
