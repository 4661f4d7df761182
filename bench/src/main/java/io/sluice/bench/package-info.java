/**
 * JMH benchmarks of Sluice's hot paths and of the in-process ONNX Runtime baseline (B0). All
 * benchmarks share one base configuration so their ratios are comparable.
 */
package io.sluice.bench;
