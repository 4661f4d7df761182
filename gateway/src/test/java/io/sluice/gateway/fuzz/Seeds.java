package io.sluice.gateway.fuzz;

import com.google.protobuf.ByteString;
import io.sluice.gateway.core.ModelMetadata;
import io.sluice.gateway.core.ServingApi;
import io.sluice.gateway.core.TensorMetadata;
import io.sluice.proto.inference.GrpcService.InferParameter;
import io.sluice.proto.inference.GrpcService.ModelInferRequest;
import io.sluice.proto.inference.GrpcService.ModelInferRequest.InferInputTensor;
import io.sluice.runtime.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Valid requests for every example model, built from its metadata: the fuzz targets' seeds and
 * the good requests that must still succeed after each batch of mutated ones.
 */
public final class Seeds {
  public static final List<String> MODELS =
      List.of("iris_classifier", "tiny_mlp", "int_adder", "category_encoder");

  /** One model's inputs at batch size 1 (a -1 dimension read as 1). */
  public record Model(String name, List<TensorMetadata> inputs, List<String> outputs) {
    static long[] concrete(long[] shape) {
      long[] s = shape.clone();
      for (int i = 0; i < s.length; i++) {
        if (s[i] < 0) {
          s[i] = 1;
        }
      }
      return s;
    }

    static long count(long[] shape) {
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      return n;
    }

    /** {@code {"id":…,"inputs":[…],"outputs":[…]}} with JSON data. */
    public byte[] json() {
      StringBuilder s = new StringBuilder("{\"id\":\"seed\",\"inputs\":[");
      for (int i = 0; i < inputs.size(); i++) {
        TensorMetadata t = inputs.get(i);
        long[] shape = concrete(t.shape());
        s.append(i == 0 ? "" : ",").append("{\"name\":\"").append(t.name())
            .append("\",\"datatype\":\"").append(t.datatype().v2Name()).append("\",\"shape\":")
            .append(java.util.Arrays.toString(shape).replace(" ", "")).append(",\"data\":[");
        for (long e = 0; e < count(shape); e++) {
          s.append(e == 0 ? "" : ",").append(jsonValue(t.datatype(), e));
        }
        s.append("]}");
      }
      s.append("],\"outputs\":[");
      for (int i = 0; i < outputs.size(); i++) {
        // Classification on iris' probabilities, so that path is fuzzed too.
        String parameters = outputs.get(i).equals("probabilities")
            ? ",\"parameters\":{\"classification\":2}"
            : "";
        s.append(i == 0 ? "" : ",").append("{\"name\":\"").append(outputs.get(i)).append("\"")
            .append(parameters).append("}");
      }
      s.append("]}");
      return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The binary extension: the JSON header (binary_data_size per input) and the raw bytes. */
    public byte[][] binary() {
      StringBuilder s = new StringBuilder("{\"inputs\":[");
      List<byte[]> raw = new ArrayList<>();
      for (int i = 0; i < inputs.size(); i++) {
        TensorMetadata t = inputs.get(i);
        long[] shape = concrete(t.shape());
        byte[] data = rawBytes(t.datatype(), count(shape));
        raw.add(data);
        s.append(i == 0 ? "" : ",").append("{\"name\":\"").append(t.name())
            .append("\",\"datatype\":\"").append(t.datatype().v2Name()).append("\",\"shape\":")
            .append(java.util.Arrays.toString(shape).replace(" ", ""))
            .append(",\"parameters\":{\"binary_data_size\":").append(data.length).append("}}");
      }
      s.append("],\"outputs\":[");
      for (int i = 0; i < outputs.size(); i++) {
        s.append(i == 0 ? "" : ",").append("{\"name\":\"").append(outputs.get(i))
            .append("\",\"parameters\":{\"binary_data\":true}}");
      }
      s.append("]}");
      return new byte[][] {s.toString().getBytes(StandardCharsets.UTF_8),
          Mutator.concat(raw.toArray(new byte[0][]))};
    }

    /** A ModelInferRequest with raw_input_contents, or typed contents when {@code typed}. */
    public ModelInferRequest grpc(boolean typed) {
      ModelInferRequest.Builder b = ModelInferRequest.newBuilder().setModelName(name).setId("seed");
      for (TensorMetadata t : inputs) {
        long[] shape = concrete(t.shape());
        InferInputTensor.Builder in =
            b.addInputsBuilder().setName(t.name()).setDatatype(t.datatype().v2Name());
        for (long d : shape) {
          in.addShape(d);
        }
        long n = count(shape);
        if (typed) {
          for (long e = 0; e < n; e++) {
            switch (t.datatype()) {
              case FP32 -> in.getContentsBuilder().addFp32Contents(e + 0.5f);
              case FP64 -> in.getContentsBuilder().addFp64Contents(e + 0.5);
              case INT64 -> in.getContentsBuilder().addInt64Contents(e);
              case INT32, INT16, INT8 -> in.getContentsBuilder().addIntContents((int) e);
              case BOOL -> in.getContentsBuilder().addBoolContents(true);
              case BYTES -> in.getContentsBuilder().addBytesContents(ByteString.copyFromUtf8("a"));
              default -> in.getContentsBuilder().addUintContents((int) e);
            }
          }
        } else {
          b.addRawInputContents(ByteString.copyFrom(rawBytes(t.datatype(), n)));
        }
      }
      for (String o : outputs) {
        b.addOutputsBuilder().setName(o);
      }
      b.putParameters("priority", InferParameter.newBuilder().setInt64Param(0).build());
      return b.build();
    }
  }

  private Seeds() {}

  /** Every example model, from the server's own metadata. */
  public static List<Model> models(ServingApi api) {
    List<Model> out = new ArrayList<>();
    for (String name : MODELS) {
      ModelMetadata m = api.modelMetadata(name, "");
      out.add(new Model(name, m.inputs(), m.outputs().stream().map(TensorMetadata::name).toList()));
    }
    return out;
  }

  private static String jsonValue(DataType type, long e) {
    return switch (type) {
      case FP32, FP64 -> Double.toString(e + 0.5);
      case BOOL -> "true";
      case BYTES -> "\"a\"";
      default -> Long.toString(e);
    };
  }

  static byte[] rawBytes(DataType type, long count) {
    if (type == DataType.BYTES) {
      ByteBuffer b = ByteBuffer.allocate((int) count * 5).order(ByteOrder.LITTLE_ENDIAN);
      for (long e = 0; e < count; e++) {
        b.putInt(1).put((byte) 'a');
      }
      return b.array();
    }
    ByteBuffer b = ByteBuffer.allocate((int) count * type.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
    for (long e = 0; e < count; e++) {
      switch (type) {
        case FP32 -> b.putFloat(e + 0.5f);
        case FP64 -> b.putDouble(e + 0.5);
        case INT64, UINT64 -> b.putLong(e);
        case INT32, UINT32 -> b.putInt((int) e);
        case INT16, UINT16, FP16, BF16 -> b.putShort((short) e);
        default -> b.put((byte) 1);
      }
    }
    return b.array();
  }
}
