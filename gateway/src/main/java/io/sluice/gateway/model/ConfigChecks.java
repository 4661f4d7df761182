package io.sluice.gateway.model;

import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import io.sluice.proto.inference.ModelConfigProto.ModelDynamicBatching;
import io.sluice.proto.inference.ModelConfigProto.ModelInput;
import io.sluice.proto.inference.ModelConfigProto.ModelInstanceGroup;
import io.sluice.proto.inference.ModelConfigProto.ModelOutput;
import io.sluice.proto.inference.ModelConfigProto.ModelQueuePolicy;
import io.sluice.proto.inference.ModelConfigProto.ModelWarmup;
import io.sluice.runtime.Status;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The values of a configuration (its {@code config.pbtxt} or a load override) that no model can
 * have, refused before anything is built, in the configuration's own field names: a negative
 * {@code max_batch_size}, a preferred batch size outside 1..max_batch_size, a {@code uint64}
 * the runtime cannot hold, a dimension below -1, an input or output named twice. Without this the
 * runtime's own checks (in its camel-case names) or an arithmetic overflow failed the load as an
 * internal error. Limits on what a valid configuration may cost (instances, threads, delays)
 * are a separate rule, applied to overrides.
 */
final class ConfigChecks {
  private ConfigChecks() {}

  /**
   * @throws io.sluice.runtime.StatusException INVALID_ARGUMENT naming the field and the value
   */
  static void check(ModelConfig c) {
    int max = c.getMaxBatchSize();
    if (max < 0) {
      throw invalid("max_batch_size: " + max + " (expected: 0, no batching, or a positive size)");
    }
    tensors("input", c.getInputList().stream().map(ModelInput::getName).toList());
    tensors("output", c.getOutputList().stream().map(ModelOutput::getName).toList());
    for (ModelInput in : c.getInputList()) {
      dims("input '" + in.getName() + "' dims", in.getDimsList());
      if (in.hasReshape()) {
        dims("input '" + in.getName() + "' reshape.shape", in.getReshape().getShapeList());
      }
    }
    for (ModelOutput out : c.getOutputList()) {
      dims("output '" + out.getName() + "' dims", out.getDimsList());
      if (out.hasReshape()) {
        dims("output '" + out.getName() + "' reshape.shape", out.getReshape().getShapeList());
      }
    }
    for (ModelInstanceGroup g : c.getInstanceGroupList()) {
      if (g.getCount() < 0) {
        throw invalid("instance_group '" + g.getName() + "' count: " + g.getCount()
            + " (expected: >= 0)");
      }
    }
    if (c.hasDynamicBatching()) {
      dynamicBatching(c.getDynamicBatching(), max);
    }
    for (ModelWarmup w : c.getModelWarmupList()) {
      String what = "model_warmup '" + w.getName() + "'";
      if (w.getBatchSize() < 0 || w.getCount() < 0) {
        throw invalid(what + ": batch_size " + Integer.toUnsignedString(w.getBatchSize())
            + ", count " + Integer.toUnsignedString(w.getCount())
            + " (expected: each at most 2147483647)");
      }
      for (Map.Entry<String, ModelWarmup.Input> e : w.getInputsMap().entrySet()) {
        for (long d : e.getValue().getDimsList()) {
          if (d < 1) {
            throw invalid(what + " input '" + e.getKey() + "' dims: " + e.getValue().getDimsList()
                + " (expected: every dimension >= 1)");
          }
        }
      }
    }
  }

  private static void dynamicBatching(ModelDynamicBatching db, int max) {
    for (int p : db.getPreferredBatchSizeList()) {
      if (p < 1 || (max > 0 && p > max)) {
        throw invalid("dynamic_batching preferred_batch_size: " + p + " (expected: 1.."
            + Math.max(1, max) + ", at most max_batch_size)");
      }
    }
    unsignedInt("dynamic_batching max_queue_delay_microseconds",
        db.getMaxQueueDelayMicroseconds(), Long.MAX_VALUE);
    long levels = unsignedInt("dynamic_batching priority_levels", db.getPriorityLevels(),
        Integer.MAX_VALUE);
    long level = unsignedInt("dynamic_batching default_priority_level",
        db.getDefaultPriorityLevel(), Integer.MAX_VALUE);
    if (level > levels) {
      throw invalid("dynamic_batching default_priority_level: " + level + " (expected: 0.."
          + levels + ", at most priority_levels)");
    }
    if (db.hasDefaultQueuePolicy()) {
      queuePolicy("dynamic_batching default_queue_policy", db.getDefaultQueuePolicy());
    }
    for (Map.Entry<Long, ModelQueuePolicy> e : db.getPriorityQueuePolicyMap().entrySet()) {
      long key = e.getKey();
      if (key < 1 || key > levels) {
        throw invalid("dynamic_batching priority_queue_policy key "
            + Long.toUnsignedString(key) + " (expected: a priority level, 1.." + levels + ")");
      }
      queuePolicy("dynamic_batching priority_queue_policy " + key, e.getValue());
    }
  }

  private static void queuePolicy(String what, ModelQueuePolicy p) {
    unsignedInt(what + " default_timeout_microseconds", p.getDefaultTimeoutMicroseconds(),
        Long.MAX_VALUE);
    if (p.getMaxQueueSize() < 0) {
      throw invalid(what + " max_queue_size: " + Integer.toUnsignedString(p.getMaxQueueSize())
          + " (expected: at most 2147483647)");
    }
  }

  /** A uint64 field read as a Java long: negative means above Long.MAX_VALUE. */
  private static long unsignedInt(String what, long value, long max) {
    if (value < 0 || value > max) {
      throw invalid(what + ": " + Long.toUnsignedString(value) + " (expected: at most " + max
          + ")");
    }
    return value;
  }

  private static void tensors(String kind, List<String> names) {
    Set<String> seen = new HashSet<>();
    for (String n : names) {
      if (n.isEmpty()) {
        throw invalid(kind + " with an empty name (expected: every " + kind + " named)");
      }
      if (!seen.add(n)) {
        throw invalid(kind + " '" + n + "' is declared more than once");
      }
    }
  }

  private static void dims(String what, List<Long> dims) {
    for (long d : dims) {
      if (d < -1) {
        throw invalid(what + ": " + dims + " (expected: each dimension >= 0, or -1 for any)");
      }
    }
  }

  private static RuntimeException invalid(String message) {
    return Status.invalidArgument(message).asException();
  }
}
