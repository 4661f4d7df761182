package io.sluice.runtime.tensorflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.runtime.BackendOptions;
import io.sluice.runtime.DataType;
import io.sluice.runtime.Device;
import io.sluice.runtime.Status;
import io.sluice.runtime.StatusException;
import io.sluice.runtime.Tensor;
import io.sluice.runtime.TensorSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The TensorFlow backend against the committed SavedModels (examples/make_tf_models.py), whose
 * expected_outputs.json holds what Python TensorFlow answered for the same inputs. Every test ends
 * by checking that no native object was left open, errors included.
 */
class TensorFlowBackendTest {
  static final Path REPO = Path.of("..", "examples", "tf_model_repository");

  @AfterEach
  void nothingLeftOpen() {
    assertThat(TensorFlowBackend.openNativeObjects()).as("open native TF objects").isZero();
  }

  static TensorFlowBackend open(String model) {
    return TensorFlowBackend.open(savedModel(model), TensorFlowOptions.ofDefaults());
  }

  static Path savedModel(String model) {
    return REPO.resolve(model).resolve("1").resolve("model.savedmodel");
  }

  static JsonNode expected(String model) throws IOException {
    return new ObjectMapper().readTree(REPO.resolve(model).resolve("expected_outputs.json").toFile());
  }

  static long[] shape(JsonNode t) {
    long[] s = new long[t.get("shape").size()];
    for (int i = 0; i < s.length; i++) {
      s[i] = t.get("shape").get(i).asLong();
    }
    return s;
  }

  static float[] floats(Tensor t) {
    float[] out = new float[t.data().remaining() / 4];
    t.data().asFloatBuffer().get(out);
    return out;
  }

  static long[] longs(Tensor t) {
    long[] out = new long[t.data().remaining() / 8];
    t.data().asLongBuffer().get(out);
    return out;
  }

  static Tensor features(JsonNode in, boolean direct) {
    JsonNode data = in.get("data");
    ByteBuffer b = (direct ? ByteBuffer.allocateDirect(data.size() * 4)
        : ByteBuffer.allocate(data.size() * 4)).order(ByteOrder.LITTLE_ENDIAN);
    for (JsonNode v : data) {
      b.putFloat(v.floatValue());
    }
    return Tensor.of("features", DataType.FP32, shape(in), b.flip());
  }

  static List<byte[]> b64(JsonNode t) {
    List<byte[]> out = new ArrayList<>();
    for (JsonNode v : t.get("b64")) {
      out.add(Base64.getDecoder().decode(v.asText()));
    }
    return out;
  }

  @Test
  void readsTheServingSignatureWithVariableBatch() {
    try (TensorFlowBackend b = open("tf_dense_classifier")) {
      assertThat(b.signature().inputs())
          .containsExactly(new TensorSpec("features", DataType.FP32, new long[] {-1, 4}));
      assertThat(b.signature().outputs()).containsExactly(
          new TensorSpec("logits", DataType.FP32, new long[] {-1, 3}),
          new TensorSpec("probabilities", DataType.FP32, new long[] {-1, 3}));
    }
  }

  @Test
  void denseOutputsMatchPythonTensorFlow() throws IOException {
    JsonNode exp = expected("tf_dense_classifier");
    for (boolean direct : new boolean[] {false, true}) {
      try (TensorFlowBackend b = open("tf_dense_classifier")) {
        List<Tensor> out = b.run(List.of(features(exp.get("inputs").get("features"), direct)),
            Set.of());
        assertThat(out).extracting(Tensor::name).containsExactly("logits", "probabilities");
        for (Tensor t : out) {
          JsonNode want = exp.get("outputs").get(t.name());
          assertThat(t.shape()).containsExactly(shape(want));
          float[] got = floats(t);
          for (int i = 0; i < got.length; i++) {
            assertThat(got[i]).as(t.name() + "[" + i + "]")
                .isCloseTo(want.get("data").get(i).floatValue(), Offset.offset(1e-5f));
          }
        }
      }
    }
  }

