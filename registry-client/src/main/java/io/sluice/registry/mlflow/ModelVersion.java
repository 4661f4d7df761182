package io.sluice.registry.mlflow;

/**
 * One registered model version as MLflow answers it (the fields the gateway needs).
 *
 * @param name the registered model
 * @param version MLflow's version, a decimal string
 * @param source where it was registered from: {@code models:/m-…} in MLflow 3, a run or storage
 *     URI before
 * @param status {@code READY}, {@code PENDING_REGISTRATION} or {@code FAILED_REGISTRATION}; a
 *     server that omits it means READY
 */
public record ModelVersion(String name, String version, String source, String status) {

  /** Whether its files are complete: only a READY version may be deployed. */
  public boolean ready() {
    return status.isEmpty() || "READY".equals(status);
  }
}
