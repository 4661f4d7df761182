package io.sluice.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.buffer.CompositeByteBuf;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Ticker;
import io.sluice.gateway.core.ServingApi;
import io.sluice.gateway.request.ContextHeaders;
import io.sluice.gateway.security.AdminGuard;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The server pipeline in an {@link EmbeddedChannel}, fed raw HTTP bytes, with a client-side
 * decoder for what comes out. Every inbound buffer is kept so a test can check that its
 * reference count reached 0.
 */
final class EmbeddedHttp {
  final EmbeddedChannel server;
  // No aggregator on the client side: it would swallow "100 Continue".
  private final EmbeddedChannel client = new EmbeddedChannel(new HttpResponseDecoder());
  private HttpResponse head;
  private CompositeByteBuf content;
  private final List<ByteBuf> sent = new ArrayList<>();
  private final List<FullHttpResponse> received = new ArrayList<>();

  EmbeddedHttp(HttpConfig config, ServingApi api) {
    server = new EmbeddedChannel();
    HttpPipelineConfigurator.configure(server.pipeline(), config, api);
  }

  /** On an event loop whose time is {@code ticker}'s, with the meters in {@code registry}. */
  EmbeddedHttp(HttpConfig config, ServingApi api, Ticker ticker, MeterRegistry registry) {
    server = EmbeddedChannel.builder().ticker(ticker).build();
    HttpPipelineConfigurator.configure(server.pipeline(), config, api, ContextHeaders.defaults(),
        AdminGuard.loopbackOnly(registry), new HttpMeters(registry));
  }

  void send(String raw) {
    send(raw.getBytes(StandardCharsets.ISO_8859_1));
  }

  void send(byte[] raw) {
    ByteBuf buf = Unpooled.directBuffer(raw.length).writeBytes(raw);
    sent.add(buf);
    server.writeInbound(buf);
  }

  /** The next complete response, or null when the server has written none. */
  FullHttpResponse response() {
    server.runPendingTasks();
    for (Object out; (out = server.readOutbound()) != null; ) {
      client.writeInbound(out);
    }
    for (Object in; (in = client.readInbound()) != null; ) {
      if (in instanceof HttpResponse) {
        head = (HttpResponse) in;
        content = Unpooled.compositeBuffer();
      }
      if (in instanceof HttpContent) {
        content.addComponent(true, ((HttpContent) in).content().retain());
        ReferenceCountUtil.release(in);
      }
      if (in instanceof LastHttpContent) {
        FullHttpResponse full = new DefaultFullHttpResponse(
            head.protocolVersion(), head.status(), content, head.headers(),
            EmptyHttpHeaders.INSTANCE);
        received.add(full);
        head = null;
        content = null;
        return full;
      }
    }
    return null;
  }

  /** Nothing left over, every inbound and outbound buffer released. */
  void assertClean() {
    server.runPendingTasks();
    assertThat(server.inboundMessages()).isEmpty();
    assertThat(server.outboundMessages()).isEmpty();
    assertThat((Object) client.readInbound()).isNull();
    assertThat(head).as("a response left half-read").isNull();
    for (FullHttpResponse r : received) {
      assertThat(r.release()).isTrue();
    }
    for (ByteBuf b : sent) {
      assertThat(b.refCnt()).as("inbound buffer refCnt").isZero();
    }
    server.finishAndReleaseAll();
    client.finishAndReleaseAll();
  }

  /** Frees whatever the channels still hold, after a failed check too (no leak of the test's). */
  void releaseChannels() {
    server.finishAndReleaseAll();
    client.finishAndReleaseAll();
  }

  static String body(FullHttpResponse response) {
    return response.content().toString(StandardCharsets.UTF_8);
  }
}
