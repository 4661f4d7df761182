package io.sluice.proto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.TextFormat;
import io.sluice.proto.inference.GrpcService.InferParameter;
import io.sluice.proto.inference.GrpcService.ModelInferRequest;
import io.sluice.proto.inference.ModelConfigProto.DataType;
import io.sluice.proto.inference.ModelConfigProto.ModelConfig;
import io.sluice.proto.inference.ModelConfigProto.ModelDynamicBatching;
import io.sluice.proto.inference.ModelConfigProto.ModelEnsembling;
import io.sluice.proto.inference.ModelConfigProto.ModelInput;
import io.sluice.proto.inference.ModelConfigProto.ModelInstanceGroup;
import io.sluice.proto.inference.ModelConfigProto.ModelOptimizationPolicy;
import io.sluice.proto.inference.ModelConfigProto.ModelQueuePolicy;
import io.sluice.proto.inference.ModelConfigProto.ModelSequenceBatching;
import io.sluice.proto.inference.ModelConfigProto.ModelWarmup;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Real-world Triton config.pbtxt text must parse against our transcribed ModelConfig. */
class ModelConfigParsingTest {

  /** A dynamically batched ONNX classifier, written the way Triton users write them. */
  private static final String DYNAMIC_BATCHING_CONFIG =
      """
      # ResNet-style classifier served from the ONNX Runtime backend.
      name: "resnet50_onnx"
      platform: "onnxruntime_onnx"
      backend: "onnxruntime"
      runtime: "libtriton_onnxruntime.so"
      max_batch_size: 32
      version_policy: { specific: { versions: [ 1, 3 ] } }
      input [
        {
          name: "input__0"
          data_type: TYPE_FP32
          format: FORMAT_NCHW
          dims: [ 3, 224, 224 ]
          reshape: { shape: [ 1, 3, 224, 224 ] }
          allow_ragged_batch: true
        },
        {
          name: "mask"
          data_type: TYPE_BOOL
          dims: [ -1 ]
          optional: true
          is_non_linear_format_io: false
        }
      ]
      output [
        {
          name: "probs"
          data_type: TYPE_FP32
          dims: [ 1000 ]
          label_filename: "labels.txt"
        }
      ]
      batch_input [
        {
          kind: BATCH_ACCUMULATED_ELEMENT_COUNT
          target_name: "lengths"
          data_type: TYPE_INT32
          source_input: "mask"
        }
      ]
      batch_output [
        {
          target_name: "probs"
          kind: BATCH_SCATTER_WITH_INPUT_SHAPE
          source_input: "mask"
        }
      ]
      instance_group [
        {
          name: "gpu_pool"
          count: 2
          kind: KIND_GPU
          gpus: [ 0, 1 ]
          rate_limiter { resources [ { name: "R1" global: true count: 4 } ] priority: 2 }
        },
        { count: 1 kind: KIND_CPU }
      ]
      dynamic_batching {
        preferred_batch_size: [ 8, 16 ]
        max_queue_delay_microseconds: 100
        preserve_ordering: true
        priority_levels: 3
        default_priority_level: 2
        default_queue_policy {
          timeout_action: REJECT
          default_timeout_microseconds: 500000
          allow_timeout_override: true
          max_queue_size: 64
        }
        priority_queue_policy {
          key: 1
          value: { timeout_action: DELAY default_timeout_microseconds: 1000 }
        }
        priority_queue_policy [
          { key: 3 value { max_queue_size: 8 } }
        ]
      }
      optimization {
        graph { level: 1 }
        priority: PRIORITY_MAX
        cuda { graphs: true busy_wait_events: true output_copy_stream: true }
        execution_accelerators {
          gpu_execution_accelerator [
            {
              name: "tensorrt"
              parameters { key: "precision_mode" value: "FP16" }
              parameters { key: "max_workspace_size_bytes" value: "1073741824" }
            }
          ]
          cpu_execution_accelerator: [ { name: "openvino" } ]
        }
        input_pinned_memory { enable: false }
        output_pinned_memory { enable: true }
        gather_kernel_buffer_threshold: 4
        eager_batching: true
      }
      parameters { key: "intra_op_thread_count" value: { string_value: "4" } }
      parameters [
        { key: "cudnn_conv_algo_search" value: { string_value: "1" } }
      ]
      model_warmup [
        {
          name: "random_sample"
          batch_size: 8
          count: 2
          inputs {
            key: "input__0"
            value: { data_type: TYPE_FP32 dims: [ 3, 224, 224 ] random_data: true }
          }
          inputs {
            key: "mask"
            value: { data_type: TYPE_BOOL dims: [ 16 ] zero_data: true }
          }
        }
      ]
      cc_model_filenames { key: "8.0" value: "model_ampere.onnx" }
      metric_tags { key: "team" value: "vision" }
      default_model_filename: "model.onnx"
      model_transaction_policy { decoupled: false }
      model_repository_agents { agents [ { name: "checksum" parameters { key: "MD5:model.onnx" value: "abc" } } ] }
      response_cache { enable: true }
      model_metrics {
        metric_control [
          {
            metric_identifier { family: "nv_inference_first_response_histogram_ms" }
            histogram_options { buckets: [ 1, 2, 4.5, 10 ] }
          }
        ]
      }
      """;

