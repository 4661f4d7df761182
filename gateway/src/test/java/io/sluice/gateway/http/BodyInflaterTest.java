package io.sluice.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpContentException;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link BodyInflater} alone in an {@link EmbeddedChannel}, fed heads and contents by hand. */
class BodyInflaterTest {
  private static final int LIMIT = 1 << 20;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final HttpMeters meters = new HttpMeters(registry);
  private final List<String> errors = new ArrayList<>();
  private final EmbeddedChannel channel =
      new EmbeddedChannel(new BodyInflater(LIMIT, meters, (protocol, code) -> errors.add(code)));
  private final List<ByteBuf> sent = new ArrayList<>();

  @AfterEach
  void nothingLeaks() {
    runUntilIdle();
    for (Object in; (in = channel.readInbound()) != null; ) {
      ReferenceCountUtil.release(in);
    }
    channel.finishAndReleaseAll();
    for (ByteBuf b : sent) {
      assertThat(b.refCnt()).as("a compressed chunk was not released").isZero();
    }
  }

  // ---- helpers

  /** Runs the event loop's tasks until none is left: each paused turn schedules the next. */
  private void runUntilIdle() {
    do {
      channel.runPendingTasks();
    } while (channel.runScheduledPendingTasks() != -1);
  }

  private static byte[] gzip(byte[] plain) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(plain);
    }
    return out.toByteArray();
  }

  private static byte[] zlib(byte[] plain, boolean raw) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (DeflaterOutputStream z =
        new DeflaterOutputStream(out, new Deflater(Deflater.DEFAULT_COMPRESSION, raw))) {
      z.write(plain);
    }
    return out.toByteArray();
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    new Random(7).nextBytes(b);
    return b;
  }

  private HttpRequest head(String encoding, int length) {
    HttpRequest request =
        new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v2/models/m/infer");
    if (encoding != null) {
      request.headers().set(HttpHeaderNames.CONTENT_ENCODING, encoding);
    }
    request.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, length);
    return request;
  }

  /** Sends {@code body} after {@code head} in chunks of {@code chunk} bytes, the last one last. */
  private void send(HttpRequest head, byte[] body, int chunk) {
    channel.writeInbound(head);
    for (int i = 0; i < body.length; i += chunk) {
      ByteBuf buf = Unpooled.directBuffer(chunk).writeBytes(
          Arrays.copyOfRange(body, i, Math.min(body.length, i + chunk)));
      sent.add(buf);
      boolean last = i + chunk >= body.length;
      channel.writeInbound(last ? new DefaultLastHttpContent(buf) : new DefaultHttpContent(buf));
    }
    if (body.length == 0) {
      channel.writeInbound(LastHttpContent.EMPTY_LAST_CONTENT);
    }
    runUntilIdle();
  }

  /** What came out for one request: its head, its body bytes, its last content. */
  private record Out(HttpRequest head, byte[] body, LastHttpContent last) {}

  private Out received() {
    runUntilIdle();
    HttpRequest head = channel.readInbound();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (Object in; (in = channel.readInbound()) != null; ) {
      HttpContent content = (HttpContent) in;
      byte[] bytes = new byte[content.content().readableBytes()];
      content.content().readBytes(bytes);
      body.writeBytes(bytes);
      content.release();
      if (content instanceof LastHttpContent) {
        return new Out(head, body.toByteArray(), (LastHttpContent) content);
      }
    }
    return new Out(head, body.toByteArray(), null);
  }

  private double inflatedBytes() {
    return registry.get("sluice_request_inflated_bytes").counter().count();
  }

  // ---- tests

  @Test
  void aGzipBodyIsInflatedAndItsLengthAndCodingHeadersGo() throws IOException {
    byte[] plain = "{\"inputs\":[]}".repeat(1000).getBytes(StandardCharsets.UTF_8);
    byte[] zipped = gzip(plain);
    send(head("gzip", zipped.length), zipped, 4096);
    Out out = received();
    assertThat(out.body()).isEqualTo(plain);
    assertThat(out.last().decoderResult().isSuccess()).isTrue();
    assertThat(out.head().headers().contains(HttpHeaderNames.CONTENT_ENCODING)).isFalse();
    assertThat(out.head().headers().contains(HttpHeaderNames.CONTENT_LENGTH)).isFalse();
    assertThat(inflatedBytes()).isEqualTo(plain.length);
  }

  @Test
  void deflateAcceptsZlibAndARawStream() throws IOException {
    byte[] plain = randomBytes(100_000);
    byte[] z = zlib(plain, false);
    send(head("deflate", z.length), z, 1000);
    assertThat(received().body()).isEqualTo(plain);
    byte[] raw = zlib(plain, true);
    send(head("x-deflate", raw.length), raw, 1000);
    assertThat(received().body()).isEqualTo(plain);
  }

  @Test
  void aGzipHeaderWithEveryOptionalFieldParsesEvenOneByteAtATime() throws IOException {
    byte[] plain = "hello, gzip".getBytes(StandardCharsets.US_ASCII);
    byte[] member = gzip(plain);
    // Rebuild the header with FEXTRA, FNAME, FCOMMENT and FHCRC, then the same deflate data.
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(new byte[] {0x1f, (byte) 0x8b, 8, 0x1e, 0, 0, 0, 0, 0, (byte) 0xff});
    b.write(new byte[] {3, 0, 'x', 'y', 'z'});
    b.writeBytes("name.json\0".getBytes(StandardCharsets.US_ASCII));
    b.writeBytes("a comment\0".getBytes(StandardCharsets.US_ASCII));
    b.write(new byte[] {0x12, 0x34});
    b.write(member, 10, member.length - 10);
    byte[] zipped = b.toByteArray();
    send(head("gzip", zipped.length), zipped, 1);
    Out out = received();
    assertThat(out.body()).isEqualTo(plain);
    assertThat(out.last().decoderResult().isSuccess()).isTrue();
  }

  @Test
  void aGzipBodyOfSeveralMembersInflatesToTheirConcatenation() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(gzip("first,".getBytes(StandardCharsets.US_ASCII)));
    b.writeBytes(gzip("second".getBytes(StandardCharsets.US_ASCII)));
    send(head("gzip", b.size()), b.toByteArray(), 7);
    assertThat(new String(received().body(), StandardCharsets.US_ASCII))
        .isEqualTo("first,second");
  }

  @Test
  void aBombStopsAtTheLimitAndTheRestOfTheBodyIsNeverInflated() throws IOException {
    byte[] bomb = gzip(new byte[64 * LIMIT]);
    send(head("gzip", bomb.length), bomb, 16 * 1024);
    Out out = received();
    assertThat(out.last().decoderResult().cause())
        .isInstanceOf(TooLongHttpContentException.class)
        .hasMessageContaining("at most " + LIMIT + " bytes");
    assertThat(out.body().length).isLessThanOrEqualTo(LIMIT);
    assertThat(inflatedBytes()).isLessThanOrEqualTo(LIMIT + BodyInflater.STEP_BYTES);
    assertThat(registry.get("sluice_request_limit_exceeded").tag("limit", "decompressed_bytes")
        .counter().count()).isEqualTo(1);
    assertThat(errors).containsExactly("RESOURCE_EXHAUSTED");
  }

  @Test
  void aChunkThatInflatesALotIsFinishedInLaterTurnsWithReadingPaused() throws IOException {
    byte[] plain = new byte[LIMIT / 2];
    byte[] zipped = gzip(plain);
    channel.writeInbound(head("gzip", zipped.length));
    ByteBuf buf = Unpooled.directBuffer().writeBytes(zipped);
    sent.add(buf);
    // Straight into the pipeline: writeInbound would run the event loop's tasks at once.
    channel.pipeline().fireChannelRead(new DefaultLastHttpContent(buf));
    // One turn inflates a bounded amount; the rest waits for a task on the event loop.
    assertThat(inflatedBytes()).isLessThan(plain.length);
    assertThat(channel.config().isAutoRead()).isFalse();
    assertThat(received().body()).hasSize(plain.length);
    assertThat(channel.config().isAutoRead()).isTrue();
  }

  @Test
  void messagesArrivingDuringAPauseFollowInOrder() throws IOException {
    byte[] plain = new byte[LIMIT / 2];
    byte[] zipped = gzip(plain);
    channel.writeInbound(head("gzip", zipped.length));
    ByteBuf buf = Unpooled.directBuffer().writeBytes(zipped);
    sent.add(buf);
    channel.pipeline().fireChannelRead(new DefaultLastHttpContent(buf));
    HttpRequest next = head(null, 0);
    channel.pipeline().fireChannelRead(next).fireChannelRead(LastHttpContent.EMPTY_LAST_CONTENT);
    assertThat(inflatedBytes()).isLessThan(plain.length);
    assertThat(received().body()).hasSize(plain.length);
    assertThat((Object) channel.readInbound()).isSameAs(next);
    assertThat((Object) channel.readInbound()).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
  }

  @Test
  void anUnknownCodingFailsTheHeadAndTheBodyIsDropped() {
    send(head("br", 3), new byte[] {1, 2, 3}, 3);
    HttpRequest out = channel.readInbound();
    assertThat(out.decoderResult().cause())
        .isInstanceOf(UnsupportedContentEncodingException.class)
        .hasMessage("Content-Encoding 'br' is not supported (expected: gzip, deflate or identity)");
    assertThat((Object) channel.readInbound()).isNull();
    assertThat(errors).containsExactly("UNIMPLEMENTED");
  }

  @Test
  void aListOfCodingsIsUnsupported() {
    send(head("gzip, gzip", 3), new byte[] {1, 2, 3}, 3);
    HttpRequest out = channel.readInbound();
    assertThat(out.decoderResult().cause())
        .isInstanceOf(UnsupportedContentEncodingException.class);
  }

  @Test
  void identityAndNoCodingPassUntouched() {
    byte[] body = "plain".getBytes(StandardCharsets.US_ASCII);
    send(head("identity", body.length), body, 100);
    Out out = received();
    assertThat(out.body()).isEqualTo(body);
    assertThat(out.head().headers().getInt(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo(5);
    send(head(null, body.length), body, 100);
    assertThat(received().body()).isEqualTo(body);
    assertThat(inflatedBytes()).isZero();
  }

  @Test
  void anEmptyBodyWithACodingIsAnEmptyBody() {
    send(head("gzip", 0), new byte[0], 1);
    Out out = received();
    assertThat(out.body()).isEmpty();
    assertThat(out.last().decoderResult().isSuccess()).isTrue();
  }

  @Test
  void bytesThatAreNotGzipEndTheBodyWithADecompressionFailure() {
    byte[] junk = "\u0000\u0001garbage".getBytes(StandardCharsets.ISO_8859_1);
    send(head("gzip", junk.length), junk, 100);
    assertThat(received().last().decoderResult().cause())
        .isInstanceOf(DecompressionException.class)
        .hasMessageContaining("magic bytes");
    assertThat(errors).containsExactly("INVALID_ARGUMENT");
  }

  @Test
  void aTruncatedStreamEndsTheBodyWithADecompressionFailure() throws IOException {
    byte[] zipped = gzip(randomBytes(10_000));
    send(head("gzip", zipped.length - 20), Arrays.copyOf(zipped, zipped.length - 20), 500);
    assertThat(received().last().decoderResult().cause())
        .isInstanceOf(DecompressionException.class)
        .hasMessageContaining("ends inside its compressed stream");
  }

  @Test
  void aWrongChecksumIsADecompressionFailure() throws IOException {
    byte[] zipped = gzip(randomBytes(1000));
    zipped[zipped.length - 8] ^= 1;
    send(head("gzip", zipped.length), zipped, 300);
    assertThat(received().last().decoderResult().cause())
        .isInstanceOf(DecompressionException.class)
        .hasMessageContaining("CRC-32");
  }
}
