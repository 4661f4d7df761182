package io.sluice.gateway.grpc;

import io.sluice.gateway.request.RequestedOutput;
import io.sluice.gateway.core.V2InferRequest;
import io.sluice.gateway.request.RequestContext;
import io.sluice.proto.inference.GrpcService.InferParameter;
import io.sluice.proto.inference.GrpcService.ModelInferRequest;
import io.sluice.proto.inference.GrpcService.ModelInferRequest.InferInputTensor;
import io.sluice.proto.inference.GrpcService.ModelInferRequest.InferRequestedOutputTensor;
import io.sluice.runtime.DataType;
import io.sluice.runtime.SafeText;
import io.sluice.runtime.Status;
import io.sluice.runtime.StatusException;
import io.sluice.runtime.Tensor;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a {@code ModelInferRequest} into a protocol-neutral {@link V2InferRequest}.
 *
 * <p>Inputs come either all in {@code raw_input_contents}, one entry per input in order, each
 * wrapped as a read-only buffer over the message's own bytes, or each in its typed {@code
 * contents}, packed by {@link TypedContents}; a request that mixes the two is rejected, as Triton
 * rejects it. The checks run top-down and the first failure throws its status: INVALID_ARGUMENT,
 * or UNIMPLEMENTED for a tensor in shared memory. Parameters the gateway does not use (sequence ids, {@code binary_data_output}) are ignored.
 */
final class InferRequestDecoder {

  static final String PRIORITY = "priority";
  static final String TIMEOUT = "timeout";
  static final String CLASSIFICATION = "classification";
  static final String SHARED_MEMORY_REGION = "shared_memory_region";
  /** The start of the answer for a failure no check names; tests treat it as a decoder bug. */
  static final String UNDECODABLE = "the inference request cannot be decoded";
  private static final Logger log = LoggerFactory.getLogger(InferRequestDecoder.class);

  private InferRequestDecoder() {}

  /**
   * Decodes {@code request}.
   *
   * @param deadlineNanos the call's absolute deadline on {@link System#nanoTime()}, {@link
   *     Long#MAX_VALUE} for none
   * @param cancelled true once the caller has gone away
   * @throws io.sluice.runtime.StatusException INVALID_ARGUMENT for any malformed input,
   *     UNIMPLEMENTED for a tensor in shared memory
   */
  static V2InferRequest decode(
      ModelInferRequest request, long deadlineNanos, BooleanSupplier cancelled) {
    return decode(request, null, deadlineNanos, cancelled, null);
  }

  /**
   * Decodes {@code request}; its context gets the message's {@code id} and parameters and the
   * given metadata, deadline, cancellation and completion executor.
   *
   * @param headers the configured metadata present on the call, null for none
   * @param completion where the request completes (the call's event loop)
   */
  static V2InferRequest decode(ModelInferRequest request, Map<String, String> headers,
      long deadlineNanos, BooleanSupplier cancelled, Executor completion) {
    try {
      Map<String, InferParameter> parameters = request.getParametersMap();
      return new V2InferRequest(
          inputs(request),
          outputs(request),
          priority(parameters.get(PRIORITY)),
          timeoutMicros(parameters.get(TIMEOUT)),
          new RequestContext(request.getId(), headers, asText(parameters), deadlineNanos,
              cancelled, completion));
    } catch (StatusException e) {
      throw e;
    } catch (RuntimeException e) {
      // Every check names what is wrong; reaching here is a gap in them (the fuzz test fails on
      // this message). Still the client's message: INVALID_ARGUMENT, never INTERNAL.
      log.debug("a ModelInferRequest the decoder has no check for", e);
      throw Status.invalidArgument(
              UNDECODABLE + ": " + SafeText.message(e, "malformed input")
                  + " (expected: a KServe V2 ModelInferRequest)")
          .asException();
    }
  }

  /** The request-level parameters as text, for the request context. */
  private static Map<String, String> asText(Map<String, InferParameter> parameters) {
    if (parameters.isEmpty()) {
      return Map.of();
    }
    Map<String, String> out = new HashMap<>();
    parameters.forEach((name, p) -> {
      switch (p.getParameterChoiceCase()) {
        case BOOL_PARAM -> out.put(name, Boolean.toString(p.getBoolParam()));
        case INT64_PARAM -> out.put(name, Long.toString(p.getInt64Param()));
        case STRING_PARAM -> out.put(name, p.getStringParam());
        case DOUBLE_PARAM -> out.put(name, Double.toString(p.getDoubleParam()));
        case UINT64_PARAM -> out.put(name, Long.toUnsignedString(p.getUint64Param()));
        default -> { }
      }
    });
    return out;
  }

