package io.sluice.runtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import io.sluice.runtime.BufferPool;
import io.sluice.runtime.DataType;
import io.sluice.runtime.Device;
import io.sluice.runtime.Status;
import io.sluice.runtime.StatusException;
import io.sluice.runtime.Tensor;
import io.sluice.runtime.TensorSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.assertj.core.data.Offset;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The ONNX Runtime backend against the committed example models (examples/make_models.py).
 * Every test ends by checking that no native object was left open.
 */
class OnnxBackendTest {
  static final Path REPO = Path.of("..", "examples", "model_repository");
  static final Path BROKEN = Path.of("..", "examples", "broken_repository");

  @AfterEach
  void nothingLeftOpen() {
    assertThat(OnnxBackend.openNativeObjects()).as("open native ORT objects").isZero();
  }

  static Stream<Path> committedModels() throws IOException {
    assertThat(REPO).as("examples/model_repository").isDirectory();
    try (Stream<Path> files = Files.walk(REPO)) {
      List<Path> models = files.filter(p -> p.getFileName().toString().equals("model.onnx"))
          .sorted().toList();
      assertThat(models).isNotEmpty();
      return models.stream();
    }
  }

  static OnnxBackend open(String model, int version) {
    return OnnxBackend.open(
        REPO.resolve(model).resolve(String.valueOf(version)).resolve("model.onnx"),
        OnnxOptions.ofDefaults());
  }

  static float[] floats(Tensor t) {
    ByteBuffer b = t.data();
    float[] out = new float[b.remaining() / 4];
    b.asFloatBuffer().get(out);
    return out;
  }

  static long[] longs(Tensor t) {
    ByteBuffer b = t.data();
    long[] out = new long[b.remaining() / 8];
    b.asLongBuffer().get(out);
    return out;
  }

