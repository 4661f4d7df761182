package io.sluice.gateway.model;

import io.sluice.proto.inference.ModelConfigProto;
import io.sluice.runtime.DataType;
import io.sluice.runtime.Status;

/**
 * Maps between config types ({@code TYPE_FP32}) and V2 datatypes ({@code FP32}). They are kept
 * apart on the wire: metadata speaks V2 names, config speaks config names.
 */
public final class DataTypes {
  private DataTypes() {}

  public static DataType fromConfig(ModelConfigProto.DataType t) {
    switch (t) {
      case TYPE_BOOL:
        return DataType.BOOL;
      case TYPE_UINT8:
        return DataType.UINT8;
      case TYPE_UINT16:
        return DataType.UINT16;
      case TYPE_UINT32:
        return DataType.UINT32;
      case TYPE_UINT64:
        return DataType.UINT64;
      case TYPE_INT8:
        return DataType.INT8;
      case TYPE_INT16:
        return DataType.INT16;
      case TYPE_INT32:
        return DataType.INT32;
      case TYPE_INT64:
        return DataType.INT64;
      case TYPE_FP16:
        return DataType.FP16;
      case TYPE_FP32:
        return DataType.FP32;
      case TYPE_FP64:
        return DataType.FP64;
      case TYPE_BF16:
        return DataType.BF16;
      case TYPE_STRING:
        return DataType.BYTES;
      default:
        throw Status.invalidArgument("unsupported config data_type " + t).asException();
    }
  }

  public static ModelConfigProto.DataType toConfig(DataType t) {
    return t == DataType.BYTES
        ? ModelConfigProto.DataType.TYPE_STRING
        : ModelConfigProto.DataType.valueOf("TYPE_" + t.name());
  }
}
