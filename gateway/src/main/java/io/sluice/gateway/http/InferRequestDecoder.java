package io.sluice.gateway.http;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.FullHttpRequest;
import io.sluice.gateway.request.RequestedOutput;
import io.sluice.gateway.core.V2InferRequest;
import io.sluice.gateway.request.RequestContext;
import io.sluice.runtime.DataType;
import io.sluice.runtime.SafeText;
import io.sluice.runtime.Status;
import io.sluice.runtime.StatusException;
import io.sluice.runtime.Tensor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes {@code POST …/infer}: the JSON inference header and, with the binary tensor extension,
 * the binary buffers that follow it.
 *
 * <p>With {@code Inference-Header-Content-Length: L} the first L bytes of the body are JSON and
 * the rest are the inputs' raw buffers, in input order, each as long as its {@code
 * binary_data_size}. Binary inputs become tensors over slices of the request buffer, so the
 * request must stay retained until its response is written; JSON {@code data} is stream-parsed
 * into a heap buffer of the input's datatype by {@link JsonTensorReader}. JSON objects may list
 * their fields in any order: when {@code data} comes before {@code datatype}, its position is
 * noted and it is read in a second pass once the type is known.
 *
 * <p>Every problem is a {@link io.sluice.runtime.StatusException} INVALID_ARGUMENT saying what was
 * wrong and what was expected (shared memory, which Sluice does not implement, is UNIMPLEMENTED).
 * Unknown fields and request parameters other than {@code priority}, {@code timeout} and {@code
 * binary_data_output} are ignored.
 */
final class InferRequestDecoder {
  static final String HEADER_CONTENT_LENGTH = "Inference-Header-Content-Length";
  /** The start of the answer for a failure no check names; tests treat it as a decoder bug. */
  static final String UNDECODABLE = "the inference request cannot be decoded";
  private static final Logger log = LoggerFactory.getLogger(InferRequestDecoder.class);
  /** Jackson's "[Source: REDACTED (…); " inside locations says nothing to a client. */
  private static final Pattern SOURCE_NOISE = Pattern.compile("\\[Source: [^;]*; ");

  private final ByteBuf body;
  private final int base;
  private final int jsonLength;
  private final boolean hasBinarySection;

  private String id = "";
  private int priority;
  private long timeoutMicros;
  private boolean binaryDataOutput;
  // Other request-level parameters (scalars), for the request context; null when none.
  private Map<String, String> parameters;
  private final List<PendingInput> inputs = new ArrayList<>();
  private final List<PendingOutput> outputs = new ArrayList<>();

  private InferRequestDecoder(ByteBuf body, int jsonLength, boolean hasBinarySection) {
    this.body = body;
    this.base = body.readerIndex();
    this.jsonLength = jsonLength;
    this.hasBinarySection = hasBinarySection;
  }

  /**
   * Decodes {@code request}; does not retain or release it.
   *
   * @param cancelled tells the runtime when the client has gone away
   * @throws io.sluice.runtime.StatusException for any malformed or inconsistent input
   */
  static DecodedInferRequest decode(FullHttpRequest request, BooleanSupplier cancelled) {
    return decode(request, null, cancelled, null);
  }

  /**
   * Decodes {@code request}; its context gets the body's {@code id} and parameters and the
   * given headers, cancellation and completion executor.
   *
   * @param headers the configured headers present on the request, null for none
   * @param completion where the request completes (the channel's event loop)
   */
  static DecodedInferRequest decode(FullHttpRequest request, Map<String, String> headers,
      BooleanSupplier cancelled, Executor completion) {
    try {
      ByteBuf body = request.content();
      String header = request.headers().get(HEADER_CONTENT_LENGTH);
      int jsonLength = jsonLength(header, body.readableBytes());
      return new InferRequestDecoder(body, jsonLength, header != null)
          .decode(headers, cancelled, completion);
    } catch (StatusException e) {
      throw e;
    } catch (RuntimeException | StackOverflowError e) {
      // Every check above names what is wrong; reaching here is a gap in them (the fuzz test
      // fails on this message). Still the client's bytes: a 400, never a 500 or a stack trace.
      log.debug("an inference request the decoder has no check for", e);
      throw Status.invalidArgument(
              UNDECODABLE + ": " + SafeText.message(e, "malformed input")
                  + " (expected: a KServe V2 inference request)")
          .asException();
    }
  }

  static int jsonLength(String header, int bodyLength) {
    if (header == null) {
      return bodyLength;
    }
    long length;
    try {
      length = Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      length = -1;
    }
    if (length < 0) {
      throw Status.invalidArgument(
              HEADER_CONTENT_LENGTH + ": '" + header + "' (expected: the length in bytes of the"
                  + " JSON at the start of the body, a non-negative integer)")
          .asException();
    }
    if (length > bodyLength) {
      throw Status.invalidArgument(
              HEADER_CONTENT_LENGTH + ": " + length + " is larger than the " + bodyLength
                  + "-byte body (expected: at most the body's length)")
          .asException();
    }
    return (int) length;
  }