  /** A stateful model using the sequence batcher with controls and implicit state. */
  private static final String SEQUENCE_BATCHING_CONFIG =
      """
      name: "stateful_rnn"
      backend: "onnxruntime"
      max_batch_size: 8
      input [ { name: "INPUT" data_type: TYPE_INT32 dims: [ 1 ] } ]
      output [ { name: "OUTPUT" data_type: TYPE_INT32 dims: [ 1 ] } ]
      sequence_batching {
        max_sequence_idle_microseconds: 5000000
        oldest {
          max_candidate_sequences: 4
          preferred_batch_size: [ 2, 4 ]
          max_queue_delay_microseconds: 100
          preserve_ordering: true
        }
        control_input [
          {
            name: "START"
            control [ { kind: CONTROL_SEQUENCE_START fp32_false_true: [ 0, 1 ] } ]
          },
          {
            name: "READY"
            control [ { kind: CONTROL_SEQUENCE_READY int32_false_true: [ 0, 1 ] } ]
          },
          {
            name: "END"
            control [ { kind: CONTROL_SEQUENCE_END bool_false_true: [ false, true ] } ]
          },
          {
            name: "CORRID"
            control [ { kind: CONTROL_SEQUENCE_CORRID data_type: TYPE_UINT64 } ]
          }
        ]
        state [
          {
            input_name: "INPUT_STATE"
            output_name: "OUTPUT_STATE"
            data_type: TYPE_INT32
            dims: [ -1 ]
            initial_state: { data_type: TYPE_INT32 dims: [ 1 ] zero_data: true name: "zeros" }
            use_same_buffer_for_input_output: true
            use_growable_memory: true
          }
        ]
        iterative_sequence: false
      }
      instance_group [ { kind: KIND_MODEL count: 1 } ]
      """;

  /** A three-step ensemble (tokenize, classify, post-process). */
  private static final String ENSEMBLE_CONFIG =
      """
      name: "text_pipeline"
      platform: "ensemble"
      max_batch_size: 0
      input [ { name: "TEXT" data_type: TYPE_STRING dims: [ -1 ] } ]
      output [ { name: "ANSWER" data_type: TYPE_STRING dims: [ -1 ] } ]
      ensemble_scheduling {
        step [
          {
            model_name: "tokenizer"
            model_version: -1
            input_map { key: "text" value: "TEXT" }
            output_map { key: "input_ids" value: "ids" }
            output_map { key: "attention_mask" value: "mask" }
          },
          {
            model_name: "classifier"
            model_version: 2
            input_map { key: "input_ids" value: "ids" }
            input_map { key: "attention_mask" value: "mask" }
            output_map { key: "logits" value: "logits" }
          },
          {
            model_name: "postprocess"
            model_version: -1
            input_map { key: "logits" value: "logits" }
            output_map { key: "answer" value: "ANSWER" }
          }
        ]
        max_inflight_responses: 16
      }
      """;

  /**
   * Triton reads config.pbtxt with the C++ parser, which rejects a singular field (or a second
   * oneof member) given twice. Java's default parser lets the last value win, so a loader that
   * wants Triton's behaviour must forbid overwrites, as here.
   */
  private static final TextFormat.Parser TRITON_LIKE_PARSER =
      TextFormat.Parser.newBuilder()
          .setSingularOverwritePolicy(TextFormat.Parser.SingularOverwritePolicy.FORBID_SINGULAR_OVERWRITES)
          .build();