  static Tensor mlpInput(int rows, boolean direct) {
    int bytes = rows * 32 * 4;
    ByteBuffer b = direct ? ByteBuffer.allocateDirect(bytes) : ByteBuffer.allocate(bytes);
    b.order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < rows * 32; i++) {
      b.putFloat((i % 7) * 0.25f - 0.5f);
    }
    b.flip();
    return Tensor.of("input", DataType.FP32, new long[] {rows, 32}, b);
  }

  @ParameterizedTest
  @MethodSource("committedModels")
  void everyCommittedModelLoadsWithATensorSignature(Path model) {
    try (OnnxBackend backend = OnnxBackend.open(model, OnnxOptions.ofDefaults())) {
      assertThat(backend.signature().inputs()).isNotEmpty();
      assertThat(backend.signature().outputs()).isNotEmpty();
      assertThat(OnnxBackend.openNativeObjects()).isEqualTo(1);
    }
  }

  @Test
  void signaturesMapOnnxTypesToV2AndSymbolicDimsToMinusOne() {
    try (OnnxBackend mlp = open("tiny_mlp", 1);
        OnnxBackend iris = open("iris_classifier", 1);
        OnnxBackend encoder = open("category_encoder", 1);
        OnnxBackend adder = open("int_adder", 1)) {
      assertThat(mlp.signature().inputs())
          .containsExactly(new TensorSpec("input", DataType.FP32, new long[] {-1, 32}));
      assertThat(mlp.signature().outputs())
          .containsExactly(new TensorSpec("output", DataType.FP32, new long[] {-1, 1}));
      assertThat(iris.signature().inputs())
          .containsExactly(new TensorSpec("float_input", DataType.FP32, new long[] {-1, 4}));
      assertThat(iris.signature().outputs()).extracting(TensorSpec::name, TensorSpec::type)
          .containsExactly(
              Tuple.tuple("label", DataType.INT64), Tuple.tuple("probabilities", DataType.FP32));
      assertThat(iris.signature().output("probabilities").orElseThrow().shape())
          .containsExactly(-1, 3);
      assertThat(encoder.signature().inputs())
          .containsExactly(new TensorSpec("text", DataType.BYTES, new long[] {-1, 1}));
      assertThat(encoder.signature().outputs())
          .containsExactly(new TensorSpec("category_id", DataType.INT64, new long[] {-1, 1}));
      assertThat(adder.signature().inputs()).containsExactly(
          new TensorSpec("a", DataType.INT64, new long[] {4}),
          new TensorSpec("b", DataType.INT64, new long[] {4}));
      assertThat(adder.signature().outputs()).extracting(TensorSpec::name)
          .containsExactly("sum", "diff");
    }
  }

  @Test
  void directAndHeapBuffersGiveTheSameOutputs() {
    try (OnnxBackend mlp = open("tiny_mlp", 1)) {
      List<Tensor> direct = mlp.run(List.of(mlpInput(3, true)), Set.of());
      List<Tensor> heap = mlp.run(List.of(mlpInput(3, false)), Set.of());
      assertThat(direct).hasSize(1);
      assertThat(direct.get(0).name()).isEqualTo("output");
      assertThat(direct.get(0).type()).isEqualTo(DataType.FP32);
      assertThat(direct.get(0).shape()).containsExactly(3, 1);
      assertThat(floats(direct.get(0))).containsExactly(floats(heap.get(0)));
    }
  }

  @Test
  void heapInputsAreStagedInPooledBuffersThatAreGivenBackAfterEachRun() {
    try (OnnxBackend mlp = open("tiny_mlp", 1)) {
      List<Tensor> first = mlp.run(List.of(mlpInput(3, false)), Set.of());
      assertThat(mlp.stagingLeased()).as("staging buffers still leased").isZero();
      assertThat(mlp.stagingPooled()).as("staging buffers kept for reuse").isEqualTo(1);
      List<Tensor> second = mlp.run(List.of(mlpInput(3, false)), Set.of());
      assertThat(mlp.stagingPooled()).as("the same buffer reused, none added").isEqualTo(1);
      assertThat(floats(second.get(0))).containsExactly(floats(first.get(0)));
    }
  }

  @Test
  void aDirectInputIsHandedToOrtWithoutACopy() throws Exception {
    ByteBuffer memory = ByteBuffer.allocateDirect(8).order(ByteOrder.LITTLE_ENDIAN);
    memory.putFloat(0, 1f).putFloat(4, 1f);
    Tensor t = Tensor.of("x", DataType.FP32, new long[] {2}, memory);
    BufferPool staging = new BufferPool(1);
    List<ByteBuffer> leases = new ArrayList<>();
    try (NativeScope scope = new NativeScope()) {
      OnnxTensor onnx = scope.add(OnnxInputs.toOnnx(OnnxEnvironment.get(), t, staging, leases));
      memory.putFloat(0, 2f); // visible through ORT's tensor only if it reads the same memory
      assertThat(onnx.getFloatBuffer().get(0)).isEqualTo(2f);
      assertThat(onnx.ownsBuffer()).isFalse();
      assertThat(leases).as("no staging copy").isEmpty();
    }
  }

  @Test
  void rowsOfABatchAreComputedIndependently() {
    try (OnnxBackend mlp = open("tiny_mlp", 1)) {
      float[] batch = floats(mlp.run(List.of(mlpInput(4, true)), Set.of()).get(0));
      float[] first = floats(mlp.run(List.of(mlpInput(1, true)), Set.of()).get(0));
      assertThat(batch[0]).isEqualTo(first[0]);
    }
  }

  @Test
  void stringsGoThroughTheCategoryEncoder() {
    try (OnnxBackend encoder = open("category_encoder", 1)) {
      Tensor text =
          Tensor.ofStrings("text", new long[] {4, 1}, List.of("red", "green", "blue", "purple"));
      List<Tensor> out = encoder.run(List.of(text), Set.of());
      assertThat(out.get(0).name()).isEqualTo("category_id");
      assertThat(out.get(0).shape()).containsExactly(4, 1);
      assertThat(longs(out.get(0))).containsExactly(0, 1, 2, -1);
    }
  }

  @Test
  void onlyTheRequestedOutputsAreReturned() {
    try (OnnxBackend v1 = open("int_adder", 1); OnnxBackend v2 = open("int_adder", 2)) {
      List<Tensor> in = List.of(
          Tensor.ofLongs("a", new long[] {4}, 10, 20, 30, 40),
          Tensor.ofLongs("b", new long[] {4}, 1, 2, 3, 4));
      List<Tensor> all = v1.run(in, Set.of());
      assertThat(all).extracting(Tensor::name).containsExactly("sum", "diff");
      assertThat(longs(all.get(0))).containsExactly(11, 22, 33, 44);
      List<Tensor> diff = v2.run(in, Set.of("diff"));
      assertThat(diff).extracting(Tensor::name).containsExactly("diff");
      assertThat(longs(diff.get(0))).containsExactly(9, 18, 27, 36);
      assertThat(longs(v2.run(in, Set.of("sum")).get(0))).containsExactly(12, 23, 34, 45);
    }
  }

  @Test
  void irisGivesALabelAndProbabilitiesPerRow() {
    try (OnnxBackend iris = open("iris_classifier", 1)) {
      Tensor x = Tensor.ofFloats("float_input", new long[] {2, 4},
          5.1f, 3.5f, 1.4f, 0.2f, 6.7f, 3.0f, 5.2f, 2.3f);
      List<Tensor> out = iris.run(List.of(x), Set.of());
      assertThat(longs(out.get(0))).containsExactly(0, 2);
      float[] p = floats(out.get(1));
      assertThat(out.get(1).shape()).containsExactly(2, 3);
      assertThat(p[0] + p[1] + p[2]).isCloseTo(1f, Offset.offset(1e-4f));
    }
  }

  @Test
  void aDatatypeOtherThanTheSignatureIsRejectedNamingBoth() {
    try (OnnxBackend mlp = open("tiny_mlp", 1)) {
      ByteBuffer b = ByteBuffer.allocate(32 * 4).order(ByteOrder.LITTLE_ENDIAN);
      Tensor uint32 = Tensor.of("input", DataType.UINT32, new long[] {1, 32}, b);
      assertThatThrownBy(() -> mlp.run(List.of(uint32), Set.of()))
          .isInstanceOfSatisfying(StatusException.class, e ->
              assertThat(e.status().code()).isEqualTo(Status.Code.INVALID_ARGUMENT))
          .hasMessageContaining("UINT32")
          .hasMessageContaining("expected: FP32");
    }
  }

  @Test
  void unsignedWideTypesCannotBeCarriedByOrtJava() {
    ByteBuffer b = ByteBuffer.allocateDirect(4 * 4);
    for (DataType t : List.of(DataType.UINT16, DataType.UINT32, DataType.UINT64)) {
      Tensor x = Tensor.of("x", t, new long[] {16 / t.byteSize()}, b.duplicate());
      TensorSpec spec = new TensorSpec("x", t, new long[] {-1});
      assertThatThrownBy(() -> OnnxInputs.check(x, spec))
          .isInstanceOfSatisfying(StatusException.class, e ->
              assertThat(e.status().code()).isEqualTo(Status.Code.INVALID_ARGUMENT))
          .hasMessageContaining("ONNX Runtime Java cannot carry " + t);
    }
  }

  @Test
  void bytesThatAreNotUtf8AreRejected() {
    try (OnnxBackend encoder = open("category_encoder", 1)) {
      byte[] notUtf8 = {(byte) 0xC3, 0x28};
      Tensor text = Tensor.ofBytes("text", new long[] {1, 1}, List.of(notUtf8));
      assertThatThrownBy(() -> encoder.run(List.of(text), Set.of()))
          .isInstanceOfSatisfying(StatusException.class, e ->
              assertThat(e.status().code()).isEqualTo(Status.Code.INVALID_ARGUMENT))
          .hasMessageContaining("only carries UTF-8 strings");
    }
  }

  @Test
  void wrongNamesAndShapesAreInvalidArguments() {
    try (OnnxBackend mlp = open("tiny_mlp", 1); OnnxBackend adder = open("int_adder", 1)) {
      Tensor wrongShape = Tensor.ofFloats("input", new long[] {1, 3}, 1, 2, 3);
      assertInvalid(() -> mlp.run(List.of(wrongShape), Set.of()), "expected: [-1, 32]");
      Tensor unknown = mlpInput(1, true).withName("x");
      assertInvalid(() -> mlp.run(List.of(unknown), Set.of()), "unknown input 'x'");
      assertInvalid(() -> mlp.run(List.of(mlpInput(1, true)), Set.of("nope")),
          "unknown output 'nope'");
      assertInvalid(() -> adder.run(List.of(Tensor.ofLongs("a", new long[] {4}, 1, 2, 3, 4)),
          Set.of()), "missing input 'b'");
    }
  }

  private static void assertInvalid(ThrowingCallable call, String message) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(StatusException.class, e ->
            assertThat(e.status().code()).isEqualTo(Status.Code.INVALID_ARGUMENT))
        .hasMessageContaining(message);
  }

  @Test
  void aCorruptModelIsRefusedWithInvalidArgumentBeforeOrtSeesIt() {
    Path corrupt = BROKEN.resolve("corrupt_model/1/model.onnx");
    assertThat(corrupt).isRegularFile();
    assertThatThrownBy(() -> OnnxBackend.open(corrupt, OnnxOptions.ofDefaults()))
        .isInstanceOfSatisfying(StatusException.class, e ->
            assertThat(e.status().code()).isEqualTo(Status.Code.INVALID_ARGUMENT))
        .hasMessageStartingWith("cannot load ONNX model " + corrupt + ": not a well-formed"
            + " protobuf message");
    assertThat(OnnxBackend.openNativeObjects()).isZero();
  }

  @Test
  void aMissingFileFailsToLoadWithInternal() {
    Path missing = REPO.resolve("nope/1/model.onnx");
    assertThatThrownBy(() -> OnnxBackend.open(missing, OnnxOptions.ofDefaults()))
        .isInstanceOfSatisfying(StatusException.class, e ->
            assertThat(e.status().code()).isEqualTo(Status.Code.INTERNAL))
        .hasMessageContaining("no such file");
  }

  @Test
  void cudaOnACpuBuildIsUnavailableWithAReason() {
    Assumptions.assumeFalse(OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA),
        "this ONNX Runtime build has CUDA");
    Path model = REPO.resolve("tiny_mlp/1/model.onnx");
    OnnxOptions cuda = OnnxOptions.ofDefaults().on(Device.cuda(0), CudaOptions.ofDefaults());
    assertThatThrownBy(() -> OnnxBackend.open(model, cuda))
        .isInstanceOfSatisfying(StatusException.class, e ->
            assertThat(e.status().code()).isEqualTo(Status.Code.UNAVAILABLE))
        .hasMessageContaining("no CUDA execution provider");
  }

  @Test
  void concurrentRunsAgree() throws Exception {
    try (OnnxBackend mlp = open("tiny_mlp", 1)) {
      float[] expected = floats(mlp.run(List.of(mlpInput(8, true)), Set.of()).get(0));
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<float[]>> results = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
          boolean direct = i % 2 == 0;
          results.add(pool.submit(
              () -> floats(mlp.run(List.of(mlpInput(8, direct)), Set.of()).get(0))));
        }
        for (Future<float[]> f : results) {
          assertThat(f.get()).containsExactly(expected);
        }
      } finally {
        pool.shutdown();
      }
    }
  }

  @Test
  void closeIsIdempotentAndARunAfterCloseIsUnavailable() {
    OnnxBackend mlp = open("tiny_mlp", 1);
    mlp.close();
    mlp.close();
    assertThatThrownBy(() -> mlp.run(List.of(mlpInput(1, true)), Set.of()))
        .isInstanceOfSatisfying(StatusException.class, e ->
            assertThat(e.status().code()).isEqualTo(Status.Code.UNAVAILABLE));
  }
}
