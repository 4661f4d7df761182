package io.sluice.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds a benchmark model's {@code <dir>/<model>/1/model.onnx} in a search path of Triton-style
 * repositories: the committed examples first, then the directory the models script writes the
 * large ones to. The path comes from the system property {@value #PROPERTY}, else the environment
 * variable {@value #ENV} (which forked JMH JVMs inherit whatever the command line said), else
 * {@value #DEFAULT_DIRS}, relative to the working directory.
 */
final class BenchModels {
  static final String PROPERTY = "sluice.bench.modelDirs";
  static final String ENV = "SLUICE_BENCH_MODEL_DIRS";
  static final String DEFAULT_DIRS = "examples/model_repository:build/models";

  private BenchModels() {}

  /**
   * The model file of version 1 of {@code model}.
   *
   * @throws IllegalStateException when no directory holds it; JMH then reports this parameter set
   *     as failed with the message and goes on with the next one
   */
  static Path find(String model) {
    List<Path> tried = new ArrayList<>();
    for (String dir : searchPath().split(":")) {
      if (dir.isBlank()) {
        continue;
      }
      Path file = Paths.get(dir, model, "1", "model.onnx").toAbsolutePath();
      if (Files.isRegularFile(file)) {
        return file;
      }
      tried.add(file);
    }
    throw new IllegalStateException(
        "SKIPPED: model '" + model + "' not found (looked for " + tried + "). The large models"
            + " are not committed: build them with `.venv/bin/python examples/make_models.py"
            + " --large build/models` (bench/run.sh does this when .venv exists), or point "
            + PROPERTY + " / " + ENV + " at the directory that holds them");
  }

  private static String searchPath() {
    String dirs = System.getProperty(PROPERTY);
    if (dirs == null || dirs.isBlank()) {
      dirs = System.getenv(ENV);
    }
    return dirs == null || dirs.isBlank() ? DEFAULT_DIRS : dirs;
  }
}
