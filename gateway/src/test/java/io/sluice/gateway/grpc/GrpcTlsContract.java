package io.sluice.gateway.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.sluice.gateway.request.ContextHeaders;
import io.sluice.gateway.security.ServerSecurity;
import io.sluice.gateway.security.TestPki;
import io.sluice.gateway.security.TlsFiles;
import io.sluice.proto.inference.GRPCInferenceServiceGrpc;
import io.sluice.proto.inference.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.sluice.proto.inference.GrpcService.RepositoryModelUnloadRequest;
import io.sluice.proto.inference.GrpcService.ServerReadyRequest;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * gRPC over TLS and mutual TLS, with certificates the test makes; run once per TLS provider
 * ({@link GrpcTlsJdkTest}, {@link GrpcTlsOpenSslTest}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class GrpcTlsContract {
  private static final String TOKEN = "grpc-tls-t0ken";

  private final FakeServingApi api = new FakeServingApi();
  private final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final EventLoopGroup workers =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final List<ManagedChannel> channels = new ArrayList<>();
  private TestPki pki;
  private TestPki.Issued client;
  private Path dir;
  private ServerSecurity tlsSecurity;
  private ServerSecurity mtlsSecurity;
  private GrpcFrontEnd tls;
  private GrpcFrontEnd mtls;

  abstract SslProvider provider();

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    this.dir = dir;
    pki = TestPki.create();
    pki.server("sluice-1", 1).write(dir.resolve("server.crt"), dir.resolve("server.key"));
    pki.writeCa(dir.resolve("ca.crt"));
    client = pki.client("client", 100);
    tlsSecurity = ServerSecurity.builder()
        .tls(new TlsFiles(dir.resolve("server.crt"), dir.resolve("server.key"), Optional.empty()))
        .adminTokenFile(Files.writeString(dir.resolve("token"), TOKEN))
        .sslProvider(provider())
        .build();
    mtlsSecurity = ServerSecurity.builder()
        .tls(new TlsFiles(dir.resolve("server.crt"), dir.resolve("server.key"),
            Optional.of(dir.resolve("ca.crt"))))
        .sslProvider(provider())
        .build();
    tls = start(tlsSecurity);
    mtls = start(mtlsSecurity);
  }

  private GrpcFrontEnd start(ServerSecurity security) {
    return GrpcFrontEnd.start(new GrpcConfig("127.0.0.1", 0, 1 << 20), api, boss, workers,
        ContextHeaders.defaults(), security);
  }

  @AfterAll
  void stop() throws Exception {
    tls.close();
    mtls.close();
    tlsSecurity.close();
    mtlsSecurity.close();
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  @AfterEach
  void closeChannels() {
    channels.forEach(ManagedChannel::shutdownNow);
    channels.clear();
  }

  /** A channel of its own (one connection) trusting the CA; {@code seen} gets server chains. */
  private GRPCInferenceServiceBlockingStub stub(GrpcFrontEnd server,
      Optional<TestPki.Issued> identity, List<X509Certificate[]> seen) throws Exception {
    SslContextBuilder ssl = GrpcSslContexts.forClient()
        .trustManager(pki.recordingTrustManager(seen));
    identity.ifPresent(i -> ssl.keyManager(i.key(), i.certificate(), pki.caCertificate()));
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port())
        .sslContext(ssl.build())
        .build();
    channels.add(channel);
    return GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10,
        TimeUnit.SECONDS);
  }

  private static boolean ready(GRPCInferenceServiceBlockingStub s) {
    return s.serverReady(ServerReadyRequest.getDefaultInstance()).getReady();
  }

  private static BigInteger serial(List<X509Certificate[]> seen) {
    return seen.get(seen.size() - 1)[0].getSerialNumber();
  }

  @Test
  void aClientTrustingTheCaIsServedOverTls() throws Exception {
    assertThat(ready(stub(tls, Optional.empty(), null))).isTrue();
  }

  @Test
  void aPlaintextClientIsRefused() {
    ManagedChannel plain =
        NettyChannelBuilder.forAddress("127.0.0.1", tls.port()).usePlaintext().build();
    channels.add(plain);

    assertThatThrownBy(() -> ready(GRPCInferenceServiceGrpc.newBlockingStub(plain)
            .withDeadlineAfter(10, TimeUnit.SECONDS)))
        .isInstanceOf(StatusRuntimeException.class);
  }

  @Test
  void mutualTlsServesAClientWithACertificateFromTheCa() throws Exception {
    assertThat(ready(stub(mtls, Optional.of(client), null))).isTrue();
  }

  @Test
  void mutualTlsRefusesAClientWithoutACertificate() throws Exception {
    var s = stub(mtls, Optional.empty(), null);

    assertThatThrownBy(() -> ready(s)).isInstanceOfSatisfying(StatusRuntimeException.class,
        e -> assertThat(e.getStatus().getCode()).isEqualTo(Code.UNAVAILABLE));
  }

  @Test
  void theRepositoryApiOverTlsNeedsTheToken() throws Exception {
    api.reset();
    var s = stub(tls, Optional.empty(), null);
    var unload = RepositoryModelUnloadRequest.newBuilder().setModelName(FakeServingApi.MODEL)
        .build();

    assertThatThrownBy(() -> s.repositoryModelUnload(unload))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Code.UNAUTHENTICATED));
    Metadata m = new Metadata();
    m.put(AdminInterceptor.AUTHORIZATION, "Bearer " + TOKEN);
    s.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m)).repositoryModelUnload(unload);
    assertThat(api.unloadCalls).containsExactly(FakeServingApi.MODEL);
  }

  @Test
  void aReloadedCertificateReachesNewConnectionsWhileOldOnesKeepServing() throws Exception {
    List<X509Certificate[]> seenBefore = TestPki.recorder();
    var before = stub(tls, Optional.empty(), seenBefore);
    assertThat(ready(before)).isTrue();
    assertThat(serial(seenBefore)).isEqualTo(BigInteger.ONE);

    pki.server("sluice-2", 2).write(dir.resolve("next.crt"), dir.resolve("next.key"));
    Files.move(dir.resolve("next.crt"), dir.resolve("server.crt"),
        StandardCopyOption.REPLACE_EXISTING);
    Files.move(dir.resolve("next.key"), dir.resolve("server.key"),
        StandardCopyOption.REPLACE_EXISTING);
    assertThat(tlsSecurity.reload()).isTrue();

    List<X509Certificate[]> seenAfter = TestPki.recorder();
    assertThat(ready(stub(tls, Optional.empty(), seenAfter))).isTrue();
    assertThat(serial(seenAfter)).isEqualTo(BigInteger.TWO);
    // The old channel still serves, on its first connection: no new handshake happened.
    assertThat(ready(before)).isTrue();
    assertThat(seenBefore).hasSize(1);
  }
}
