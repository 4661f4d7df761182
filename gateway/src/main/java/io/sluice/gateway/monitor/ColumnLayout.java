package io.sluice.gateway.monitor;

import io.sluice.gateway.model.DataTypes;
import io.sluice.gateway.monitor.ReferenceProfile.Role;
import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import io.sluice.proto.inference.ModelConfigProto.ModelInput;
import io.sluice.proto.inference.ModelConfigProto.ModelOutput;
import io.sluice.runtime.DataType;
import java.util.ArrayList;
import java.util.List;

/**
 * Which columns a model version has, in order: every input tensor's columns, then every output's.
 * A tensor of shape {@code [batch, F]} (or {@code [F]} without batching) has F columns; BYTES
 * tensors are categorical. A tensor with a variable non-batch dimension has no fixed columns and
 * is left out.
 *
 * @param tensors the monitored tensors, inputs first
 */
record ColumnLayout(List<TensorColumns> tensors) {
  static final int MAX_WIDTH = 4096;

  ColumnLayout {
    tensors = List.copyOf(tensors);
  }

  /**
   * One tensor's columns.
   *
   * @param tensor its name
   * @param role input or output
   * @param type its datatype
   * @param width F, columns per row
   * @param firstColumn the index of its first column in the layout
   */
  record TensorColumns(String tensor, Role role, DataType type, int width, int firstColumn) {
    boolean categorical() {
      return type == DataType.BYTES;
    }

    /** {@code tensor} for one column, else {@code tensor[i]}. */
    String defaultName(int i) {
      return width == 1 ? tensor : tensor + "[" + i + "]";
    }
  }

  static ColumnLayout of(ModelConfig config) {
    List<TensorColumns> out = new ArrayList<>();
    int column = 0;
    for (ModelInput in : config.getInputList()) {
      int width = width(in.getDimsList());
      if (width > 0) {
        out.add(new TensorColumns(in.getName(), Role.INPUT, DataTypes.fromConfig(in.getDataType()),
            width, column));
        column += width;
      }
    }
    for (ModelOutput o : config.getOutputList()) {
      int width = width(o.getDimsList());
      if (width > 0) {
        out.add(new TensorColumns(o.getName(), Role.OUTPUT, DataTypes.fromConfig(o.getDataType()),
            width, column));
        column += width;
      }
    }
    return new ColumnLayout(out);
  }

  /**
   * Columns per row: the product of the config's dims (which leave out the batch dimension when
   * the model batches; without batching one request is one row). Zero, so not monitored, for a
   * variable dimension or more than {@value #MAX_WIDTH} columns (images, embeddings).
   */
  private static int width(List<Long> dims) {
    long w = 1;
    for (long d : dims) {
      if (d < 0) {
        return 0;
      }
      w *= d;
    }
    return w > MAX_WIDTH ? 0 : (int) w;
  }

  int columnCount() {
    return tensors.isEmpty() ? 0 : tensors.get(tensors.size() - 1).firstColumn()
        + tensors.get(tensors.size() - 1).width();
  }

  TensorColumns tensor(String name) {
    for (TensorColumns t : tensors) {
      if (t.tensor().equals(name)) {
        return t;
      }
    }
    return null;
  }
}
