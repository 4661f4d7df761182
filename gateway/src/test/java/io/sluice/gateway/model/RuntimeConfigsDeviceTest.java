package io.sluice.gateway.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import io.sluice.proto.inference.ModelConfigProto.ModelInstanceGroup;
import io.sluice.proto.inference.ModelConfigProto.ModelInstanceGroup.Kind;
import io.sluice.runtime.BackendOptions;
import io.sluice.runtime.Device;
import org.junit.jupiter.api.Test;

/** Instance-group kinds to devices, and the resolved kind written back into the config. */
class RuntimeConfigsDeviceTest {

  private static ModelConfig groups(ModelInstanceGroup... gs) {
    ModelConfig.Builder b = ModelConfig.newBuilder().setName("m");
    for (ModelInstanceGroup g : gs) {
      b.addInstanceGroup(g);
    }
    return b.build();
  }

  private static ModelInstanceGroup group(Kind kind, int count, int... gpus) {
    ModelInstanceGroup.Builder g = ModelInstanceGroup.newBuilder().setKind(kind).setCount(count);
    for (int gpu : gpus) {
      g.addGpus(gpu);
    }
    return g.build();
  }

  @Test
  void kindGpuRequiresCudaOnItsFirstGpu() {
    ModelConfig c = groups(group(Kind.KIND_GPU, 2, 1, 0));

    assertThat(RuntimeConfigs.backendOptions(c, BackendOptions.ofDefaults()).device())
        .isEqualTo(Device.cuda(1));
  }

  @Test
  void kindCpuIsTheCpuAndAutoOrNoGroupIsAuto() {
    assertThat(RuntimeConfigs.device(groups(group(Kind.KIND_CPU, 1)))).isEqualTo(Device.CPU);
    assertThat(RuntimeConfigs.device(groups(group(Kind.KIND_AUTO, 1)))).isEqualTo(Device.AUTO);
    assertThat(RuntimeConfigs.device(groups())).isEqualTo(Device.AUTO);
  }

  @Test
  void anAutoGroupReportsWhereItLanded() {
    ModelConfig c = groups(group(Kind.KIND_AUTO, 2), group(Kind.KIND_CPU, 1));

    ModelConfig onGpu = RuntimeConfigs.withResolvedDevice(c, Device.cuda(0));
    ModelConfig onCpu = RuntimeConfigs.withResolvedDevice(c, Device.CPU);

    assertThat(onGpu.getInstanceGroup(0).getKind()).isEqualTo(Kind.KIND_GPU);
    assertThat(onGpu.getInstanceGroup(0).getGpusList()).containsExactly(0);
    assertThat(onGpu.getInstanceGroup(0).getCount()).isEqualTo(2);
    assertThat(onGpu.getInstanceGroup(1).getKind()).isEqualTo(Kind.KIND_CPU);
    assertThat(onCpu.getInstanceGroup(0).getKind()).isEqualTo(Kind.KIND_CPU);
    assertThat(onCpu.getInstanceGroup(0).getGpusList()).isEmpty();
  }

  @Test
  void aConfigWithoutGroupsGetsOneOfTheResolvedKind() {
    ModelConfig c = RuntimeConfigs.withResolvedDevice(groups(), Device.CPU);

    assertThat(c.getInstanceGroupList()).containsExactly(group(Kind.KIND_CPU, 1));
    assertThat(RuntimeConfigs.instanceCount(c)).isEqualTo(1);
  }
}
