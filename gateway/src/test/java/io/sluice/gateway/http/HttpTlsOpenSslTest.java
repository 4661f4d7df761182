package io.sluice.gateway.http;

import static org.assertj.core.api.Assumptions.assumeThat;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;

/** {@link HttpTlsContract} on netty-tcnative's BoringSSL, where it loads. */
class HttpTlsOpenSslTest extends HttpTlsContract {
  @Override
  SslProvider provider() {
    assumeThat(OpenSsl.isAvailable()).as("netty-tcnative loads here").isTrue();
    return SslProvider.OPENSSL;
  }
}