  @Test
  void stringAndInt64InputsMatchPythonTensorFlow() throws IOException {
    JsonNode exp = expected("tf_text_features");
    JsonNode count = exp.get("inputs").get("count");
    long[] counts = new long[count.get("data").size()];
    for (int i = 0; i < counts.length; i++) {
      counts[i] = count.get("data").get(i).asLong();
    }
    try (TensorFlowBackend b = open("tf_text_features")) {
      assertThat(b.signature().inputs()).containsExactly(
          new TensorSpec("count", DataType.INT64, new long[] {-1}),
          new TensorSpec("text", DataType.BYTES, new long[] {-1}));
      List<Tensor> out = b.run(List.of(
          Tensor.ofBytes("text", shape(exp.get("inputs").get("text")),
              b64(exp.get("inputs").get("text"))),
          Tensor.ofLongs("count", shape(count), counts)), Set.of());
      List<Long> buckets = new ArrayList<>();
      for (JsonNode v : exp.get("outputs").get("bucket").get("data")) {
        buckets.add(v.asLong());
      }
      assertThat(out.get(0).name()).isEqualTo("bucket");
      assertThat(longs(out.get(0))).containsExactly(
          buckets.stream().mapToLong(Long::longValue).toArray());
      assertThat(out.get(1).name()).isEqualTo("tagged");
      assertThat(out.get(1).bytesElements())
          .containsExactlyElementsOf(b64(exp.get("outputs").get("tagged")));
    }
  }

  @Test
  void computesOnlyTheOutputsAskedFor() throws IOException {
    JsonNode exp = expected("tf_dense_classifier");
    try (TensorFlowBackend b = open("tf_dense_classifier")) {
      List<Tensor> out = b.run(List.of(features(exp.get("inputs").get("features"), false)),
          Set.of("probabilities"));
      assertThat(out).extracting(Tensor::name).containsExactly("probabilities");
    }
  }

  @Test
  void badInputsAreInvalidArgumentsAndLeakNothing() {
    try (TensorFlowBackend b = open("tf_dense_classifier")) {
      Tensor wrongShape = Tensor.ofFloats("features", new long[] {1, 3}, 1, 2, 3);
      Tensor wrongType = Tensor.ofLongs("features", new long[] {1, 4}, 1, 2, 3, 4);
      Tensor unknown = Tensor.ofFloats("x", new long[] {1, 4}, 1, 2, 3, 4);
      for (Tensor bad : List.of(wrongShape, wrongType, unknown)) {
        assertThatThrownBy(() -> b.run(List.of(bad), Set.of()))
            .isInstanceOfSatisfying(StatusException.class,
                e -> assertThat(e.status().code()).isEqualTo(Status.Code.INVALID_ARGUMENT));
      }
      assertThatThrownBy(() -> b.run(List.of(), Set.of()))
          .hasMessageContaining("missing input 'features'");
      assertThatThrownBy(() -> b.run(
              List.of(Tensor.ofFloats("features", new long[] {1, 4}, 1, 2, 3, 4)), Set.of("nope")))
          .hasMessageContaining("unknown output 'nope'");
    }
  }

  @Test
  void aSignatureTheModelLacksFailsTheLoadNamingThoseItHas() {
    TensorFlowOptions options = new TensorFlowOptions(1, 1, "classify", List.of("serve"));
    assertThatThrownBy(() -> TensorFlowBackend.open(savedModel("tf_dense_classifier"), options))
        .isInstanceOfSatisfying(StatusException.class,
            e -> assertThat(e.status().code()).isEqualTo(Status.Code.INTERNAL))
        .hasMessageContaining("no signature 'classify'")
        .hasMessageContaining("serving_default");
  }

  @Test
  void aFolderThatIsNoSavedModelFailsTheLoad() {
    assertThatThrownBy(() -> TensorFlowBackend.open(REPO.resolve("tf_dense_classifier"),
            TensorFlowOptions.ofDefaults()))
        .isInstanceOfSatisfying(StatusException.class,
            e -> assertThat(e.status().code()).isEqualTo(Status.Code.INTERNAL))
        .hasMessageContaining("cannot load TensorFlow SavedModel");
    assertThatThrownBy(() -> TensorFlowBackend.open(REPO.resolve("absent"),
            TensorFlowOptions.ofDefaults()))
        .hasMessageContaining("no such folder");
  }

  @Test
  void aClosedInstanceAnswersUnavailable() {
    TensorFlowBackend b = open("tf_dense_classifier");
    b.close();
    b.close();
    assertThatThrownBy(() -> b.run(
            List.of(Tensor.ofFloats("features", new long[] {1, 4}, 1, 2, 3, 4)), Set.of()))
        .isInstanceOfSatisfying(StatusException.class,
            e -> assertThat(e.status().code()).isEqualTo(Status.Code.UNAVAILABLE));
  }

