package io.sluice.gateway.http;

import io.netty.handler.ssl.SslProvider;

/** {@link HttpTlsContract} on the JDK's TLS. */
class HttpTlsJdkTest extends HttpTlsContract {
  @Override
  SslProvider provider() {
    return SslProvider.JDK;
  }
}
