package io.sluice.runtime.tensorflow;

import io.sluice.runtime.DataType;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint16;
import org.tensorflow.types.TUint8;
import org.tensorflow.types.family.TType;

/**
 * The one table between TensorFlow's element types and V2 datatypes. As with ONNX Runtime, the
 * two directions differ: a signature may declare INT8, INT16, UINT32 or UINT64 (V2 has them),
 * but TensorFlow Java has no tensor class for those, so such inputs are refused with
 * INVALID_ARGUMENT instead of being reinterpreted.
 */
final class TfTypes {
  private TfTypes() {}

  /** The V2 datatype of a TensorFlow element type, or null when V2 has none. */
  static DataType toDataType(org.tensorflow.proto.DataType t) {
    switch (t) {
      case DT_FLOAT:
        return DataType.FP32;
      case DT_DOUBLE:
        return DataType.FP64;
      case DT_HALF:
        return DataType.FP16;
      case DT_BFLOAT16:
        return DataType.BF16;
      case DT_INT8:
        return DataType.INT8;
      case DT_INT16:
        return DataType.INT16;
      case DT_INT32:
        return DataType.INT32;
      case DT_INT64:
        return DataType.INT64;
      case DT_UINT8:
        return DataType.UINT8;
      case DT_UINT16:
        return DataType.UINT16;
      case DT_UINT32:
        return DataType.UINT32;
      case DT_UINT64:
        return DataType.UINT64;
      case DT_BOOL:
        return DataType.BOOL;
      case DT_STRING:
        return DataType.BYTES;
      default:
        return null;
    }
  }

  /** The TensorFlow Java tensor class of a V2 datatype, or null when it has none. */
  static Class<? extends TType> toTensorClass(DataType t) {
    switch (t) {
      case FP32:
        return TFloat32.class;
      case FP64:
        return TFloat64.class;
      case FP16:
        return TFloat16.class;
      case BF16:
        return TBfloat16.class;
      case INT32:
        return TInt32.class;
      case INT64:
        return TInt64.class;
      case UINT8:
        return TUint8.class;
      case UINT16:
        return TUint16.class;
      case BOOL:
        return TBool.class;
      case BYTES:
        return TString.class;
      default:
        return null; // INT8, INT16, UINT32, UINT64
    }
  }
}