  @Test
  void concurrentRunsGiveTheSameAnswers() throws Exception {
    JsonNode exp = expected("tf_dense_classifier");
    Tensor in = features(exp.get("inputs").get("features"), true);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (TensorFlowBackend b = open("tf_dense_classifier")) {
      float[] once = floats(b.run(List.of(in), Set.of("logits")).get(0));
      List<Future<float[]>> runs = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        runs.add(pool.submit(() -> floats(b.run(List.of(in), Set.of("logits")).get(0))));
      }
      for (Future<float[]> f : runs) {
        assertThat(f.get()).containsExactly(once);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void threadCountsAndSignatureComeFromTheModelParameters() {
    BackendOptions given = new BackendOptions(Device.CPU, 1, 1, false, Map.of(
        "intra_op_thread_count", "3", "inter_op_thread_count", "x",
        "TF_SIGNATURE_DEF", "predict", "TF_GRAPH_TAG", "serve, gpu"));
    TensorFlowOptions o = TensorFlowBackendProvider.options(given);
    assertThat(o).isEqualTo(new TensorFlowOptions(3, 1, "predict", List.of("serve", "gpu")));
    assertThat(TensorFlowBackend.config(o).getIntraOpParallelismThreads()).isEqualTo(3);
    assertThat(TensorFlowBackend.config(o).getInterOpParallelismThreads()).isEqualTo(1);
    assertThat(TensorFlowBackendProvider.options(BackendOptions.ofDefaults()))
        .isEqualTo(TensorFlowOptions.ofDefaults());
  }

  @Test
  void aCudaDeviceIsRefusedAsUnavailable() {
    assertThatThrownBy(() -> new TensorFlowBackendProvider().open(savedModel("tf_dense_classifier"),
            BackendOptions.ofDefaults().withDevice(Device.cuda(0))))
        .isInstanceOfSatisfying(StatusException.class,
            e -> assertThat(e.status().code()).isEqualTo(Status.Code.UNAVAILABLE));
  }

  /** Bytes of {@code rows} x 3 elements of {@code type}, little-endian, values 1, 0, 3, 4, 5, 0. */
  static ByteBuffer typed(DataType type, int rows, boolean direct) {
    int n = rows * 3;
    ByteBuffer b = (direct ? ByteBuffer.allocateDirect(n * type.byteSize())
        : ByteBuffer.allocate(n * type.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
    int[] values = {1, 0, 3, 4, 5, 0};
    for (int i = 0; i < n; i++) {
      int v = values[i];
      switch (type) {
        case FP64 -> b.putDouble(v);
        // 1.0, 3.0, 4.0, 5.0 as IEEE halves and as the top half of a float (bfloat16).
        case FP16 -> b.putShort((short) new int[] {0x3C00, 0, 0x4200, 0x4400, 0x4500, 0}[i]);
        case BF16 -> b.putShort((short) (Float.floatToIntBits(v) >>> 16));
        case INT32 -> b.putInt(v);
        case UINT16 -> b.putShort((short) v);
        case UINT8 -> b.put((byte) v);
        case BOOL -> b.put((byte) (v == 0 ? 0 : 1));
        default -> throw new IllegalArgumentException(type.toString());
      }
    }
    return b.flip();
  }

  @Test
  void everyOtherTensorFlowDatatypeComesBackUnchanged() {
    Map<String, DataType> types = Map.of("fp64", DataType.FP64, "fp16", DataType.FP16,
        "bf16", DataType.BF16, "int32", DataType.INT32, "uint8", DataType.UINT8,
        "uint16", DataType.UINT16, "bool", DataType.BOOL);
    try (TensorFlowBackend b = open("tf_identity_types")) {
      for (Map.Entry<String, DataType> e : types.entrySet()) {
        assertThat(b.signature().input(e.getKey())).get()
            .isEqualTo(new TensorSpec(e.getKey(), e.getValue(), new long[] {-1, 3}));
      }
      // One row gives odd byte counts for the one-byte types; two rows even ones.
      for (int rows : new int[] {1, 2}) {
        for (boolean direct : new boolean[] {false, true}) {
          List<Tensor> in = new ArrayList<>();
          for (Map.Entry<String, DataType> e : types.entrySet()) {
            in.add(Tensor.of(e.getKey(), e.getValue(), new long[] {rows, 3},
                typed(e.getValue(), rows, direct)));
          }
          List<Tensor> out = b.run(in, Set.of());
          assertThat(out).hasSize(types.size());
          for (Tensor o : out) {
            String name = o.name().substring(0, o.name().length() - "_out".length());
            DataType type = types.get(name);
            assertThat(o.type()).as(o.name()).isEqualTo(type);
            assertThat(o.shape()).as(o.name()).containsExactly(rows, 3);
            assertThat(o.data()).as(o.name() + " rows " + rows + " direct " + direct)
                .isEqualTo(typed(type, rows, false));
          }
        }
      }
    }
  }
}
