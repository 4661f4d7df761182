package io.sluice.gateway.grpc;

import io.grpc.Attributes;
import io.grpc.BindableService;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.SecurityLevel;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.StatusRuntimeException;
import io.sluice.runtime.SafeText;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a request message that does not parse an INVALID_ARGUMENT answer, logged at debug.
 *
 * <p>grpc-java parses a request with the method's marshaller inside its own call machinery: a
 * parse failure (bytes that are no protobuf, invalid UTF-8 in a string field, a truncated field)
 * escapes as {@code INTERNAL: Invalid protobuf byte sequence}, the call is closed with {@code
 * UNKNOWN: Application error processing RPC}, and the executor logs a SEVERE stack trace for
 * every such request. No interceptor can catch it, since parsing happens before any listener
 * runs. So {@link #wrap} rebuilds a service with a request marshaller that never throws: it
 * returns a {@link Parsed} holding either the message or the reason, and the call handler closes
 * a call whose message failed with INVALID_ARGUMENT ("the ModelInferRequest message cannot be
 * parsed: …") before the service sees it. Responses, method names and the schema descriptors that
 * server reflection reads are unchanged.
 */
final class RequestParseGuard {
  private static final Logger log = LoggerFactory.getLogger(RequestParseGuard.class);

  private RequestParseGuard() {}

  /** {@code service} with every method's request parse guarded. */
  static ServerServiceDefinition wrap(BindableService service) {
    return wrap(service.bindService());
  }

  static ServerServiceDefinition wrap(ServerServiceDefinition service) {
    ServiceDescriptor original = service.getServiceDescriptor();
    List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
    ServiceDescriptor.Builder descriptor =
        ServiceDescriptor.newBuilder(original.getName())
            .setSchemaDescriptor(original.getSchemaDescriptor());
    for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
      ServerMethodDefinition<?, ?> guarded = guard(method);
      methods.add(guarded);
      descriptor.addMethod(guarded.getMethodDescriptor());
    }
    ServerServiceDefinition.Builder out = ServerServiceDefinition.builder(descriptor.build());
    for (ServerMethodDefinition<?, ?> method : methods) {
      out.addMethod(method);
    }
    return out.build();
  }

  private static <Q, R> ServerMethodDefinition<Parsed<Q>, R> guard(
      ServerMethodDefinition<Q, R> method) {
    MethodDescriptor<Q, R> original = method.getMethodDescriptor();
    String what = messageName(original.getRequestMarshaller(), original.getFullMethodName());
    MethodDescriptor<Parsed<Q>, R> guarded =
        original
            .toBuilder(new GuardedMarshaller<>(original.getRequestMarshaller(), what),
                original.getResponseMarshaller())
            .build();
    return ServerMethodDefinition.create(guarded, new GuardedHandler<>(method, original));
  }

  /** The request type's name, e.g. {@code ModelInferRequest}, for the error message. */
  private static String messageName(MethodDescriptor.Marshaller<?> marshaller, String method) {
    if (marshaller instanceof MethodDescriptor.ReflectableMarshaller<?> reflectable) {
      return reflectable.getMessageClass().getSimpleName();
    }
    return "request of " + method;
  }

  /** A request as parsed: the message, or why it could not be parsed. */
  static final class Parsed<Q> {
    final Q message;
    final String failure;

    private Parsed(Q message, String failure) {
      this.message = message;
      this.failure = failure;
    }
  }

  private static final class GuardedMarshaller<Q> implements MethodDescriptor.Marshaller<Parsed<Q>> {
    private final MethodDescriptor.Marshaller<Q> delegate;
    private final String what;

    GuardedMarshaller(MethodDescriptor.Marshaller<Q> delegate, String what) {
      this.delegate = delegate;
      this.what = what;
    }

    @Override
    public InputStream stream(Parsed<Q> value) {
      return delegate.stream(value.message);
    }

    @Override
    public Parsed<Q> parse(InputStream stream) {
      try {
        return new Parsed<>(delegate.parse(stream), null);
      } catch (RuntimeException e) {
        return new Parsed<>(null, "the " + what + " message cannot be parsed: " + reason(e)
            + " (expected: a serialized " + what + ")");
      }
    }

    /** protobuf's own words (ProtoUtils wraps them as "Invalid protobuf byte sequence"). */
    private static String reason(RuntimeException e) {
      Throwable detail = e instanceof StatusRuntimeException && e.getCause() != null
          ? e.getCause()
          : e;
      return SafeText.message(detail, "invalid protobuf bytes");
    }
  }

  /**
   * Hands parsed messages to the service's handler and closes the call at the first message
   * that failed; after that nothing more reaches the service but the end of the call.
   */
  private static final class GuardedHandler<Q, R> implements ServerCallHandler<Parsed<Q>, R> {
    private final ServerCallHandler<Q, R> delegate;
    private final MethodDescriptor<Q, R> original;

    GuardedHandler(ServerMethodDefinition<Q, R> method, MethodDescriptor<Q, R> original) {
      this.delegate = method.getServerCallHandler();
      this.original = original;
    }

    @Override
    public ServerCall.Listener<Parsed<Q>> startCall(ServerCall<Parsed<Q>, R> call,
        Metadata headers) {
      ServerCall.Listener<Q> inner = delegate.startCall(new Unwrapped<>(call, original), headers);
      return new ServerCall.Listener<>() {
        private boolean failed;

        @Override
        public void onMessage(Parsed<Q> message) {
          if (failed) {
            return;
          }
          if (message.failure != null) {
            failed = true;
            log.debug("{}: {}", original.getFullMethodName(), message.failure);
            call.close(io.grpc.Status.INVALID_ARGUMENT.withDescription(message.failure),
                new Metadata());
            return;
          }
          inner.onMessage(message.message);
        }

        @Override
        public void onHalfClose() {
          if (!failed) {
            inner.onHalfClose();
          }
        }

        @Override
        public void onCancel() {
          inner.onCancel();
        }

        @Override
        public void onComplete() {
          inner.onComplete();
        }

        @Override
        public void onReady() {
          if (!failed) {
            inner.onReady();
          }
        }
      };
    }
  }

  /** The call as the service expects it: its own method descriptor, same responses. */
  private static final class Unwrapped<Q, R> extends ServerCall<Q, R> {
    private final ServerCall<Parsed<Q>, R> call;
    private final MethodDescriptor<Q, R> method;

    Unwrapped(ServerCall<Parsed<Q>, R> call, MethodDescriptor<Q, R> method) {
      this.call = call;
      this.method = method;
    }

    @Override
    public void request(int numMessages) {
      call.request(numMessages);
    }

    @Override
    public void sendHeaders(Metadata headers) {
      call.sendHeaders(headers);
    }

    @Override
    public void sendMessage(R message) {
      call.sendMessage(message);
    }

    @Override
    public boolean isReady() {
      return call.isReady();
    }

    @Override
    public void close(io.grpc.Status status, Metadata trailers) {
      call.close(status, trailers);
    }

    @Override
    public boolean isCancelled() {
      return call.isCancelled();
    }

    @Override
    public void setMessageCompression(boolean enabled) {
      call.setMessageCompression(enabled);
    }

    @Override
    public void setCompression(String compressor) {
      call.setCompression(compressor);
    }

    @Override
    public void setOnReadyThreshold(int numBytes) {
      call.setOnReadyThreshold(numBytes);
    }

    @Override
    public SecurityLevel getSecurityLevel() {
      return call.getSecurityLevel();
    }

    @Override
    public Attributes getAttributes() {
      return call.getAttributes();
    }

    @Override
    public String getAuthority() {
      return call.getAuthority();
    }

    @Override
    public MethodDescriptor<Q, R> getMethodDescriptor() {
      return method;
    }
  }
}
