package io.sluice.runtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.runtime.Status;
import io.sluice.runtime.StatusException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Damaged copies of the committed example models (seeded, so every run tries the same files):
 * none may take the JVM down, and every truncated one is refused with a reason before ORT sees it.
 * The surefire fork finishing is the proof that nothing crashed.
 */
class OnnxModelCheckTest {
  private static final long SEED = 20_261_202L;

  @TempDir Path tmp;

  static Stream<Path> models() throws IOException {
    try (Stream<Path> s = Files.walk(OnnxBackendTest.REPO)) {
      return s.filter(p -> p.getFileName().toString().equals("model.onnx")).sorted()
          .toList().stream();
    }
  }

  @ParameterizedTest
  @MethodSource("models")
  void anIntactModelPassesTheCheck(Path model) {
    OnnxModelCheck.check(model);
  }

  @ParameterizedTest
  @MethodSource("models")
  void everyTruncatedCopyIsRefusedWithAReasonBeforeOrtSeesIt(Path model) throws IOException {
    byte[] bytes = Files.readAllBytes(model);
    Random random = new Random(SEED ^ model.hashCode());
    List<Integer> cuts = new java.util.ArrayList<>(List.of(0, 1, bytes.length / 2,
        bytes.length - 1));
    for (int i = 0; i < 16; i++) {
      cuts.add(1 + random.nextInt(bytes.length - 1));
    }
    for (int cut : cuts) {
      Path copy = tmp.resolve("cut-" + cut + ".onnx");
      Files.write(copy, java.util.Arrays.copyOf(bytes, cut));

      assertThatThrownBy(() -> OnnxBackend.open(copy, OnnxOptions.ofDefaults()))
          .as("%s cut at %d of %d bytes", model, cut, bytes.length)
          .isInstanceOfSatisfying(StatusException.class, e -> {
            assertThat(e.status().code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(e.getMessage()).contains(copy.toString())
                .containsAnyOf("not a well-formed protobuf", "truncated", "empty");
          });
    }
    assertThat(OnnxBackend.openNativeObjects()).isZero();
  }

  @ParameterizedTest
  @MethodSource("models")
  void aBitFlippedCopyLoadsOrIsRefusedWithAReasonNeverCrashes(Path model) throws IOException {
    byte[] bytes = Files.readAllBytes(model);
    Random random = new Random(SEED ^ ~model.hashCode());
    int refusedByCheck = 0;
    for (int i = 0; i < 40; i++) {
      byte[] flipped = bytes.clone();
      int at = random.nextInt(bytes.length);
      flipped[at] ^= (byte) (1 << random.nextInt(8));
      Path copy = tmp.resolve("flip-" + i + ".onnx");
      Files.write(copy, flipped);
      try (OnnxBackend loaded = OnnxBackend.open(copy, OnnxOptions.ofDefaults())) {
        // A flip inside a weight or a name is still a model; it must then be usable.
        assertThat(loaded.signature().inputs()).as("%s flipped at %d", model, at).isNotNull();
      } catch (StatusException e) {
        assertThat(e.status().code()).as("%s flipped at %d", model, at)
            .isIn(Status.Code.INVALID_ARGUMENT, Status.Code.INTERNAL);
        assertThat(e.getMessage()).contains("cannot").contains(copy.toString());
        if (e.status().code() == Status.Code.INVALID_ARGUMENT) {
          refusedByCheck++;
        }
      }
    }
    assertThat(OnnxBackend.openNativeObjects()).isZero();
    // The walk is what stops the structural damage: some of 40 flips land in tags or lengths.
    assertThat(refusedByCheck).as("%s: flips the walk refused", model).isPositive();
  }
}
