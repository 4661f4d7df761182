package io.sluice.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonParser;
import io.sluice.runtime.DataType;
import io.sluice.runtime.Status;
import io.sluice.runtime.StatusException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonTensorReaderTest {

  private static ByteBuffer read(DataType type, String json) throws IOException {
    try (JsonParser p = Json.FACTORY.createParser(json)) {
      p.nextToken();
      JsonTensorReader reader = new JsonTensorReader(type, "input 'x'", 0);
      reader.read(p);
      return reader.bytes();
    }
  }

  private static long count(DataType type, String json) throws IOException {
    try (JsonParser p = Json.FACTORY.createParser(json)) {
      p.nextToken();
      return new JsonTensorReader(type, "input 'x'", 0).read(p);
    }
  }

  private static StatusException failure(DataType type, String json) {
    try {
      read(type, json);
    } catch (StatusException e) {
      return e;
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("no failure for " + json);
  }

  @Test
  void flatFp32DataBecomesLittleEndianFloats() throws IOException {
    ByteBuffer b = read(DataType.FP32, "[1.5, -2, 3.25e2]");
    assertThat(b.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
    assertThat(b.remaining()).isEqualTo(12);
    assertThat(b.getFloat(0)).isEqualTo(1.5f);
    assertThat(b.getFloat(4)).isEqualTo(-2f);
    assertThat(b.getFloat(8)).isEqualTo(325f);
  }

  @Test
  void nestedArraysAreFlattenedInRowMajorOrder() throws IOException {
    ByteBuffer b = read(DataType.INT32, "[[1, 2, 3], [4, 5, 6]]");
    int[] values = new int[6];
    for (int i = 0; i < 6; i++) {
      values[i] = b.getInt(4 * i);
    }
    assertThat(values).containsExactly(1, 2, 3, 4, 5, 6);
  }

  @Test
  void theElementCountIsReported() throws IOException {
    assertThat(count(DataType.FP64, "[[[1], [2]], [[3], [4]]]")).isEqualTo(4);
  }

  @Test
  void aBareScalarIsOneElement() throws IOException {
    assertThat(read(DataType.INT64, "42").getLong(0)).isEqualTo(42L);
  }

  @Test
  void floatsRoundTripExactly() throws IOException {
    assertThat(read(DataType.FP32, "[0.1]").getFloat(0)).isEqualTo(0.1f);
    assertThat(read(DataType.FP64, "[0.1]").getDouble(0)).isEqualTo(0.1);
  }

  @Test
  void nanAndInfinityAreAcceptedBareOrQuoted() throws IOException {
    ByteBuffer b = read(DataType.FP32, "[NaN, \"NaN\", \"Infinity\", -Infinity]");
    assertThat(b.getFloat(0)).isNaN();
    assertThat(b.getFloat(4)).isNaN();
    assertThat(b.getFloat(8)).isEqualTo(Float.POSITIVE_INFINITY);
    assertThat(b.getFloat(12)).isEqualTo(Float.NEGATIVE_INFINITY);
  }

  @Test
  void int64KeepsEveryBit() throws IOException {
    ByteBuffer b = read(DataType.INT64, "[9223372036854775807, -9223372036854775808]");
    assertThat(b.getLong(0)).isEqualTo(Long.MAX_VALUE);
    assertThat(b.getLong(8)).isEqualTo(Long.MIN_VALUE);
  }

  @Test
  void uint64AcceptsValuesAboveLongMax() throws IOException {
    assertThat(read(DataType.UINT64, "[18446744073709551615]").getLong(0)).isEqualTo(-1L);
  }

  @Test
  void boolIsOneBytePerElement() throws IOException {
    ByteBuffer b = read(DataType.BOOL, "[true, false, true]");
    assertThat(new byte[] {b.get(0), b.get(1), b.get(2)}).containsExactly(1, 0, 1);
  }

  @Test
  void bytesElementsAreFramedWithLittleEndianLengths() throws IOException {
    ByteBuffer b = read(DataType.BYTES, "[\"ab\", \"\"]");
    byte[] raw = new byte[b.remaining()];
    b.get(raw);
    assertThat(raw).containsExactly(2, 0, 0, 0, 'a', 'b', 0, 0, 0, 0);
  }

  @Test
  void bytesElementsAreEncodedAsUtf8() throws IOException {
    ByteBuffer b = read(DataType.BYTES, "[\"é\"]");
    assertThat(b.getInt(0)).isEqualTo(2);
  }

  @Test
  void theBufferGrowsPastItsFirstCapacity() throws IOException {
    StringBuilder json = new StringBuilder("[");
    for (int i = 0; i < 1000; i++) {
      json.append(i == 0 ? "" : ",").append(i);
    }
    ByteBuffer b = read(DataType.INT64, json.append(']').toString());
    assertThat(b.remaining()).isEqualTo(8000);
    assertThat(b.getLong(8 * 999)).isEqualTo(999L);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "INT8   | [128]                  | 128, out of range for INT8",
    "INT8   | [-129]                 | expected: an integer from -128 to 127",
    "UINT8  | [-1]                   | out of range for UINT8",
    "UINT16 | [65536]                | out of range for UINT16",
    "INT32  | [2147483648]           | out of range for INT32",
    "UINT32 | [4294967296]           | out of range for UINT32",
    "INT64  | [9223372036854775808]  | out of range for INT64",
    "UINT64 | [18446744073709551616] | out of range for UINT64",
    "UINT64 | [-1]                   | out of range for UINT64",
  })
  void integersOutOfRangeForTheTypeAreRefused(DataType type, String json, String message) {
    StatusException e = failure(type, json);
    assertThat(e.status().code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getMessage()).contains(message).contains("input 'x'");
  }

  @Test
  void aFractionForAnIntegerTypeIsRefused() {
    assertThat(failure(DataType.INT32, "[1, 2.5]").getMessage())
        .contains("element 1 of 'data' is a fraction (expected: an integer for INT32)");
  }

  @Test
  void aNumberForBoolIsRefused() {
    assertThat(failure(DataType.BOOL, "[1]").getMessage()).contains("expected: true or false");
  }

  @Test
  void aNumberForBytesIsRefused() {
    assertThat(failure(DataType.BYTES, "[1]").getMessage()).contains("expected: a string");
  }

  @Test
  void aStringForAFloatIsRefused() {
    assertThat(failure(DataType.FP32, "[\"one\"]").getMessage()).contains("expected: a number");
  }

  @Test
  void nullElementsAreRefused() {
    assertThat(failure(DataType.FP64, "[null]").getMessage()).contains("is null");
  }

  @Test
  void fp16InJsonIsRefusedPointingAtBinaryData() {
    StatusException e = failure(DataType.FP16, "[1.0]");
    assertThat(e.status().code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getMessage()).contains("FP16").contains("binary_data_size");
  }

  @Test
  void bf16InJsonIsRefused() {
    assertThat(failure(DataType.BF16, "[1.0]").getMessage()).contains("BF16");
  }
}
