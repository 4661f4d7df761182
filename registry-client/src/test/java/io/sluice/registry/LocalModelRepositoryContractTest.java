package io.sluice.registry;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class LocalModelRepositoryContractTest extends ModelRepositoryContractTest {

  @TempDir Path root;

  @Override
  ModelRepository repositoryWithAlphaAndBeta() throws Exception {
    return new RepositoryFolder(root)
        .config("alpha", "platform: \"onnxruntime_onnx\"\nversion_policy { all { } }\n")
        .onnxVersion("alpha", 1)
        .onnxVersion("alpha", 2)
        .onnxVersion("beta", 1)
        .open();
  }
}
