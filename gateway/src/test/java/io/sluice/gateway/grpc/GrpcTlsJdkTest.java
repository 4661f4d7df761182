package io.sluice.gateway.grpc;

import io.netty.handler.ssl.SslProvider;

/** {@link GrpcTlsContract} on the JDK's TLS. */
class GrpcTlsJdkTest extends GrpcTlsContract {
  @Override
  SslProvider provider() {
    return SslProvider.JDK;
  }
}
