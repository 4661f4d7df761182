package io.sluice.loadtest;

import picocli.CommandLine.Option;

/**
 * {@code --protocol}: the one option the clients ({@link TargetOptions}) and the floor server
 * ({@link FloorCommand}) share, mixed into both so its name, default and help are written once.
 */
final class ProtocolOption {
  enum Protocol {
    GRPC,
    HTTP
  }

  @Option(names = "--protocol", defaultValue = "grpc", description = "grpc or http (default: grpc)")
  Protocol protocol;

  boolean isGrpc() {
    return protocol == Protocol.GRPC;
  }

  /** As the reports and ports files name it: {@code grpc} or {@code http}. */
  String label() {
    return protocol.name().toLowerCase();
  }
}
