package io.sluice.gateway.core;

import io.sluice.gateway.model.Selection;
import io.sluice.runtime.Tensor;
import java.util.List;

/**
 * Takes a shadow copy of an answered request. Called on the event loop after the primary's
 * answer is shaped and before it is handed to the front end; it must copy what it keeps (the
 * inputs are views of the request's buffers, see {@link InferenceEvent}) and must never block
 * or fail the primary: a full queue drops the copy and counts it.
 */
@FunctionalInterface
public interface ShadowSink {
  /** Drops every copy (no shadow configured anywhere). */
  ShadowSink NONE = (selection, request, primaryOutputs) -> {};

  /**
   * @param selection the request's selection; its {@code shadows} are non-empty
   * @param request the request as the primary ran it
   * @param primaryOutputs the primary's raw outputs, to compare the shadows' against
   */
  void offer(Selection selection, V2InferRequest request, List<Tensor> primaryOutputs);
}
