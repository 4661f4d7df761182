package io.sluice.gateway.model;

import io.sluice.runtime.SafeText;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The one place a load failure becomes the reason the repository index and the load answer show:
 * the model's folder, however the failing layer spelled it (as configured, absolute, or its real
 * path behind a symbolic link), becomes the model's name, so {@code /srv/repo/m/1/model.onnx}
 * reads {@code m/1/model.onnx}; then {@link SafeText#clean} drops class names, URLs and any other
 * absolute path. Engines quote the file they were given (ONNX Runtime: "Load model from … failed"),
 * so this cannot be done at every source.
 */
final class LoadReasons {
  private LoadReasons() {}

  static String clean(String reason, String model, Path modelDir) {
    if (reason == null || reason.isEmpty()) {
      return "";
    }
    String s = reason;
    if (modelDir != null) {
      List<String> spellings = new ArrayList<>();
      spellings.add(modelDir.toAbsolutePath().normalize().toString());
      spellings.add(modelDir.toString());
      try {
        spellings.add(modelDir.toRealPath().toString());
      } catch (IOException | SecurityException e) {
        // Gone since: the other spellings still apply.
      }
      spellings.sort(Comparator.comparingInt(String::length).reversed());
      for (String dir : spellings) {
        if (dir.length() > 1) {
          s = s.replace(dir, model);
        }
      }
    }
    return SafeText.clean(s);
  }
}
