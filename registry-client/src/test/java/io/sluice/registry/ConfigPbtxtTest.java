package io.sluice.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.proto.inference.ModelConfigProto.DataType;
import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import io.sluice.proto.inference.ModelConfigProto.ModelInstanceGroup;
import io.sluice.registry.RepositoryException.Kind;
import org.junit.jupiter.api.Test;

class ConfigPbtxtTest {

  /** A config.pbtxt as found in Triton's docs and real repositories: comments, lists, nesting. */
  static final String RESNET =
      """
      # ResNet-50 served by ONNX Runtime.
      name: "resnet50"
      platform: "onnxruntime_onnx"
      max_batch_size: 16
      version_policy: { specific: { versions: [1, 3] } }
      input [
        {
          name: "data_0"
          data_type: TYPE_FP32
          format: FORMAT_NCHW
          dims: [ 3, 224, 224 ]
          reshape: { shape: [ 1, 3, 224, 224 ] }
        }
      ]
      output [
        {
          name: "fc6_1"
          data_type: TYPE_FP32
          dims: [ 1000 ]
          label_filename: "resnet50_labels.txt"
        }
      ]
      dynamic_batching {
        preferred_batch_size: [ 4, 8 ]
        max_queue_delay_microseconds: 100
      }
      instance_group [
        {
          count: 2
          kind: KIND_GPU
          gpus: [ 0 ]
        },
        {
          count: 1
          kind: KIND_CPU
        }
      ]
      parameters { key: "intra_op_thread_count" value: { string_value: "1" } }
      """;

  @Test
  void parsesARealisticTritonConfig() throws Exception {
    ModelConfig config = ConfigPbtxt.parse(RESNET, "resnet50/config.pbtxt");

    assertThat(config.getName()).isEqualTo("resnet50");
    assertThat(config.getPlatform()).isEqualTo("onnxruntime_onnx");
    assertThat(config.getMaxBatchSize()).isEqualTo(16);
    assertThat(config.getVersionPolicy().getSpecific().getVersionsList()).containsExactly(1L, 3L);

    assertThat(config.getInputList())
        .singleElement()
        .satisfies(
            input -> {
              assertThat(input.getName()).isEqualTo("data_0");
              assertThat(input.getDataType()).isEqualTo(DataType.TYPE_FP32);
              assertThat(input.getDimsList()).containsExactly(3L, 224L, 224L);
              assertThat(input.getReshape().getShapeList()).containsExactly(1L, 3L, 224L, 224L);
            });
    assertThat(config.getOutputList())
        .singleElement()
        .satisfies(
            output -> {
              assertThat(output.getDimsList()).containsExactly(1000L);
              assertThat(output.getLabelFilename()).isEqualTo("resnet50_labels.txt");
            });

    assertThat(config.hasDynamicBatching()).isTrue();
    assertThat(config.getDynamicBatching().getPreferredBatchSizeList()).containsExactly(4, 8);
    assertThat(config.getDynamicBatching().getMaxQueueDelayMicroseconds()).isEqualTo(100);

    assertThat(config.getInstanceGroupList())
        .extracting(ModelInstanceGroup::getKind, ModelInstanceGroup::getCount)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(ModelInstanceGroup.Kind.KIND_GPU, 2),
            org.assertj.core.groups.Tuple.tuple(ModelInstanceGroup.Kind.KIND_CPU, 1));
    assertThat(config.getInstanceGroup(0).getGpusList()).containsExactly(0);
    assertThat(config.getParametersMap().get("intra_op_thread_count").getStringValue())
        .isEqualTo("1");
  }

  @Test
  void anEmptyTextIsTheDefaultConfig() throws Exception {
    assertThat(ConfigPbtxt.parse("", "empty")).isEqualTo(ModelConfig.getDefaultInstance());
  }

  @Test
  void printedConfigsParseBackUnchanged() throws Exception {
    ModelConfig config = ConfigPbtxt.parse(RESNET, "resnet50/config.pbtxt");

    assertThat(ConfigPbtxt.parse(ConfigPbtxt.print(config), "printed")).isEqualTo(config);
  }

  @Test
  void anUnknownFieldIsInvalidWithSourceLineAndColumn() {
    String text = "name: \"m\"\n  max_batch_sise: 8\n";

    assertThatThrownBy(() -> ConfigPbtxt.parse(text, "m/config.pbtxt"))
        .isInstanceOfSatisfying(
            RepositoryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_CONFIG))
        .hasMessageStartingWith("m/config.pbtxt:2:3:")
        .hasMessageContaining("max_batch_sise");
  }

  @Test
  void aSyntaxErrorIsInvalidWithSourceLineAndColumn() {
    String text = "name: \"m\"\ninput [\n  { name: \"x\" dims: [ 3 }\n]\n";

    assertThatThrownBy(() -> ConfigPbtxt.parse(text, "m/config.pbtxt"))
        .isInstanceOfSatisfying(
            RepositoryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_CONFIG))
        .hasMessageMatching("m/config\\.pbtxt:3:\\d+: .*");
  }

  @Test
  void aWrongEnumValueIsInvalid() {
    assertThatThrownBy(() -> ConfigPbtxt.parse("input { data_type: TYPE_FLOAT }", "cfg"))
        .isInstanceOf(RepositoryException.class)
        .hasMessageStartingWith("cfg:1:")
        .hasMessageContaining("TYPE_FLOAT");
  }

  @Test
  void aSingularFieldGivenTwiceIsInvalid() {
    assertThatThrownBy(() -> ConfigPbtxt.parse("max_batch_size: 8\nmax_batch_size: 16\n", "cfg"))
        .isInstanceOf(RepositoryException.class)
        .hasMessageStartingWith("cfg:2:");
  }

  @Test
  void twoSchedulersAreInvalid() {
    assertThatThrownBy(
            () -> ConfigPbtxt.parse("dynamic_batching { }\nsequence_batching { }\n", "cfg"))
        .isInstanceOf(RepositoryException.class)
        .hasMessageStartingWith("cfg:2:");
  }
}