  private DecodedInferRequest decode(
      Map<String, String> headers, BooleanSupplier cancelled, Executor completion) {
    if (jsonLength == 0) {
      throw Status.invalidArgument(
              "the inference request has no JSON (expected: a JSON object with 'inputs')")
          .asException();
    }
    try (JsonParser p = Json.parser(body, base, jsonLength)) {
      readRequest(p);
      if (p.nextToken() != null) {
        throw Status.invalidArgument(
                "the JSON inference header has content after its closing '}' at byte "
                    + p.currentTokenLocation().getByteOffset() + " (expected: one JSON object; is "
                    + HEADER_CONTENT_LENGTH + " too large?)")
            .asException();
      }
    } catch (JsonProcessingException e) {
      throw malformed(e);
    } catch (IOException e) {
      throw Status.invalidArgument("the JSON inference header cannot be read: "
              + SafeText.message(e, "read error"))
          .asException();
    }
    List<Tensor> tensors = buildInputs();
    List<RequestedOutput> requested = new ArrayList<>(outputs.size());
    Map<String, Boolean> binaryOutputs = new HashMap<>();
    for (PendingOutput o : outputs) {
      boolean binary = o.binaryData != null ? o.binaryData : binaryDataOutput;
      requested.add(new RequestedOutput(o.name, o.classification, binary));
      binaryOutputs.put(o.name, binary);
    }
    V2InferRequest request =
        new V2InferRequest(tensors, requested, priority, timeoutMicros,
            new RequestContext(id, headers, parameters, Long.MAX_VALUE, cancelled, completion));
    return new DecodedInferRequest(request, binaryDataOutput, binaryOutputs);
  }

  private static RuntimeException malformed(JsonProcessingException e) {
    JsonLocation at = e.getLocation();
    String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
    return Status.invalidArgument(
            "the JSON inference header is malformed" + where + ": "
                + SafeText.clean(SOURCE_NOISE.matcher(e.getOriginalMessage()).replaceAll("["))
                + " (expected: a JSON object with 'inputs')")
        .asException();
  }

  // ---- the JSON header

