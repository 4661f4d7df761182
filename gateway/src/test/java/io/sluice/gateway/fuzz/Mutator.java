package io.sluice.gateway.fuzz;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A seeded mutator of valid inputs: byte-level edits (bit flips, interesting bytes, inserts,
 * deletes, duplicated ranges, truncation), JSON edits on the parsed tree (a value replaced by an
 * interesting one — huge, negative, NaN, a wrong type, a deep nest — a field dropped, added or
 * duplicated, an array element duplicated or dropped) and text edits for protobuf text format
 * (numbers, identifiers, brackets, lines). The same seed gives the same sequence of inputs, so a
 * failure names the seed and iteration that reproduce it.
 */
public final class Mutator {
  /** Numbers at the edges the decoders check. */
  public static final List<String> NUMBERS = List.of(
      "0", "-1", "1", "2", "-0", "255", "256", "65536", "2147483647", "2147483648", "-2147483649",
      "4294967295", "4294967296", "9223372036854775807", "9223372036854775808",
      "-9223372036854775808", "18446744073709551615", "18446744073709551616", "1e308", "1e309",
      "-1e309", "1.5", "-0.5", "1e-400", "NaN", "Infinity", "-Infinity", "0x10", "1_000", "01",
      "99999999999999999999999999999999999999");
  /** Strings that mean something to a decoder somewhere. */
  public static final List<String> STRINGS = List.of(
      "", "FP32", "FP16", "BF16", "BYTES", "INT64", "UINT64", "UINT8", "BOOL", "INT8", "fp32",
      "STRING", "TYPE_FP32", "x", "input", "float_input", "text", "a", "b", "output",
      "probabilities", "label", "NaN", "Infinity", "-Infinity", "\u0000", "\uFFFF", "é",
      "../../etc/passwd", "/etc/passwd", "%00", "1", "-1", "true");
  /** Field names of the V2 JSON request, for fields added where they do not belong. */
  public static final List<String> V2_FIELDS = List.of(
      "id", "inputs", "outputs", "name", "datatype", "shape", "data", "parameters",
      "binary_data_size", "binary_data", "binary_data_output", "classification", "priority",
      "timeout", "shared_memory_region", "shared_memory_byte_size", "sequence_id", "unknown");

