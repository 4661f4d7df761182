package io.sluice.runtime;

/**
 * Where a backend instance runs: the host CPU, one CUDA device by id, or AUTO (Triton's
 * {@code KIND_AUTO}: CUDA device {@code id} when the engine can use it, else the CPU).
 * Engine-neutral: a provider maps it to its own execution provider (ORT's CUDA EP, TensorFlow's
 * device string); an engine without GPU support treats AUTO as the CPU.
 *
 * @param kind CPU, CUDA or AUTO
 * @param id the CUDA device id; 0 for the CPU
 */
public record Device(Kind kind, int id) {
  /** The host CPU. */
  public static final Device CPU = new Device(Kind.CPU, 0);

  /** A GPU (device 0) when the engine can use one, else the CPU. */
  public static final Device AUTO = new Device(Kind.AUTO, 0);

  /** What kind of device. */
  public enum Kind {
    CPU,
    CUDA,
    AUTO
  }

  public Device {
    if (kind == null) {
      throw new IllegalArgumentException("kind: null (expected: CPU, CUDA or AUTO)");
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

  /** A GPU when usable, else the CPU, on device {@code id}. */
  public static Device auto(int id) {
    return new Device(Kind.AUTO, id);
  }

  /** CUDA is required: the load fails where it cannot be used. */
  public boolean isCuda() {
    return kind == Kind.CUDA;
  }

  public boolean isAuto() {
    return kind == Kind.AUTO;
  }
}