  private void readRequest(JsonParser p) throws IOException {
    expect(p, p.nextToken(), JsonToken.START_OBJECT, "the inference request",
        "a JSON object with 'inputs'");
    boolean sawInputs = false;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken t = p.nextToken();
      switch (field) {
        case "id":
          expect(p, t, JsonToken.VALUE_STRING, "'id'", "a string");
          id = p.getText();
          break;
        case "parameters":
          readRequestParameters(p, t);
          break;
        case "inputs":
          expect(p, t, JsonToken.START_ARRAY, "'inputs'", "an array of input tensors");
          while (p.nextToken() != JsonToken.END_ARRAY) {
            inputs.add(readInput(p, inputs.size()));
          }
          sawInputs = true;
          break;
        case "outputs":
          expect(p, t, JsonToken.START_ARRAY, "'outputs'", "an array of requested outputs");
          while (p.nextToken() != JsonToken.END_ARRAY) {
            outputs.add(readOutput(p, outputs.size()));
          }
          break;
        default:
          p.skipChildren();
      }
    }
    if (!sawInputs) {
      throw Status.invalidArgument(
              "the inference request has no 'inputs' (expected: an array of input tensors)")
          .asException();
    }
  }

  private void readRequestParameters(JsonParser p, JsonToken t) throws IOException {
    expect(p, t, JsonToken.START_OBJECT, "'parameters'", "an object");
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      switch (name) {
        case "priority":
          priority = (int) integer(p, v, "parameter 'priority'", Integer.MAX_VALUE);
          break;
        case "timeout":
          timeoutMicros = integer(p, v, "parameter 'timeout' (microseconds)", Long.MAX_VALUE);
          break;
        case "binary_data_output":
          binaryDataOutput = bool(v, "parameter 'binary_data_output'");
          break;
        default:
          if (v.isScalarValue()) {
            if (parameters == null) {
              parameters = new HashMap<>();
            }
            parameters.put(name, p.getText());
          } else {
            p.skipChildren();
          }
      }
    }
  }

  private PendingInput readInput(JsonParser p, int index) throws IOException {
    expect(p, p.currentToken(), JsonToken.START_OBJECT, "inputs[" + index + "]",
        "an object with 'name', 'datatype', 'shape' and 'data'");
    PendingInput in = new PendingInput(index);
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken t = p.nextToken();
      switch (field) {
        case "name":
          expect(p, t, JsonToken.VALUE_STRING, in.label() + " 'name'", "a string");
          in.name = p.getText();
          break;
        case "datatype":
          expect(p, t, JsonToken.VALUE_STRING, in.label() + " 'datatype'", "a string like FP32");
          in.type = datatype(in, p.getText());
          break;
        case "shape":
          in.shape = shape(p, t, in);
          break;
        case "data":
          in.hasData = true;
          if (in.type != null) {
            in.read(p, jsonLength);
          } else {
            // The datatype comes later: note where the data starts and read it then.
            in.dataOffset = p.currentTokenLocation().getByteOffset();
            p.skipChildren();
          }
          break;
        case "parameters":
          readInputParameters(p, t, in);
          break;
        default:
          p.skipChildren();
      }
    }
    return in;
  }

  private void readInputParameters(JsonParser p, JsonToken t, PendingInput in) throws IOException {
    expect(p, t, JsonToken.START_OBJECT, in.label() + " 'parameters'", "an object");
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      if (name.equals("binary_data_size")) {
        in.binarySize = integer(p, v, in.label() + " binary_data_size", Integer.MAX_VALUE);
      } else if (name.equals("shared_memory_region")) {
        throw Status.unimplemented(
                in.label() + ": shared memory is not supported (expected: 'data' or"
                    + " binary_data_size)")
            .asException();
      } else {
        p.skipChildren();
      }
    }
  }

  private PendingOutput readOutput(JsonParser p, int index) throws IOException {
    String label = "outputs[" + index + "]";
    expect(p, p.currentToken(), JsonToken.START_OBJECT, label, "an object with 'name'");
    PendingOutput out = new PendingOutput();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken t = p.nextToken();
      if (field.equals("name")) {
        expect(p, t, JsonToken.VALUE_STRING, label + " 'name'", "a string");
        out.name = p.getText();
      } else if (field.equals("parameters")) {
        expect(p, t, JsonToken.START_OBJECT, label + " 'parameters'", "an object");
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          JsonToken v = p.nextToken();
          if (name.equals("binary_data")) {
            out.binaryData = bool(v, label + " binary_data");
          } else if (name.equals("classification")) {
            out.classification = (int) integer(p, v, label + " classification", Integer.MAX_VALUE);
          } else if (name.equals("shared_memory_region")) {
            throw Status.unimplemented(label + ": shared memory is not supported").asException();
          } else {
            p.skipChildren();
          }
        }
      } else {
        p.skipChildren();
      }
    }
    if (out.name == null) {
      throw Status.invalidArgument(label + " has no 'name' (expected: the output's name)")
          .asException();
    }
    return out;
  }

  // ---- from pending inputs to tensors

  private List<Tensor> buildInputs() {
    List<Tensor> tensors = new ArrayList<>(inputs.size());
    int offset = base + jsonLength;
    int end = base + body.readableBytes();
    for (PendingInput in : inputs) {
      in.checkComplete();
      if (in.binarySize >= 0) {
        if (!hasBinarySection) {
          throw Status.invalidArgument(
                  in.label() + " has binary_data_size but the request has no "
                      + HEADER_CONTENT_LENGTH + " header (expected: the header, giving the JSON"
                      + " length, with the binary data after the JSON)")
              .asException();
        }
        if (in.binarySize > end - offset) {
          throw Status.invalidArgument(
                  in.label() + ": binary_data_size " + in.binarySize + " but only "
                      + (end - offset) + " bytes of binary data remain (expected: the inputs'"
                      + " buffers after the JSON, in input order, as long as their"
                      + " binary_data_size)")
              .asException();
        }
        int size = (int) in.binarySize;
        // A view of the request's memory: the request stays retained until the response is out.
        tensors.add(Tensor.of(in.name, in.type, in.shape, body.nioBuffer(offset, size)));
        offset += size;
      } else {
        tensors.add(in.jsonTensor());
      }
    }
    if (offset != end) {
      throw Status.invalidArgument(
              (end - base - jsonLength) + " bytes follow the JSON header but the inputs'"
                  + " binary_data_size add up to " + (offset - base - jsonLength)
                  + " (expected: equal)")
          .asException();
    }
    return tensors;
  }

  // ---- small readers

  private static DataType datatype(PendingInput in, String name) {
    try {
      return DataType.fromV2Name(name);
    } catch (RuntimeException e) {
      throw Status.invalidArgument(in.label() + ": " + e.getMessage()).asException();
    }
  }

  private static long[] shape(JsonParser p, JsonToken t, PendingInput in) throws IOException {
    expect(p, t, JsonToken.START_ARRAY, in.label() + " 'shape'",
        "an array of non-negative integers, e.g. [1, 4]");
    long[] dims = new long[4];
    int n = 0;
    while (p.nextToken() != JsonToken.END_ARRAY) {
      long d = integer(p, p.currentToken(), in.label() + " 'shape'", Long.MAX_VALUE);
      if (n == dims.length) {
        dims = Arrays.copyOf(dims, n * 2);
      }
      dims[n++] = d;
    }
    return Arrays.copyOf(dims, n);
  }

  /** A non-negative integer up to {@code max}. */
  private static long integer(JsonParser p, JsonToken t, String what, long max)
      throws IOException {
    if (t != JsonToken.VALUE_NUMBER_INT
        || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
        || p.getLongValue() < 0
        || p.getLongValue() > max) {
      throw Status.invalidArgument(
              what + ": " + text(p, t) + " (expected: an integer from 0 to " + max + ")")
          .asException();
    }
    return p.getLongValue();
  }

  private static boolean bool(JsonToken t, String what) {
    if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
      throw Status.invalidArgument(what + ": not a boolean (expected: true or false)")
          .asException();
    }
    return t == JsonToken.VALUE_TRUE;
  }

  private static void expect(JsonParser p, JsonToken t, JsonToken want, String what,
      String expected) throws IOException {
    if (t != want) {
      throw Status.invalidArgument(what + " is " + text(p, t) + " (expected: " + expected + ")")
          .asException();
    }
  }

  private static String text(JsonParser p, JsonToken t) throws IOException {
    if (t == null) {
      return "missing";
    }
    if (t == JsonToken.START_OBJECT) {
      return "an object";
    }
    if (t == JsonToken.START_ARRAY) {
      return "an array";
    }
    return t == JsonToken.VALUE_STRING ? "'" + p.getText() + "'" : p.getText();
  }

  // ---- state of one input or output while the JSON is read

  private final class PendingInput {
    final int index;
    String name;
    DataType type;
    long[] shape;
    boolean hasData;
    long dataOffset = -1;
    long binarySize = -1;
    JsonTensorReader reader;
    long count;

    PendingInput(int index) {
      this.index = index;
    }

    String label() {
      return name != null ? "input '" + name + "'" : "inputs[" + index + "]";
    }

    void read(JsonParser p, int jsonBytes) throws IOException {
      reader = new JsonTensorReader(type, label(), capacityHint(jsonBytes));
      count = reader.read(p);
    }

    private int capacityHint(int jsonBytes) {
      if (shape == null || !type.isFixedSize()) {
        return 64;
      }
      long elements = 1;
      for (long d : shape) {
        if (d < 0) {
          return 64;
        }
        elements = Math.min(elements * Math.min(d, jsonBytes), jsonBytes);
      }
      // Each element takes at least two characters of JSON: never trust the shape beyond that.
      long bytes = Math.min(elements, jsonBytes / 2 + 1) * type.byteSize();
      return (int) Math.min(bytes, Integer.MAX_VALUE - 8);
    }

    void checkComplete() {
      if (name == null) {
        throw Status.invalidArgument(label() + " has no 'name' (expected: the input's name)")
            .asException();
      }
      if (type == null) {
        throw Status.invalidArgument(
                label() + " has no 'datatype' (expected: one of BOOL, UINT8..UINT64, INT8..INT64,"
                    + " FP16, FP32, FP64, BF16, BYTES)")
            .asException();
      }
      if (shape == null) {
        throw Status.invalidArgument(
                label() + " has no 'shape' (expected: an array of dimensions, e.g. [1, 4])")
            .asException();
      }
      if (hasData && binarySize >= 0) {
        throw Status.invalidArgument(
                label() + " has both 'data' and binary_data_size (expected: exactly one of"
                    + " them)")
            .asException();
      }
      if (!hasData && binarySize < 0) {
        throw Status.invalidArgument(
                label() + " has neither 'data' nor parameters.binary_data_size (expected:"
                    + " exactly one of them)")
            .asException();
      }
    }

    Tensor jsonTensor() {
      if (reader == null) {
        readDeferred();
      }
      long expected = elementCount();
      if (count != expected) {
        throw Status.invalidArgument(
                label() + ": 'data' has " + count + " elements but shape "
                    + Arrays.toString(shape) + " holds " + expected + " (expected: equal)")
            .asException();
      }
      return Tensor.of(name, type, shape, reader.bytes());
    }

    private void readDeferred() {
      int from = (int) dataOffset;
      try (JsonParser p = Json.parser(body, base + from, jsonLength - from)) {
        p.nextToken();
        read(p, jsonLength);
      } catch (JsonProcessingException e) {
        throw malformed(e);
      } catch (IOException e) {
        throw Status.invalidArgument(
                label() + ": 'data' cannot be read: " + SafeText.message(e, "read error"))
            .asException();
      }
    }

    private long elementCount() {
      return Tensor.elementCount(name, shape);
    }
  }

  private static final class PendingOutput {
    String name;
    Boolean binaryData;
    int classification;
  }
}
