package io.sluice.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.gateway.routing.TrafficPolicy.Candidate;
import io.sluice.gateway.routing.TrafficPolicy.Shadow;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The saved policies: what each change of the {@link TrafficTable} leaves on disk, read back
 * as a restart reads it. The writer is a queue run by hand, so the order of writes is the test's.
 */
class PolicyStoreTest {
  @TempDir Path dir;
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final List<Runnable> writes = new ArrayList<>();
  private final Executor writer = writes::add;

  private static final TrafficPolicy CANARY = new TrafficPolicy(1,
      List.of(new Candidate(3, 10)), List.of(new Shadow(2, 0.5)), "x-user-id",
      GuardConfig.ofDefaults(), TrafficPolicy.Comparison.ofDefaults());

  private TrafficTable table(PolicyStore store) {
    return new TrafficTable(meters, Clock.systemUTC(), () -> 0.5, null, store, writer);
  }

  private void runWrites() {
    List<Runnable> now = List.copyOf(writes);
    writes.clear();
    now.forEach(Runnable::run);
  }

  private TrafficPolicy saved(PolicyStore store, String model) {
    return PolicyJson.parse(store.loadAll().get(model));
  }

  @Test
  void aPutPolicyIsSavedAsTheJsonAPutTakesAndReadsBackEqual() throws Exception {
    PolicyStore store = PolicyStore.open(dir, meters);
    table(store).put("m", CANARY);
    runWrites();

    assertThat(saved(store, "m")).isEqualTo(CANARY);
    assertThat(Files.readString(dir.resolve("m.json"))).contains("\"stable\" : \"1\"");
    try (var files = Files.list(dir)) {
      assertThat(files).as("no temporary file left").containsExactly(dir.resolve("m.json"));
    }
  }

  @Test
  void aRollbackIsSavedAsWeightZeroSoARestartDoesNotBringTheCandidateBack() {
    PolicyStore store = PolicyStore.open(dir, meters);
    TrafficTable table = table(store);
    table.put("m", CANARY);
    table.rollback("m", 3, "manual", "drill");
    runWrites();

    assertThat(saved(store, "m").candidates()).containsExactly(new Candidate(3, 0));
    assertThat(saved(store, "m").shadows()).isEqualTo(CANARY.shadows());
  }

  @Test
  void aPromoteIsSavedWithTheNewStable() {
    PolicyStore store = PolicyStore.open(dir, meters);
    TrafficTable table = table(store);
    table.put("m", CANARY);
    table.promote("m", 3);
    runWrites();

    assertThat(saved(store, "m").stable()).isEqualTo(3);
    assertThat(saved(store, "m").candidates()).isEmpty();
  }

  @Test
  void aClearedPolicyIsDeleted() {
    PolicyStore store = PolicyStore.open(dir, meters);
    TrafficTable table = table(store);
    table.put("m", CANARY);
    runWrites();
    table.clear("m");
    runWrites();

    assertThat(store.loadAll()).isEmpty();
  }

  @Test
  void writesQueuedBeforeALaterChangeAllWriteTheLatestState() {
    PolicyStore store = PolicyStore.open(dir, meters);
    TrafficTable table = table(store);
    table.put("m", CANARY);
    table.put("m", TrafficPolicy.stableOnly(2));
    // The first write runs after the second change: it must not save the first policy.
    writes.get(0).run();

    assertThat(saved(store, "m")).isEqualTo(TrafficPolicy.stableOnly(2));
  }

  @Test
  void anyModelNameIsOnePlainFileAndReadsBack() {
    PolicyStore store = PolicyStore.open(dir, meters);
    String name = "../team a/model?";
    table(store).put(name, CANARY);
    runWrites();

    assertThat(store.file(name).getParent()).isEqualTo(dir);
    assertThat(store.loadAll()).containsOnlyKeys(name);
  }

  @Test
  void aFailedWriteIsCountedAndTheTableKeepsThePolicy() throws Exception {
    PolicyStore store = PolicyStore.open(dir, meters);
    // A folder where the temporary file must go: the write cannot create it.
    Files.createDirectories(dir.resolve("m.json.tmp"));
    Files.writeString(dir.resolve("m.json.tmp").resolve("keep"), "x");
    TrafficTable table = table(store);
    table.put("m", CANARY);
    runWrites();

    assertThat(meters.get("sluice_traffic_state_write_failures").counter().count()).isEqualTo(1);
    assertThat(table.state("m").policy()).isEqualTo(CANARY);
  }

  @Test
  void aStateDirThatIsAFileFailsTheStart() throws Exception {
    Path file = Files.writeString(dir.resolve("plain"), "x");

    assertThatThrownBy(() -> PolicyStore.open(file, meters))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("--traffic-state-dir");
  }
}