  private static ModelConfig parse(String pbtxt) throws TextFormat.ParseException {
    ModelConfig.Builder builder = ModelConfig.newBuilder();
    TRITON_LIKE_PARSER.merge(pbtxt, builder);
    return builder.build();
  }

  @Test
  void parsesDynamicBatchingConfig() throws Exception {
    ModelConfig config = parse(DYNAMIC_BATCHING_CONFIG);

    assertThat(config.getName()).isEqualTo("resnet50_onnx");
    assertThat(config.getPlatform()).isEqualTo("onnxruntime_onnx");
    assertThat(config.getBackend()).isEqualTo("onnxruntime");
    assertThat(config.getRuntime()).isEqualTo("libtriton_onnxruntime.so");
    assertThat(config.getMaxBatchSize()).isEqualTo(32);
    assertThat(config.getVersionPolicy().hasSpecific()).isTrue();
    assertThat(config.getVersionPolicy().getSpecific().getVersionsList()).containsExactly(1L, 3L);

    ModelInput image = config.getInput(0);
    assertThat(image.getName()).isEqualTo("input__0");
    assertThat(image.getDataType()).isEqualTo(DataType.TYPE_FP32);
    assertThat(image.getFormat()).isEqualTo(ModelInput.Format.FORMAT_NCHW);
    assertThat(image.getDimsList()).containsExactly(3L, 224L, 224L);
    assertThat(image.getReshape().getShapeList()).containsExactly(1L, 3L, 224L, 224L);
    assertThat(image.getAllowRaggedBatch()).isTrue();
    assertThat(config.getInput(1).getOptional()).isTrue();
    assertThat(config.getInput(1).getDimsList()).containsExactly(-1L);

    assertThat(config.getOutput(0).getLabelFilename()).isEqualTo("labels.txt");
    assertThat(config.getBatchInput(0).getKind())
        .isEqualTo(
            io.sluice.proto.inference.ModelConfigProto.BatchInput.Kind
                .BATCH_ACCUMULATED_ELEMENT_COUNT);
    assertThat(config.getBatchOutput(0).getTargetNameList()).containsExactly("probs");

    assertThat(config.getInstanceGroupCount()).isEqualTo(2);
    ModelInstanceGroup gpuGroup = config.getInstanceGroup(0);
    assertThat(gpuGroup.getKind()).isEqualTo(ModelInstanceGroup.Kind.KIND_GPU);
    assertThat(gpuGroup.getCount()).isEqualTo(2);
    assertThat(gpuGroup.getGpusList()).containsExactly(0, 1);
    assertThat(gpuGroup.getRateLimiter().getResources(0).getGlobal()).isTrue();
    assertThat(gpuGroup.getRateLimiter().getPriority()).isEqualTo(2);
    assertThat(config.getInstanceGroup(1).getKind()).isEqualTo(ModelInstanceGroup.Kind.KIND_CPU);

    assertThat(config.getSchedulingChoiceCase())
        .isEqualTo(ModelConfig.SchedulingChoiceCase.DYNAMIC_BATCHING);
    ModelDynamicBatching batching = config.getDynamicBatching();
    assertThat(batching.getPreferredBatchSizeList()).containsExactly(8, 16);
    assertThat(batching.getMaxQueueDelayMicroseconds()).isEqualTo(100L);
    assertThat(batching.getPreserveOrdering()).isTrue();
    assertThat(batching.getPriorityLevels()).isEqualTo(3L);
    assertThat(batching.getDefaultPriorityLevel()).isEqualTo(2L);
    assertThat(batching.getDefaultQueuePolicy().getTimeoutAction())
        .isEqualTo(ModelQueuePolicy.TimeoutAction.REJECT);
    assertThat(batching.getDefaultQueuePolicy().getDefaultTimeoutMicroseconds()).isEqualTo(500_000L);
    assertThat(batching.getDefaultQueuePolicy().getAllowTimeoutOverride()).isTrue();
    assertThat(batching.getDefaultQueuePolicy().getMaxQueueSize()).isEqualTo(64);
    assertThat(batching.getPriorityQueuePolicyMap()).containsOnlyKeys(1L, 3L);
    assertThat(batching.getPriorityQueuePolicyOrThrow(1L).getTimeoutAction())
        .isEqualTo(ModelQueuePolicy.TimeoutAction.DELAY);
    assertThat(batching.getPriorityQueuePolicyOrThrow(1L).getDefaultTimeoutMicroseconds())
        .isEqualTo(1000L);
    assertThat(batching.getPriorityQueuePolicyOrThrow(3L).getMaxQueueSize()).isEqualTo(8);

    ModelOptimizationPolicy optimization = config.getOptimization();
    assertThat(optimization.getGraph().getLevel()).isEqualTo(1);
    assertThat(optimization.getPriority())
        .isEqualTo(ModelOptimizationPolicy.ModelPriority.PRIORITY_MAX);
    assertThat(optimization.getCuda().getGraphs()).isTrue();
    ModelOptimizationPolicy.ExecutionAccelerators.Accelerator trt =
        optimization.getExecutionAccelerators().getGpuExecutionAccelerator(0);
    assertThat(trt.getName()).isEqualTo("tensorrt");
    assertThat(trt.getParametersMap())
        .containsEntry("precision_mode", "FP16")
        .containsEntry("max_workspace_size_bytes", "1073741824");
    assertThat(optimization.getExecutionAccelerators().getCpuExecutionAccelerator(0).getName())
        .isEqualTo("openvino");
    assertThat(optimization.getInputPinnedMemory().getEnable()).isFalse();
    assertThat(optimization.getGatherKernelBufferThreshold()).isEqualTo(4);
    assertThat(optimization.getEagerBatching()).isTrue();

    assertThat(config.getParametersMap()).containsOnlyKeys("intra_op_thread_count", "cudnn_conv_algo_search");
    assertThat(config.getParametersOrThrow("intra_op_thread_count").getStringValue()).isEqualTo("4");

    ModelWarmup warmup = config.getModelWarmup(0);
    assertThat(warmup.getName()).isEqualTo("random_sample");
    assertThat(warmup.getBatchSize()).isEqualTo(8);
    assertThat(warmup.getCount()).isEqualTo(2);
    ModelWarmup.Input warmupImage = warmup.getInputsOrThrow("input__0");
    assertThat(warmupImage.getInputDataTypeCase())
        .isEqualTo(ModelWarmup.Input.InputDataTypeCase.RANDOM_DATA);
    assertThat(warmupImage.getDimsList()).containsExactly(3L, 224L, 224L);
    assertThat(warmup.getInputsOrThrow("mask").getInputDataTypeCase())
        .isEqualTo(ModelWarmup.Input.InputDataTypeCase.ZERO_DATA);

    assertThat(config.getCcModelFilenamesMap()).containsEntry("8.0", "model_ampere.onnx");
    assertThat(config.getMetricTagsMap()).containsEntry("team", "vision");
    assertThat(config.getModelRepositoryAgents().getAgents(0).getName()).isEqualTo("checksum");
    assertThat(config.getResponseCache().getEnable()).isTrue();
    assertThat(config.getModelMetrics().getMetricControl(0).getHistogramOptions().getBucketsList())
        .containsExactly(1.0, 2.0, 4.5, 10.0);
  }

