package io.sluice.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link Backend} keeps, as one suite run against each implementation (ONNX
 * Runtime, TensorFlow, the echo stand-in), the way HdrHistogram runs one test over every
 * histogram. A subclass names a model with one FP32 input whose first dimension is variable,
 * how to make an input of some rows, and how to count its native objects; the suite checks the
 * signature, batches of one and of several (each row answered as it would be alone), output
 * subsets, refusals of bad inputs, concurrent runs, and that closing leaves nothing open. The
 * echo backend computes nothing and checks nothing (the gateway's validator does that before
 * it), so it opts out of those two with {@link #computes()} and {@link #checksInputs()}.
 */
public abstract class BackendContract {
  private int openBefore;

  /** Opens a new instance of the contract's model; the test closes it. */
  protected abstract Backend open();

  /** A valid FP32 input of {@code rows} rows for that model, rows differing from each other. */
  protected abstract Tensor input(int rows);

  /** Native objects this engine has open in the process (0 for one that has none). */
  protected int openNativeObjects() {
    return 0;
  }

  /** Whether the engine computes (false: answers zeros, as the echo stand-in does). */
  protected boolean computes() {
    return true;
  }

  /** Whether the engine refuses bad inputs itself with INVALID_ARGUMENT. */
  protected boolean checksInputs() {
    return true;
  }

  @BeforeEach
  void countBefore() {
    openBefore = openNativeObjects();
  }

  @AfterEach
  void nothingLeftOpen() {
    assertThat(openNativeObjects()).as("native objects left open").isEqualTo(openBefore);
  }

  private static Status.Code code(Throwable t) {
    return ((StatusException) t).status().code();
  }

  /** Row {@code r} of a fixed-size tensor, as a one-row tensor. */
  static Tensor row(Tensor t, int r) {
    int rowBytes = t.byteSize() / Math.toIntExact(t.dim(0));
    ByteBuffer b = t.data().slice(r * rowBytes, rowBytes);
    long[] shape = t.shape();
    shape[0] = 1;
    return Tensor.of(t.name(), t.type(), shape, b);
  }

  private static byte[] bytes(Tensor t) {
    ByteBuffer b = t.data();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  @Test
  void theSignatureCanBatch() {
    try (Backend b = open()) {
      ModelSignature s = b.signature();
      assertThat(s.inputs()).isNotEmpty().allMatch(TensorSpec::hasDynamicFirstDim);
      assertThat(s.outputs()).isNotEmpty().allMatch(TensorSpec::hasDynamicFirstDim);
      assertThat(s.input(input(1).name())).isPresent();
    }
  }

  @Test
  void aBatchOfOneAnswersEveryOutputInSignatureOrder() {
    try (Backend b = open()) {
      List<Tensor> out = b.run(List.of(input(1)), Set.of());
      assertThat(out).extracting(Tensor::name)
          .containsExactlyElementsOf(b.signature().outputs().stream().map(TensorSpec::name)
              .toList());
      for (int i = 0; i < out.size(); i++) {
        assertThat(out.get(i).type()).isEqualTo(b.signature().outputs().get(i).type());
        assertThat(out.get(i).dim(0)).isEqualTo(1);
      }
    }
  }

  @Test
  void aBatchAnswersEachRowAsItWouldAlone() {
    try (Backend b = open()) {
      Tensor batch = input(3);
      List<Tensor> together = b.run(List.of(batch), Set.of());
      for (int r = 0; r < 3; r++) {
        List<Tensor> alone = b.run(List.of(row(batch, r)), Set.of());
        for (int o = 0; o < together.size(); o++) {
          assertThat(together.get(o).dim(0)).isEqualTo(3);
          if (together.get(o).type().isFixedSize()) {
            float[] a = floatsOrEmpty(row(together.get(o), r));
            float[] c = floatsOrEmpty(alone.get(o));
            if (a.length > 0) {
              assertThat(a).containsExactly(c, org.assertj.core.data.Offset.offset(1e-6f));
            } else {
              assertThat(bytes(row(together.get(o), r))).isEqualTo(bytes(alone.get(o)));
            }
          }
        }
      }
      if (computes()) {
        List<Tensor> first = b.run(List.of(row(batch, 0)), Set.of());
        List<Tensor> second = b.run(List.of(row(batch, 1)), Set.of());
        assertThat(bytes(first.get(0))).as("different rows, different answers")
            .isNotEqualTo(bytes(second.get(0)));
      }
    }
  }

  private static float[] floatsOrEmpty(Tensor t) {
    if (t.type() != DataType.FP32) {
      return new float[0];
    }
    float[] f = new float[t.byteSize() / 4];
    t.data().asFloatBuffer().get(f);
    return f;
  }

  @Test
  void anOutputSubsetComputesOnlyThose() {
    try (Backend b = open()) {
      List<TensorSpec> outs = b.signature().outputs();
      String last = outs.get(outs.size() - 1).name();
      assertThat(b.run(List.of(input(2)), Set.of(last))).extracting(Tensor::name)
          .containsExactly(last);
    }
  }

  @Test
  void badInputsAreInvalidArguments() {
    assumeThat(checksInputs()).as("the engine checks its inputs").isTrue();
    try (Backend b = open()) {
      Tensor good = input(2);
      long[] shape = good.shape();
      Tensor unknown = Tensor.of("no_such_input", good.type(), shape, good.data());
      Tensor wrongType = Tensor.of(good.name(), DataType.INT32, shape, good.data());
      long[] flat = {Tensor.elementCount(shape)};
      Tensor wrongRank = Tensor.of(good.name(), good.type(), flat, good.data());
      for (Tensor bad : List.of(unknown, wrongType, wrongRank)) {
        assertThatThrownBy(() -> b.run(List.of(bad), Set.of())).as(bad.toString())
            .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.INVALID_ARGUMENT));
      }
      assertThatThrownBy(() -> b.run(List.of(), Set.of()))
          .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.INVALID_ARGUMENT));
      assertThatThrownBy(() -> b.run(List.of(good), Set.of("no_such_output")))
          .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.INVALID_ARGUMENT));
      // Still serving after every refusal.
      assertThat(b.run(List.of(good), Set.of())).isNotEmpty();
    }
  }

  @Test
  void concurrentRunsGiveTheAnswerOfOneRun() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (Backend b = open()) {
      Tensor in = input(2);
      byte[] once = bytes(b.run(List.of(in), Set.of()).get(0));
      List<Future<byte[]>> runs = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        runs.add(pool.submit(() -> bytes(b.run(List.of(in), Set.of()).get(0))));
      }
      for (Future<byte[]> f : runs) {
        assertThat(Arrays.equals(f.get(), once)).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void closingTwiceLeavesNothingOpen() {
    Backend b = open();
    b.run(List.of(input(2)), Set.of());
    b.close();
    b.close();
    assertThat(openNativeObjects()).isEqualTo(openBefore);
  }
}
