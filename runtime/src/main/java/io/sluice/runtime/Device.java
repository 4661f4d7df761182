package io.sluice.runtime;

/**
 * Where a backend instance runs: the host CPU, or one CUDA device by id. Engine-neutral: a
 * provider maps it to its own execution provider (ORT's CUDA EP, TensorFlow's device string).
 *
 * @param kind CPU or CUDA
 * @param id the CUDA device id; 0 for the CPU
 */
public record Device(Kind kind, int id) {
  /** The host CPU. */
  public static final Device CPU = new Device(Kind.CPU, 0);

  /** What kind of device. */
  public enum Kind {
    CPU,
    CUDA
  }

  public Device {
    if (kind == null) {
      throw new IllegalArgumentException("kind: null (expected: CPU or CUDA)");
    }
    if (id < 0) {
      throw new IllegalArgumentException("id: " + id + " (expected: >= 0)");
    }
    if (kind == Kind.CPU && id != 0) {
      throw new IllegalArgumentException("id: " + id + " (expected: 0 for the CPU)");
    }
  }

  /** CUDA device {@code id}. */
  public static Device cuda(int id) {
    return new Device(Kind.CUDA, id);
  }

  public boolean isCuda() {
    return kind == Kind.CUDA;
  }
}