  // Without the parser's and writer's limits: the mutator builds what the server must refuse.
  private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(100_000)
          .maxNumberLength(100_000).maxStringLength(100_000_000).build())
      .streamWriteConstraints(StreamWriteConstraints.builder().maxNestingDepth(100_000).build())
      .build());
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final byte[] INTERESTING_BYTES = {
      0, 1, (byte) 0x7f, (byte) 0x80, (byte) 0xff, (byte) 0xfe, (byte) 0xc0, (byte) 0xc3,
      (byte) 0xed, (byte) 0xf4, (byte) 0xf8, '"', '\\', '{', '}', '[', ']', ',', ':', '\n', '-',
      '9', 'e'};

  private final Random random;

  public Mutator(long seed) {
    this.random = new Random(seed);
  }

  public Random random() {
    return random;
  }

  public int nextInt(int bound) {
    return random.nextInt(bound);
  }

  public boolean chance(double p) {
    return random.nextDouble() < p;
  }

  public <T> T pick(List<T> from) {
    return from.get(random.nextInt(from.size()));
  }

  // ---- bytes

  /** One to four byte-level edits of {@code in} (a copy). */
  public byte[] mutateBytes(byte[] in) {
    byte[] b = in.clone();
    int edits = 1 + random.nextInt(4);
    for (int i = 0; i < edits; i++) {
      b = mutateOnce(b);
    }
    return b;
  }

  private byte[] mutateOnce(byte[] b) {
    if (b.length == 0) {
      return new byte[] {INTERESTING_BYTES[random.nextInt(INTERESTING_BYTES.length)]};
    }
    int at = random.nextInt(b.length);
    switch (random.nextInt(8)) {
      case 0 -> b[at] ^= (byte) (1 << random.nextInt(8));
      case 1 -> b[at] = INTERESTING_BYTES[random.nextInt(INTERESTING_BYTES.length)];
      case 2 -> b[at] = (byte) random.nextInt(256);
      case 3 -> { // insert
        byte[] extra = new byte[1 + random.nextInt(8)];
        random.nextBytes(extra);
        b = splice(b, at, 0, extra);
      }
      case 4 -> b = splice(b, at, Math.min(b.length - at, 1 + random.nextInt(16)), new byte[0]);
      case 5 -> { // duplicate a range
        int len = Math.min(b.length - at, 1 + random.nextInt(32));
        byte[] range = java.util.Arrays.copyOfRange(b, at, at + len);
        b = splice(b, at, 0, range);
      }
      case 6 -> b = java.util.Arrays.copyOf(b, at); // truncate
      default -> { // a varint-ish or little-endian edge value
        byte[] edge = switch (random.nextInt(4)) {
          case 0 -> new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff};
          case 1 -> new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0x7f};
          case 2 -> new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80,
              (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x01};
          default -> new byte[] {0, 0, 0, (byte) 0x80};
        };
        b = splice(b, at, Math.min(b.length - at, edge.length), edge);
      }
    }
    return b;
  }

  private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
    byte[] out = new byte[b.length - remove + insert.length];
    System.arraycopy(b, 0, out, 0, at);
    System.arraycopy(insert, 0, out, at, insert.length);
    System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
    return out;
  }

  // ---- JSON

  /** One to three edits of the JSON document {@code json} on its tree; may not parse after. */
  public byte[] mutateJson(byte[] json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (java.io.IOException e) {
      return mutateBytes(json);
    }
    int edits = 1 + random.nextInt(3);
    byte[] out;
    try {
      for (int i = 0; i < edits; i++) {
        root = mutateTree(root);
      }
      out = JSON.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    } catch (StackOverflowError e) {
      // Two deep nests in one document: too deep for Jackson's own recursion here.
      return mutateBytes(json);
    }
    return chance(0.15) ? mutateBytes(out) : out;
  }

  private JsonNode mutateTree(JsonNode root) {
    List<Slot> slots = new ArrayList<>();
    collect(root, null, null, -1, slots);
    Slot s = slots.get(random.nextInt(slots.size()));
    JsonNode replacement;
    switch (random.nextInt(10)) {
      case 0, 1, 2 -> replacement = interestingValue();
      case 3 -> replacement = deepNest(pick(List.of(3, 50, 400, 600, 3000)));
      case 4 -> { // drop it
        if (s.parentObject != null) {
          s.parentObject.remove(s.field);
        } else if (s.parentArray != null) {
          s.parentArray.remove(s.index);
        }
        return root;
      }
      case 5 -> { // duplicate an array element (duplicate inputs, outputs, dims)
        if (s.parentArray != null) {
          s.parentArray.insert(s.index, s.node.deepCopy());
          return root;
        }
        replacement = interestingValue();
      }
      case 6 -> { // add a field that means something elsewhere
        ObjectNode target = s.node.isObject() ? (ObjectNode) s.node : s.parentObject;
        if (target != null) {
          target.set(pick(V2_FIELDS), interestingValue());
          return root;
        }
        replacement = interestingValue();
      }
      case 7 -> { // grow or shrink an array (shape, data)
        if (s.node.isArray()) {
          ArrayNode a = (ArrayNode) s.node;
          if (a.size() > 0 && chance(0.5)) {
            a.remove(random.nextInt(a.size()));
          } else {
            a.add(a.size() > 0 ? a.get(0).deepCopy() : interestingValue());
          }
          return root;
        }
        replacement = interestingValue();
      }
      case 8 -> { // every element of an array the same odd value
        if (s.node.isArray() && s.node.size() > 0) {
          ArrayNode a = (ArrayNode) s.node;
          JsonNode v = interestingScalar();
          for (int i = 0; i < a.size(); i++) {
            a.set(i, v);
          }
          return root;
        }
        replacement = interestingValue();
      }
      default -> replacement = s.node.isArray() ? NODES.arrayNode() : NODES.objectNode();
    }
    if (s.parentObject != null) {
      s.parentObject.set(s.field, replacement);
      return root;
    }
    if (s.parentArray != null) {
      s.parentArray.set(s.index, replacement);
      return root;
    }
    return replacement;
  }

  private JsonNode interestingValue() {
    return switch (random.nextInt(6)) {
      case 0 -> NODES.arrayNode().add(interestingScalar());
      case 1 -> NODES.objectNode().set(pick(V2_FIELDS), interestingScalar());
      default -> interestingScalar();
    };
  }

  /** A number, a string (possibly long), a boolean or null. */
  public JsonNode interestingScalar() {
    switch (random.nextInt(9)) {
      case 0, 1, 2: {
        String n = pick(NUMBERS);
        try {
          if (n.equals("NaN")) {
            return NODES.numberNode(Double.NaN);
          }
          if (n.equals("Infinity")) {
            return NODES.numberNode(Double.POSITIVE_INFINITY);
          }
          if (n.equals("-Infinity")) {
            return NODES.numberNode(Double.NEGATIVE_INFINITY);
          }
          if (n.matches("-?\\d+")) {
            return new BigIntegerNode(new BigInteger(n));
          }
          return NODES.numberNode(new java.math.BigDecimal(n));
        } catch (NumberFormatException e) {
          return NODES.textNode(n);
        }
      }
      case 3:
        return new BigIntegerNode(new BigInteger("9".repeat(1 + random.nextInt(1500))));
      case 4:
        return NODES.textNode(pick(STRINGS));
      case 5:
        return NODES.textNode("x".repeat(random.nextInt(3) == 0 ? 70_000 : 1 + random.nextInt(64)));
      case 6:
        return NODES.booleanNode(random.nextBoolean());
      case 7:
        return NODES.nullNode();
      default:
        return NODES.numberNode(random.nextGaussian() * Math.pow(10, random.nextInt(40) - 20));
    }
  }

  private static JsonNode deepNest(int depth) {
    JsonNode n = NODES.numberNode(1);
    for (int i = 0; i < depth; i++) {
      n = NODES.arrayNode().add(n);
    }
    return n;
  }

  private record Slot(JsonNode node, ObjectNode parentObject, String field, ArrayNode parentArray,
      int index) {}

  private static void collect(JsonNode node, ObjectNode parentObject, String field, int index,
      List<Slot> out) {
    collect(node, parentObject, field, null, index, out);
  }

  private static void collect(JsonNode node, ObjectNode parentObject, String field,
      ArrayNode parentArray, int index, List<Slot> out) {
    out.add(new Slot(node, parentObject, field, parentArray, index));
    if (node.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> it = node.fields();
      List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
      it.forEachRemaining(entries::add);
      for (Map.Entry<String, JsonNode> e : entries) {
        collect(e.getValue(), (ObjectNode) node, e.getKey(), null, -1, out);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        collect(node.get(i), null, null, (ArrayNode) node, i, out);
      }
    }
  }

  // ---- protobuf text format

  /** One to three edits of a text-format document: numbers, names, brackets, lines, bytes. */
  public String mutateText(String text, List<String> identifiers) {
    String s = text;
    int edits = 1 + random.nextInt(3);
    for (int i = 0; i < edits; i++) {
      s = mutateTextOnce(s, identifiers);
    }
    return s;
  }

  private String mutateTextOnce(String s, List<String> identifiers) {
    List<int[]> tokens = tokens(s);
    if (tokens.isEmpty()) {
      return s + pick(identifiers) + ": 1";
    }
    int[] t = tokens.get(random.nextInt(tokens.size()));
    String token = s.substring(t[0], t[1]);
    String replacement;
    switch (random.nextInt(9)) {
      case 0, 1 -> replacement = pick(NUMBERS);
      case 2, 3 -> replacement = pick(identifiers);
      case 4 -> replacement = pick(List.of("{", "}", "[", "]", ":", ",", "<", ">", "\"", "#",
          "\"\\x\"", "\"\\u12\"", "\"" + "y".repeat(5000) + "\"", ""));
      case 5 -> { // duplicate the line
        int start = s.lastIndexOf('\n', t[0]) + 1;
        int end = s.indexOf('\n', t[1]);
        end = end < 0 ? s.length() : end;
        String line = s.substring(start, end);
        return s.substring(0, end) + "\n" + line + s.substring(end);
      }
      case 6 -> { // drop the line
        int start = s.lastIndexOf('\n', t[0]) + 1;
        int end = s.indexOf('\n', t[1]);
        end = end < 0 ? s.length() : end;
        return s.substring(0, start) + s.substring(end);
      }
      case 7 -> { // nest deeply
        int depth = pick(List.of(20, 120, 2000));
        return s.substring(0, t[0]) + (token + " { ").repeat(depth) + "}".repeat(depth)
            + s.substring(t[1]);
      }
      default -> {
        return new String(mutateBytes(s.getBytes(StandardCharsets.UTF_8)),
            StandardCharsets.UTF_8);
      }
    }
    return s.substring(0, t[0]) + replacement + s.substring(t[1]);
  }

  /** [start, end) of each run of letters, digits, '_', '.', '-' or '"…"'. */
  private static List<int[]> tokens(String s) {
    List<int[]> out = new ArrayList<>();
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '"') {
        int end = s.indexOf('"', i + 1);
        end = end < 0 ? s.length() : end + 1;
        out.add(new int[] {i, end});
        i = end;
      } else if (Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '.') {
        int start = i;
        while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_'
            || s.charAt(i) == '-' || s.charAt(i) == '.')) {
          i++;
        }
        out.add(new int[] {start, i});
      } else {
        i++;
      }
    }
    return out;
  }

  /** {@code bytes} as hex, for a failure message that reproduces the input. */
  public static String hex(byte[] bytes, int max) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < Math.min(bytes.length, max); i++) {
      s.append(String.format("%02x", bytes[i]));
    }
    if (bytes.length > max) {
      s.append("…(").append(bytes.length).append(" bytes)");
    }
    return s.toString();
  }

  /** {@code bytes} as text, truncated, for a failure message. */
  public static String text(byte[] bytes, int max) {
    String s = new String(bytes, 0, Math.min(bytes.length, max), StandardCharsets.UTF_8);
    return bytes.length > max ? s + "…(" + bytes.length + " bytes)" : s;
  }

  /** Concatenates byte arrays. */
  public static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
