package io.sluice.runtime.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.sluice.runtime.Status;
import io.sluice.runtime.StatusException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Checks that a file is a well-formed ONNX {@code ModelProto} before ONNX Runtime is given it.
 * ORT's parser trusts lengths and offsets it reads; a truncated or corrupted file has crashed the
 * JVM inside {@code createSession} (SIGSEGV), taking every model down with it. This walk reads
 * the whole file with protobuf-java's {@link CodedInputStream} and no schema classes: every tag
 * must have a valid wire type and every length must fit inside its enclosing message, down
 * through the messages that hold the structure (graph, nodes, attributes, tensors and subgraphs;
 * a value of any other field is skipped as bytes, never decoded). The model must name its
 * {@code ir_version} (field 1), {@code graph} (7) and at least one {@code opset_import} (8).
 *
 * <p>It is structural, not semantic: a flipped bit inside a weight or a name still parses, and ORT
 * then loads it or refuses it with its own message. The file is streamed, so a large model costs
 * a read, not a second copy in memory.
 */
final class OnnxModelCheck {
  /** Deeper than any real model's subgraph nesting; bounds the walk's own recursion. */
  private static final int MAX_DEPTH = 64;

  /** The message types walked into, and which of their fields hold which nested message. */
  private enum Kind {
    MODEL, GRAPH, NODE, ATTRIBUTE, TENSOR, OTHER;

    Kind child(int field) {
      Map<Integer, Kind> m = switch (this) {
        // opset_import, metadata_props, training_info, functions: their own fields are leaves.
        case MODEL -> Map.of(7, GRAPH, 8, OTHER, 14, OTHER, 20, OTHER, 25, OTHER);
        // node, initializer, input, output, value_info, quantization, sparse_initializer
        case GRAPH -> Map.of(1, NODE, 5, TENSOR, 11, OTHER, 12, OTHER, 13, OTHER, 14, OTHER,
            15, OTHER);
        case NODE -> Map.of(5, ATTRIBUTE);
        // t, g, tensors, graphs, sparse_tensor(s), type_proto(s)
        case ATTRIBUTE -> Map.of(5, TENSOR, 6, GRAPH, 10, TENSOR, 11, GRAPH, 22, OTHER,
            23, OTHER, 14, OTHER, 15, OTHER);
        // segment, external_data
        case TENSOR -> Map.of(3, OTHER, 13, OTHER);
        case OTHER -> Map.of();
      };
      return m.get(field);
    }
  }

  private OnnxModelCheck() {}

  /**
   * @throws StatusException INVALID_ARGUMENT naming the file and what is wrong with it
   */
  static void check(Path file) {
    long size;
    boolean[] seen = new boolean[9];
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 64 * 1024)) {
      size = Files.size(file);
      if (size > Integer.MAX_VALUE) {
        throw refuse(file, size + " bytes (expected: a ModelProto under 2 GiB; larger weights"
            + " belong in external data files)");
      }
      CodedInputStream c = CodedInputStream.newInstance(in);
      c.setSizeLimit(Integer.MAX_VALUE);
      walk(c, Kind.MODEL, 0, seen);
    } catch (IOException e) {
      throw refuse(file, "not a well-formed protobuf message (" + e.getMessage() + ")");
    }
    if (size == 0) {
      throw refuse(file, "the file is empty");
    }
    if (!seen[1] || !seen[7] || !seen[8]) {
      throw refuse(file, "no " + (!seen[1] ? "ir_version (field 1)" : !seen[7]
          ? "graph (field 7)" : "opset_import (field 8)") + "; the file is truncated or not an"
          + " ONNX ModelProto");
    }
  }

  /** Reads one message to its end; {@code seen} records the model's own top-level fields. */
  private static void walk(CodedInputStream c, Kind kind, int depth, boolean[] seen)
      throws IOException {
    if (depth > MAX_DEPTH) {
      throw new IOException("messages nested deeper than " + MAX_DEPTH);
    }
    while (true) {
      int tag = c.readTag();
      if (tag == 0) {
        return;
      }
      int field = WireFormat.getTagFieldNumber(tag);
      int wire = WireFormat.getTagWireType(tag);
      if (kind == Kind.MODEL) {
        expectModelWireType(field, wire);
        if (field < seen.length) {
          seen[field] = true;
        }
      }
      Kind child = wire == WireFormat.WIRETYPE_LENGTH_DELIMITED ? kind.child(field) : null;
      if (child == null) {
        // skipField throws on a group end without a start, a bad wire type, or a short read.
        if (wire == WireFormat.WIRETYPE_END_GROUP || !c.skipField(tag)) {
          throw new IOException("field " + field + ": unexpected end-group tag");
        }
        continue;
      }
      int length = c.readRawVarint32();
      if (length < 0) {
        throw new IOException("field " + field + ": negative length " + length);
      }
      int limit = c.pushLimit(length);
      walk(c, child, depth + 1, seen);
      if (c.getBytesUntilLimit() != 0) {
        throw new IOException("field " + field + ": message ends early");
      }
      c.popLimit(limit);
    }
  }

  private static void expectModelWireType(int field, int wire) throws IOException {
    int expected = switch (field) {
      case 1, 5 -> WireFormat.WIRETYPE_VARINT; // ir_version, model_version
      case 7, 8 -> WireFormat.WIRETYPE_LENGTH_DELIMITED; // graph, opset_import
      default -> -1;
    };
    if (expected >= 0 && wire != expected) {
      throw new IOException("ModelProto field " + field + " has wire type " + wire
          + " (expected: " + expected + ")");
    }
  }

  private static StatusException refuse(Path file, String why) {
    return Status.invalidArgument("cannot load ONNX model " + file + ": " + why).asException();
  }
}
