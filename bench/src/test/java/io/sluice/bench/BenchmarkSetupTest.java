package io.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.runtime.Tensor;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Runs each benchmark's setup, one call of each benchmark method and its teardown, outside JMH,
 * so a change in the runtime that breaks a benchmark fails the build instead of the next run.
 * Nothing here is timed.
 */
class BenchmarkSetupTest {
  private static final Path EXAMPLES = Path.of("..", "examples", "model_repository");

  @BeforeEach
  void useTheExampleRepository() {
    System.setProperty(BenchModels.PROPERTY, EXAMPLES.toString());
  }

  @AfterEach
  void clearTheModelPath() {
    System.clearProperty(BenchModels.PROPERTY);
  }

  @Test
  void engineBaselineRunsTheTinyModelAtTheGivenBatch() {
    EngineBaselineBenchmark bench = new EngineBaselineBenchmark();
    bench.model = "tiny_mlp";
    bench.batch = 8;
    bench.setUp();
    try {
      List<Tensor> out = bench.run();
      assertThat(out).hasSize(1);
      assertThat(out.get(0).shape()).containsExactly(8, 1);
    } finally {
      bench.tearDown();
    }
  }

  @Test
  void engineBaselineSaysHowToBuildAMissingModel() {
    EngineBaselineBenchmark bench = new EngineBaselineBenchmark();
    bench.model = "heavy_mlp";
    bench.batch = 1;
    assertThatThrownBy(bench::setUp)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("SKIPPED: model 'heavy_mlp' not found")
        .hasMessageContaining("make_models.py --large build/models");
    bench.tearDown();
  }

  @Test
  void servedEngineFormsWholeBatchesAndAnswersEveryRequest() {
    ServedEngineBenchmark bench = new ServedEngineBenchmark();
    bench.model = "tiny_mlp";
    bench.batch = 8;
    bench.setUp(); // checks itself that the scheduler formed batches of 8
    try {
      assertThat(bench.served()).isEqualTo(8 * 8);
      assertThat(bench.bare().get(0).shape()).containsExactly(8, 1);
    } finally {
      bench.tearDown();
    }
  }

  @Test
  void requestPathAnswersOverBothProtocols() throws Exception {
    for (String protocol : List.of("grpc", "http")) {
      RequestPathBenchmark bench = new RequestPathBenchmark();
      bench.protocol = protocol;
      bench.engine = "onnxruntime";
      bench.setUp(); // sends one request and fails on anything but a successful answer
      try {
        assertThat(bench.infer()).as(protocol).isNotNull();
      } finally {
        bench.tearDown();
      }
    }
  }

  @Test
  void batcherBenchmarksCompleteEveryRequestWithBatchingOffAndOn() {
    for (String batching : List.of("off", "dynamic64")) {
      BatcherOverheadBenchmark bench = new BatcherOverheadBenchmark();
      bench.batching = batching;
      bench.setUp();
      try {
        assertThat(bench.oneSubmitter().outputs().get(0).shape()).containsExactly(1, 1);
        assertThat(bench.fourSubmitters().batchSize()).isEqualTo(1);
        // Each of the 64 requests reports the size of the execution it was part of.
        int items = bench.burstOf64();
        if (batching.equals("off")) {
          assertThat(items).isEqualTo(BatcherOverheadBenchmark.BURST);
        } else {
          assertThat(items).isBetween(BatcherOverheadBenchmark.BURST,
              BatcherOverheadBenchmark.BURST * BatcherOverheadBenchmark.MAX_BATCH);
        }
      } finally {
        bench.tearDown();
      }
    }
  }

  @Test
  void batcherBenchmarkRejectsAnUnknownMode() {
    assertThatThrownBy(() -> BatcherOverheadBenchmark.config("sometimes"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batching: 'sometimes' (expected: off or dynamic64)");
  }

  @Test
  void payloadsHaveTheDocumentedShapes() {
    assertThat(BenchTensors.payload(BenchTensors.FP32_1X32).shape()).containsExactly(1, 32);
    assertThat(BenchTensors.payload(BenchTensors.FP32_64X32).byteSize()).isEqualTo(64 * 32 * 4);
    assertThat(BenchTensors.payload(BenchTensors.BYTES_8X1).bytesElements()).hasSize(8);
  }
}
