package io.sluice.gateway.core;

import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.gateway.model.ModelManager;
import io.sluice.gateway.request.RequestIds;
import io.sluice.proto.inference.GrpcService.ModelStatisticsResponse;
import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import io.sluice.runtime.Status;
import io.sluice.runtime.Ticker;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The gateway's {@link ServingApi}, assembled from one part per concern: the {@link
 * InferencePipeline} (data plane, with its listeners), {@link DefaultModelQueries}, {@link
 * DefaultRepositoryControl}, {@link MeteredErrorCounter} and the routing package's {@link
 * TrafficControl}. It only delegates.
 */
public final class DefaultServingApi implements ServingApi {

  /** The extensions Sluice really implements; perf_analyzer reads this list. */
  static final List<String> EXTENSIONS =
      List.of(
          "classification",
          "model_repository",
          "schedule_policy",
          "model_configuration",
          "binary_tensor_data",
          "statistics");

  private final InferenceApi inference;
  private final ModelQueries queries;
  private final RepositoryControl control;
  private final ErrorCounter errors;
  private final MonitorQueries monitor;
  private final RegistryWebhook webhook;
  private final TrafficControl traffic;
  private final Admission admission;

  /**
   * With statistics and metrics as the only inference listener, no monitor, registry webhook or
   * routing, and the repository API in explicit mode: what a test of the serving core needs.
   */
  public DefaultServingApi(
      ModelManager models,
      boolean strictReadiness,
      Ticker ticker,
      String serverVersion,
      MeterRegistry registry) {
    this(models, strictReadiness, ticker, serverVersion, registry, List.of(), new DrainGate(),
        Admission.unlimited(registry), new MonitorQueries() {}, RegistryWebhook.NONE,
        RequestIds.random(new SecureRandom()), ModelControlMode.EXPLICIT, RoutingHooks.NONE);
  }

  /**
   * @param listeners told of every finished inference after statistics and metrics, in order;
   *     each must never block (see {@link InferenceListener})
   * @param gate the process's shutdown admission: once it drains, inference is refused with
   *     UNAVAILABLE and readiness is false
   * @param admission the front door's overload check, over {@code gate}'s count
   * @param monitor answers drift queries
   * @param webhook the receiver of {@code POST /v2/registry/webhook}
   * @param ids names the requests that arrive without an id (the answer carries it, and so does
   *     every listener's event)
   * @param mode whether load and unload requests may change what serves
   * @param routing traffic routing: its admin API, fault injection and shadow copies
   */
  public DefaultServingApi(
      ModelManager models,
      boolean strictReadiness,
      Ticker ticker,
      String serverVersion,
      MeterRegistry registry,
      List<InferenceListener> listeners,
      DrainGate gate,
      Admission admission,
      MonitorQueries monitor,
      RegistryWebhook webhook,
      RequestIds ids,
      ModelControlMode mode,
      RoutingHooks routing) {
    this.monitor = monitor;
    this.admission = admission;
    this.traffic = routing.control();
    this.webhook = webhook;
    List<InferenceListener> all = new ArrayList<>();
    all.add(new StatsListener());
    all.addAll(listeners);
    this.inference = new InferencePipeline(
        models, ticker, all, gate, ids, routing.faults(), routing.shadows());
    this.queries =
        new DefaultModelQueries(
            models, strictReadiness, new ServerInfo("sluice", serverVersion, EXTENSIONS), gate);
    this.control = new DefaultRepositoryControl(models, mode);
    this.errors = new MeteredErrorCounter(registry);
  }

  @Override
  public Status checkAdmission() {
    return admission.checkAdmission();
  }

  @Override
  public long refusalClock() {
    return admission.refusalClock();
  }

  @Override
  public void refusalAnswered(String protocol, long seenAt) {
    admission.refusalAnswered(protocol, seenAt);
  }

  @Override
  public RegistryWebhook.Verdict registryWebhook(
      byte[] body, java.util.function.UnaryOperator<String> header) {
    return webhook.receive(body, header);
  }

  @Override
  public CompletableFuture<V2InferResponse> infer(
      String model, String version, V2InferRequest request) {
    return inference.infer(model, version, request);
  }

  @Override
  public ServerInfo serverInfo() {
    return queries.serverInfo();
  }

  @Override
  public boolean isLive() {
    return queries.isLive();
  }

  @Override
  public boolean isReady() {
    return queries.isReady();
  }

  @Override
  public boolean isDraining() {
    return queries.isDraining();
  }

  @Override
  public boolean isModelReady(String model, String version) {
    return queries.isModelReady(model, version);
  }

  @Override
  public ModelMetadata modelMetadata(String model, String version) {
    return queries.modelMetadata(model, version);
  }

  @Override
  public ModelConfig modelConfig(String model, String version) {
    return queries.modelConfig(model, version);
  }

  @Override
  public PredictSignature predictSignature(String model, String version) {
    return queries.predictSignature(model, version);
  }

  @Override
  public ModelStatisticsResponse statistics(String model, String version) {
    return queries.statistics(model, version);
  }

  @Override
  public List<IndexEntry> repositoryIndex(boolean readyOnly) {
    return control.repositoryIndex(readyOnly);
  }

  @Override
  public CompletableFuture<Void> load(String model, Map<String, String> parameters) {
    return control.load(model, parameters);
  }

  @Override
  public CompletableFuture<Void> unload(String model) {
    return control.unload(model);
  }

  @Override
  public void recordError(String protocol, String code) {
    errors.recordError(protocol, code);
  }

  @Override
  public void recordClientDisconnect(String protocol) {
    errors.recordClientDisconnect(protocol);
  }

  @Override
  public void checkDrift(String model, String version) {
    monitor.checkDrift(model, version);
  }

  @Override
  public void writeDrift(String model, String version, com.fasterxml.jackson.core.JsonGenerator g)
      throws java.io.IOException {
    monitor.writeDrift(model, version, g);
  }

  @Override
  public FeedbackResult feedback(String model, List<Label> labels) {
    return monitor.feedback(model, labels);
  }

  @Override
  public void checkTraffic(String model) {
    traffic.checkTraffic(model);
  }

  @Override
  public void writeTraffic(String model, com.fasterxml.jackson.core.JsonGenerator g)
      throws java.io.IOException {
    traffic.writeTraffic(model, g);
  }

  @Override
  public void putTraffic(String model, byte[] policyJson) {
    traffic.putTraffic(model, policyJson);
  }

  @Override
  public void promote(String model, byte[] body) {
    traffic.promote(model, body);
  }

  @Override
  public void rollback(String model, byte[] body) {
    traffic.rollback(model, body);
  }

  @Override
  public void rollout(String model, byte[] body) {
    traffic.rollout(model, body);
  }

  @Override
  public void putFaults(String model, String version, byte[] body) {
    traffic.putFaults(model, version, body);
  }
}