  @Test
  void parsesSequenceBatchingConfig() throws Exception {
    ModelConfig config = parse(SEQUENCE_BATCHING_CONFIG);

    assertThat(config.getSchedulingChoiceCase())
        .isEqualTo(ModelConfig.SchedulingChoiceCase.SEQUENCE_BATCHING);
    ModelSequenceBatching seq = config.getSequenceBatching();
    assertThat(seq.getMaxSequenceIdleMicroseconds()).isEqualTo(5_000_000L);
    assertThat(seq.getStrategyChoiceCase())
        .isEqualTo(ModelSequenceBatching.StrategyChoiceCase.OLDEST);
    assertThat(seq.getOldest().getMaxCandidateSequences()).isEqualTo(4);
    assertThat(seq.getOldest().getPreferredBatchSizeList()).containsExactly(2, 4);

    assertThat(seq.getControlInputList())
        .extracting(ModelSequenceBatching.ControlInput::getName)
        .containsExactly("START", "READY", "END", "CORRID");
    ModelSequenceBatching.Control start = seq.getControlInput(0).getControl(0);
    assertThat(start.getKind()).isEqualTo(ModelSequenceBatching.Control.Kind.CONTROL_SEQUENCE_START);
    assertThat(start.getFp32FalseTrueList()).containsExactly(0.0f, 1.0f);
    assertThat(seq.getControlInput(1).getControl(0).getInt32FalseTrueList()).containsExactly(0, 1);
    assertThat(seq.getControlInput(2).getControl(0).getBoolFalseTrueList()).containsExactly(false, true);
    ModelSequenceBatching.Control corrId = seq.getControlInput(3).getControl(0);
    assertThat(corrId.getKind()).isEqualTo(ModelSequenceBatching.Control.Kind.CONTROL_SEQUENCE_CORRID);
    assertThat(corrId.getDataType()).isEqualTo(DataType.TYPE_UINT64);

    ModelSequenceBatching.State state = seq.getState(0);
    assertThat(state.getInputName()).isEqualTo("INPUT_STATE");
    assertThat(state.getOutputName()).isEqualTo("OUTPUT_STATE");
    assertThat(state.getDimsList()).containsExactly(-1L);
    assertThat(state.getInitialState(0).getStateDataCase())
        .isEqualTo(ModelSequenceBatching.InitialState.StateDataCase.ZERO_DATA);
    assertThat(state.getUseSameBufferForInputOutput()).isTrue();
    assertThat(state.getUseGrowableMemory()).isTrue();
    assertThat(config.getInstanceGroup(0).getKind()).isEqualTo(ModelInstanceGroup.Kind.KIND_MODEL);
  }

