package io.sluice.loadtest;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/**
 * KServe V2 infer over HTTP/1.1 keep-alive with the binary tensor extension: the body is a small
 * JSON header ({@code Inference-Header-Content-Length} bytes, asking for {@code
 * binary_data_output}) followed by the raw tensor bytes.
 *
 * <p>HTTP/1.1 without pipelining carries one request per connection at a time, so this keeps a
 * pool that opens connections lazily up to {@code maxConnections}; beyond that requests wait in a
 * FIFO (their wait counts in the measured latency). All pool state lives on one event loop, and
 * {@link #send} hands the request there, as grpc-java's {@code WriteQueue} does, so no locks.
 */
final class HttpTransport implements Transport {
  static final String HEADER_LENGTH = "Inference-Header-Content-Length";

  private final EventLoop loop;
  private final Bootstrap bootstrap;
  private final ByteBuf body;
  private final HttpHeaders headers;
  private final String uri;
  private final int maxConnections;
  private final String description;
  // Event-loop confined.
  private final ArrayDeque<Channel> idle = new ArrayDeque<>();
  private final ArrayDeque<Completion> pending = new ArrayDeque<>();
  private int open;
  private boolean closed;

  HttpTransport(String host, int port, InferPayload payload, int maxConnections, EventLoop loop) {
    if (maxConnections < 1) {
      throw new IllegalArgumentException(
          "maxConnections: " + maxConnections + " (expected: >= 1)");
    }
    this.loop = loop;
    this.maxConnections = maxConnections;
    this.uri = "/v2/models/" + payload.model() + "/infer";
    byte[] json = header(payload).getBytes(StandardCharsets.UTF_8);
    this.body =
        Unpooled.unreleasableBuffer(
            Unpooled.directBuffer(json.length + payload.bytes().length)
                .writeBytes(json)
                .writeBytes(payload.bytes())
                .asReadOnly());
    this.headers =
        new DefaultHttpHeaders()
            .set(HttpHeaderNames.HOST, host + ":" + port)
            .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM)
            .set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
            .set(HEADER_LENGTH, json.length);
    this.bootstrap =
        new Bootstrap()
            .group(loop)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .remoteAddress(host, port)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(new HttpClientCodec())
                        .addLast(new HttpObjectAggregator(256 << 20))
                        .addLast(new ResponseHandler());
                  }
                });
    this.description =
        "http " + host + ":" + port + " binary extension, <= " + maxConnections + " connection(s)";
  }

  /** The JSON part of the request: one binary input, every output binary. */
  static String header(InferPayload payload) {
    StringBuilder shape = new StringBuilder();
    for (long d : payload.shape()) {
      shape.append(shape.length() == 0 ? "" : ",").append(d);
    }
    return "{\"inputs\":[{\"name\":\""
        + payload.inputName()
        + "\",\"shape\":["
        + shape
        + "],\"datatype\":\""
        + payload.datatype()
        + "\",\"parameters\":{\"binary_data_size\":"
        + payload.bytes().length
        + "}}],\"parameters\":{\"binary_data_output\":true}}";
  }

  @Override
  public void send(Completion completion) {
    if (loop.inEventLoop()) {
      dispatch(completion);
    } else {
      loop.execute(() -> dispatch(completion));
    }
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public void close() {
    loop.submit(
            () -> {
              closed = true;
              for (Channel c : idle) {
                c.close();
              }
              idle.clear();
              Completion c;
              while ((c = pending.poll()) != null) {
                c.complete("closed");
              }
            })
        .syncUninterruptibly();
  }

  private void dispatch(Completion completion) {
    if (closed) {
      completion.complete("closed");
      return;
    }
    Channel ch = idle.pollLast();
    if (ch != null) {
      write(ch, completion);
      return;
    }
    pending.add(completion);
    if (open < maxConnections) {
      connect();
    }
  }

  private void connect() {
    open++;
    ChannelFuture f = bootstrap.connect();
    f.addListener(
        done -> {
          if (done.isSuccess()) {
            release(f.channel());
          } else {
            open--;
            Completion c = pending.poll();
            if (c != null) {
              c.complete("io_connect");
            }
            if (open == 0) {
              // No connection left to serve the rest: they fail now rather than wait forever.
              while ((c = pending.poll()) != null) {
                c.complete("io_connect");
              }
            }
          }
        });
  }

  /** A connection is free: give it the oldest waiting request, or park it. */
  private void release(Channel ch) {
    Completion c = pending.poll();
    if (c != null) {
      write(ch, c);
    } else if (closed) {
      ch.close();
    } else {
      idle.add(ch);
    }
  }

  private void write(Channel ch, Completion completion) {
    ch.pipeline().get(ResponseHandler.class).current = completion;
    ch.writeAndFlush(
            new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1,
                HttpMethod.POST,
                uri,
                body.duplicate(),
                headers,
                EmptyHttpHeaders.INSTANCE))
        .addListener(
            w -> {
              if (!w.isSuccess()) {
                ch.close();
              }
            });
  }

  /** Completes the connection's current request; per-connection, on the pool's event loop. */
  private final class ResponseHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
    Completion current;

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
      Completion c = current;
      current = null;
      int code = response.status().code();
      boolean keepAlive = HttpUtil.isKeepAlive(response);
      if (c != null) {
        c.complete(code == 200 ? null : "http_" + code);
      }
      if (keepAlive) {
        release(ctx.channel());
      } else {
        ctx.close();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      open--;
      idle.remove(ctx.channel());
      Completion c = current;
      current = null;
      if (c != null) {
        c.complete("io_closed");
      }
      if (!pending.isEmpty() && !closed && open < maxConnections) {
        connect();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
