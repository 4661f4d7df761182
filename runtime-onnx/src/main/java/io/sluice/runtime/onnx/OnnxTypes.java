package io.sluice.runtime.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.TensorInfo.OnnxTensorType;
import io.sluice.runtime.DataType;

/**
 * The one table between ONNX element types and V2 datatypes. Two directions differ on purpose:
 * every V2 type has an ONNX element type, so a model declaring UINT32 still gets an honest
 * signature, but ONNX Runtime's Java API has no carrier for unsigned 16/32/64-bit tensors, so
 * those map to no {@link OnnxJavaType} and such inputs are refused with INVALID_ARGUMENT.
 */
final class OnnxTypes {
  private OnnxTypes() {}

  /** The V2 datatype of an ONNX element type, or null when V2 has none (complex, float8). */
  static DataType toDataType(OnnxTensorType t) {
    switch (t) {
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT:
        return DataType.FP32;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE:
        return DataType.FP64;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16:
        return DataType.FP16;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16:
        return DataType.BF16;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8:
        return DataType.INT8;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16:
        return DataType.INT16;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32:
        return DataType.INT32;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64:
        return DataType.INT64;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8:
        return DataType.UINT8;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16:
        return DataType.UINT16;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32:
        return DataType.UINT32;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64:
        return DataType.UINT64;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL:
        return DataType.BOOL;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING:
        return DataType.BYTES;
      default:
        return null;
    }
  }

  /** The Java carrier ONNX Runtime accepts for a V2 datatype, or null when it has none. */
  static OnnxJavaType toJavaType(DataType t) {
    switch (t) {
      case FP32:
        return OnnxJavaType.FLOAT;
      case FP64:
        return OnnxJavaType.DOUBLE;
      case FP16:
        return OnnxJavaType.FLOAT16;
      case BF16:
        return OnnxJavaType.BFLOAT16;
      case INT8:
        return OnnxJavaType.INT8;
      case INT16:
        return OnnxJavaType.INT16;
      case INT32:
        return OnnxJavaType.INT32;
      case INT64:
        return OnnxJavaType.INT64;
      case UINT8:
        return OnnxJavaType.UINT8;
      case BOOL:
        return OnnxJavaType.BOOL;
      case BYTES:
        return OnnxJavaType.STRING;
      default:
        return null; // UINT16, UINT32, UINT64
    }
  }
}