  @Test
  void parsesEnsembleConfig() throws Exception {
    ModelConfig config = parse(ENSEMBLE_CONFIG);

    assertThat(config.getPlatform()).isEqualTo("ensemble");
    assertThat(config.getInput(0).getDataType()).isEqualTo(DataType.TYPE_STRING);
    assertThat(config.getSchedulingChoiceCase())
        .isEqualTo(ModelConfig.SchedulingChoiceCase.ENSEMBLE_SCHEDULING);
    ModelEnsembling ensemble = config.getEnsembleScheduling();
    assertThat(ensemble.getStepList())
        .extracting(ModelEnsembling.Step::getModelName)
        .containsExactly("tokenizer", "classifier", "postprocess");
    assertThat(ensemble.getStep(0).getModelVersion()).isEqualTo(-1L);
    assertThat(ensemble.getStep(0).getOutputMapMap())
        .containsEntry("input_ids", "ids")
        .containsEntry("attention_mask", "mask");
    assertThat(ensemble.getStep(1).getModelVersion()).isEqualTo(2L);
    assertThat(ensemble.getStep(1).getInputMapMap()).containsEntry("input_ids", "ids");
    assertThat(ensemble.getStep(2).getOutputMapMap()).containsEntry("answer", "ANSWER");
    assertThat(ensemble.getMaxInflightResponses()).isEqualTo(16);
  }

  @Test
  void textFormatRoundTripsTheFullConfig() throws Exception {
    ModelConfig config = parse(DYNAMIC_BATCHING_CONFIG);
    ModelConfig again = parse(TextFormat.printer().printToString(config));
    assertThat(again).isEqualTo(config);
  }

  @Test
  void rejectsTwoSchedulersLikeTriton() {
    // dynamic_batching, sequence_batching and ensemble_scheduling share one oneof.
    String both = "name: \"x\"\ndynamic_batching { }\nsequence_batching { }\n";
    assertThatThrownBy(() -> parse(both))
        .isInstanceOf(TextFormat.ParseException.class)
        .hasMessageContaining("scheduling_choice");
  }

  @Test
  void rejectsARepeatedSingularFieldLikeTriton() {
    assertThatThrownBy(() -> parse("max_batch_size: 8\nmax_batch_size: 16\n"))
        .isInstanceOf(TextFormat.ParseException.class)
        .hasMessageContaining("max_batch_size");
  }

  @Test
  void rejectsUnknownFields() {
    assertThatThrownBy(() -> parse("name: \"x\"\nno_such_field: 1\n"))
        .isInstanceOf(TextFormat.ParseException.class)
        .hasMessageContaining("no_such_field");
  }