  private static List<Tensor> inputs(ModelInferRequest request) {
    int inputCount = request.getInputsCount();
    int rawCount = request.getRawInputContentsCount();
    boolean raw = rawCount > 0;
    if (raw && rawCount != inputCount) {
      throw Status.invalidArgument(
              "raw_input_contents has " + rawCount + " entries for " + inputCount
                  + " inputs (expected: one per input, in input order)")
          .asException();
    }
    List<Tensor> tensors = new ArrayList<>(inputCount);
    for (int i = 0; i < inputCount; i++) {
      InferInputTensor input = request.getInputs(i);
      String name = input.getName();
      rejectSharedMemory("input", name, input.getParametersMap());
      if (raw && input.hasContents()) {
        throw Status.invalidArgument(
                "input '" + name + "': both contents and raw_input_contents are set (expected:"
                    + " one or the other for the whole request)")
            .asException();
      }
      DataType type = datatype(name, input.getDatatype());
      long[] shape = shape(input);
      long elementCount = elementCount(name, shape);
      ByteBuffer data = raw
          ? request.getRawInputContents(i).asReadOnlyByteBuffer()
          : TypedContents.pack(name, type, shape, elementCount, input.getContents());
      tensors.add(Tensor.of(name, type, shape, data));
    }
    return tensors;
  }

  private static long[] shape(InferInputTensor input) {
    long[] shape = new long[input.getShapeCount()];
    for (int d = 0; d < shape.length; d++) {
      shape[d] = input.getShape(d);
    }
    return shape;
  }

  private static long elementCount(String name, long[] shape) {
    return Tensor.elementCount(name, shape);
  }

  private static DataType datatype(String name, String datatype) {
    try {
      return DataType.fromV2Name(datatype);
    } catch (StatusException e) {
      throw Status.invalidArgument("input '" + name + "': " + e.status().description())
          .asException();
    }
  }

  private static List<RequestedOutput> outputs(ModelInferRequest request) {
    List<RequestedOutput> outputs = new ArrayList<>(request.getOutputsCount());
    for (InferRequestedOutputTensor output : request.getOutputsList()) {
      rejectSharedMemory("output", output.getName(), output.getParametersMap());
      InferParameter k = output.getParametersMap().get(CLASSIFICATION);
      long count = k == null
          ? 0
          : integer("output '" + output.getName() + "' parameter '" + CLASSIFICATION + "'", k,
              Integer.MAX_VALUE);
      outputs.add(new RequestedOutput(output.getName(), (int) count, false));
    }
    return outputs;
  }

  /** Without this, a shared-memory input would fail later as an input with no data. */
  private static void rejectSharedMemory(
      String kind, String name, Map<String, InferParameter> parameters) {
    if (parameters.containsKey(SHARED_MEMORY_REGION)) {
      throw Status.unimplemented(
              kind + " '" + name + "': shared memory is not supported by Sluice (expected: the"
                  + " tensor in raw_input_contents or contents, the output in"
                  + " raw_output_contents)")
          .asException();
    }
  }

  private static int priority(InferParameter p) {
    return p == null ? 0 : (int) integer("parameter '" + PRIORITY + "'", p, Integer.MAX_VALUE);
  }

  private static long timeoutMicros(InferParameter p) {
    return p == null ? 0 : integer("parameter '" + TIMEOUT + "'", p, Long.MAX_VALUE);
  }

  /** A non-negative integer parameter sent as int64_param or uint64_param, as clients do. */
  private static long integer(String what, InferParameter p, long max) {
    long value;
    switch (p.getParameterChoiceCase()) {
      case INT64_PARAM -> value = p.getInt64Param();
      case UINT64_PARAM -> {
        value = p.getUint64Param();
        // A uint64 above Long.MAX_VALUE reads as negative; report it unsigned.
        if (value < 0) {
          throw outOfRange(what, Long.toUnsignedString(value), max);
        }
      }
      default -> throw Status.invalidArgument(
              what + ": " + describe(p) + " (expected: int64_param or uint64_param)")
          .asException();
    }
    if (value < 0 || value > max) {
      throw outOfRange(what, Long.toString(value), max);
    }
    return value;
  }

  private static RuntimeException outOfRange(String what, String value, long max) {
    return Status.invalidArgument(what + ": " + value + " (expected: 0.." + max + ")")
        .asException();
  }

  private static String describe(InferParameter p) {
    return switch (p.getParameterChoiceCase()) {
      case BOOL_PARAM -> "bool_param " + p.getBoolParam();
      case STRING_PARAM -> "string_param \"" + p.getStringParam() + "\"";
      case DOUBLE_PARAM -> "double_param " + p.getDoubleParam();
      case INT64_PARAM -> "int64_param " + p.getInt64Param();
      case UINT64_PARAM -> "uint64_param " + Long.toUnsignedString(p.getUint64Param());
      case PARAMETERCHOICE_NOT_SET -> "no value";
    };
  }
}
