package io.sluice.gateway.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.sluice.gateway.request.ContextHeaders;
import io.sluice.gateway.security.ServerSecurity;
import io.sluice.gateway.security.TestPki;
import io.sluice.proto.inference.GRPCInferenceServiceGrpc;
import io.sluice.proto.inference.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.sluice.proto.inference.GrpcService.ModelConfigRequest;
import io.sluice.proto.inference.GrpcService.RepositoryIndexRequest;
import io.sluice.proto.inference.GrpcService.RepositoryModelLoadRequest;
import io.sluice.proto.inference.GrpcService.RepositoryModelUnloadRequest;
import io.sluice.proto.inference.GrpcService.ServerReadyRequest;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The repository methods behind the admin guard, on a real server, with and without a token. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GrpcAdminGuardTest {
  private static final String TOKEN = "grpc-t0ken";
  private static final RepositoryModelLoadRequest LOAD =
      RepositoryModelLoadRequest.newBuilder().setModelName(FakeServingApi.MODEL).build();
  private static final RepositoryModelUnloadRequest UNLOAD =
      RepositoryModelUnloadRequest.newBuilder().setModelName(FakeServingApi.MODEL).build();

  private final FakeServingApi api = new FakeServingApi();
  private final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final EventLoopGroup workers =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private ServerSecurity security;
  private GrpcFrontEnd withToken;
  private GrpcFrontEnd loopbackOnly;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    security = ServerSecurity.builder()
        .adminTokenFile(Files.writeString(dir.resolve("token"), TOKEN))
        .meterRegistry(meters)
        .build();
    withToken = GrpcFrontEnd.start(new GrpcConfig("127.0.0.1", 0, 1 << 20), api, boss, workers,
        ContextHeaders.defaults(), security);
    loopbackOnly = GrpcFrontEnd.start(new GrpcConfig("0.0.0.0", 0, 1 << 20), api, boss, workers);
  }

  @AfterAll
  void stop() throws Exception {
    withToken.close();
    loopbackOnly.close();
    security.close();
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  @BeforeEach
  void resetFake() {
    api.reset();
  }

  @AfterEach
  void closeChannels() {
    channels.forEach(ManagedChannel::shutdownNow);
    channels.clear();
  }

  private GRPCInferenceServiceBlockingStub stub(String host, int port, String authorization) {
    ManagedChannel channel = NettyChannelBuilder.forAddress(host, port).usePlaintext().build();
    channels.add(channel);
    GRPCInferenceServiceBlockingStub stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
    if (authorization != null) {
      Metadata m = new Metadata();
      m.put(AdminInterceptor.AUTHORIZATION, authorization);
      stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m));
    }
    return stub;
  }

  private static void assertRefused(Runnable call, Code code) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class,
        e -> assertThat(e.getStatus().getCode()).isEqualTo(code));
  }

  @Test
  void repositoryCallsWithoutTheTokenAreUnauthenticatedAndChangeNothing() {
    var s = stub("127.0.0.1", withToken.port(), null);

    assertRefused(() -> s.repositoryIndex(RepositoryIndexRequest.getDefaultInstance()),
        Code.UNAUTHENTICATED);
    assertRefused(() -> s.repositoryModelLoad(LOAD), Code.UNAUTHENTICATED);
    assertRefused(() -> s.repositoryModelUnload(UNLOAD), Code.UNAUTHENTICATED);
    assertThat(api.loadCalls).isEmpty();
    assertThat(api.unloadCalls).isEmpty();
    assertThat(meters.get("sluice_admin_denied").tag("protocol", "grpc")
        .tag("reason", "missing_token").counter().count()).isEqualTo(3);
  }

  @Test
  void aWrongTokenIsUnauthenticated() {
    var s = stub("127.0.0.1", withToken.port(), "Bearer nope");

    assertThatThrownBy(() -> s.repositoryModelLoad(LOAD))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Code.UNAUTHENTICATED);
          assertThat(e.getStatus().getDescription()).contains("not the admin token");
        });
    assertThat(api.loadCalls).isEmpty();
  }

  @Test
  void theTokenLetsTheCallThrough() {
    var s = stub("127.0.0.1", withToken.port(), "Bearer " + TOKEN);

    s.repositoryModelLoad(LOAD);

    assertThat(api.loadCalls).extracting(FakeServingApi.LoadCall::model)
        .containsExactly(FakeServingApi.MODEL);
  }

  @Test
  void theDataPlaneNeedsNoToken() {
    var s = stub("127.0.0.1", withToken.port(), null);

    assertThat(s.serverReady(ServerReadyRequest.getDefaultInstance()).getReady()).isTrue();
    s.modelConfig(ModelConfigRequest.newBuilder().setName(FakeServingApi.MODEL).build());
  }

  @Test
  void withoutATokenLoopbackMayCall() {
    stub("127.0.0.1", loopbackOnly.port(), null).repositoryModelUnload(UNLOAD);

    assertThat(api.unloadCalls).containsExactly(FakeServingApi.MODEL);
  }

  @Test
  void withoutATokenAPeerOffLoopbackIsPermissionDenied() {
    InetAddress self = TestPki.nonLoopbackAddress().orElse(null);
    assumeThat(self).as("a non-loopback address on this machine").isNotNull();
    var s = stub(self.getHostAddress(), loopbackOnly.port(), null);

    assertRefused(() -> s.repositoryModelUnload(UNLOAD), Code.PERMISSION_DENIED);
    assertThat(api.unloadCalls).isEmpty();
  }
}