  @Test
  void modelInferRequestWithRawContentsRoundTripsThroughBytes() throws Exception {
    ByteBuffer fp32 = ByteBuffer.allocate(4 * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : new float[] {0.5f, -1.25f, 3.0f, 42.0f}) {
      fp32.putFloat(f);
    }
    // BYTES elements travel as <uint32 little-endian length><bytes>.
    byte[] text = "hello".getBytes(StandardCharsets.UTF_8);
    ByteBuffer bytesTensor = ByteBuffer.allocate(4 + text.length).order(ByteOrder.LITTLE_ENDIAN);
    bytesTensor.putInt(text.length).put(text);

    ModelInferRequest request =
        ModelInferRequest.newBuilder()
            .setModelName("resnet50_onnx")
            .setModelVersion("3")
            .setId("req-17")
            .putParameters("sequence_id", InferParameter.newBuilder().setInt64Param(99L).build())
            .putParameters("sequence_start", InferParameter.newBuilder().setBoolParam(true).build())
            .putParameters("priority", InferParameter.newBuilder().setUint64Param(2L).build())
            .putParameters("temperature", InferParameter.newBuilder().setDoubleParam(0.7).build())
            .addInputs(
                ModelInferRequest.InferInputTensor.newBuilder()
                    .setName("input__0")
                    .setDatatype("FP32")
                    .addShape(1)
                    .addShape(4))
            .addInputs(
                ModelInferRequest.InferInputTensor.newBuilder()
                    .setName("TEXT")
                    .setDatatype("BYTES")
                    .addShape(1))
            .addOutputs(
                ModelInferRequest.InferRequestedOutputTensor.newBuilder()
                    .setName("probs")
                    .putParameters(
                        "classification", InferParameter.newBuilder().setInt64Param(3).build()))
            .addRawInputContents(ByteString.copyFrom(fp32.array()))
            .addRawInputContents(ByteString.copyFrom(bytesTensor.array()))
            .build();

    byte[] wire = request.toByteArray();
    ModelInferRequest decoded = ModelInferRequest.parseFrom(wire);

    assertThat(decoded).isEqualTo(request);
    assertThat(decoded.getRawInputContentsCount()).isEqualTo(2);
    ByteBuffer back =
        decoded.getRawInputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    assertThat(back.getFloat(0)).isEqualTo(0.5f);
    assertThat(back.getFloat(12)).isEqualTo(42.0f);
    assertThat(decoded.getRawInputContents(1).toByteArray()).isEqualTo(bytesTensor.array());
    assertThat(decoded.getInputs(0).getShapeList()).containsExactly(1L, 4L);
    assertThat(decoded.getInputs(0).hasContents()).isFalse();
    assertThat(decoded.getParametersOrThrow("sequence_id").getParameterChoiceCase())
        .isEqualTo(InferParameter.ParameterChoiceCase.INT64_PARAM);
    assertThat(decoded.getParametersOrThrow("temperature").getDoubleParam()).isEqualTo(0.7);
    assertThat(decoded.getOutputs(0).getParametersOrThrow("classification").getInt64Param())
        .isEqualTo(3L);
  }

  @Test
  void decodesHandEncodedWireBytesByUpstreamFieldNumbers() throws IOException {
    // Encode with raw tags, independent of the generated code, using the
    // numbers of the public spec: model_name=1, id=3, inputs=5 {name=1,
    // datatype=2, shape=3}, raw_input_contents=7.
    ByteArrayOutputStream tensor = new ByteArrayOutputStream();
    CodedOutputStream t = CodedOutputStream.newInstance(tensor);
    t.writeString(1, "INPUT0");
    t.writeString(2, "UINT8");
    t.writeInt64(3, 3);
    t.flush();

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CodedOutputStream c = CodedOutputStream.newInstance(out);
    c.writeString(1, "identity");
    c.writeString(3, "abc");
    c.writeByteArray(5, tensor.toByteArray());
    c.writeByteArray(7, new byte[] {7, 8, 9});
    c.flush();

    ModelInferRequest decoded = ModelInferRequest.parseFrom(out.toByteArray());
    assertThat(decoded.getModelName()).isEqualTo("identity");
    assertThat(decoded.getId()).isEqualTo("abc");
    assertThat(decoded.getInputs(0).getName()).isEqualTo("INPUT0");
    assertThat(decoded.getInputs(0).getDatatype()).isEqualTo("UINT8");
    assertThat(decoded.getInputs(0).getShapeList()).containsExactly(3L);
    assertThat(decoded.getRawInputContents(0).toByteArray()).containsExactly(7, 8, 9);
    assertThat(decoded.getUnknownFields().asMap()).isEmpty();
  }
}
