package io.sluice.gateway.grpc;

import static org.assertj.core.api.Assumptions.assumeThat;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;

/** {@link GrpcTlsContract} on netty-tcnative's BoringSSL, where it loads. */
class GrpcTlsOpenSslTest extends GrpcTlsContract {
  @Override
  SslProvider provider() {
    assumeThat(OpenSsl.isAvailable()).as("netty-tcnative loads here").isTrue();
    return SslProvider.OPENSSL;
  }
}
