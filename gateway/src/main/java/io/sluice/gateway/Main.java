package io.sluice.gateway;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The {@code sluice} command line (picocli). */
@Command(
    name = "sluice",
    mixinStandardHelpOptions = true,
    version = "sluice " + SluiceServer.VERSION,
    description = "A model-serving gateway speaking the KServe V2 / Triton protocol.")
public final class Main implements Runnable {

  @Override
  public void run() {
    commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    int code;
    try {
      code = commandLine().execute(args);
    } catch (Throwable t) {
      // An Error past picocli's handler, e.g. a class missing from a jar replaced under the
      // running process while it stops: without this exit the JVM's other threads kept it alive
      // after a SIGTERM.
      t.printStackTrace();
      code = 70;
    }
    System.exit(code);
  }

  /**
   * The whole command line: {@code sluice serve}, {@code profile}, and the rollout admin
   * commands {@code traffic}, {@code promote}, {@code rollback}, {@code rollout}.
   */
  static CommandLine commandLine() {
    return new CommandLine(new Main())
        .addSubcommand("serve", Serve.commandLine(new Serve()))
        .addSubcommand("profile", new Profile())
        .addSubcommand("traffic", new TrafficCommands.Traffic())
        .addSubcommand("promote", new TrafficCommands.Promote())
        .addSubcommand("rollback", new TrafficCommands.Rollback())
        .addSubcommand("rollout", new TrafficCommands.Rollout())
        .setCaseInsensitiveEnumValuesAllowed(true);
  }

  /** {@code sluice profile}: a version's reference profile from its training data. */
  @Command(
      name = "profile",
      mixinStandardHelpOptions = true,
      description = "Build reference_profile.json (the drift monitor's reference) from a model's"
          + " config.pbtxt and a CSV of its training data.")
  static final class Profile implements Callable<Integer> {
    @Option(names = "--config", required = true, description = "the model's config.pbtxt")
    Path config;

    @Option(names = "--data", required = true,
        description = "CSV with a header: the input columns in config order, then optionally the"
            + " output columns")
    Path data;

    @Option(names = "--out", required = true, description = "where to write the profile")
    Path out;

    @Option(names = "--dataset-name", description = "the data set's name (default: the CSV's file"
        + " name)")
    String datasetName;

    @Option(names = "--dataset-version",
        description = "lineage: a DVC or lakeFS revision, printed in every drift report")
    String datasetVersion;

    @Option(names = "--seed", defaultValue = "0",
        description = "seed of the reservoir sample of columns over 10,000 rows (default: 0)")
    long seed;

    @Override
    public Integer call() throws Exception {
      io.sluice.proto.inference.ModelConfigProto.ModelConfig modelConfig =
          io.sluice.registry.ConfigPbtxt.parse(
              Files.readString(config, StandardCharsets.UTF_8), config.toString());
      String name = datasetName != null ? datasetName : data.getFileName().toString();
      io.sluice.gateway.monitor.ReferenceProfile profile =
          io.sluice.gateway.monitor.CsvProfiles.build(modelConfig, data, name, datasetVersion,
              seed);
      io.sluice.gateway.monitor.ProfileJson.write(profile, out);
      System.out.println("wrote " + out + ": " + profile.columns().size() + " columns from "
          + profile.dataset().rows() + " rows of " + name);
      return 0;
    }
  }

  /** {@code sluice serve}: load the repository and serve it until stopped. */
  @Command(
      name = "serve",
      mixinStandardHelpOptions = true,
      description = "Serve a Triton-style model repository over HTTP, gRPC and Prometheus.")
  static final class Serve implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--print-config-table",
        hidden = true,
        description = "print the README's table of settings and exit")
    boolean printConfigTable;

    /** {@code serve}'s command line: its options are the rows of {@link Setting}. */
    static CommandLine commandLine(Serve serve) {
      CommandLine cl = new CommandLine(serve);
      for (Setting s : Setting.values()) {
        cl.getCommandSpec().addOption(s.optionSpec());
      }
      return cl.setCaseInsensitiveEnumValuesAllowed(true);
    }

    /** The flag's value, or {@code null} when it was not given. */
    private Object flag(Setting s) {
      Object value = spec.findOption(s.flag()).getValue();
      // A repeatable flag never given reads as an empty list: the file or the default decides.
      return value instanceof java.util.Collection<?> c && c.isEmpty() ? null : value;
    }

    @Override
    public Integer call() throws Exception {
      if (printConfigTable) {
        System.out.print(Setting.markdownTable());
        return 0;
      }
      GatewayConfig config = resolve();
      LogSetup.use(config.logFormat());
      Path portsFile = (Path) flag(Setting.PORTS_FILE);
      SluiceServer server = SluiceServer.start(config);
      CountDownLatch stop = new CountDownLatch(1);
      // SIGTERM and SIGINT end the wait below, so the drain runs on this thread and the process
      // exits 0; any other way out (SIGHUP, System.exit) still drains, in a shutdown hook.
      StopSignals.install(stop::countDown);
      Runtime.getRuntime().addShutdownHook(new Thread(server::close, "sluice-shutdown"));
      String ports =
          String.format(
              "{\"http\": %d, \"grpc\": %d, \"metrics\": %d}",
              server.httpPort(), server.grpcPort(), server.metricsPort());
      if (portsFile != null) {
        Path tmp = portsFile.resolveSibling(portsFile.getFileName() + ".tmp");
        Files.writeString(tmp, ports, StandardCharsets.UTF_8);
        Files.move(tmp, portsFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      }
      String serving = config.models().modelRepository() == null ? ""
          : config.models().modelRepository().toString();
      if (config.registry().enabled()) {
        serving += (serving.isEmpty() ? "" : " and ") + "MLflow " + config.registry().models()
            + " from " + config.registry().mlflowUri().get();
      }
      System.out.println("Sluice " + SluiceServer.VERSION + " serving " + serving + " " + ports);
      stop.await();
      server.close();
      System.out.flush();
      System.err.flush();
      return 0;
    }

    /** Flags over the {@code --config} file over the defaults, setting by setting. */
    GatewayConfig resolve() throws IOException {
      Path configFile = (Path) flag(Setting.CONFIG);
      Map<Setting, Object> file = configFile == null ? Map.of() : ConfigFile.read(configFile);
      if (first(flag(Setting.MODEL_REPOSITORY), file.get(Setting.MODEL_REPOSITORY)) == null
          && first(flag(Setting.MLFLOW_MODEL), file.get(Setting.MLFLOW_MODEL)) == null) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "--model-repository (or model-repository in --config) is required unless"
                + " --mlflow-uri and --mlflow-model are given");
      }
      GatewayConfig.Builder builder = GatewayConfig.builder();
      for (Setting s : Setting.values()) {
        Object value = first(flag(s), file.get(s));
        if (value != null) {
          s.applyTo(builder, value);
        }
      }
      return builder.build();
    }

    @SafeVarargs
    private static <T> T first(T... values) {
      for (T v : values) {
        if (v != null) {
          return v;
        }
      }
      return null;
    }
  }
}
